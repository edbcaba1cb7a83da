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
pub mod title;
mod wire;

use decode::{Envelope, decode, decode_borrowed, trim_line};

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::accounting::{Accountant, TokenCount};
use crate::model::{Generation, Message, Role, SessionInfo, UsageEvent};
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
        let start = self.consumed;
        let mut window = WINDOW_BYTES;
        loop {
            let (bytes, at_end) = lines::map_window(file, self.consumed, window)?;
            let slice = bytes.as_slice();
            if slice.is_empty() {
                return Ok(self.consumed - start);
            }
            let consumed = self.feed_window(slice, at_end, depth, out, scratch);
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

    fn envelope_line(
        &mut self,
        line: &[u8],
        prefix: lines::Prefix<'_>,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
    ) {
        self.session.generation = Generation::Envelope;
        if matches!(prefix.kind, b"event_msg" | b"response_item") && prefix.sub.is_none() {
            // The payload's `type` is not its first key (not Codex's order): decode it whole.
            self.other_line(line, depth, out, scratch);
            return;
        }
        let timestamp = prefix.timestamp.and_then(lines::parse_timestamp_ms);
        let needs_parse = match (prefix.kind, prefix.sub) {
            (b"session_meta" | b"turn_context", _)
            | (b"event_msg", Some(b"token_count" | b"user_message" | b"thread_name_updated")) => {
                true
            }
            (b"response_item", Some(sub)) => {
                depth != Depth::Usage
                    && !self.accountant.in_copied_block()
                    && content::carries_text(sub)
                    // v2 repeats what the user typed in `user_message` events, without the
                    // injected context these (often large) lines carry.
                    && !(sub == b"message" && lines::head_contains(line, b"\"role\":\"user\"", 160))
                    && !(sub == b"message" && lines::head_contains(line, b"\"role\":\"developer\"", 160))
            }
            (
                b"response_item"
                | b"event_msg"
                | b"compacted"
                | b"world_state"
                | b"inter_agent_communication_metadata"
                | b"session_state"
                | b"thread_settings_applied",
                _,
            ) => false,
            _ => {
                out.report.unknown += 1;
                false
            }
        };
        if !needs_parse {
            self.touch(timestamp);
            return;
        }
        let mut line = std::borrow::Cow::Borrowed(line);
        if prefix.kind == b"response_item" {
            match prefix.sub {
                Some(b"function_call_output" | b"custom_tool_call_output")
                    if depth == Depth::Index =>
                {
                    if let Some(text) =
                        fast::output_head_tail(&line, INDEXED_OUTPUT_HEAD, INDEXED_OUTPUT_TAIL)
                    {
                        self.touch(timestamp);
                        if !text.trim().is_empty() {
                            out.messages.push(Message {
                                timestamp_ms: timestamp,
                                role: Role::ToolOutput,
                                tool: None,
                                text,
                            });
                        }
                        return;
                    }
                }
                Some(b"reasoning") => {
                    if let Some(cut) = fast::reasoning_without_blob(&line) {
                        line = std::borrow::Cow::Owned(cut);
                    }
                }
                _ => {}
            }
        }
        if let (b"response_item", Some(sub)) = (prefix.kind, prefix.sub) {
            // Straight into the typed item, strings borrowed from the line: no JSON tree.
            match decode_borrowed::<Envelope<wire::ResponseItem<'_>>>(
                &line,
                scratch,
                &mut out.report,
            ) {
                Some(envelope) => {
                    self.touch(timestamp);
                    self.response_item(sub, &envelope.payload, timestamp, false, out);
                }
                None => out.report.malformed += 1,
            }
            return;
        }
        match decode::<Envelope<serde_json::Value>>(&line, scratch, &mut out.report) {
            Some(envelope) => {
                self.touch(timestamp);
                self.apply(
                    prefix.kind,
                    prefix.sub,
                    timestamp,
                    &envelope.payload,
                    depth,
                    out,
                );
            }
            None => out.report.malformed += 1,
        }
    }

    /// Notes a line's timestamp: the session's `updated_at` and the fork-block clock.
    fn touch(&mut self, timestamp: Option<i64>) {
        if let Some(ts) = timestamp {
            self.session.updated_at_ms = Some(self.session.updated_at_ms.map_or(ts, |u| u.max(ts)));
        }
        self.accountant.on_line(timestamp);
    }

    fn apply(
        &mut self,
        kind: &[u8],
        sub: Option<&[u8]>,
        timestamp: Option<i64>,
        payload: &serde_json::Value,
        depth: Depth,
        out: &mut Parsed,
    ) {
        match (kind, sub) {
            (b"session_meta", _) => {
                self.accountant.on_session_meta(timestamp);
                if !self.has_meta
                    && let Ok(meta) = wire::SessionMeta::deserialize(payload)
                {
                    self.apply_meta(&meta);
                }
            }
            (b"turn_context", _) => {
                if let Ok(ctx) = wire::TurnContext::deserialize(payload) {
                    if let Some(model) = ctx.model.as_deref().filter(|m| !m.is_empty()) {
                        self.accountant.on_model(model);
                    }
                    if !self.accountant.in_copied_block() {
                        if let Some(cwd) = ctx.cwd {
                            self.session.latest_cwd = Some(cwd.into_owned());
                        }
                        if let Some(root) = ctx.workspace_roots.and_then(|r| r.into_iter().next()) {
                            self.session.workspace_root = Some(root.into_owned());
                        }
                    }
                }
            }
            (b"event_msg", Some(b"token_count")) => self.token_count(timestamp, payload, out),
            (b"event_msg", Some(b"user_message")) => {
                if self.accountant.in_copied_block() {
                    return;
                }
                if let Ok(event) = wire::TextEvent::deserialize(payload) {
                    let is_plain = event.kind.as_deref().is_none_or(|k| k == "plain");
                    if let Some(text) = event.message.filter(|_| is_plain) {
                        self.user_text(&text, timestamp, depth, out);
                    }
                }
            }
            (b"event_msg", Some(b"thread_name_updated")) => {
                if let Ok(event) = wire::TextEvent::deserialize(payload)
                    && let Some(name) = event.thread_name.filter(|n| !n.trim().is_empty())
                {
                    self.session.thread_name = Some(name.into_owned());
                }
            }
            (b"response_item", Some(item_type)) => {
                if let Ok(item) = wire::ResponseItem::deserialize(payload) {
                    self.response_item(item_type, &item, timestamp, false, out);
                }
            }
            _ => {}
        }
    }

    fn apply_meta(&mut self, meta: &wire::SessionMeta<'_>) {
        self.has_meta = true;
        let session = &mut self.session;
        if let Some(id) = meta.id.as_deref().filter(|id| !id.is_empty()) {
            id.clone_into(&mut session.id);
        }
        session.started_at_ms = meta
            .timestamp
            .as_deref()
            .and_then(|t| lines::parse_timestamp_ms(t.as_bytes()));
        session.cwd = meta.cwd.as_deref().map(str::to_owned);
        session.originator = meta.originator.as_deref().map(str::to_owned);
        session.cli_version = meta.cli_version.as_deref().map(str::to_owned);
        session.model_provider = meta.model_provider.as_deref().map(str::to_owned);
        session.forked_from_id = meta.forked_from_id.as_deref().map(str::to_owned);
        session.source = meta.source.as_ref().map(content::source_name);
        if let Some(git) = &meta.git {
            session.git_branch = git.branch.as_deref().map(str::to_owned);
            session.git_repository_url = git.repository_url.as_deref().map(str::to_owned);
            session.git_commit = git.commit_hash.as_deref().map(str::to_owned);
        }
        session.interactive =
            content::is_interactive(session.source.as_deref(), session.originator.as_deref());
    }

    fn token_count(
        &mut self,
        timestamp: Option<i64>,
        payload: &serde_json::Value,
        out: &mut Parsed,
    ) {
        let Ok(event) = wire::TokenCountEvent::deserialize(payload) else {
            out.report.malformed += 1;
            return;
        };
        let Some(info) = event.info else { return };
        let Some(total) = info
            .total_token_usage
            .as_ref()
            .map(wire::WireUsage::to_usage)
        else {
            return;
        };
        let last = info
            .last_token_usage
            .as_ref()
            .map(wire::WireUsage::to_usage)
            .unwrap_or_default();
        let Some(ts) = timestamp else { return };
        if let (_, Some(event)) = self
            .accountant
            .on_token_count(ts, &TokenCount { total, last })
        {
            self.session.usage.add(&event.usage);
            if !self.session.models.iter().any(|m| **m == *event.model) {
                self.session.models.push(event.model.to_string());
            }
            out.usage.push(event);
        }
    }

    fn user_text(&mut self, text: &str, timestamp: Option<i64>, depth: Depth, out: &mut Parsed) {
        let stripped = title::strip_injected(text);
        if stripped.is_empty() {
            return;
        }
        self.session.turns += 1;
        self.titles.offer(&stripped);
        if depth != Depth::Usage {
            out.messages.push(Message {
                timestamp_ms: timestamp,
                role: Role::User,
                tool: None,
                text: stripped,
            });
        }
    }

    fn response_item(
        &mut self,
        item_type: &[u8],
        item: &wire::ResponseItem<'_>,
        timestamp: Option<i64>,
        legacy: bool,
        out: &mut Parsed,
    ) {
        if item_type == b"message" && item.role.as_deref() == Some("user") {
            // v2 files repeat the user's words in `user_message` events, without injected context.
            if legacy {
                let text = item
                    .content
                    .as_ref()
                    .map(content::content_text)
                    .unwrap_or_default();
                self.user_text(&text, timestamp, Depth::Index, out);
            }
            return;
        }
        if let Some(message) = content::message_of(item_type, item, timestamp) {
            out.messages.push(message);
        }
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
