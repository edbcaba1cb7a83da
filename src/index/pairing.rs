//! Pairs the files a scan found with the files the index holds, by path, and decides what an
//! update does with each: read it (whole, or from where it stopped), carry it over, or delete it.
//!
//! An update needs, for every scanned file, the indexed file with the same path (to tell new,
//! grown and unchanged files apart), and the indexed files no longer found (to delete their
//! documents). Both lists come in byte order of their paths, so one pass over the two pairs
//! them without hashing ten thousand long paths.

use super::catalog::{Catalog, FileRef};
use super::reading::tail_matches;
use super::state::IndexState;
use super::update::Job;
use crate::scan::{ScanResult, SourceFile};

/// What an update does with the scanned files and the indexed ones.
pub(super) struct Plan<'a> {
    /// The files to read.
    pub(super) jobs: Vec<Job<'a>>,
    /// Per scanned file, the indexed file it is, when that is unchanged (not read again).
    pub(super) carried: Vec<Option<usize>>,
    /// The indexed files the scan no longer finds.
    pub(super) gone: Vec<usize>,
}

/// What to read: new files whole, grown files from where they stopped, files that changed any
/// other way whole again. Only the entries of changed files are decoded.
pub(super) fn plan<'a>(scan: &'a ScanResult, catalog: &Catalog, state: &IndexState) -> Plan<'a> {
    let files = catalog.files();
    let indexed = indexed_of(scan, files);
    let mut found = vec![false; files.len()];
    let mut carried = vec![None; scan.files.len()];
    let mut jobs = Vec::new();
    for ((file, at), carry) in scan.files.iter().zip(indexed).zip(&mut carried) {
        let Some(at) = at else {
            jobs.push(Job::New(file));
            continue;
        };
        found[at] = true;
        let old = &files[at];
        // A file that could not be read is tried again by every update.
        let unchanged =
            old.len == file.len && old.mtime_ns == file.mtime_ns && old.identity == file.identity;
        if unchanged && !old.unreadable {
            *carry = Some(at);
            continue;
        }
        jobs.push(match state.entry(&old.path) {
            // Grown, same file, and its old bytes are still there: read on from there.
            // (A compressed file never grows: Codex writes a new plain file instead.)
            Some(e)
                if !e.unreadable
                    && !crate::scan::is_compressed(&file.path)
                    && e.identity == file.identity
                    && file.len > e.len
                    && file.len >= e.state.consumed
                    && tail_matches(file, &e) =>
            {
                Job::Append(file, Box::new(e))
            }
            // Shrunk, replaced, rewritten, or never readable: from the start.
            _ => Job::Again(file),
        });
    }
    let gone = (0..files.len()).filter(|&i| !found[i]).collect();
    Plan {
        jobs,
        carried,
        gone,
    }
}

/// Per scanned file, the index of the indexed file with its path. Both lists are in byte
/// order of their paths (the scan sorts, and the catalog lists files as the scan did), so one
/// pass side by side pairs them, where three hash tables of 10,000 paths were a tenth of an
/// update that adds one session. Paths out of that order (one that is not UTF-8, kept lossily)
/// are paired through a hash table instead.
pub(super) fn indexed_of(scan: &ScanResult, files: &[FileRef]) -> Vec<Option<usize>> {
    let keys: Vec<std::borrow::Cow<'_, str>> = scan.files.iter().map(SourceFile::key).collect();
    let sorted =
        keys.iter().is_sorted_by(|a, b| a < b) && files.iter().is_sorted_by(|a, b| a.path < b.path);
    if !sorted {
        let at: rustc_hash::FxHashMap<&str, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.as_str(), i))
            .collect();
        return keys.iter().map(|k| at.get(&**k).copied()).collect();
    }
    let mut next = 0;
    keys.iter()
        .map(|key| {
            while next < files.len() && files[next].path.as_str() < &**key {
                next += 1;
            }
            let found = files.get(next).is_some_and(|f| f.path == **key);
            found.then(|| {
                next += 1;
                next - 1
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn scan(paths: &[&str]) -> ScanResult {
        ScanResult {
            files: paths
                .iter()
                .map(|p| SourceFile {
                    path: PathBuf::from(p),
                    archived: false,
                    len: 1,
                    mtime_ns: 0,
                    identity: (0, 0),
                })
                .collect(),
            ..ScanResult::default()
        }
    }

    fn indexed(paths: &[&str]) -> Vec<FileRef> {
        paths
            .iter()
            .map(|p| FileRef {
                path: (*p).to_owned(),
                ..FileRef::default()
            })
            .collect()
    }

    #[test]
    fn sorted_lists_pair_by_path_with_new_and_gone_files_between() {
        let found = scan(&["/h/a", "/h/b", "/h/d", "/h/e", "/h/g"]);
        let held = indexed(&["/h/0", "/h/b", "/h/c", "/h/e", "/h/f", "/h/g", "/h/z"]);
        assert_eq!(
            indexed_of(&found, &held),
            vec![None, Some(1), None, Some(3), Some(5)]
        );
    }

    #[test]
    fn lists_out_of_order_pair_all_the_same() {
        // A lossily kept path can sort out of the scan's order: paired by a hash table.
        let found = scan(&["/h/b", "/h/a", "/h/c"]);
        let held = indexed(&["/h/c", "/h/a"]);
        assert_eq!(indexed_of(&found, &held), vec![None, Some(1), Some(0)]);
    }

    #[test]
    fn empty_lists_pair_nothing() {
        assert_eq!(indexed_of(&scan(&["/h/a"]), &[]), vec![None]);
        assert!(indexed_of(&scan(&[]), &indexed(&["/h/a"])).is_empty());
    }
}
