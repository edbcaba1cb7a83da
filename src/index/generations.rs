//! The index folder's housekeeping: which state, catalog and usage files belong to which
//! generation, and removing the ones no reader needs any more. Every commit writes a new
//! generation beside the last, so old ones must go, without ever touching a newer one another
//! writer may be writing.

use std::path::{Path, PathBuf};

/// Removes the state, catalog and usage files of every generation but `keep` (the new one, and
/// the one a reader may be loading right now), and temporary files a killed writer left (caller
/// holds the lock). Only those names, directly in the folder, are touched.
pub(super) fn remove_old(dir: &Path, keep: &[u64]) {
    let stale = files(dir, |name| match generation_of(name) {
        Some(n) => !keep.contains(&n),
        None => temporary_of_ours(name),
    });
    for path in stale {
        let _ = std::fs::remove_file(path);
    }
}

/// The state files of generations before `oldest_kept`: safe to remove while other writers
/// work, since they only ever write newer generations (temporaries are left to
/// [`remove_old`]).
pub(super) fn older(dir: &Path, oldest_kept: u64) -> Vec<PathBuf> {
    files(dir, |name| {
        generation_of(name).is_some_and(|n| n < oldest_kept)
    })
}

/// The files directly in `dir` whose names `pick` accepts.
fn files(dir: &Path, pick: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|entry| pick(&entry.file_name().to_string_lossy()))
        .map(|entry| entry.path())
        .collect()
}

/// `N` of `state-N.bin`, `catalog-N.bin` or `usage-N.bin`.
pub(super) fn generation_of(name: &str) -> Option<u64> {
    let (kind, rest) = name.split_once('-')?;
    if !matches!(kind, "state" | "catalog" | "usage") {
        return None;
    }
    rest.strip_suffix(".bin")?.parse().ok()
}

/// A temporary file of ours (`state-N.tmp`, `VERSION.tmp`…): a writer killed before its
/// rename left it.
fn temporary_of_ours(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".tmp") else {
        return false;
    };
    stem == "VERSION" || generation_of(&format!("{stem}.bin")).is_some()
}
