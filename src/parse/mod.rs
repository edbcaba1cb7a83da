//! Rollout file → session facts, usage events and (for the index) conversation messages.
//!
//! One [`FileState`] follows one file line by line; it is serialisable, so an index can stop
//! at any complete line and later feed only the bytes appended since. Bad lines are counted in
//! a [`ParseReport`], never returned as errors. This module imports only `model`,
//! `accounting` and `error`: it knows nothing of tantivy, clap or terminals.

mod content;
mod decode;
mod fallback;
mod fast;
pub mod lines;
mod records;
pub mod title;
mod wire;

use decode::trim_line;

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
    }

    /// True when nothing was skipped.
    pub fn is_clean(&self) -> bool {
        self.malformed == 0
            && self.unknown == 0
            && self.lossy_utf8 == 0
            && self.torn_tails == 0
            && self.unreadable == 0
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
}

impl FileState {
    /// A state before the first byte of `path`; the id defaults to the filename's UUID.
    pub fn new(path: &Path, archived: bool) -> FileState {
        let session = SessionInfo {
            id: id_from_file_name(path).unwrap_or_default(),
            path: path.to_string_lossy().into_owned(),
            archived,
            interactive: true,
            ..SessionInfo::default()
        };
        FileState {
            session,
            ..FileState::default()
        }
    }

    /// Feeds the complete lines of `bytes`, which must start at byte `self.consumed` of the file.
    /// A final fragment without a newline is left unconsumed and reported as a torn tail.
    pub fn feed(&mut self, bytes: &[u8], depth: Depth, out: &mut Parsed, scratch: &mut Vec<u8>) {
        self.feed_window(bytes, true, depth, out, scratch);
    }

    /// Like [`FileState::feed`]; a fragment after the last newline is a torn tail only when
    /// `at_end` (else the next window holds the rest of the line). Returns the bytes consumed.
    fn feed_window(
        &mut self,
        bytes: &[u8],
        at_end: bool,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
    ) -> usize {
        let mut consumed = 0;
        for (end, line) in lines::complete_lines(bytes) {
            consumed = end;
            self.line(line, depth, out, scratch);
        }
        self.consumed += consumed as u64;
        if at_end && !lines::torn_tail(bytes).is_empty() {
            out.report.torn_tails += 1;
        }
        self.session.title = self.titles.title().map(str::to_owned);
        consumed
    }

    /// Reads `file` from `self.consumed` to its end, a window at a time, so memory stays
    /// bounded however large the file. Returns the bytes looked at.
    pub fn feed_file(
        &mut self,
        file: &std::fs::File,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
    ) -> std::io::Result<u64> {
        self.feed_file_with(file, depth, out, scratch, &mut |_| {})
    }

    /// Like [`FileState::feed_file`], telling `on_bytes` how many bytes each window consumed,
    /// so a caller can show progress inside one large file.
    pub fn feed_file_with(
        &mut self,
        file: &std::fs::File,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
        on_bytes: &mut dyn FnMut(u64),
    ) -> std::io::Result<u64> {
        let start = self.consumed;
        let mut window = WINDOW_BYTES;
        loop {
            let (bytes, at_end) = lines::map_window(file, self.consumed, window)?;
            let slice = bytes.as_slice();
            if slice.is_empty() {
                return Ok(self.consumed - start);
            }
            let consumed = self.feed_window(slice, at_end, depth, out, scratch);
            on_bytes(consumed as u64);
            if at_end {
                return Ok(self.consumed - start + (slice.len() - consumed) as u64);
            }
            // A line longer than the window: look at more at once.
            window = if consumed == 0 {
                window * 2
            } else {
                WINDOW_BYTES
            };
        }
    }

    fn line(&mut self, raw: &[u8], depth: Depth, out: &mut Parsed, scratch: &mut Vec<u8>) {
        let line = trim_line(raw);
        if line.is_empty() {
            return;
        }
        out.report.lines += 1;
        if !line.starts_with(b"{") || line.len() < 2 || !line.ends_with(b"}") {
            out.report.malformed += 1;
            return;
        }
        let prefix = lines::read_prefix(line);
        match prefix {
            Some(prefix) => self.envelope_line(line, prefix, depth, out, scratch),
            None if !self.started
                && lines::head_contains(line, b"\"id\"", 200)
                && !line.starts_with(b"{\"timestamp\":") =>
            {
                self.legacy_header(line, out, scratch);
            }
            None => self.other_line(line, depth, out, scratch),
        }
        self.started = true;
    }
}

/// The UUID at the end of `rollout-<date>-<uuid>.jsonl`.
pub fn id_from_file_name(path: &Path) -> Option<String> {
    let stem = path.file_name()?.to_str()?.strip_suffix(".jsonl")?;
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

/// Bytes mapped at a time: bounds memory on huge rollouts.
const WINDOW_BYTES: u64 = 8 << 20;

/// Reads a whole file from the start.
pub fn parse_path(
    path: &Path,
    archived: bool,
    depth: Depth,
    scratch: &mut Vec<u8>,
) -> (FileState, Parsed) {
    let mut state = FileState::new(path, archived);
    let mut parsed = Parsed::default();
    let read = std::fs::File::open(path)
        .and_then(|file| state.feed_file(&file, depth, &mut parsed, scratch));
    if read.is_err() {
        parsed.report.unreadable += 1;
    }
    (state, parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds mangled rollout lines (cut, spliced, bytes flipped) in every depth: the parser
    /// must never panic, whatever the input.
    #[test]
    fn arbitrary_bytes_never_panic() {
        let pieces: &[&[u8]] = &[
            br#"{"timestamp":"2026-01-05T14:33:05.901Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":5,"output_tokens":1,"total_tokens":6},"last_token_usage":{"input_tokens":5}}}}"#,
            br#"{"timestamp":"2026-01-05T14:33:05.901Z","type":"session_meta","payload":{"id":"x","timestamp":"2026-01-05T14:33:05Z","source":{"subagent":{"thread_spawn":{}}}}}"#,
            br#"{"timestamp":"2026-01-05T14:33:06Z","type":"response_item","payload":{"type":"function_call_output","call_id":"c","output":"a\"b\\n\u00e9 end"}}"#,
            br#"{"timestamp":"2026-01-05T14:33:06Z","type":"response_item","payload":{"type":"reasoning","summary":[{"text":"s"}],"encrypted_content":"gAAA"}}"#,
            br#"{"id":"5973b6c0-94b8-487b-a530-2aeb6098ae0e","timestamp":"2025-08-25T21:06:52.427Z","instructions":null}"#,
            br#"{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context>x"}]}"#,
            b"\0\0\0\xff\xfe{}\r\n[]\"\\",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3000 {
            let mut bytes = Vec::new();
            for _ in 0..(next() % 6) {
                let piece = pieces[(next() % pieces.len() as u64) as usize];
                let cut = (next() % (piece.len() as u64 + 1)) as usize;
                bytes.extend_from_slice(if next() % 3 == 0 {
                    &piece[..cut]
                } else {
                    piece
                });
                if next() % 4 != 0 {
                    bytes.push(b'\n');
                }
            }
            if !bytes.is_empty() {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = (next() & 0xff) as u8;
            }
            for depth in [Depth::Usage, Depth::Index, Depth::Full] {
                let mut state = FileState::new(Path::new("rollout-x.jsonl"), false);
                let mut out = Parsed::default();
                state.feed(&bytes, depth, &mut out, &mut Vec::new());
            }
        }
    }
}
