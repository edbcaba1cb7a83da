//! Opens the index and brings it up to date before a query, drawing progress on stderr.
//!
//! Shared by every query command; `--no-update` skips the update, and when another rolldex
//! holds the writer lock the query answers from the last commit instead of waiting.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Io, report_skipped};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::{IndexStore, Progress, UpdateSummary};
use crate::scan::{Patterns, ScanResult, check_homes, scan_homes};

/// When to update the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Bring it up to date (waiting for another writer only when `Wait`).
    Update,
    /// Wait for the writer lock (the `index` command).
    Wait,
    /// Answer from the last commit.
    AsIs,
}

impl Freshness {
    /// `--no-update` → answer as is; otherwise bring the index up to date first.
    pub fn for_query(no_update: bool) -> Freshness {
        if no_update {
            Freshness::AsIs
        } else {
            Freshness::Update
        }
    }
}

/// What a command reads from the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Session facts only (search, resume, sessions, show).
    Sessions,
    /// Session facts and usage events (stats).
    Usage,
}

/// Opens the index for the configured homes and updates it as asked.
pub fn open_index(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    io: &mut Io<'_>,
) -> Result<(IndexStore, Option<UpdateSummary>)> {
    check_homes(&config.homes)?;
    // Reading the committed state and walking the homes are independent: do both at once.
    let (store, scanned) = rayon::join(
        || IndexStore::open(&config.index_dir, &config.homes, needs == Needs::Usage),
        || (freshness != Freshness::AsIs).then(|| scan(config)),
    );
    let mut store = store?;
    // `rolldex index` may take the time to merge segments; queries stay quick.
    store.merge_on_update = freshness == Freshness::Wait;
    if let Some(reason) = store.rebuilt_because.take() {
        let _ = writeln!(io.err, "rolldex: {reason}");
    }
    let Some(scan) = scanned.transpose()? else {
        return Ok((store, None));
    };
    if store.is_current(&scan) {
        return Ok((store, None));
    }
    let lock = match freshness {
        Freshness::Wait => Some(store.lock()?),
        _ => store.try_lock()?,
    };
    let Some(_lock) = lock else {
        if !config.quiet {
            let _ = writeln!(
                io.err,
                "rolldex: another rolldex is updating the index; answering from its last update"
            );
        }
        return Ok((store, None));
    };
    let bar = Bar::new(config.quiet);
    let summary = store.update_locked(&scan, &bar);
    drop(bar);
    let summary = summary?;
    if !config.quiet {
        report_skipped(io.err, &summary.report, 0).map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok((store, Some(summary)))
}

/// Scans the configured homes.
pub fn scan(config: &Config) -> Result<ScanResult> {
    scan_homes(&config.homes, &Patterns::new(&config.excludes)?)
}

/// An indicatif bar on stderr, drawn only when stderr is a terminal and not `--quiet`.
///
/// It is the only thing that writes to stderr while it is on screen: indicatif's tick thread
/// draws it (taking the stderr lock per draw, never while we hold it), and it is cleared when
/// dropped, before the command prints anything else, even when the update fails.
struct Bar {
    bar: ProgressBar,
    /// Files read through; the draw reads it, so it never goes backwards on screen.
    files: Arc<AtomicU64>,
}

impl Bar {
    fn new(quiet: bool) -> Bar {
        let visible = !quiet && std::io::stderr().is_terminal();
        let bar = ProgressBar::with_draw_target(
            None,
            if visible {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        Bar {
            bar,
            files: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl Progress for Bar {
    fn start(&self, files: u64, bytes: u64) {
        let done = Arc::clone(&self.files);
        // Bytes drive the bar, the rate and the ETA; files are counted beside them.
        let style = ProgressStyle::with_template(
            "{spinner} indexing {files} {wide_bar} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
        )
        .map_or_else(
            |_| ProgressStyle::default_bar(),
            |style| {
                style.with_key(
                    "files",
                    move |_: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{}/{files} files", done.load(Ordering::Relaxed));
                    },
                )
            },
        );
        self.bar.set_style(style);
        self.bar.set_length(bytes);
        self.bar.enable_steady_tick(Duration::from_millis(100));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn file_done(&self) {
        self.files.fetch_add(1, Ordering::Relaxed);
    }

    fn finish(&self) {
        // Reading is over; the commit (writing segments and state files) can take a moment.
        let style = ProgressStyle::with_template("{spinner} writing the index ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        self.bar.set_style(style);
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}
