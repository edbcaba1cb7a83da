//! Opens the index and brings it up to date before a query, drawing progress on stderr.
//!
//! Shared by every query command; `--no-update` skips the update, and when another rolldex
//! holds the writer lock the query answers from the last commit instead of waiting.

use std::io::IsTerminal;
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
    let summary = store.update_locked(&scan, &bar)?;
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
struct Bar(ProgressBar);

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
        let style = ProgressStyle::with_template(
            "{spinner} indexing {msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, files: u64, bytes: u64) {
        self.0.set_length(bytes);
        self.0.set_message(format!("{files} files"));
        self.0.enable_steady_tick(Duration::from_millis(120));
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}
