//! The query side of the index state: what every query needs at start-up, and nothing more.
//!
//! The per-file parser state ([`super::state`]) is what an update needs to resume reading a
//! file; a query only needs to know whether the index is current (a stamp per file), the
//! session facts, and for `stats` the usage. Keeping those in their own small files, one session
//! per entry and usage as fixed-width rows with interned models, makes a query's start-up a
//! fraction of loading the whole state.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::state::{FileEntry, IndexState, write_bytes, write_postcard_after};
use crate::error::{Error, Result};
use crate::model::{LimitSnapshot, SessionInfo, UsageEvent};
use crate::scan::{ScanResult, read_at};
use crate::stats::SessionUsage;
use crate::timezone::QUARTER_HOUR_MS;

mod files;
mod sessions;
mod usage_file;
use files::{FileList, Stamp, stamps_match, stamps_of};
pub use sessions::SessionTable;

/// What the index knew about one rollout file when it was last read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    /// Full path.
    pub path: String,
    /// Size.
    pub len: u64,
    /// Modification time (ns).
    pub mtime_ns: i128,
    /// (device, inode).
    pub identity: (u64, u64),
    /// The session the file holds.
    pub session_id: String,
    /// The thread name the file itself sets (`thread_name_updated`), if any.
    pub own_name: Option<String>,
    /// The file could not be read.
    pub unreadable: bool,
}

impl FileRef {
    fn of(path: &str, entry: &FileEntry) -> FileRef {
        FileRef {
            path: path.to_owned(),
            len: entry.len,
            mtime_ns: entry.mtime_ns,
            identity: entry.identity,
            session_id: entry.state.session.id.clone(),
            own_name: entry.state.session.thread_name.clone(),
            unreadable: entry.unreadable,
        }
    }
}

/// Freshness stamps and session facts of one commit.
#[derive(Debug, Default)]
pub struct Catalog {
    /// One per indexed rollout file (decoded when asked for: see [`Catalog::files`]).
    files: FileList,
    /// One per indexed rollout file, sorted by path hash: what a freshness check reads.
    stamps: Vec<Stamp>,
    /// Fingerprint of the `session_index.jsonl` names the commit saw.
    pub names_hash: u64,
    /// Thread names in force (session id → name).
    pub names: BTreeMap<String, String>,
    /// One per session id (the longest file when a session was copied), thread names applied.
    pub sessions: SessionTable,
}

/// Usage of each catalog session, in catalog order. On disk each event is a [`Row`] with an
/// index into `models`; in memory it is decoded straight into a [`UsageEvent`] (see
/// [`usage_file`]), so a report takes the events as they are.
#[derive(Debug, Default)]
pub struct UsageTable {
    /// Interned (model, service tier) pairs: a history has a handful.
    models: Vec<(Arc<str>, Option<Arc<str>>)>,
    sessions: Vec<Vec<UsageEvent>>,
    /// The `rate_limits` snapshots of each session's files, in time order (parallel to
    /// `sessions`): `limits` and `statusline` answer from them without reading a rollout.
    /// Kept encoded (postcard), a blob per session: a report that does not need them pays a
    /// copy, not a decode (they were 40 % of this file), and an update moves them untouched.
    limits: Vec<serde_bytes::ByteBuf>,
}

/// One usage event on disk: time (ms), index into `models`, input, cached input, output,
/// reasoning, total, cache-write input, and its event key.
type Row = (i64, u32, [i64; 6], u64);

impl Catalog {
    /// The catalog after an update: `fresh` holds the entries of the files just read, `state`
    /// every file's entry. Sessions whose files did not change keep their facts and usage rows
    /// from `self` and `usage` (moved, not copied or decoded again).
    pub fn next(
        self,
        usage: UsageTable,
        scan: &ScanResult,
        fresh: &HashMap<String, FileEntry>,
        state: &IndexState,
    ) -> (Catalog, UsageTable) {
        // Each scanned file: read now (its new entry), or unchanged (its old stamp, moved).
        let mut old_files = self.files.into_vec();
        let sources: Vec<Result<&str, usize>> = {
            let old_at: FxHashMap<&str, usize> = old_files
                .iter()
                .enumerate()
                .map(|(i, r)| (r.path.as_str(), i))
                .collect();
            scan.files
                .iter()
                .filter_map(|file| {
                    let path = file.path.to_string_lossy();
                    match fresh.get_key_value(path.as_ref()) {
                        Some((key, _)) => Some(Ok(key.as_str())),
                        None => old_at.get(path.as_ref()).map(|&i| Err(i)),
                    }
                })
                .collect()
        };
        // How many scanned files still need each old stamp (the last one takes it).
        let mut uses = vec![0u32; old_files.len()];
        for source in &sources {
            if let Err(i) = source {
                uses[*i] += 1;
            }
        }
        // Sessions whose facts or usage may differ: those of files read, replaced or gone.
        let mut affected: HashSet<String> =
            fresh.values().map(|e| e.state.session.id.clone()).collect();
        for (old, uses) in old_files.iter().zip(&uses) {
            if *uses == 0 {
                affected.insert(old.session_id.clone());
            }
        }
        let files: Vec<FileRef> = sources
            .into_iter()
            .map(|source| match source {
                Ok(path) => FileRef::of(path, &fresh[path]),
                Err(i) => {
                    uses[i] -= 1;
                    if uses[i] == 0 {
                        std::mem::take(&mut old_files[i])
                    } else {
                        old_files[i].clone()
                    }
                }
            })
            .collect();
        let names = desired_names(&files, scan);
        let mut table = UsageTable {
            models: usage.models,
            sessions: Vec::new(),
            limits: Vec::new(),
        };
        let mut old_limits = usage
            .limits
            .into_iter()
            .chain(std::iter::repeat_with(serde_bytes::ByteBuf::new));
        let (old_keys, old_bytes, old_ends) = self.sessions.into_parts();
        let mut moved = Vec::with_capacity(old_keys.len());
        let mut sessions = Vec::new();
        let old_rows = usage
            .sessions
            .into_iter()
            .chain(std::iter::repeat_with(Vec::new));
        let mut start = 0;
        for ((keys, end), rows) in old_keys.into_iter().zip(old_ends).zip(old_rows) {
            let limits = old_limits.next().unwrap_or_default();
            let range = start..end as usize;
            start = end as usize;
            if !affected.contains(&keys.id) {
                moved.push((keys, range));
                table.sessions.push(rows);
                table.limits.push(limits);
            }
        }
        // An affected session is the longest of its files (a copied session has several),
        // unless its files are other files of one thread with per-response records (revert
        // files, segments): then each response counts once over all of them.
        let mut by_id: HashMap<&str, Vec<&FileRef>> = HashMap::new();
        for file in files.iter().filter(|f| !f.unreadable) {
            let id = file.session_id.as_str();
            if affected.contains(id) {
                by_id.entry(id).or_default().push(file);
            }
        }
        let mut groups: Vec<Vec<&FileRef>> = by_id.into_values().collect();
        for group in &mut groups {
            // Longest first; ties by path, so the choice is stable.
            group.sort_by(|a, b| b.len.cmp(&a.len).then_with(|| a.path.cmp(&b.path)));
        }
        groups.sort_by(|a, b| a[0].path.cmp(&b[0].path));
        for group in groups {
            let entries: Vec<std::borrow::Cow<'_, FileEntry>> = group
                .iter()
                .filter_map(|file| match fresh.get(&file.path) {
                    Some(entry) => Some(std::borrow::Cow::Borrowed(entry)),
                    None => state.entry(&file.path).map(std::borrow::Cow::Owned),
                })
                .collect();
            // An empty file (Codex crashed before its first line) holds no session.
            let Some(first) = entries.first().filter(|e| !e.state.is_empty()) else {
                continue;
            };
            let mut info = first.state.session.clone();
            let merge = entries.len() > 1 && entries.iter().all(|e| e.state.uses_records());
            let rows = if merge {
                // The file written last (the live one, not a frozen segment or the file a
                // revert replaced) stands for the session.
                if let Some(newest) = entries.iter().max_by_key(|e| e.state.session.updated_at_ms) {
                    info = newest.state.session.clone();
                }
                let lists: Vec<&[UsageEvent]> =
                    entries.iter().map(|e| e.events.as_slice()).collect();
                let events = crate::model::merge_thread_events(&lists);
                info.recount(&events);
                table.interned(events)
            } else if let Some(events) = without_leaked_copy(&info, first, &files, fresh, state) {
                info.recount(&events);
                table.interned(events)
            } else {
                table.interned(first.events.clone())
            };
            sessions.push(info);
            table.sessions.push(rows);
            table.limits.push(encode_limits(&limits_of(&entries)));
        }
        // The names in force include each file's own name, so they are the whole answer.
        let mut table_of_sessions = SessionTable::default();
        for (keys, range) in moved {
            let name = names.get(&keys.id);
            let encoded = old_bytes.get(range).unwrap_or_default();
            table_of_sessions.push_moved(keys, encoded, name);
        }
        for mut info in sessions {
            info.thread_name = names.get(&info.id).cloned();
            table_of_sessions.push(&info);
        }
        let sessions = table_of_sessions;
        let catalog = Catalog {
            stamps: stamps_of(&files),
            files: FileList::new(files),
            names_hash: names_hash(scan),
            names,
            sessions,
        };
        (catalog, table)
    }

    /// True when `scan` finds exactly the files (and thread names) this catalog was made from.
    pub fn is_current(&self, scan: &ScanResult) -> bool {
        names_hash(scan) == self.names_hash && stamps_match(&self.stamps, scan)
    }

    /// Every indexed file (decoded on first use; empty when that fails, which an update's
    /// load rules out first with [`Catalog::check_files`]).
    pub fn files(&self) -> &[FileRef] {
        self.files.get()
    }

    /// How many files the commit covers.
    pub fn file_count(&self) -> usize {
        self.stamps.len()
    }

    /// Decodes the file list now: an error when it cannot be (a damaged catalog).
    pub fn check_files(&self) -> std::result::Result<(), String> {
        self.files
            .try_get()
            .map(|_| ())
            .ok_or_else(|| "the file list does not decode".to_owned())
    }

    /// Reads a catalog file: the head (stamps, names, session keys) decoded, the file list
    /// and the encoded sessions after it left in the file until asked for.
    pub fn load(path: &Path) -> Result<Catalog> {
        let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
        let (file, value, rest) = read_first_part(path)?;
        let head: HeadIn = match postcard::take_from_bytes(&value) {
            Ok((head, [])) => head,
            Ok(_) => return Err(damaged("head longer than it says")),
            Err(e) => return Err(damaged(&e.to_string())),
        };
        let at = 8 + value.len() as u64;
        let files_len = read_at(&file, at, 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .filter(|&len| len <= rest.saturating_sub(8))
            .ok_or_else(|| damaged("no file list"))?;
        let list = file.try_clone().map_err(|e| Error::io(path, e))?;
        let files = FileList::in_file(list, at + 8, usize::try_from(files_len).unwrap_or(0));
        let mut sessions = head.sessions;
        sessions
            .attach(file, at + 8 + files_len, rest - 8 - files_len)
            .map_err(|e| damaged(&e))?;
        Ok(Catalog {
            files,
            stamps: head.stamps,
            names_hash: head.names_hash,
            names: head.names,
            sessions,
        })
    }

    /// Writes a catalog file: the head's length (8 bytes, little-endian) and the head, the
    /// file list's length and the list, then the encoded sessions.
    pub fn save(&self, path: &Path) -> Result<()> {
        let encode = |e: postcard::Error| Error::Index(e.to_string());
        let head = postcard::to_stdvec(&HeadOut {
            stamps: &self.stamps,
            names_hash: self.names_hash,
            names: &self.names,
            sessions: &self.sessions,
        })
        .map_err(encode)?;
        let files = postcard::to_stdvec(self.files()).map_err(encode)?;
        write_bytes(
            path,
            &[
                &(head.len() as u64).to_le_bytes(),
                &head,
                &(files.len() as u64).to_le_bytes(),
                &files,
                self.sessions.encoded_bytes(),
            ],
        )
    }
}

/// The head of a catalog file, as written.
#[derive(Serialize)]
struct HeadOut<'a> {
    stamps: &'a [Stamp],
    names_hash: u64,
    names: &'a BTreeMap<String, String>,
    sessions: &'a SessionTable,
}

/// The head of a catalog file, as read.
#[derive(Deserialize)]
struct HeadIn {
    stamps: Vec<Stamp>,
    names_hash: u64,
    names: BTreeMap<String, String>,
    sessions: SessionTable,
}

impl UsageTable {
    /// `events`, with their models interned (so the file can name them by index).
    fn interned(&mut self, events: Vec<UsageEvent>) -> Vec<UsageEvent> {
        for e in &events {
            if self.model_index(e).is_none() {
                self.models.push((e.model.clone(), e.service_tier.clone()));
            }
        }
        events
    }

    /// The index of an event's (model, service tier) in `models`.
    fn model_index(&self, e: &UsageEvent) -> Option<usize> {
        self.models
            .iter()
            .position(|(m, t)| *m == e.model && *t == e.service_tier)
    }

    /// The same usage summed by quarter-hour: one event per session, (model, service tier)
    /// and UTC quarter-hour, timed at the quarter's start; no snapshots. A report in any zone
    /// whose days begin on a quarter-hour sums the same figures from about a tenth of the
    /// rows (see [`crate::stats::quarter_hours_are_whole_days`]).
    #[must_use]
    pub fn by_quarter_hour(&self) -> UsageTable {
        let sessions = self
            .sessions
            .iter()
            .map(|events| {
                let mut sums: Vec<UsageEvent> = Vec::new();
                let mut at: FxHashMap<(i64, usize), usize> = FxHashMap::default();
                for e in events {
                    let quarter = e.timestamp_ms.div_euclid(QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
                    let model = self.model_index(e).unwrap_or(usize::MAX);
                    let slot = *at.entry((quarter, model)).or_insert_with(|| {
                        sums.push(UsageEvent {
                            timestamp_ms: quarter,
                            usage: crate::model::TokenUsage::default(),
                            event_key: 0,
                            ..e.clone()
                        });
                        sums.len() - 1
                    });
                    sums[slot].usage.add(&e.usage);
                }
                sums
            })
            .collect();
        UsageTable {
            models: self.models.clone(),
            sessions,
            limits: Vec::new(),
        }
    }

    /// Reads a usage file's whole table (after its quarter-hour sums).
    pub fn load(path: &Path) -> Result<UsageTable> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
        let (_, rest) = split_prefixed(&bytes).ok_or_else(|| damaged("cut short"))?;
        match postcard::take_from_bytes(rest) {
            Ok((table, [])) => Ok(table),
            Ok(_) => Err(damaged("bytes after the table")),
            Err(e) => Err(damaged(&e.to_string())),
        }
    }

    /// Reads only a usage file's quarter-hour sums ([`UsageTable::by_quarter_hour`]).
    pub fn load_quarter_hours(path: &Path) -> Result<UsageTable> {
        let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
        let (_, bytes, _) = read_first_part(path)?;
        match postcard::take_from_bytes(&bytes) {
            Ok((table, [])) => Ok(table),
            Ok(_) => Err(damaged("bytes after the quarter-hour sums")),
            Err(e) => Err(damaged(&e.to_string())),
        }
    }

    /// Writes a usage file: the quarter-hour sums' length (8 bytes, little-endian), the sums,
    /// then the whole table.
    pub fn save(&self, path: &Path) -> Result<()> {
        let quarters = postcard::to_stdvec(&self.by_quarter_hour())
            .map_err(|e| Error::Index(e.to_string()))?;
        let mut head = (quarters.len() as u64).to_le_bytes().to_vec();
        head.extend_from_slice(&quarters);
        write_postcard_after(path, &head, self)
    }

    /// Joins the catalog's sessions with their usage, and hands out every session's
    /// `rate_limits` snapshots (one list per session, in the same order), consuming both.
    pub fn into_sessions_with_limits<I>(
        mut self,
        sessions: Vec<I>,
    ) -> (Vec<SessionUsage<I>>, Vec<Vec<LimitSnapshot>>) {
        let mut limits: Vec<Vec<LimitSnapshot>> = std::mem::take(&mut self.limits)
            .iter()
            .map(|blob| decode_limits(blob))
            .collect();
        limits.resize_with(sessions.len(), Vec::new);
        (self.into_sessions(sessions), limits)
    }

    /// Joins the catalog's sessions with their usage, consuming both.
    pub fn into_sessions<I>(self, sessions: Vec<I>) -> Vec<SessionUsage<I>> {
        sessions
            .into_iter()
            .zip(
                self.sessions
                    .into_iter()
                    .chain(std::iter::repeat_with(Vec::new)),
            )
            .map(|(info, events)| SessionUsage { info, events })
            .collect()
    }
}

/// A legacy fork's events without the rest of a copied block the timestamp rule let through
/// (compared with its parent's events, see [`crate::model::drop_leaked_copy`]); `None` when
/// nothing leaked or the parent is not known.
fn without_leaked_copy(
    info: &SessionInfo,
    entry: &FileEntry,
    files: &[FileRef],
    fresh: &HashMap<String, FileEntry>,
    state: &IndexState,
) -> Option<Vec<UsageEvent>> {
    let start = entry.state.fork_tail_start()?;
    let parent_id = info.forked_from_id.as_deref()?;
    let parent = files
        .iter()
        .filter(|f| f.session_id == parent_id && !f.unreadable && f.path != info.path)
        .max_by_key(|f| f.len)?;
    let parent_events = match fresh.get(&parent.path) {
        Some(e) => std::borrow::Cow::Borrowed(&e.events),
        None => std::borrow::Cow::Owned(state.entry(&parent.path)?.events),
    };
    let mut events = entry.events.clone();
    let fork_ms = info.started_at_ms.unwrap_or(i64::MAX);
    (crate::model::drop_leaked_copy(&mut events, start, &parent_events, fork_ms) > 0)
        .then_some(events)
}

/// A session's snapshots as stored (none: an empty blob).
fn encode_limits(limits: &[LimitSnapshot]) -> serde_bytes::ByteBuf {
    if limits.is_empty() {
        return serde_bytes::ByteBuf::new();
    }
    serde_bytes::ByteBuf::from(postcard::to_stdvec(limits).unwrap_or_default())
}

/// A session's snapshots from their blob; a blob that does not decode counts as none (the
/// whole file decoded, so this is not damage a rebuild would fix).
fn decode_limits(blob: &[u8]) -> Vec<LimitSnapshot> {
    if blob.is_empty() {
        return Vec::new();
    }
    postcard::from_bytes(blob).unwrap_or_default()
}

/// The snapshots of a session's files in time order, each once (a copied session's files
/// share the snapshots of the lines they share).
fn limits_of(entries: &[std::borrow::Cow<'_, FileEntry>]) -> Vec<LimitSnapshot> {
    let mut all: Vec<LimitSnapshot> = entries
        .iter()
        .flat_map(|e| e.state.limits.iter().cloned())
        .collect();
    all.sort_by(|a, b| {
        a.time_ms
            .cmp(&b.time_ms)
            .then_with(|| a.limit_id.cmp(&b.limit_id))
    });
    all.dedup_by(|b, a| a.time_ms == b.time_ms && a.same_values(b));
    all
}

/// A file made of a length-prefixed first part and the rest: the open file, the first part,
/// and how many bytes follow it. A length the file cannot hold is damage, found before
/// anything is allocated for it.
fn read_first_part(path: &Path) -> Result<(std::fs::File, Vec<u8>, u64)> {
    let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let prefix = read_at(&file, 0, 8).ok_or_else(|| damaged("cut short"))?;
    let len = u64::from_le_bytes(prefix.try_into().unwrap_or_default());
    let rest = file_len
        .checked_sub(8)
        .and_then(|n| n.checked_sub(len))
        .ok_or_else(|| damaged("shorter than its first part says"))?;
    let first = usize::try_from(len)
        .ok()
        .and_then(|len| read_at(&file, 8, len))
        .ok_or_else(|| damaged("cut short"))?;
    Ok((file, first, rest))
}

/// The length-prefixed first part of `bytes` and the rest.
fn split_prefixed(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let len = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = 8usize.checked_add(usize::try_from(len).ok()?)?;
    Some((bytes.get(8..end)?, bytes.get(end..)?))
}

/// Thread names in force: `session_index.jsonl` first, else the file's own
/// `thread_name_updated`.
fn desired_names(files: &[FileRef], scan: &ScanResult) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for file in files {
        let id = &file.session_id;
        if let Some(name) = scan.thread_names.get(id).or(file.own_name.as_ref()) {
            names.insert(id.clone(), name.clone());
        }
    }
    names
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
