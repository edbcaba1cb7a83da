//! What front ends that run threads of their own check first. Where the process could start
//! no thread (a user at their process limit, a container at its pids limit), `main` makes the
//! calling thread rayon's only worker, and a thread of the picker or the MCP server that called
//! into the library's parallel steps would wait for that worker forever; where it can start
//! only a few, the MCP server's runtime would panic for want of one.

use crate::error::{Error, Result};

/// An error naming `what` when rayon's only worker is the calling thread.
pub fn refuse_without_threads(what: &str) -> Result<()> {
    if rayon::current_thread_index().is_some() {
        return Err(Error::Usage(format!(
            "{what} needs threads, and this process may start none (a process limit?)"
        )));
    }
    Ok(())
}

/// Work handed to a parked thread.
type Work = Box<dyn FnOnce() + Send>;

/// Threads started up front, each waiting to be handed the one piece of work it will run.
/// Counting how many threads start and then starting them again raced with the user's other
/// processes: one of them could take the last slots of a process limit in between, and rayon
/// cannot be set up again after a thread it asked for failed to start. Threads that have
/// started already cannot fail.
pub struct Parked(Vec<std::sync::mpsc::Sender<Work>>);

impl Parked {
    /// Starts up to `n` threads, fewer when the system refuses one. A thread never handed work
    /// ends when this is dropped.
    pub fn start(n: usize) -> Parked {
        let mut waiting = Vec::with_capacity(n);
        for _ in 0..n {
            let (send, receive) = std::sync::mpsc::channel::<Work>();
            let wait = move || {
                if let Ok(work) = receive.recv() {
                    work();
                }
            };
            if std::thread::Builder::new().spawn(wait).is_err() {
                break;
            }
            waiting.push(send);
        }
        Parked(waiting)
    }

    /// How many threads are waiting.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no thread started.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Hands `work` to a waiting thread; gives it back when none is left.
    pub fn run(&mut self, work: Work) -> std::result::Result<(), Work> {
        match self.0.pop() {
            Some(thread) => thread.send(work).map_err(|refused| refused.0),
            None => Err(work),
        }
    }
}

/// How many of `n` threads can run at once here: each is started and kept waiting until all
/// have started (or one could not), then all end (joined) before this returns.
pub fn how_many_start(n: usize) -> usize {
    let gate = std::sync::Arc::new(std::sync::RwLock::new(()));
    let closed = gate.write();
    let mut started = Vec::with_capacity(n);
    for _ in 0..n {
        let gate = std::sync::Arc::clone(&gate);
        match std::thread::Builder::new().spawn(move || drop(gate.read())) {
            Ok(handle) => started.push(handle),
            Err(_) => break,
        }
    }
    let count = started.len();
    drop(closed);
    for handle in started {
        let _ = handle.join();
    }
    count
}
