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
