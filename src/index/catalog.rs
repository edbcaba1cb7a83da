//! The query side of the index state: what every query needs at start-up, and nothing more.
//!
//! The per-file parser state ([`super::state`]) is what an update needs to resume reading a
//! file; a query only needs to know whether the index is current (a stamp per file), the
//! session facts, and for `stats` the usage. Keeping those in their own small files, one session
//! per entry and usage as fixed-width rows with interned models, makes a query's start-up a
//! fraction of loading the whole state.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::state::{FileEntry, IndexState, encode_hinted, read_first_part, write_with};
use crate::error::{Error, Result};
use crate::model::{LimitSnapshot, SessionInfo, UsageEvent};
use crate::scan::{ScanResult, read_at};

mod blobs;
mod files;
mod names;
mod pack;
mod sessions;
mod spliced;
mod stored_keys;
mod usage;
mod usage_file;
use files::{FileList, Stamp, stamps_match, stamps_of};
pub use names::{ThreadNames, names_hash};
use pack::{Pack, Runs};
pub use pack::{PackWriter, pack_number};
pub use sessions::SessionTable;
pub use usage::{NextUsage, UsageFile, UsageTable};

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
    /// Thread names in force (session id → name), decoded by the update that needs them.
    pub names: ThreadNames,
    /// One per session id (the longest file when a session was copied), thread names applied.
    pub sessions: SessionTable,
    /// The encoded sizes of the head and the file list when last read or written: the next
    /// write's buffers are made that size.
    encoded_sizes: (usize, usize),
    /// The pack the sessions' bytes (and the usage file's) are in (0 before the first commit):
    /// the next commit's are appended to it.
    pub pack: u64,
}

impl Catalog {
    /// The catalog after an update: `carried` says, per scanned file, which of this catalog's
    /// files it is when it was not read again; `fresh` holds the entries of the files just
    /// read, `state` every file's entry. Sessions whose files did not change keep their facts
    /// and usage rows from `self` and `usage`, as runs of the pack that the next commit names
    /// again (neither read, decoded nor written again).
    pub fn next(
        self,
        mut usage: UsageFile,
        scan: &ScanResult,
        carried: &[Option<usize>],
        fresh: &HashMap<String, FileEntry>,
        state: &IndexState,
    ) -> (Catalog, NextUsage) {
        // Each scanned file: read now (its new entry), or unchanged (its old stamp, moved).
        let mut old_files = self.files.into_vec();
        let sources: Vec<Result<&str, usize>> = scan
            .files
            .iter()
            .zip(carried)
            .filter_map(|(file, carried)| match carried {
                Some(i) if *i < old_files.len() => Some(Err(*i)),
                _ => fresh
                    .get_key_value(file.key().as_ref())
                    .map(|(key, _)| Ok(key.as_str())),
            })
            .collect();
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
        let names = names::desired(&files, scan);
        // Room for what this update read (capacity never written costs no memory), so the
        // tables are not copied as they grow.
        let read_events: usize = fresh.values().map(|e| e.events.len()).sum();
        let read_limits: usize = fresh.values().map(|e| e.state.limits.len()).sum();
        let mut table = usage.next_empty(read_events, read_limits);
        let (old_keys, old_sessions) = self.sessions.into_carried();
        // The names in force include each file's own name, so they are the whole answer.
        let mut sessions = SessionTable::carrying(
            &old_sessions,
            old_keys.len() + fresh.len(),
            fresh.len() * 1024,
        );
        for (i, keys) in old_keys.into_iter().enumerate() {
            if !affected.contains(&keys.id) {
                let name = names.get(&keys.id);
                sessions.carry(keys, &old_sessions, i, name);
                table.push_moved(&usage, i);
            }
        }
        drop((usage, old_sessions));
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
            let limits = limits_of(&entries);
            if merge {
                // The file written last (the live one, not a frozen segment or the file a
                // revert replaced) stands for the session.
                if let Some(newest) = entries.iter().max_by_key(|e| e.state.session.updated_at_ms) {
                    info = newest.state.session.clone();
                }
                let lists: Vec<&[UsageEvent]> =
                    entries.iter().map(|e| e.events.as_slice()).collect();
                let events = crate::model::merge_thread_events(&lists);
                info.recount(&events);
                table.push_read(&events, &limits);
            } else if let Some(events) = without_leaked_copy(&info, first, &files, fresh, state) {
                info.recount(&events);
                table.push_read(&events, &limits);
            } else {
                table.push_read(&first.events, &limits);
            }
            info.thread_name = names.get(&info.id).cloned();
            sessions.push(&info);
        }
        let catalog = Catalog {
            stamps: stamps_of(&files),
            files: FileList::new(files),
            names_hash: names_hash(scan),
            names: ThreadNames::new(names),
            sessions,
            encoded_sizes: self.encoded_sizes,
            pack: self.pack,
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
    /// left in the file and the encoded sessions in the pack until asked for.
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
        let tail_len = usize::try_from(rest - 8 - files_len).unwrap_or(usize::MAX);
        let tail = read_at(&file, at + 8 + files_len, tail_len);
        let (pack, runs): (u64, Vec<(u64, u64)>) =
            match tail.as_deref().map(postcard::take_from_bytes) {
                Some(Ok((named, []))) => named,
                _ => return Err(damaged("no pack named, or bytes after it")),
            };
        let runs = Runs::new(runs);
        let dir = path.parent().unwrap_or(Path::new("."));
        let Pack { file: bytes, len } = Pack::open(dir, pack)?;
        if !runs.fits(len) {
            return Err(damaged(
                "its sessions' bytes are past the end of their pack",
            ));
        }
        let files = FileList::in_file(file, at + 8, usize::try_from(files_len).unwrap_or(0));
        let mut sessions = head.sessions;
        sessions.attach(bytes, runs).map_err(|e| damaged(&e))?;
        Ok(Catalog {
            files,
            stamps: head.stamps,
            names_hash: head.names_hash,
            names: head.names,
            sessions,
            encoded_sizes: (value.len(), usize::try_from(files_len).unwrap_or(0)),
            pack,
        })
    }

    /// How many bytes of the last commit's pack the catalog carries over, in how many runs.
    pub fn carried(&self) -> (u64, usize) {
        self.sessions.carried()
    }

    /// Puts the encoded sessions in `pack` (the sessions carried over were never in memory),
    /// and writes a catalog file: the head's length (8 bytes, little-endian) and the head, the
    /// file list's length and the list, then the pack's number and the runs of it the
    /// sessions are in.
    pub fn save(&mut self, path: &Path, pack: &PackWriter) -> Result<()> {
        let encode = |e: postcard::Error| Error::Index(e.to_string());
        let runs = (self.sessions.save_bytes(pack)).map_err(|e| Error::io(pack.path(), e))?;
        let tail = postcard::to_stdvec(&(pack.number(), runs.as_slice())).map_err(encode)?;
        let (head_size, files_size) = self.encoded_sizes;
        let head = encode_hinted(
            &HeadOut {
                stamps: &self.stamps,
                names_hash: self.names_hash,
                names: &self.names,
                sessions: &self.sessions,
            },
            head_size,
        )
        .map_err(encode)?;
        let files = encode_hinted(self.files(), files_size).map_err(encode)?;
        self.encoded_sizes = (head.len(), files.len());
        write_with(path, |out| {
            out.write_all(&(head.len() as u64).to_le_bytes())?;
            out.write_all(&head)?;
            out.write_all(&(files.len() as u64).to_le_bytes())?;
            out.write_all(&files)?;
            out.write_all(&tail)
        })?;
        self.pack = pack.number();
        self.sessions
            .attach(pack.reader()?, runs)
            .map_err(|e| Error::Index(format!("{}: {e}", path.display())))
    }
}

/// The head of a catalog file, as written.
#[derive(Serialize)]
struct HeadOut<'a> {
    #[serde(with = "files::fixed")]
    stamps: &'a [Stamp],
    names_hash: u64,
    names: &'a ThreadNames,
    sessions: &'a SessionTable,
}

/// The head of a catalog file, as read.
#[derive(Deserialize)]
struct HeadIn {
    #[serde(with = "files::fixed")]
    stamps: Vec<Stamp>,
    names_hash: u64,
    names: ThreadNames,
    sessions: SessionTable,
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
