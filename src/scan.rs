//! Finds the rollout files of every Codex home: `sessions/**/rollout-*.jsonl` (dated folders
//! and the old flat layout) and `archived_sessions/rollout-*.jsonl`. No parsing happens here.
//!
//! Only regular files count; symlinks are followed (a home on another disk works) but loops
//! are detected and skipped, and nothing inside a home is ever written.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use rayon::prelude::*;
use walkdir::WalkDir;

use crate::error::{Error, Result};

/// One rollout file found on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Full path.
    pub path: PathBuf,
    /// True under `archived_sessions/`.
    pub archived: bool,
    /// Size in bytes when scanned.
    pub len: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i128,
    /// Device and inode: tells a rewritten file from an appended one.
    pub identity: (u64, u64),
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
}

/// Which files to take: the Codex layout, minus user excludes.
pub struct Patterns {
    include: GlobSet,
    exclude: GlobSet,
}

impl Patterns {
    /// The Codex layout plus `excludes` (globs matched against the path relative to the home).
    pub fn new(excludes: &[String]) -> Result<Patterns> {
        let mut include = GlobSetBuilder::new();
        for pattern in [
            "sessions/**/rollout-*.jsonl",
            "archived_sessions/rollout-*.jsonl",
        ] {
            include.add(Glob::new(pattern).map_err(|e| Error::Usage(e.to_string()))?);
        }
        let mut exclude = GlobSetBuilder::new();
        for pattern in excludes {
            let glob = Glob::new(pattern)
                .map_err(|e| Error::Usage(format!("--exclude {pattern:?}: {e}")))?;
            exclude.add(glob);
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| Error::Usage(e.to_string()));
        Ok(Patterns {
            include: build(include)?,
            exclude: build(exclude)?,
        })
    }

    fn matches(&self, relative: &Path) -> bool {
        self.include.is_match(relative) && !self.exclude.is_match(relative)
    }
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
    let mut result = ScanResult::default();
    let mut seen = HashSet::new();
    for home in homes {
        for sub in ["sessions", "archived_sessions"] {
            let root = home.join(sub);
            if !root.is_dir() {
                continue;
            }
            walk(
                home,
                &root,
                sub == "archived_sessions",
                patterns,
                &mut seen,
                &mut result,
            );
        }
        read_session_index(&home.join("session_index.jsonl"), &mut result.thread_names);
    }
    result.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(result)
}

fn walk(
    home: &Path,
    root: &Path,
    archived: bool,
    patterns: &Patterns,
    seen: &mut HashSet<(u64, u64)>,
    result: &mut ScanResult,
) {
    // Listing directories needs no stat (the entry type comes with the name); only symlinks
    // are resolved, through a link-following walk that detects loops.
    let mut candidates = Vec::new();
    let depth = if archived { 1 } else { 8 };
    for entry in WalkDir::new(root).max_depth(depth) {
        let Ok(entry) = entry else {
            result.unreadable += 1;
            continue;
        };
        let kind = entry.file_type();
        if kind.is_symlink() && entry.path().is_dir() {
            let remaining = depth.saturating_sub(entry.depth());
            for linked in WalkDir::new(entry.path())
                .follow_links(true)
                .max_depth(remaining)
            {
                match linked {
                    Ok(linked) if !linked.file_type().is_dir() => {
                        candidates.push(linked.into_path());
                    }
                    Ok(_) => {}
                    Err(_) => result.unreadable += 1,
                }
            }
        } else if !kind.is_dir() {
            candidates.push(entry.into_path());
        }
    }
    candidates.retain(|path| patterns.matches(path.strip_prefix(home).unwrap_or(path)));
    // One stat per rollout, in parallel: on a large home this is most of a query's start-up.
    let stated: Vec<Option<SourceFile>> = candidates
        .into_par_iter()
        .map(|path| {
            let meta = std::fs::metadata(&path).ok()?;
            meta.is_file().then(|| SourceFile {
                archived,
                len: meta.len(),
                mtime_ns: mtime_ns(&meta),
                identity: file_identity(&meta),
                path,
            })
        })
        .collect();
    for file in stated {
        match file {
            Some(file) if seen.insert(file.identity) => result.files.push(file),
            Some(_) => {}
            None => result.unreadable += 1,
        }
    }
}

/// Modification time in nanoseconds since the epoch (0 when unknown).
pub fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128)
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
