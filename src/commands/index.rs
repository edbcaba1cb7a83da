//! `rolldex index`: builds, updates or rebuilds the index and says what it did.

use std::time::Instant;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use crate::cli::IndexArgs;
use crate::config::Config;
use crate::error::{Error, Result};

/// Runs `index`.
pub fn run(config: &Config, args: &IndexArgs, io: &mut Io<'_>) -> Result<()> {
    let started = Instant::now();
    // A rebuild writes the new index beside the current one, which answers queries until the
    // new one replaces it; it works from any state of the index folder.
    let freshness = if args.rebuild {
        Freshness::Rebuild
    } else {
        Freshness::Wait
    };
    let (store, summary) = open_index(config, freshness, Needs::Sessions, io)?;
    let sessions = store.file_count();
    let elapsed = started.elapsed().as_secs_f64();
    let message = match summary {
        Some(s) => format!(
            "indexed {} files ({:.1} MB) in {elapsed:.2}s; {} removed; {sessions} rollout files in the index",
            s.files_read,
            s.bytes_read as f64 / 1e6,
            s.files_removed
        ),
        None => format!("index is up to date ({sessions} rollout files); {elapsed:.2}s"),
    };
    if !config.quiet {
        writeln!(io.err, "rolldex: {message}").map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok(())
}
