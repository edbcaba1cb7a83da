//! The query side of the index state: what every query needs at start-up, and nothing more.
//!
//! The per-file parser state ([`super::state`]) is what an update needs to resume reading a
//! file; a query only needs to know whether the index is current (a stamp per file), the
//! session facts, and for `stats` the usage. Keeping those in their own small files, one session
//! per entry and usage as fixed-width rows with interned models, makes a query's start-up a
//! fraction of loading the whole state.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::state::{FileEntry, IndexState, read_postcard, write_postcard};
use crate::error::Result;
use crate::model::{SessionInfo, TokenUsage, UsageEvent};
use crate::scan::ScanResult;
use crate::stats::SessionUsage;

/// What the index knew about one rollout file when it was last read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    /// Full path.
    pub path: String,
    /// Size.
    pub len: u64,
    /// Modification time (ns).
    pub mtime_ns: i128,
    /// (device, inode).
    pub identity: (u64, u64),
}

/// Freshness stamps and session facts of one commit.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Catalog {
    /// One per indexed rollout file.
    pub stamps: Vec<Stamp>,
    /// Fingerprint of the `session_index.jsonl` names the commit saw.
    pub names_hash: u64,
    /// One per session id (the longest file when a session was copied), thread names applied.
    pub sessions: Vec<SessionInfo>,
}

/// Usage of each catalog session, in catalog order: (time ms, model index, 5 counts).
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct UsageTable {
    models: Vec<String>,
    sessions: Vec<Vec<(i64, u32, [i64; 5])>>,
}

impl Catalog {
    /// The catalog and usage table of a state, as `scan_names_hash` describes its names input.
    pub fn build(state: &IndexState, names_hash: u64) -> (Catalog, UsageTable) {
        let stamps = state
            .files
            .iter()
            .map(|(path, e)| Stamp {
                path: path.clone(),
                len: e.len,
                mtime_ns: e.mtime_ns,
                identity: e.identity,
            })
            .collect();
        let mut by_id: HashMap<&str, &FileEntry> = HashMap::new();
        for entry in state.files.values().filter(|e| !e.unreadable) {
            let id = entry.state.session.id.as_str();
            if by_id.get(id).is_none_or(|e| e.len < entry.len) {
                by_id.insert(id, entry);
            }
        }
        let mut chosen: Vec<&FileEntry> = by_id.into_values().collect();
        chosen.sort_by(|a, b| a.state.session.path.cmp(&b.state.session.path));
        let mut usage = UsageTable::default();
        let mut model_index: HashMap<&str, u32> = HashMap::new();
        let mut sessions = Vec::with_capacity(chosen.len());
        for entry in chosen {
            let mut info = entry.state.session.clone();
            if let Some(name) = state.names.get(&info.id) {
                info.thread_name = Some(name.clone());
            }
            sessions.push(info);
            let rows = entry
                .events
                .iter()
                .map(|e| {
                    let model = *model_index.entry(e.model.as_str()).or_insert_with(|| {
                        usage.models.push(e.model.clone());
                        (usage.models.len() - 1) as u32
                    });
                    let u = &e.usage;
                    let counts = [
                        u.input_tokens,
                        u.cached_input_tokens,
                        u.output_tokens,
                        u.reasoning_output_tokens,
                        u.total_tokens,
                    ];
                    (e.timestamp_ms, model, counts)
                })
                .collect();
            usage.sessions.push(rows);
        }
        let catalog = Catalog {
            stamps,
            names_hash,
            sessions,
        };
        (catalog, usage)
    }

    /// True when `scan` finds exactly the files (and thread names) this catalog was made from.
    pub fn is_current(&self, scan: &ScanResult) -> bool {
        if scan.files.len() != self.stamps.len() || names_hash(scan) != self.names_hash {
            return false;
        }
        let stamps: HashMap<&str, &Stamp> =
            self.stamps.iter().map(|s| (s.path.as_str(), s)).collect();
        scan.files.iter().all(|f| {
            f.path
                .to_str()
                .and_then(|p| stamps.get(p))
                .is_some_and(|s| {
                    s.len == f.len && s.mtime_ns == f.mtime_ns && s.identity == f.identity
                })
        })
    }

    /// Reads a catalog file.
    pub fn load(path: &Path) -> Result<Catalog> {
        read_postcard(path)
    }

    /// Writes a catalog file durably.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_postcard(path, self)
    }
}

impl UsageTable {
    /// Reads a usage file.
    pub fn load(path: &Path) -> Result<UsageTable> {
        read_postcard(path)
    }

    /// Writes a usage file durably.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_postcard(path, self)
    }

    /// Joins the catalog's sessions with their usage, consuming both.
    pub fn into_sessions(self, sessions: Vec<SessionInfo>) -> Vec<SessionUsage> {
        let models = self.models;
        sessions
            .into_iter()
            .zip(
                self.sessions
                    .into_iter()
                    .chain(std::iter::repeat_with(Vec::new)),
            )
            .map(|(info, rows)| SessionUsage {
                info,
                events: rows
                    .into_iter()
                    .map(|(timestamp_ms, model, u)| UsageEvent {
                        timestamp_ms,
                        model: models.get(model as usize).cloned().unwrap_or_default(),
                        usage: TokenUsage {
                            input_tokens: u[0],
                            cached_input_tokens: u[1],
                            output_tokens: u[2],
                            reasoning_output_tokens: u[3],
                            total_tokens: u[4],
                        },
                    })
                    .collect(),
            })
            .collect()
    }
}

/// A fingerprint of the thread names a scan read from `session_index.jsonl`: the names in force
/// are a function of the files and these, so equal stamps and equal fingerprints mean nothing
/// changed.
pub fn names_hash(scan: &ScanResult) -> u64 {
    let sorted: BTreeMap<&String, &String> = scan.thread_names.iter().collect();
    let mut text = String::new();
    for (id, name) in sorted {
        text.push_str(id);
        text.push('\u{0}');
        text.push_str(name);
        text.push('\u{0}');
    }
    super::schema::stable_hash(&text)
}
