//! The index folder's housekeeping: which state, catalog and usage files belong to which
//! generation, and removing the ones no reader needs any more. Every commit writes a new
//! generation beside the last, so old ones must go, without ever touching a newer one another
//! writer may be writing.

use std::path::{Path, PathBuf};

use super::catalog::pack_number;

/// Removes the state, catalog and usage files of every generation but `keep` (the new one, and
/// the one a reader may be loading right now), the state segments but `segments` (when known:
/// only an update, under the lock, reads state), the packs but `packs` (when known: the kept
/// generations' catalogs were read), and temporary files a killed writer left (caller holds
/// the lock). Only those names, directly in the folder, are touched.
pub(super) fn remove_old(
    dir: &Path,
    keep: &[u64],
    segments: Option<&[u64]>,
    packs: Option<&[u64]>,
) {
    let stale = files(dir, |name| match (generation_of(name), segment_of(name)) {
        (Some(n), _) => !keep.contains(&n),
        (None, Some(n)) => segments.is_some_and(|used| !used.contains(&n)),
        (None, None) => match pack_number(name) {
            Some(n) => packs.is_some_and(|used| !used.contains(&n)),
            None => temporary_of_ours(name),
        },
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

/// The per-file state segments (`segment-N.bin`) older than generation `newest` that `used`
/// does not name: the commit of `newest` no longer needs them, and writers after it only write
/// newer ones.
pub(super) fn unused_segments(dir: &Path, newest: u64, used: &[u64]) -> Vec<PathBuf> {
    files(dir, |name| {
        segment_of(name).is_some_and(|n| n < newest && !used.contains(&n))
    })
}

/// The packs (`pack-N.bin`) no kept generation names, once commit `generation` (whose pack
/// is `new`) follows one whose pack is `last`: those numbered below `last` (every generation
/// since names that pack or a newer one), and those above it up to `generation` but `new`
/// (begun by a writer killed midway; a writer after this one creates only higher numbers).
pub(super) fn unused_packs(dir: &Path, last: u64, new: u64, generation: u64) -> Vec<PathBuf> {
    files(dir, |name| {
        pack_number(name).is_some_and(|n| n < last || (n > last && n != new && n <= generation))
    })
}

/// `N` of `segment-N.bin`.
fn segment_of(name: &str) -> Option<u64> {
    name.strip_prefix("segment-")?
        .strip_suffix(".bin")?
        .parse()
        .ok()
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
    let bin = format!("{stem}.bin");
    stem == "VERSION"
        || stem.starts_with("walk-signal.")
        || generation_of(&bin).is_some()
        || segment_of(&bin).is_some()
}

/// The highest generation number among the folder's state, catalog and usage files (0 when
/// there are none).
pub(super) fn highest_generation(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|entry| generation_of(&entry.file_name().to_string_lossy()))
        .max()
        .unwrap_or(0)
}
