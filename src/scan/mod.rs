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

use crate::error::{Error, Result};

mod file_facts;
mod order;
mod patterns;
pub mod signal;
mod walk;
pub use file_facts::{file_identity, mtime_ns, read_at};
use order::in_path_order;
pub use patterns::Patterns;
use signal::{Recorder, Signal, Stamp};
use walk::{Listing, list_tree};

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
                    // Sized once: grown as it went, the set was rehashed a dozen times.
                    seen.reserve(found.iter().map(|l| l.files.len()).sum());
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
