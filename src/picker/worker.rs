//! The picker's query work, off the input thread: one worker owns the index and answers the
//! newest list request (older ones still queued are dropped, so typing never waits on a query
//! it has already typed past); a previewer reads the selected session's file (which can take a
//! while for a large one, and must not hold up the next list); an updater brings the index up
//! to date in the background and the worker reopens it when the update lands.

use std::sync::mpsc::{Receiver, Sender};

use crate::config::Config;
use crate::freshen::{self, Freshness, Hooks, Needs, NoProgress};
use crate::index::{IndexStore, Progress};
use crate::model::SessionInfo;
use crate::pick::{self, PickRequest, PreviewLine};

/// A row as the picker shows it (owned: it crosses threads).
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// Session id.
    pub id: String,
    /// Last activity, local minute.
    pub updated: String,
    /// Thread name, else the first thing asked.
    pub label: String,
    /// Working directory.
    pub cwd: String,
    /// Models used (the last one).
    pub model: String,
    /// User turns.
    pub turns: u32,
    /// Total tokens.
    pub tokens: i64,
    /// USD, when known.
    pub cost: Option<f64>,
}

/// What the worker is asked.
#[derive(Debug)]
pub enum Job {
    /// List sessions (`seq` orders answers).
    List(u64, PickRequest),
    /// Preview one session for these words.
    Preview(u64, String, Vec<String>),
    /// The index changed on disk: open it again.
    Reopen,
}

/// What the threads tell the input loop.
#[derive(Debug)]
pub enum Event {
    /// A key or a resize.
    Term(crossterm::event::Event),
    /// The terminal cannot be read any more.
    InputClosed(String),
    /// A list answer.
    Listed {
        /// The request it answers.
        seq: u64,
        /// Rows, best first.
        rows: Vec<Row>,
        /// Words to highlight.
        words: Vec<String>,
        /// What is wrong with the typed line, or the query error.
        problem: Option<String>,
    },
    /// A preview answer.
    Previewed {
        /// The request it answers.
        seq: u64,
        /// Excerpts.
        lines: Vec<PreviewLine>,
    },
    /// The background update finished (`changed`: something new was committed).
    Updated {
        /// Whether the index changed.
        changed: bool,
        /// What it had to say.
        notes: Vec<String>,
    },
}

use ratatui::crossterm;

/// Opens the index as it is (no update, nothing printed).
pub fn open_as_is(config: &Config) -> crate::error::Result<IndexStore> {
    Hooks::silent(|hooks| freshen::open_index(config, Freshness::AsIs, Needs::Sessions, hooks))
        .map(|(store, _)| store)
}

/// A preview to make: the session, every known (path, session id) for inherited history, the
/// words.
pub type PreviewJob = (u64, SessionInfo, Vec<(String, String)>, Vec<String>);

/// Runs the worker until `jobs` closes; previews go on to `previews`.
pub fn work(
    config: &Config,
    mut store: IndexStore,
    jobs: &Receiver<Job>,
    previews: &Sender<PreviewJob>,
    events: &Sender<Event>,
) {
    while let Ok(first) = jobs.recv() {
        let (mut list, mut preview, mut reopen) = (None, None, false);
        let mut take = |job: Job| match job {
            Job::List(seq, request) => list = Some((seq, request)),
            Job::Preview(seq, id, words) => preview = Some((seq, id, words)),
            Job::Reopen => reopen = true,
        };
        take(first);
        while let Ok(job) = jobs.try_recv() {
            take(job);
        }
        if reopen && let Ok(fresh) = open_as_is(config) {
            store = fresh;
        }
        if let Some((seq, request)) = list {
            let event = match pick::pick(&store, &config.zone, &config.prices, &request) {
                Ok(picked) => Event::Listed {
                    seq,
                    rows: picked.rows.iter().map(|r| row(config, r)).collect(),
                    problem: picked.typed.problem.clone(),
                    words: picked.typed.words,
                },
                Err(e) => Event::Listed {
                    seq,
                    rows: Vec::new(),
                    words: Vec::new(),
                    problem: Some(e.to_string()),
                },
            };
            if events.send(event).is_err() {
                return;
            }
        }
        if let Some((seq, id, words)) = preview {
            let sessions = store.session_infos();
            if let Some(session) = sessions.iter().find(|s| s.id == id) {
                let files = store
                    .file_sessions()
                    .into_iter()
                    .map(|(p, s)| (p.to_owned(), s.to_owned()))
                    .collect();
                if previews
                    .send((seq, (*session).clone(), files, words))
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Makes the newest preview asked for until `jobs` closes.
pub fn previewer(jobs: &Receiver<PreviewJob>, events: &Sender<Event>) {
    while let Ok(mut job) = jobs.recv() {
        while let Ok(newer) = jobs.try_recv() {
            job = newer;
        }
        let (seq, session, files, words) = job;
        let files: Vec<(&str, &str)> = files
            .iter()
            .map(|(p, s)| (p.as_str(), s.as_str()))
            .collect();
        let transcript = crate::transcript::read(&session, &files);
        // The session's own messages: inherited history is the other session's to show.
        let own: Vec<_> = transcript
            .parts
            .into_iter()
            .filter(|p| p.inherited_from.is_none())
            .flat_map(|p| p.messages)
            .collect();
        let lines = pick::preview(&own, &words, 6);
        if events.send(Event::Previewed { seq, lines }).is_err() {
            return;
        }
    }
}

fn row(config: &Config, picked: &pick::PickRow<'_>) -> Row {
    let s = picked.session;
    let label = s
        .thread_name
        .as_deref()
        .or(s.title.as_deref())
        .unwrap_or("");
    Row {
        id: s.id.clone(),
        updated: s
            .updated_at_ms
            .map(|ms| config.zone.format_minute(ms))
            .unwrap_or_default(),
        label: label.to_owned(),
        cwd: s
            .latest_cwd
            .as_deref()
            .or(s.cwd.as_deref())
            .unwrap_or("")
            .to_owned(),
        model: s.models.last().cloned().unwrap_or_default(),
        turns: s.turns,
        tokens: s.usage.total_tokens,
        cost: picked.cost,
    }
}

/// Brings the index up to date quietly; its notes come back in the event.
pub fn update(config: &Config, events: &Sender<Event>) {
    let mut notes = Vec::new();
    let progress = || -> Box<dyn Progress> { Box::new(NoProgress) };
    let mut note = |line: &str| notes.push(line.to_owned());
    let outcome = freshen::open_index(
        config,
        Freshness::Update,
        Needs::Sessions,
        &mut Hooks {
            progress: &progress,
            note: &mut note,
        },
    );
    let changed = match outcome {
        Ok((_, summary)) => summary.is_some_and(|s| s.committed),
        Err(e) => {
            notes.push(format!("could not update the index ({e})"));
            false
        }
    };
    let _ = events.send(Event::Updated { changed, notes });
}
