//! The per-file state kept beside the tantivy index: what was read of each rollout, where its
//! parser and accounting stood, and the usage events it produced. Only an update reads it;
//! queries read the smaller [`super::catalog`].
//!
//! Each file's entry is kept encoded, so an update decodes only the entries of files that
//! changed and writes the others back byte for byte: a resumed session costs one entry, not the
//! whole history. Written as a new file per commit and named in the tantivy commit's payload,
//! so the text index and this state always change together.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::error::{Error, Result};
use crate::model::UsageEvent;
use crate::parse::FileState;

/// What the index knows about one rollout file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size when last read.
    pub len: u64,
    /// Modification time when last read (ns).
    pub mtime_ns: i128,
    /// (device, inode) when last read.
    pub identity: (u64, u64),
    /// The bytes just before `state.consumed`, to notice a rewrite that kept the size growing.
    pub tail_check: Vec<u8>,
    /// Parser state after the consumed bytes (session facts included).
    pub state: FileState,
    /// Counted usage so far.
    pub events: Vec<UsageEvent>,
    /// The file could not be read when last seen: it holds no session until it changes.
    pub unreadable: bool,
}

impl FileEntry {
    /// The entry of a file that could not be read.
    pub fn unreadable(file: &crate::scan::SourceFile) -> FileEntry {
        FileEntry {
            len: file.len,
            mtime_ns: file.mtime_ns,
            identity: file.identity,
            tail_check: Vec::new(),
            state: FileState::new(&file.path, file.archived),
            events: Vec::new(),
            unreadable: true,
        }
    }
}

/// How many bytes before the consumed offset are remembered.
pub const TAIL_CHECK_BYTES: usize = 64;

/// Every file's entry, encoded: rollout path → postcard bytes of its [`FileEntry`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexState {
    files: BTreeMap<String, ByteBuf>,
}

impl IndexState {
    /// The entry of `path`, decoded; `None` when absent or unreadable as an entry.
    pub fn entry(&self, path: &str) -> Option<FileEntry> {
        postcard::from_bytes(self.files.get(path)?).ok()
    }

    /// Stores `entry` as the entry of `path`.
    pub fn insert(&mut self, path: String, entry: &FileEntry) -> Result<()> {
        let bytes = postcard::to_stdvec(entry).map_err(|e| Error::Index(e.to_string()))?;
        self.files.insert(path, ByteBuf::from(bytes));
        Ok(())
    }

    /// Forgets the entry of `path`.
    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    /// Reads a state file.
    pub fn load(path: &Path) -> Result<IndexState> {
        read_postcard(path)
    }

    /// Writes the state file durably.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_postcard(path, self)
    }
}

/// Reads a postcard file; one that does not decode to exactly its length (cut, or garbage
/// that happens to start like a value) is damaged.
pub(super) fn read_postcard<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let damaged =
        |what: &dyn std::fmt::Display| Error::Index(format!("{}: {what}", path.display()));
    match postcard::take_from_bytes(&bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(damaged(&format_args!("{} bytes too many", rest.len()))),
        Err(e) => Err(damaged(&e)),
    }
}

/// Writes a postcard file whole: temporary name, then rename, so a reader sees the old file or
/// the new one. Not fsynced: the index is a cache of the rollouts, and a state file a power
/// loss left short fails to decode, which rebuilds the index (the self-repair); syncing
/// three files on every query-triggered update cost about a third of it.
pub(super) fn write_postcard<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    write_postcard_after(path, &[], value)
}

/// [`write_postcard`] with `head` written before the value.
pub(super) fn write_postcard_after<T: Serialize>(
    path: &Path,
    head: &[u8],
    value: &T,
) -> Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    // Streamed, not encoded whole first: a 10 GB history's state is tens of megabytes.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    out.write_all(head).map_err(|e| Error::io(&tmp, e))?;
    postcard::to_io(value, &mut out)
        .map_err(|e| Error::Index(format!("{}: {e}", tmp.display())))?;
    out.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Writes `parts` back to back as the file at `path`, the same way as [`write_postcard`].
pub(super) fn write_bytes(path: &Path, parts: &[&[u8]]) -> Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    for part in parts {
        file.write_all(part).map_err(|e| Error::io(&tmp, e))?;
    }
    drop(file);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
