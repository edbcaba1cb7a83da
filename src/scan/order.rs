//! Putting a walk's files in byte order of their paths, the order a freshness check and an
//! update expect, without sorting 10,000 long and alike paths whole.

use rayon::prelude::*;

use super::{Listing, SourceFile};

/// A file's path as bytes (the order files are listed in).
pub(super) fn path_bytes(f: &SourceFile) -> &[u8] {
    f.path.as_os_str().as_encoded_bytes()
}

/// Every listing's files in byte order of their paths. Each directory's files come sorted by
/// name (`list_tree`), so the listings are put in order by their first file and joined, and
/// the result is checked: only when a directory's files and its subdirectories' interleave (not
/// the Codex layout) or a followed link's are unsorted does it fall back to sorting every path.
/// Sorting 10,000 paths whole, most of them alike for their first 80 bytes, was 30M
/// instructions; this is about a tenth. No two files share a path, so an unstable sort is as
/// stable as a stable one.
pub(super) fn in_path_order(mut listings: Vec<Listing>) -> Vec<SourceFile> {
    listings.retain(|l| !l.files.is_empty());
    listings.sort_unstable_by(|a, b| path_bytes(&a.files[0]).cmp(path_bytes(&b.files[0])));
    let mut files = Vec::with_capacity(listings.iter().map(|l| l.files.len()).sum());
    for listing in listings {
        files.extend(listing.files);
    }
    if !files.is_sorted_by(|a, b| path_bytes(a) <= path_bytes(b)) {
        files.par_sort_unstable_by(|a, b| path_bytes(a).cmp(path_bytes(b)));
    }
    files
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn listing(paths: &[&str]) -> Listing {
        let files = paths
            .iter()
            .map(|p| SourceFile {
                path: PathBuf::from(p),
                archived: false,
                len: 0,
                mtime_ns: 0,
                identity: (0, 0),
            })
            .collect();
        Listing {
            files,
            ..Listing::default()
        }
    }

    #[test]
    fn listings_join_in_path_order_and_interleaved_ones_are_sorted_whole() {
        let order = |listings: Vec<Listing>| -> Vec<String> {
            in_path_order(listings)
                .iter()
                .map(|f| f.path.to_string_lossy().into_owned())
                .collect()
        };
        // Directories found in any order, each one's files sorted: joined by their first file.
        let joined = order(vec![
            listing(&[
                "/h/sessions/2026/02/01/rollout-a",
                "/h/sessions/2026/02/01/rollout-b",
            ]),
            listing(&[]),
            listing(&["/h/archived_sessions/rollout-c"]),
            listing(&["/h/sessions/2026/01/31/rollout-z"]),
        ]);
        let mut expected = joined.clone();
        expected.sort();
        assert_eq!(joined, expected);
        assert_eq!(joined[0], "/h/archived_sessions/rollout-c");
        // A directory's own files on both sides of a subdirectory's (`a` < `sub/…` < `z`).
        let interleaved = order(vec![
            listing(&["/h/sessions/a", "/h/sessions/z"]),
            listing(&["/h/sessions/sub/b"]),
        ]);
        assert_eq!(
            interleaved,
            ["/h/sessions/a", "/h/sessions/sub/b", "/h/sessions/z"]
        );
    }
}
