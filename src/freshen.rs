//! Opens the index and brings it up to date before a query, without printing: what would be
//! said goes to a `note` callback, progress to a [`Progress`] the caller makes.
//!
//! Every front end opens the index through here (the commands draw a bar on stderr and print
//! the notes, the MCP server and the picker collect them). `AsIs` answers from the last commit.
//! When another rolldex holds the writer lock a query answers from the last commit instead of
//! waiting, unless there is none yet (a first build running): then it says so and waits. An
//! index found outdated or damaged is rebuilt, with one note saying why; an update that cannot
//! be written (a read-only or full disk) leaves a query answering from the last commit, with
//! one note saying so.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::index::{IndexStore, Progress, Reads, UpdateSummary, vouched_generation};
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
    /// Session facts only (sessions, show).
    Sessions,
    /// Session facts and a search over the index (search, resume).
    Search,
    /// Session keys and usage summed by quarter-hour (`stats`).
    Report,
    /// Session facts, usage events and rate-limit snapshots (export, limits).
    Usage,
}

/// How opening reports: `progress` makes the progress display for one update (dropped, and so
/// cleared, before the next note); `note` receives each line a person should read.
pub struct Hooks<'a> {
    /// Makes the progress display of one update.
    pub progress: &'a dyn Fn() -> Box<dyn Progress + 'a>,
    /// One line to tell the user (no `rolldex:` prefix, no newline).
    pub note: &'a mut dyn FnMut(&str),
}

impl Hooks<'_> {
    /// Runs `f` with no progress display and no notes.
    pub fn silent<T>(f: impl FnOnce(&mut Hooks<'_>) -> T) -> T {
        let progress = || -> Box<dyn Progress> { Box::new(NoProgress) };
        let mut note = |_: &str| {};
        f(&mut Hooks {
            progress: &progress,
            note: &mut note,
        })
    }
}

/// A progress display that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn file_done(&self) {}
    fn finish(&self) {}
}

/// Opens the index for the configured homes and updates it as asked; the summary is there
/// when an update ran (its skipped lines are for the caller to report).
pub fn open_index(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    hooks: &mut Hooks<'_>,
) -> Result<(IndexStore, Option<UpdateSummary>)> {
    let opened = open_then(config, freshness, needs, hooks, |_| None::<()>)?;
    Ok((opened.store, opened.summary))
}

/// Opens the index as [`open_index`] does and answers `query` from it.
///
/// When the index turns out to be up to date (the usual case), the answer is the one `query`
/// gave from the last commit while the homes were being walked: on a large history the walk
/// is about half of a search's time, and the two then run side by side instead of one after
/// the other. When the index was updated (or could not be read), `query` runs again on what
/// is there now, so the answer always comes from the commit the store holds.
pub fn answer<T: Send>(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    hooks: &mut Hooks<'_>,
    query: impl Fn(&IndexStore) -> Result<T> + Sync,
) -> Result<(IndexStore, Option<UpdateSummary>, T)> {
    let early = |store: &IndexStore| {
        (freshness == Freshness::Update && store.has_commit() && store.broken().is_none())
            .then(|| query(store))
    };
    let opened = open_then(config, freshness, needs, hooks, early)?;
    let answer = match opened.early {
        Some(answer) => answer?,
        None => query(&opened.store)?,
    };
    Ok((opened.store, opened.summary, answer))
}

/// What [`open_then`] opened: the store, the update's summary, and what `early` gave, kept
/// only when the store still holds the commit `early` saw.
struct Opened<T> {
    store: IndexStore,
    summary: Option<UpdateSummary>,
    early: Option<T>,
}

/// Opens and updates the index; `early` runs on the last commit while the homes are walked.
fn open_then<T: Send>(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    hooks: &mut Hooks<'_>,
    early: impl FnOnce(&IndexStore) -> Option<T> + Send,
) -> Result<Opened<T>> {
    check_homes(&config.homes)?;
    // Where Codex's state database says nothing changed since the walk behind the last
    // commit, a query answers from that commit without walking (`scan::signal`).
    let vouched = (freshness == Freshness::Update)
        .then(|| {
            vouched_generation(
                &config.index_dir,
                &config.homes,
                &config.excludes,
                std::time::SystemTime::now(),
            )
        })
        .flatten();
    // Reading the committed state and walking the homes are independent: do both at once.
    let (opened, scanned) = rayon::join(
        || {
            let reads = match needs {
                Needs::Sessions => Reads::Sessions,
                Needs::Search => Reads::Search,
                Needs::Report => Reads::QuarterHours,
                Needs::Usage => Reads::Usage,
            };
            IndexStore::open(&config.index_dir, &config.homes, reads).map(|store| {
                let answer = early(&store);
                (store, answer)
            })
        },
        || (freshness != Freshness::AsIs && vouched.is_none()).then(|| scan(config)),
    );
    let (mut store, early) = opened?;
    let as_is = |store: IndexStore, early: Option<T>| {
        Ok(Opened {
            store,
            summary: None,
            early,
        })
    };
    // `rolldex index` may take the time to merge segments; queries stay quick.
    store.merge_on_update = matches!(freshness, Freshness::Wait | Freshness::Rebuild);
    let mut scanned = scanned.transpose()?;
    if let Some(generation) = vouched {
        if store.has_commit() && store.generation() == generation {
            return as_is(store, early);
        }
        // Another process committed since: walk after all.
        scanned = Some(scan(config)?);
    }
    // A rebuild, asked for or needed (an older format, damaged files): even `--no-update`
    // has nothing else to answer from.
    if freshness == Freshness::Rebuild || store.broken().is_some() {
        let scan = match scanned {
            Some(scan) => scan,
            None => scan(config)?,
        };
        let (store, summary) = rebuild(config, freshness, store, &scan, hooks)?;
        store.remember_walk(&scan, &config.excludes);
        return Ok(Opened {
            store,
            summary,
            early: None,
        });
    }
    let Some(scan) = scanned else {
        if !store.has_commit() {
            wait_for_first_build(config, &mut store, hooks)?;
            return as_is(store, None);
        }
        return as_is(store, early);
    };
    if store.is_current(&scan) {
        store.remember_walk(&scan, &config.excludes);
        return as_is(store, early);
    }
    let lock = match freshness {
        Freshness::Wait => Some(store.lock()?),
        _ => match store.try_lock() {
            Ok(lock) => lock,
            Err(e) if store.has_commit() => {
                (hooks.note)(&format!(
                    "{}; answering from the last update",
                    unwritable(&e)
                ));
                return as_is(store, early);
            }
            Err(e) => return Err(e),
        },
    };
    let _lock = match lock {
        Some(lock) => lock,
        None if store.has_commit() => {
            if !config.quiet {
                (hooks.note)(
                    "another rolldex is updating the index; answering from its last update",
                );
            }
            return as_is(store, early);
        }
        None => {
            if !config.quiet {
                (hooks.note)(FIRST_BUILD_ELSEWHERE);
            }
            store.lock()?
        }
    };
    drop(early);
    let bar = (hooks.progress)();
    let summary = store.update_locked(&scan, &*bar);
    drop(bar);
    let summary = match summary {
        Ok(summary) => summary,
        // Disk full, read-only: the last commit still answers (`index` reports the error).
        Err(e) if freshness == Freshness::Update && store.has_commit() => {
            (hooks.note)(&format!(
                "{}; answering from the last update",
                unwritable(&e)
            ));
            return as_is(store, None);
        }
        Err(e) => return Err(e),
    };
    if let Some(reason) = store.rebuilt_because.take() {
        (hooks.note)(&format!("{reason}; rebuilt it"));
    }
    store.remember_walk(&scan, &config.excludes);
    Ok(Opened {
        store,
        summary: Some(summary),
        early: None,
    })
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
    hooks: &mut Hooks<'_>,
) -> Result<(IndexStore, Option<UpdateSummary>)> {
    let _lock = if let Some(lock) = store.try_lock()? {
        lock
    } else {
        if !config.quiet {
            (hooks.note)("another rolldex is writing the index; waiting for it to finish");
        }
        store.lock()?
    };
    // Another process may have rebuilt it while we waited.
    store.reopen_locked()?;
    let bar = (hooks.progress)();
    let summary = if freshness == Freshness::Rebuild {
        store.rebuild_locked(scan, &*bar)
    } else {
        if let Some(reason) = store.broken() {
            (hooks.note)(&format!("{reason}; rebuilding"));
        }
        store.update_locked(scan, &*bar)
    };
    drop(bar);
    let summary = summary?;
    store.rebuilt_because = None;
    Ok((store, Some(summary)))
}

/// No update with no commit yet: if a first build is running elsewhere, waits for it.
fn wait_for_first_build(
    config: &Config,
    store: &mut IndexStore,
    hooks: &mut Hooks<'_>,
) -> Result<()> {
    // A lock that cannot be taken at all (a read-only folder): nothing is being built.
    if let Ok(None) = store.try_lock() {
        if !config.quiet {
            (hooks.note)(FIRST_BUILD_ELSEWHERE);
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

/// Scans the configured homes.
pub fn scan(config: &Config) -> Result<ScanResult> {
    scan_homes(&config.homes, &Patterns::new(&config.excludes)?)
}
