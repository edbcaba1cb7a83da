//! The signal of the walk behind the last commit, kept beside it, so that the next query can
//! tell without walking that the homes are as that walk found them (see
//! [`crate::scan::signal`]). It is a hint, never needed: a missing, damaged or outdated one only
//! means the query walks.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use super::IndexStore;
use super::folder::homes_key;
use super::state::read_postcard;
use crate::scan::ScanResult;
use crate::scan::signal::Signal;

/// The file's name in the homes' folder (written under a per-process temporary name first).
pub(super) const FILE: &str = "walk-signal.bin";

/// What is kept: the commit the walk produced or found current, the exclusions it walked
/// with, and its signal.
#[derive(Serialize, Deserialize)]
struct Saved {
    generation: u64,
    excludes: Vec<String>,
    signal: Signal,
}

/// The generation of the commit whose walk's signal still holds at `now` for `homes` walked
/// with `excludes`: a query may answer from that commit as it is.
pub fn vouched_generation(
    index_dir: &Path,
    homes: &[PathBuf],
    excludes: &[String],
    now: SystemTime,
) -> Option<u64> {
    let path = index_dir.join(homes_key(homes)).join(FILE);
    let saved: Saved = read_postcard(&path).ok()?;
    (saved.excludes == excludes && saved.signal.holds(now)).then_some(saved.generation)
}

impl IndexStore {
    /// Keeps `scan`'s signal for the commit the store holds, which `scan` found current or
    /// produced. Nothing is kept when the walk gave no signal; a failure to write is no
    /// error (the next query walks).
    pub fn remember_walk(&self, scan: &ScanResult, excludes: &[String]) {
        let Some(signal) = &scan.signal else { return };
        if !self.has_commit() {
            return;
        }
        let saved = Saved {
            generation: self.generation,
            excludes: excludes.to_vec(),
            signal: signal.clone(),
        };
        let Ok(bytes) = postcard::to_stdvec(&saved) else {
            return;
        };
        // Under a name of this process's own, then renamed: two queries may finish at once.
        let tmp = self
            .dir
            .join(format!("walk-signal.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_err()
            || std::fs::rename(&tmp, self.dir.join(FILE)).is_err()
        {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
