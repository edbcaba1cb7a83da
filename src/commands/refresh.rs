//! Opens the index and brings it up to date before a query, drawing progress on stderr.
//!
//! Shared by every query command; `--no-update` skips the update. When another rolldex holds
//! the writer lock the query answers from the last commit instead of waiting, unless there is
//! none yet (a first build running): then it says so and waits. An index found outdated or
//! damaged is rebuilt, with one line saying why; an update that cannot be written (a read-only
//! or full disk) leaves a query answering from the last commit, with one line saying so.

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
    /// Build a whole new index beside the current one and swap it in (`index --rebuild`).
    Rebuild,
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
    store.merge_on_update = matches!(freshness, Freshness::Wait | Freshness::Rebuild);
    let scanned = scanned.transpose()?;
    // A rebuild, asked for or needed (an older format, damaged files): even `--no-update`
    // has nothing else to answer from.
    if freshness == Freshness::Rebuild || store.broken().is_some() {
        let scan = match scanned {
            Some(scan) => scan,
            None => scan(config)?,
        };
        return rebuild(config, freshness, store, &scan, io);
    }
    let Some(scan) = scanned else {
        if !store.has_commit() {
            wait_for_first_build(config, &mut store, io)?;
        }
        return Ok((store, None));
    };
    if store.is_current(&scan) {
        return Ok((store, None));
    }
    let lock = match freshness {
        Freshness::Wait => Some(store.lock()?),
        _ => match store.try_lock() {
            Ok(lock) => lock,
            Err(e) if store.has_commit() => {
                say(
                    io,
                    &format!("{}; answering from the last update", unwritable(&e)),
                );
                return Ok((store, None));
            }
            Err(e) => return Err(e),
        },
    };
    let _lock = match lock {
        Some(lock) => lock,
        None if store.has_commit() => {
            if !config.quiet {
                say(
                    io,
                    "another rolldex is updating the index; answering from its last update",
                );
            }
            return Ok((store, None));
        }
        None => {
            if !config.quiet {
                say(io, FIRST_BUILD_ELSEWHERE);
            }
            store.lock()?
        }
    };
    let bar = Bar::new(config.quiet);
    let summary = store.update_locked(&scan, &bar);
    drop(bar);
    let summary = match summary {
        Ok(summary) => summary,
        // Disk full, read-only: the last commit still answers (`index` reports the error).
        Err(e) if freshness == Freshness::Update && store.has_commit() => {
            say(
                io,
                &format!("{}; answering from the last update", unwritable(&e)),
            );
            return Ok((store, None));
        }
        Err(e) => return Err(e),
    };
    if let Some(reason) = store.rebuilt_because.take() {
        say(io, &format!("{reason}; rebuilt it"));
    }
    if !config.quiet {
        report_skipped(io.err, &summary.report, 0).map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok((store, Some(summary)))
}

/// What a query says while another process builds the first index.
const FIRST_BUILD_ELSEWHERE: &str =
    "the first index build is running in another rolldex; waiting for it";

/// Rebuilds the index beside the current one (which keeps answering other queries until the
/// new one is swapped in), waiting for the writer lock.
fn rebuild(
    config: &Config,
    freshness: Freshness,
    mut store: IndexStore,
    scan: &ScanResult,
    io: &mut Io<'_>,
) -> Result<(IndexStore, Option<UpdateSummary>)> {
    let _lock = if let Some(lock) = store.try_lock()? {
        lock
    } else {
        if !config.quiet {
            say(
                io,
                "another rolldex is writing the index; waiting for it to finish",
            );
        }
        store.lock()?
    };
    // Another process may have rebuilt it while we waited.
    store.reopen_locked()?;
    let bar = Bar::new(config.quiet);
    let summary = if freshness == Freshness::Rebuild {
        store.rebuild_locked(scan, &bar)
    } else {
        if let Some(reason) = store.broken() {
            say(io, &format!("{reason}; rebuilding"));
        }
        store.update_locked(scan, &bar)
    };
    drop(bar);
    let summary = summary?;
    store.rebuilt_because = None;
    if !config.quiet {
        report_skipped(io.err, &summary.report, 0).map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok((store, Some(summary)))
}

/// `--no-update` with no commit yet: if a first build is running elsewhere, waits for it.
fn wait_for_first_build(config: &Config, store: &mut IndexStore, io: &mut Io<'_>) -> Result<()> {
    // A lock that cannot be taken at all (a read-only folder): nothing is being built.
    if let Ok(None) = store.try_lock() {
        if !config.quiet {
            say(io, FIRST_BUILD_ELSEWHERE);
        }
        let _lock = store.lock()?;
        store.reopen_locked()?;
    }
    Ok(())
}

/// The one line for an update that could not be written.
fn unwritable(error: &Error) -> String {
    let text = error.to_string().replace(['\n', '\r'], " ");
    format!("could not update the index ({})", text.trim())
}

/// One `rolldex: …` line on stderr (a closed stderr is not worth failing the query for).
fn say(io: &mut Io<'_>, line: &str) {
    let _ = writeln!(io.err, "rolldex: {line}");
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
