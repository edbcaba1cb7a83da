//! Rollout file → session facts, usage events and (for the index) conversation messages.
//!
//! One [`FileState`] follows one file line by line; it is serialisable, so an index can stop
//! at any complete line and later feed only the bytes appended since. Bad lines are counted in
//! a [`ParseReport`], never returned as errors. This module imports only `model`,
//! `accounting` and `error`: it knows nothing of tantivy, clap or terminals.
//!
//! Layout: `feed` reads a file's bytes (in windows, decompressing when needed) and splits
//! them into lines; `records` and `fallback` turn each line into facts, usage and messages;
//! `lines`, `fast`, `decode`, `wire`, `content` and `title` are the readers they share. This
//! file holds the state, the output types and the whole-file entry points.

mod content;
mod decode;
mod fallback;
mod fast;
mod feed;
pub mod lines;
mod records;
pub mod title;
mod wire;

pub use decode::trim_line;

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::accounting::Accountant;
use crate::model::{Message, SessionInfo, UsageEvent};
use title::TitlePicker;

/// Bytes from the start of a tool output that the index keeps.
pub const INDEXED_OUTPUT_HEAD: usize = 256;
/// Bytes from the end of a tool output that the index keeps (errors sit at the end).
pub const INDEXED_OUTPUT_TAIL: usize = 384;

/// How much of each file to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// Session facts and usage only (reports).
    Usage,
    /// Facts, usage and conversation text with tool outputs cut to a head and a tail (index).
    Index,
    /// Facts, usage and the whole conversation text (`show`).
    Full,
}

/// What was skipped while reading, summed over files for one stderr line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParseReport {
    /// Complete lines read.
    pub lines: u64,
    /// Lines that were not valid JSON (or not an object). NUL padding is stripped first, so a
    /// line of NULs only counts as blank.
    pub malformed: u64,
    /// Lines of a record type this rolldex does not know.
    pub unknown: u64,
    /// Lines decoded lossily because they held invalid UTF-8.
    pub lossy_utf8: u64,
    /// Files whose last line had no newline yet (left for the next run).
    pub torn_tails: u64,
    /// Files that could not be read.
    pub unreadable: u64,
    /// Usage lines with impossible figures (a negative token count): skipped.
    #[serde(default)]
    pub impossible: u64,
    /// Usage lines without a usable timestamp (missing, garbage, `2026-02-30`): counted at the
    /// file's latest valid time before them, else its start.
    #[serde(default)]
    pub untimed: u64,
}

impl ParseReport {
    /// Adds another report into this one.
    pub fn merge(&mut self, other: &ParseReport) {
        self.lines += other.lines;
        self.malformed += other.malformed;
        self.unknown += other.unknown;
        self.lossy_utf8 += other.lossy_utf8;
        self.torn_tails += other.torn_tails;
        self.unreadable += other.unreadable;
        self.impossible += other.impossible;
        self.untimed += other.untimed;
    }

    /// True when nothing was skipped.
    pub fn is_clean(&self) -> bool {
        self.malformed == 0
            && self.unknown == 0
            && self.lossy_utf8 == 0
            && self.torn_tails == 0
            && self.unreadable == 0
            && self.impossible == 0
            && self.untimed == 0
    }
}

/// Everything a file's parse produced since the last call.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Counted usage, in line order.
    pub usage: Vec<UsageEvent>,
    /// Conversation text (with [`Depth::Full`] only).
    pub messages: Vec<Message>,
    /// What was skipped.
    pub report: ParseReport,
    /// `rollout_reference` lines (with [`Depth::Full`] only): history held by reference.
    pub references: Vec<Reference>,
    /// Where each message's line sits in the (decoded) file, parallel to `messages`: the
    /// index keeps this instead of the text and reads snippets back from the rollout.
    pub lines: Vec<LineSpan>,
}

/// A line of a rollout file: its first byte and its length with the newline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineSpan {
    /// Offset of the line's first byte.
    pub offset: u64,
    /// Bytes up to and including the newline.
    pub len: u64,
}

/// A `rollout_reference` line: at this point of the conversation the history of another
/// rollout (a segment, a snapshot, a migrated original) belongs, by reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reference {
    /// How many messages of this file came before the line.
    pub at: usize,
    /// The referenced rollout's id, when given.
    pub rollout_id: Option<String>,
    /// Where Codex wrote it (tried first).
    pub rollout_path: Option<String>,
    /// The thread it belongs to.
    pub thread_id: Option<String>,
    /// How many user messages of it are meant (`None`: the whole segment).
    pub nth_user_message: Option<u64>,
}

/// The resumable state of one rollout file after its first `consumed` bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileState {
    /// Session facts gathered so far.
    pub session: SessionInfo,
    /// Bytes of complete lines consumed.
    pub consumed: u64,
    /// Token accounting state.
    accountant: Accountant,
    /// Title candidates.
    titles: TitlePicker,
    /// Whether the first non-empty line was seen.
    started: bool,
    /// Whether the first `session_meta` (or legacy header) was applied.
    has_meta: bool,
    /// Where this file's prompts come from (legacy events or paginated items).
    prompts: PromptSource,
    /// The latest valid line timestamp (ms): the time of a usage line that has none.
    #[serde(default)]
    last_ts: Option<i64>,
    /// Usage events counted so far in this file.
    #[serde(default)]
    events_counted: u32,
    /// In a legacy fork, how many events were counted when the copied block was closed by
    /// the timestamp rule (see [`crate::model::drop_leaked_copy`]).
    #[serde(default)]
    fork_tail_start: Option<u32>,
    /// The file's `rate_limits` snapshots in line order, a run of equal ones kept as its first
    /// and last (so a quiet hour costs two entries, and the last still tells the age).
    #[serde(default)]
    pub limits: Vec<crate::model::LimitSnapshot>,
    /// Where the line being read starts (decoded bytes): a usage event without a response id
    /// is keyed by it ([`crate::model::line_event_key`]).
    #[serde(skip)]
    line_start: u64,
}

/// Which records carry the user's prompts in a file: `user_message` events (legacy history) or
/// `item_completed` `UserMessage` items (paginated history). The first one seen wins.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PromptSource {
    /// No prompt seen yet.
    #[default]
    Unknown,
    /// `event_msg` `user_message`.
    Events,
    /// `event_msg` `item_completed` with a `UserMessage` item.
    Items,
}

impl FileState {
    /// A state before the first byte of `path`; the id defaults to the filename's UUID, else
    /// to one derived from the path (never empty: two files without ids are two sessions).
    pub fn new(path: &Path, archived: bool) -> FileState {
        let path_text = path.to_string_lossy().into_owned();
        let session = SessionInfo {
            id: id_from_file_name(path).unwrap_or_else(|| crate::model::path_id(&path_text)),
            path: path_text,
            archived,
            interactive: true,
            ..SessionInfo::default()
        };
        FileState {
            session,
            ..FileState::default()
        }
    }

    /// In a legacy fork (a `forked_from_id` and a copied parent block), the index of the
    /// first event counted after the copied block ended by the timestamp rule.
    pub fn fork_tail_start(&self) -> Option<usize> {
        self.session
            .forked_from_id
            .as_ref()
            .and(self.fork_tail_start)
            .map(|n| n as usize)
    }

    /// True when no line has been read (an empty file holds no session).
    pub fn is_empty(&self) -> bool {
        !self.started
    }

    /// True when this file's spend comes from `token_usage_record` lines (one per model
    /// response), so its events can be merged with another file of the same thread.
    pub fn uses_records(&self) -> bool {
        self.accountant.has_records()
    }

    /// True once the file's identity is read (its `session_meta` or legacy header): the
    /// session id and flags will not change any more.
    pub fn identity_known(&self) -> bool {
        self.has_meta
    }
}

/// The thread UUID of `rollout-<date>-<uuid>.jsonl` (or `.jsonl.zst`); a revert file
/// `rollout-<date>-<thread>_<rollout>.jsonl` names its thread before the `_`.
pub fn id_from_file_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    let stem = name
        .strip_suffix(".zst")
        .unwrap_or(name)
        .strip_suffix(".jsonl")?;
    let stem = match stem.rsplit_once('_') {
        Some((thread, _rollout)) => thread,
        None => stem,
    };
    let tail = stem.get(stem.len().checked_sub(36)?..)?;
    let is_uuid = tail.len() == 36
        && tail.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        });
    is_uuid.then(|| tail.to_ascii_lowercase())
}

/// Reads a whole file from the start.
pub fn parse_path(
    path: &Path,
    archived: bool,
    depth: Depth,
    scratch: &mut Vec<u8>,
) -> (FileState, Parsed) {
    let mut state = FileState::new(path, archived);
    let mut parsed = Parsed::default();
    let compressed = crate::scan::is_compressed(path);
    let read = std::fs::File::open(path)
        .and_then(|file| state.feed_file(&file, compressed, depth, &mut parsed, scratch));
    if read.is_err() {
        parsed.report.unreadable += 1;
    }
    (state, parsed)
}

/// The messages one line yields when read alone, as the index read them ([`Depth::Index`]):
/// a search hit's text is read back from its line this way, since the index does not keep it.
pub fn messages_of_line(path: &Path, line: &[u8]) -> Vec<Message> {
    let mut state = FileState::new(path, false);
    // Not the file's first line: a legacy item must not pass for its header.
    state.started = true;
    let mut parsed = Parsed::default();
    let mut scratch = Vec::new();
    state.feed(line, Depth::Index, &mut parsed, &mut scratch);
    parsed.messages
}
