//! Runs a call's blocking work on a thread of its own, and awaits it; starts tokio's blocking
//! threads up front.
//!
//! tokio's blocking pool, refused a thread (a process limit reached meanwhile), queues the work
//! behind its threads instead, and one of them is reading stdin: the call waited for the
//! client's next message, which an agent waiting for the answer never sends. A thread started
//! here cannot be queued; where none may start, the work runs on the runtime's own thread,
//! holding other messages back until it is done, but answering.

use std::sync::{Arc, Mutex, PoisonError};

/// Runs `work` on a new thread (or this one, when none may start) and gives its result;
/// `Err` with the panic's message if it panicked.
pub async fn run<T, F>(work: F) -> Result<T, String>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (send, receive) = tokio::sync::oneshot::channel();
    let run_it = move || {
        let _ = send.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    };
    if let Err(run_it) = spawn_or_give_back(run_it) {
        run_it();
    }
    match receive.await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(panic)) => Err(panic_message(panic.as_ref())),
        Err(_) => Err("the call's thread ended without an answer".into()),
    }
}

/// Starts `n` of tokio's blocking threads, each kept busy until all have started (or a second
/// has passed), so that each is a thread of its own; gives how many there were.
pub async fn start_blocking_threads(n: usize) -> usize {
    use std::collections::HashSet;
    use std::sync::Condvar;
    let started = Arc::new((Mutex::new(HashSet::new()), Condvar::new()));
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let started = Arc::clone(&started);
            tokio::task::spawn_blocking(move || {
                let (threads, all_in) = &*started;
                let mut threads = threads.lock().unwrap_or_else(PoisonError::into_inner);
                threads.insert(std::thread::current().id());
                all_in.notify_all();
                let wait = std::time::Duration::from_secs(1);
                let _ = all_in.wait_timeout_while(threads, wait, |t| t.len() < n);
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let threads = started.0.lock().unwrap_or_else(PoisonError::into_inner);
    threads.len()
}

/// Starts `f` on a new thread, or gives it back when the system refuses one.
fn spawn_or_give_back<F: FnOnce() + Send + 'static>(f: F) -> Result<(), F> {
    let slot = Arc::new(Mutex::new(Some(f)));
    let theirs = Arc::clone(&slot);
    let started = std::thread::Builder::new()
        .name("rolldex-call".into())
        .spawn(move || {
            let f = theirs.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(f) = f {
                f();
            }
        });
    match started {
        Ok(_) => Ok(()),
        Err(_) => slot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
            .map_or(Ok(()), Err),
    }
}

/// What a panic said, when it said it with text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    (panic.downcast_ref::<&str>().copied())
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_or_the_panic_comes_back() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        assert_eq!(runtime.block_on(run(|| 6 * 7)), Ok(42));
        let panicked = runtime.block_on(run(|| -> u8 { panic!("boom") }));
        assert_eq!(panicked, Err("boom".to_owned()));
    }
}
