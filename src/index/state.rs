//! The per-file state kept beside the tantivy index: what was read of each rollout, where its
//! accounting stood, and the usage events it produced.
//!
//! Written as a new file per commit and named in the tantivy commit's payload, so the text
//! index and this state always change together: a crash before the commit leaves the previous
//! pair in force.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

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
}

/// Everything beside the tantivy index.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IndexState {
    /// Rollout path → entry.
    pub files: BTreeMap<String, FileEntry>,
    /// Thread names as last indexed (session id → name).
    pub names: BTreeMap<String, String>,
}

/// How many bytes before the consumed offset are remembered.
pub const TAIL_CHECK_BYTES: usize = 64;

impl IndexState {
    /// Reads a state file.
    pub fn load(path: &Path) -> Result<IndexState> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        postcard::from_bytes(&bytes).map_err(|e| Error::Index(format!("{}: {e}", path.display())))
    }

    /// Writes a state file durably (write to a temporary name, fsync, rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = postcard::to_stdvec(self).map_err(|e| Error::Index(e.to_string()))?;
        let tmp: PathBuf = path.with_extension("tmp");
        let mut file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        file.write_all(&bytes).map_err(|e| Error::io(&tmp, e))?;
        file.sync_all().map_err(|e| Error::io(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
        Ok(())
    }
}
