//! The picker's query work, off the input thread: one worker owns the index and answers the
//! newest list request (older ones still queued are dropped, so typing never waits on a query
//! it has already typed past); a previewer reads the selected session's file (which can take a
//! while for a large one, and must not hold up the next list); an updater brings the index up
//! to date in the background and the worker reopens it when the update lands.
//!
//! On two cores the previewer competes with the next list for the CPU, so it waits until the
//! selection has stayed put for a moment (a preview of a row typed past is never seen) and
//! keeps the last few sessions read (the best row often stays the same while a word is typed).

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use crate::config::Config;
use crate::freshen::{self, Freshness, Hooks, Needs, NoProgress};
use crate::index::{IndexStore, Progress};
use crate::model::SessionInfo;
use crate::pick::{self, PickRequest, PreviewLine, PreviewSource};

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
    /// The terminal went away (closed, or SIGHUP/SIGTERM/SIGINT).
    Hangup,
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

/// Every known rollout file as (path, session id), where inherited history is looked up.
pub type FileSessions = Arc<Vec<(String, String)>>;

/// A preview to make: the session, every known (path, session id), the words.
pub type PreviewJob = (u64, SessionInfo, FileSessions, Vec<String>);

/// How long the selection must stay put before its preview is made.
const PREVIEW_QUIET: Duration = Duration::from_millis(30);

/// How many sessions the previewer keeps read.
const PREVIEW_KEPT: usize = 8;

fn file_sessions(store: &IndexStore) -> FileSessions {
    Arc::new(
        store
            .file_sessions()
            .into_iter()
            .map(|(p, s)| (p.to_owned(), s.to_owned()))
            .collect(),
    )
}

/// Runs the worker until `jobs` closes; previews go on to `previews`.
pub fn work(
    config: &Config,
    mut store: IndexStore,
    jobs: &Receiver<Job>,
    previews: &Sender<PreviewJob>,
    events: &Sender<Event>,
) {
    // Made once per opened index, not per preview.
    let mut files = file_sessions(&store);
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
            files = file_sessions(&store);
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
        if let Some((seq, id, words)) = preview
            && let Some(session) = store.sessions().by_id(&id)
            && previews
                .send((seq, session.clone(), Arc::clone(&files), words))
                .is_err()
        {
            return;
        }
    }
}

/// Makes the newest preview asked for until `jobs` closes, once the selection has stayed put
/// for [`PREVIEW_QUIET`].
pub fn previewer(jobs: &Receiver<PreviewJob>, events: &Sender<Event>) {
    // The last sessions read, newest first: (id, last activity, messages).
    let mut kept: VecDeque<(String, Option<i64>, Arc<PreviewSource>)> = VecDeque::new();
    while let Ok(mut job) = jobs.recv() {
        loop {
            match jobs.recv_timeout(PREVIEW_QUIET) {
                Ok(newer) => job = newer,
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        let (seq, session, files, words) = job;
        let at = kept
            .iter()
            .position(|(id, updated, _)| *id == session.id && *updated == session.updated_at_ms);
        let source = match at.and_then(|i| kept.remove(i)) {
            Some((_, _, source)) => source,
            None => Arc::new(read_source(&session, &files)),
        };
        kept.push_front((
            session.id.clone(),
            session.updated_at_ms,
            Arc::clone(&source),
        ));
        kept.truncate(PREVIEW_KEPT);
        let lines = pick::preview(&source, &words, 6);
        if events.send(Event::Previewed { seq, lines }).is_err() {
            return;
        }
    }
}

/// The session's own messages (inherited history is the other session's to show).
fn read_source(session: &SessionInfo, files: &[(String, String)]) -> PreviewSource {
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let transcript = crate::transcript::read(session, &files);
    PreviewSource::new(
        transcript
            .parts
            .into_iter()
            .filter(|p| p.inherited_from.is_none())
            .flat_map(|p| p.messages)
            .collect(),
    )
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
