//! Keeps the index fresh for the MCP server the way queries keep it fresh, without making an
//! agent wait on a long update.
//!
//! A query command updates the index before it answers. An agent's tool call should not sit
//! through a first build of a large history or the indexing of a busy day, so the server runs
//! the update on a thread of its own and waits for it only up to a budget: a call that would
//! wait longer answers from the last commit and says the index is catching up. One update runs
//! at a time; calls that arrive meanwhile wait on the same one. Messages the update would print
//! (an unwritable index, a rebuild) become notes in the answer instead.

use std::io;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use crate::commands::Io;
use crate::commands::refresh::{Freshness, Needs, open_index};
use crate::config::Config;

/// What a call says when it answered before the update finished.
pub const CATCHING_UP: &str = "the index is catching up with new or changed sessions (an update \
     is running): this answer is from its last update and may miss the newest messages; ask \
     again in a moment";

/// Runs index updates in the background, one at a time.
#[derive(Debug)]
pub struct Freshener {
    state: Mutex<State>,
    changed: Condvar,
    budget: Duration,
}

#[derive(Debug, Default)]
struct State {
    running: bool,
    /// Updates finished so far.
    finished: u64,
    /// What the last update had to say.
    notes: Vec<String>,
}

impl Freshener {
    /// A freshener whose callers wait at most `budget` for an update.
    pub fn new(budget: Duration) -> Arc<Freshener> {
        Arc::new(Freshener {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            budget,
        })
    }

    /// Starts an update unless one is running (at server start, so the first call is quick).
    pub fn start(self: &Arc<Self>, config: &Arc<Config>) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        self.start_locked(&mut state, config);
    }

    /// Brings the index up to date, waiting at most the budget; returns notes for the answer
    /// (empty when it is up to date and nothing went wrong).
    pub fn refresh(self: &Arc<Self>, config: &Arc<Config>) -> Vec<String> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        // An update that started before this call may have missed what changed since: wait
        // for it, then for one of our own.
        let target = state.finished + if state.running { 2 } else { 1 };
        self.start_locked(&mut state, config);
        let deadline = std::time::Instant::now() + self.budget;
        while state.finished < target {
            if !state.running {
                self.start_locked(&mut state, config);
            }
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return vec![CATCHING_UP.to_owned()];
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        state.notes.clone()
    }

    /// Waits, however long it takes, for the running update to finish (a first build: there
    /// is no earlier commit to answer from).
    pub fn wait_idle(&self) -> Vec<String> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.running {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.notes.clone()
    }

    fn start_locked(self: &Arc<Self>, state: &mut State, config: &Arc<Config>) {
        if state.running {
            return;
        }
        let me = Arc::clone(self);
        let config = Arc::clone(config);
        let spawned = std::thread::Builder::new()
            .name("rolldex-update".into())
            .spawn(move || {
                let notes = update(&config);
                let mut state = me.state.lock().unwrap_or_else(PoisonError::into_inner);
                state.running = false;
                state.finished += 1;
                state.notes = notes;
                me.changed.notify_all();
            });
        match spawned {
            Ok(_) => state.running = true,
            Err(e) => {
                state.finished += 1;
                state.notes = vec![format!(
                    "could not start an index update ({e}); answering from the last update"
                )];
            }
        }
    }
}

/// One update, quiet (no progress bar, no skip summary); what it would have said on stderr
/// comes back as notes.
fn update(config: &Config) -> Vec<String> {
    let mut out = io::sink();
    let mut err: Vec<u8> = Vec::new();
    let outcome = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
        };
        open_index(config, Freshness::Update, Needs::Sessions, &mut io).map(|_| ())
    };
    let mut notes: Vec<String> = String::from_utf8_lossy(&err)
        .lines()
        .map(|l| l.strip_prefix("rolldex: ").unwrap_or(l).to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if let Err(e) = outcome {
        notes.push(format!(
            "could not update the index ({e}); answering from its last update"
        ));
    }
    notes
}
