//! The command line's way of opening the index (`freshen::answer`): progress drawn as a
//! bar on stderr, notes and a summary of skipped lines printed there as `rolldex: …` lines.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Io, report_skipped};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::freshen::{self, Hooks};
pub use crate::freshen::{Freshness, Needs, scan};
use crate::index::{IndexStore, Progress, UpdateSummary};

/// Opens the index for the configured homes and updates it as asked, drawing progress and
/// printing what there is to say on `io.err`.
pub fn open_index(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    io: &mut Io<'_>,
) -> Result<(IndexStore, Option<UpdateSummary>)> {
    answer(config, freshness, needs, io, |_| Ok(())).map(|(store, summary, ())| (store, summary))
}

/// [`open_index`], answering `query` from the index ([`freshen::answer`]: while the homes are
/// walked, when the index is up to date).
pub fn answer<T: Send>(
    config: &Config,
    freshness: Freshness,
    needs: Needs,
    io: &mut Io<'_>,
    query: impl Fn(&IndexStore) -> Result<T> + Sync,
) -> Result<(IndexStore, Option<UpdateSummary>, T)> {
    let err = &mut *io.err;
    let progress = || -> Box<dyn Progress> { Box::new(Bar::new(config.quiet)) };
    // A closed stderr is not worth failing the query for.
    let mut note = |line: &str| {
        let _ = writeln!(err, "rolldex: {line}");
    };
    let opened = freshen::answer(
        config,
        freshness,
        needs,
        &mut Hooks {
            progress: &progress,
            note: &mut note,
        },
        query,
    )?;
    if let Some(summary) = &opened.1
        && !config.quiet
    {
        report_skipped(io.err, &summary.report, 0).map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok(opened)
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
        // indicatif's ticker is a thread it starts with `thread::spawn`, which panics when the
        // system refuses (a process limit): then the bar moves only as bytes are read. A hidden
        // bar needs no ticker (and no thread asked for).
        if !self.bar.is_hidden() && crate::threads::how_many_start(1) == 1 {
            self.bar.enable_steady_tick(Duration::from_millis(100));
        }
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
