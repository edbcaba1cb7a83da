//! `--watch`: draws a report, then redraws it whenever the rollouts change, until Ctrl-C.
//!
//! Change is noticed by polling the homes' scan stamps (size, mtime, inode of each rollout and
//! the thread names) once a second: a directory walk and `stat`s, no file reads, so it works on
//! every filesystem (network mounts and containers included, where file notifications do not
//! reach) and costs next to nothing between changes. Each redraw brings the index up to date
//! incrementally first (a grown file is read from where it stopped). Ctrl-C ends the loop with
//! exit status 0.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::Io;
use super::refresh::scan;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::scan::ScanResult;

/// How often the homes are looked at.
const POLL: Duration = Duration::from_secs(1);
/// How often Ctrl-C is looked for while waiting.
const TICK: Duration = Duration::from_millis(100);

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
            while waited < POLL {
                if stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                std::thread::sleep(TICK);
                waited += TICK;
            }
            if stamps(&scan(config)?) != stamps(&seen) {
                break;
            }
        }
    }
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
