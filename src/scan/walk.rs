//! The directory walk under a home's `sessions/` and `archived_sessions/`: one read per
//! directory, subdirectories in parallel, each rollout stat-ed through its directory. It is
//! most of a query's start-up on a large home, so it lives apart from what decides which of its
//! files count ([`super::scan_homes`]).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use super::SourceFile;
use super::file_facts::{file_identity, mtime_ns};
use super::order::path_bytes;
use super::patterns::{Patterns, is_rollout_name};
use super::signal::Stamp;

/// What one directory holds (a followed symlinked directory: everything below it). A walk
/// gathers one per directory and joins them once at the end: merging them on the way up
/// copied each file's entry once per level.
#[derive(Default)]
pub(super) struct Listing {
    pub(super) files: Vec<SourceFile>,
    pub(super) unreadable: u64,
    /// The folder's stamp, taken before it was read, when the walk watches folders.
    pub(super) folders: Vec<(PathBuf, Option<Stamp>)>,
    /// True when a symlinked folder was followed (its folders are not watched).
    pub(super) followed_link: bool,
}

/// The rollout files in `dir` and, `levels - 1` deep, below it. Each directory is read once
/// (the entry type comes with the name), subdirectories in parallel, and each rollout is
/// stat-ed through its directory (no path walk per file): on a large home this is most of a
/// query's start-up. A symlinked directory is followed by a walk that detects loops. With
/// `watch`, each directory is stamped before it is read (for the next query's [`Signal`]).
pub(super) fn list_tree(
    dir: &Path,
    home: &Path,
    archived: bool,
    patterns: &Patterns,
    levels: usize,
    watch: bool,
) -> Vec<Listing> {
    let mut listing = Listing::default();
    if watch {
        listing.folders.push((dir.to_path_buf(), Stamp::at(dir)));
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        listing.unreadable = 1;
        return vec![listing];
    };
    let mut linked = Vec::new();
    let mut subdirs = Vec::new();
    for entry in entries {
        let Ok(entry) = entry else {
            listing.unreadable += 1;
            continue;
        };
        let Ok(kind) = entry.file_type() else {
            listing.unreadable += 1;
            continue;
        };
        if kind.is_dir() {
            // A directory named like a rollout holds no session (see `Patterns::matches`).
            if levels > 1 && !is_rollout_name(&entry.file_name()) {
                subdirs.push(entry.path());
            }
            continue;
        }
        // Sized once: `entry.path()` copies `dir` and then grows the copy to fit the name
        // (about 350 instructions more per file).
        let name = entry.file_name();
        let mut path = PathBuf::with_capacity(dir.as_os_str().len() + name.len() + 1);
        path.push(dir);
        path.push(&name);
        if kind.is_symlink() && path.is_dir() {
            listing.followed_link = true;
            if levels > 1 {
                linked.push(follow_linked_dir(
                    &path,
                    home,
                    archived,
                    patterns,
                    levels - 1,
                ));
            }
            continue;
        }
        if !patterns.matches(relative_to(&path, home)) {
            continue;
        }
        // A plain entry is stat-ed through its directory; a symlink is followed.
        let meta = if kind.is_symlink() {
            std::fs::metadata(&path)
        } else {
            entry.metadata()
        };
        match meta {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) => listing.files.extend(source_file(path, &meta, archived)),
            Err(_) => listing.unreadable += 1,
        }
    }
    // By name (every path here is `dir`, a separator and the name): the walk joins directories
    // in order instead of sorting every path.
    let skip = dir.as_os_str().len();
    listing.files.sort_unstable_by(|a, b| {
        let name = |f| path_bytes(f).get(skip..).unwrap_or_default();
        name(a).cmp(name(b))
    });
    let mut listings: Vec<Listing> = subdirs
        .par_iter()
        .flat_map_iter(|sub| list_tree(sub, home, archived, patterns, levels - 1, watch))
        .collect();
    listings.push(listing);
    listings.extend(linked);
    listings
}

/// The rollout files below a symlinked directory, `levels` deep, links followed and loops
/// skipped (and counted as unreadable).
fn follow_linked_dir(
    link: &Path,
    home: &Path,
    archived: bool,
    patterns: &Patterns,
    levels: usize,
) -> Listing {
    let mut listing = Listing::default();
    for inner in WalkDir::new(link).follow_links(true).max_depth(levels) {
        match inner {
            Ok(inner) if !inner.file_type().is_dir() => {
                let path = inner.into_path();
                if !patterns.matches(relative_to(&path, home)) {
                    continue;
                }
                match std::fs::metadata(&path) {
                    Ok(meta) => {
                        if let Some(file) = source_file(path, &meta, archived) {
                            listing.files.push(file);
                        } else {
                            listing.unreadable += 1;
                        }
                    }
                    Err(_) => listing.unreadable += 1,
                }
            }
            Ok(_) => {}
            Err(_) => listing.unreadable += 1,
        }
    }
    listing
}

/// A [`SourceFile`] for a regular file (fifos, sockets and devices are not rollouts).
fn source_file(path: PathBuf, meta: &std::fs::Metadata, archived: bool) -> Option<SourceFile> {
    meta.is_file().then(|| SourceFile {
        archived,
        len: meta.len(),
        mtime_ns: mtime_ns(meta),
        identity: file_identity(meta),
        path,
    })
}

/// `path` relative to `home`, which it starts with (walks start inside the home): a cheap
/// byte slice where the platform allows, else a component-wise strip.
fn relative_to<'p>(path: &'p Path, home: &Path) -> &'p Path {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let (full, base) = (path.as_os_str().as_bytes(), home.as_os_str().as_bytes());
        if let Some(rest) = full.strip_prefix(base) {
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            return Path::new(std::ffi::OsStr::from_bytes(rest));
        }
    }
    path.strip_prefix(home).unwrap_or(path)
}
