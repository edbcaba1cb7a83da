//! Finds the rollout files of every Codex home: `sessions/**/rollout-*.jsonl` (dated folders
//! and the old flat layout) and `archived_sessions/rollout-*.jsonl`, each also compressed
//! (`.jsonl.zst`, Codex ≥ 0.137 compresses cold sessions). A compressed file whose plain twin
//! exists is the same session caught mid-change: the plain one wins, as in Codex. No parsing
//! happens here.
//!
//! Only regular files count; symlinks are followed (a home on another disk works) but loops
//! are detected and skipped, and nothing inside a home is ever written.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Result};

mod order;
mod patterns;
pub mod signal;
use order::{in_path_order, path_bytes};
pub use patterns::Patterns;
use patterns::is_rollout_name;
use signal::{Recorder, Signal, Stamp};

/// One rollout file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Full path.
    pub path: PathBuf,
    /// True under `archived_sessions/`.
    pub archived: bool,
    /// Size in bytes when scanned.
    pub len: u64,
    /// Last change, nanoseconds since the epoch: see [`mtime_ns`].
    pub mtime_ns: i128,
    /// Device and inode: tells a rewritten file from an appended one.
    pub identity: (u64, u64),
}

impl SourceFile {
    /// The path as text, the key the index stores the file under (lossy when it is not UTF-8).
    /// Tried as text first: the lossy conversion costs about ten times as much per path, and a
    /// query's freshness check takes the key of every file.
    pub fn key(&self) -> std::borrow::Cow<'_, str> {
        match self.path.to_str() {
            Some(text) => std::borrow::Cow::Borrowed(text),
            None => self.path.to_string_lossy(),
        }
    }
}

/// What a scan found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// Rollout files, sorted by path.
    pub files: Vec<SourceFile>,
    /// Thread names from every home's `session_index.jsonl` (last entry wins).
    pub thread_names: HashMap<String, String>,
    /// Directory entries that could not be read (permissions, loops).
    pub unreadable: u64,
    /// What tells the next query whether anything changed since this walk, where the homes
    /// give such a signal (see [`signal`]).
    pub signal: Option<Signal>,
}

/// Checks that every home exists and is a directory.
pub fn check_homes(homes: &[PathBuf]) -> Result<()> {
    for home in homes {
        if !home.is_dir() {
            return Err(Error::MissingHome(home.clone()));
        }
    }
    Ok(())
}

/// Walks every home and returns its rollout files (each file once, even if homes overlap).
pub fn scan_homes(homes: &[PathBuf], patterns: &Patterns) -> Result<ScanResult> {
    check_homes(homes)?;
    // Begun before anything is read: a change made after a file was read shows in a stamp.
    let mut recorder = Recorder::begin(homes, std::time::SystemTime::now());
    let watch = recorder.is_some();
    // The thread names are read while the homes are walked: thousands of JSON lines, which
    // would otherwise wait for the walk.
    let (mut result, thread_names) = rayon::join(
        || {
            let mut listings = Vec::new();
            let mut unreadable = 0;
            let mut seen = rustc_hash::FxHashSet::default();
            let mut folders = Vec::new();
            let mut followed_link = false;
            for home in homes {
                for sub in ["sessions", "archived_sessions"] {
                    let root = home.join(sub);
                    if !root.is_dir() {
                        if watch {
                            let stamp = Stamp::at(&root);
                            folders.push((root, stamp));
                        }
                        continue;
                    }
                    // A linked root's own folder is not the one Codex writes in.
                    followed_link |= root.is_symlink();
                    let archived = sub == "archived_sessions";
                    let found = list_tree(&root, home, archived, patterns, levels(archived), watch);
                    for mut listing in found {
                        unreadable += listing.unreadable;
                        followed_link |= listing.followed_link;
                        folders.append(&mut listing.folders);
                        // Each file once, even if homes overlap: the first walked wins.
                        listing.files.retain(|f| seen.insert(f.identity));
                        listings.push(listing);
                    }
                }
            }
            if let Some(recorder) = &mut recorder {
                if followed_link {
                    recorder.give_up();
                }
                for (path, stamp) in folders {
                    recorder.folder(path, stamp);
                }
            }
            ScanResult {
                files: in_path_order(listings),
                unreadable,
                ..ScanResult::default()
            }
        },
        || {
            let mut names = HashMap::new();
            for home in homes {
                read_session_index(&home.join("session_index.jsonl"), &mut names);
            }
            names
        },
    );
    result.thread_names = thread_names;
    result.signal = recorder.and_then(Recorder::finish);
    drop_compressed_twins(&mut result.files);
    Ok(result)
}

/// How deep a walk goes: dated folders (and the old flat layout) below `sessions/`, files
/// directly in `archived_sessions/`.
fn levels(archived: bool) -> usize {
    if archived { 1 } else { 8 }
}

/// True for a compressed rollout (`rollout-*.jsonl.zst`).
pub fn is_compressed(path: &Path) -> bool {
    path.as_os_str().as_encoded_bytes().ends_with(b".zst")
}

/// Drops each `.jsonl.zst` whose plain `.jsonl` was also found (plain wins, as in Codex).
fn drop_compressed_twins(files: &mut Vec<SourceFile>) {
    if !files.iter().any(|f| is_compressed(&f.path)) {
        return;
    }
    let plain: HashSet<PathBuf> = files
        .iter()
        .filter(|f| !is_compressed(&f.path))
        .map(|f| f.path.clone())
        .collect();
    files.retain(|f| !is_compressed(&f.path) || !plain.contains(&f.path.with_extension("")));
}

/// What one directory holds (a followed symlinked directory: everything below it). A walk
/// gathers one per directory and joins them once at the end: merging them on the way up
/// copied each file's entry once per level.
#[derive(Default)]
struct Listing {
    files: Vec<SourceFile>,
    unreadable: u64,
    /// The folder's stamp, taken before it was read, when the walk watches folders.
    folders: Vec<(PathBuf, Option<Stamp>)>,
    /// True when a symlinked folder was followed (its folders are not watched).
    followed_link: bool,
}

/// The rollout files in `dir` and, `levels - 1` deep, below it. Each directory is read once
/// (the entry type comes with the name), subdirectories in parallel, and each rollout is
/// stat-ed through its directory (no path walk per file): on a large home this is most of a
/// query's start-up. A symlinked directory is followed by a walk that detects loops. With
/// `watch`, each directory is stamped before it is read (for the next query's [`Signal`]).
fn list_tree(
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

/// A file's last change in nanoseconds since the epoch (0 when unknown): the later of its
/// modification time and, on Unix, its status-change time. The ctime moves on every write and
/// every chmod, and cannot be set back, so a file rewritten in place with its old size and
/// mtime restored (`touch -r`), or one made readable again, is noticed.
pub fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let changed = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        modified.max(changed)
    }
    #[cfg(not(unix))]
    modified
}

/// (device, inode) on Unix; elsewhere a value derived from size and time.
#[cfg(unix)]
pub fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// (device, inode) on Unix; elsewhere a value derived from size and time.
#[cfg(not(unix))]
pub fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.len(), mtime_ns(meta) as u64)
}

/// Reads `session_index.jsonl`: `{"id","thread_name","updated_at"}` lines, the last one per id
/// wins. A missing or unreadable file means no names.
fn read_session_index(path: &Path, names: &mut HashMap<String, String>) {
    #[derive(serde::Deserialize)]
    struct Entry {
        id: String,
        thread_name: Option<String>,
    }
    let Ok(file) = std::fs::File::open(path) else {
        return;
    };
    for line in std::io::BufReader::new(file)
        .split(b'\n')
        .map_while(std::result::Result::ok)
    {
        if let Ok(entry) = serde_json::from_slice::<Entry>(&line) {
            match entry.thread_name.filter(|n| !n.trim().is_empty()) {
                Some(name) => names.insert(entry.id.to_ascii_lowercase(), name),
                None => names.remove(&entry.id.to_ascii_lowercase()),
            };
        }
    }
}

/// The `len` bytes of `file` at `offset` (`None` when the file is shorter now): a positioned
/// read, so the file's own cursor is left alone. The bytes go straight into new memory:
/// filling it with zeros first cost as much as reading the index's larger files.
#[cfg(unix)]
pub fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(len);
    while buf.len() < len {
        let at = offset + buf.len() as u64;
        match rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buf), at) {
            Ok(0) => return None,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(_) => return None,
        }
    }
    buf.truncate(len);
    Some(buf)
}

/// The `len` bytes of `file` at `offset` (`None` when the file is shorter now).
#[cfg(not(unix))]
pub fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file.try_clone().ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = vec![0; len];
    file.read_exact(&mut buf).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::read_at;
    use std::io::Write;

    #[test]
    fn read_at_reads_exactly_the_range_and_nothing_past_the_end() {
        let mut file = tempfile::tempfile().expect("tempfile");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        file.write_all(&bytes).expect("write");
        assert_eq!(read_at(&file, 0, bytes.len()).as_deref(), Some(&bytes[..]));
        assert_eq!(read_at(&file, 17, 1000).as_deref(), Some(&bytes[17..1017]));
        assert_eq!(read_at(&file, 5, 0).as_deref(), Some(&[][..]));
        // A file shorter than the range asked for (one that shrank) is no answer.
        assert_eq!(read_at(&file, bytes.len() as u64 - 10, 11), None);
        assert_eq!(read_at(&file, bytes.len() as u64 + 5, 1), None);
    }
}
