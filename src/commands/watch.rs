//! `--watch`: draws a report, then redraws it whenever the rollouts change, until Ctrl-C.
//!
//! Change is noticed by file notifications on each home's `sessions/`, `archived_sessions/`
//! and `session_index.jsonl` (inotify on Linux, through `notify`): between changes nothing
//! runs. Where notifications cannot be had (a network mount, a container without inotify, a
//! watch limit reached) it falls back to polling the scan stamps (size, mtime, inode of each
//! rollout and the thread names) once a second: a directory walk and `stat`s, no file reads. A
//! notification is confirmed by the stamps too, so only a real change redraws. Each redraw
//! brings the index up to date incrementally first (a grown file is read from where it
//! stopped). Ctrl-C ends the loop with exit status 0.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::Io;
use super::refresh::scan;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::scan::ScanResult;

/// How often the homes are looked at.
const POLL: Duration = Duration::from_secs(1);
/// How often Ctrl-C is looked for while waiting.
const TICK: Duration = Duration::from_millis(100);
/// How long a burst of notifications (Codex writes several lines at once) is let settle.
const SETTLE: Duration = Duration::from_millis(150);

/// Calls `frame` to draw into a buffer, shows it (clearing the screen on a terminal; frames
/// are separated by a blank line otherwise), and again after every change, until Ctrl-C.
pub fn watch(
    config: &Config,
    io: &mut Io<'_>,
    frame: &mut dyn FnMut(&mut Io<'_>) -> Result<()>,
) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| Error::Usage(format!("--watch: cannot catch Ctrl-C: {e}")))?;
    let terminal = std::io::stdout().is_terminal();
    let stdout = |e| Error::io("<stdout>", e);
    let (changed, notes) = mpsc::channel();
    // `None`: no notifications here, poll instead. Kept alive for the whole loop.
    let watcher = notifications(config, changed);
    let polling = watcher.is_none();
    let mut first = true;
    loop {
        let seen = scan(config)?;
        let mut buffer = Vec::new();
        frame(&mut Io {
            out: &mut buffer,
            err: &mut *io.err,
        })?;
        if terminal {
            // Home, clear: the new frame replaces the old one.
            io.out.write_all(b"\x1b[H\x1b[2J").map_err(stdout)?;
        } else if !first {
            io.out.write_all(b"\n").map_err(stdout)?;
        }
        first = false;
        io.out.write_all(&buffer).map_err(stdout)?;
        io.out.flush().map_err(stdout)?;
        // Wait for a change (or Ctrl-C).
        loop {
            let mut waited = Duration::ZERO;
            let mut noticed = false;
            while (polling && waited < POLL) || (!polling && !noticed) {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                match notes.recv_timeout(TICK) {
                    Ok(()) => noticed = true,
                    Err(_) => waited += TICK,
                }
            }
            if noticed {
                std::thread::sleep(SETTLE);
                while notes.try_recv().is_ok() {}
            }
            if stamps(&scan(config)?) != stamps(&seen) {
                break;
            }
        }
    }
    // `watcher` lives until here: dropping it stops the notifications.
}

/// A watcher that sends on `changed` whenever something under the homes' rollout folders (or
/// their thread-name index) changes; `None` when notifications are not available here.
fn notifications(config: &Config, changed: mpsc::Sender<()>) -> Option<notify::RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        // Rollouts, the thread-name index, and new folders (a new day); not Codex's logs and
        // databases beside them.
        let relevant = |e: &notify::Event| {
            !e.kind.is_access()
                && (e.kind.is_create()
                    || e.paths.iter().any(|p| {
                        p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                            n.starts_with("rollout-") || n == "session_index.jsonl"
                        })
                    }))
        };
        if event.is_ok_and(|e| relevant(&e)) {
            let _ = changed.send(());
        }
    })
    .ok()?;
    let mut watching = false;
    for home in &config.homes {
        for (path, mode) in [
            (home.join("sessions"), RecursiveMode::Recursive),
            (home.join("archived_sessions"), RecursiveMode::Recursive),
            // The home itself, not recursively: session_index.jsonl and new top folders.
            (home.clone(), RecursiveMode::NonRecursive),
        ] {
            if path.exists() {
                if watcher.watch(&path, mode).is_err() {
                    return None;
                }
                watching = true;
            }
        }
    }
    watching.then_some(watcher)
}

/// One file's stamp: path, size, mtime (ns), (device, inode).
type Stamp<'a> = (&'a std::path::Path, u64, i128, (u64, u64));

/// What decides whether anything changed: every file's stamp and the thread names.
fn stamps(scan: &ScanResult) -> (Vec<Stamp<'_>>, u64) {
    (
        scan.files
            .iter()
            .map(|f| (f.path.as_path(), f.len, f.mtime_ns, f.identity))
            .collect(),
        crate::index::catalog::names_hash(scan),
    )
}
