//! Feeding bytes to a [`FileState`]: a whole file read a window at a time with `read()` (never
//! memory-mapped) or decoded as a zstd stream, cut into complete lines, each line sent to the
//! envelope or legacy reader. Kept apart from the record handlers so the I/O and the
//! resumable-offset bookkeeping sit in one place.

use super::{Depth, FileState, LineSpan, Parsed, lines, trim_line};

/// Bytes read at a time: bounds memory on huge rollouts.
const WINDOW_BYTES: u64 = 8 << 20;

impl FileState {
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
            let before = out.messages.len();
            self.line_start = self.consumed + consumed as u64;
            self.line(line, depth, out, scratch);
            let span = LineSpan {
                offset: self.line_start,
                len: (end - consumed) as u64,
            };
            // Only while every earlier message has its line (else the spans are not used).
            if out.lines.len() == before {
                out.lines.resize(out.messages.len(), span);
            }
            consumed = end;
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
        compressed: bool,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
    ) -> std::io::Result<u64> {
        self.feed_file_with(file, compressed, depth, out, scratch, &mut |_, _, _| {})
    }

    /// Like [`FileState::feed_file`], calling `on_window` after each window with the bytes it
    /// consumed, the state so far and the output so far: a caller can show progress inside one
    /// large file, and take the window's messages away so they never pile up.
    ///
    /// Files are read with `read()` into a buffer, never memory-mapped: a map of a file that
    /// another program shortens kills the process with SIGBUS, while a short read is only an
    /// early end. A compressed file (`.jsonl.zst`) is decoded as a stream; `consumed` always
    /// counts decoded bytes, so a file that changes form keeps its meaning.
    pub fn feed_file_with(
        &mut self,
        file: &std::fs::File,
        compressed: bool,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
        on_window: &mut dyn FnMut(u64, &FileState, &mut Parsed),
    ) -> std::io::Result<u64> {
        use std::io::{Read, Seek, SeekFrom};
        if compressed {
            let mut decoder = zstd::stream::read::Decoder::new(file)?;
            let skip = self.consumed;
            let skipped = std::io::copy(&mut (&mut decoder).take(skip), &mut std::io::sink())?;
            if skipped < skip {
                // The decoded file is shorter than what was read before: nothing new.
                return Ok(0);
            }
            return self.feed_reader(&mut decoder, WINDOW_BYTES, depth, out, scratch, on_window);
        }
        let mut reader = file;
        reader.seek(SeekFrom::Start(self.consumed))?;
        let remaining = file.metadata()?.len().saturating_sub(self.consumed);
        let hint = remaining.saturating_add(1).min(WINDOW_BYTES);
        self.feed_reader(&mut reader, hint, depth, out, scratch, on_window)
    }

    /// Feeds everything `reader` yields, `WINDOW_BYTES` at a time (more for a longer line);
    /// `first_buffer` sizes the first allocation (a small file needs no 8 MB buffer).
    fn feed_reader(
        &mut self,
        reader: &mut dyn std::io::Read,
        first_buffer: u64,
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
        on_window: &mut dyn FnMut(u64, &FileState, &mut Parsed),
    ) -> std::io::Result<u64> {
        use std::io::Read;
        let start = self.consumed;
        let mut buf: Vec<u8> = Vec::with_capacity(usize::try_from(first_buffer).unwrap_or(0));
        let mut window = usize::try_from(WINDOW_BYTES).unwrap_or(usize::MAX);
        loop {
            let want = window.saturating_sub(buf.len());
            let got = reader.take(want as u64).read_to_end(&mut buf)?;
            let at_end = got < want;
            if buf.is_empty() {
                return Ok(self.consumed - start);
            }
            let consumed = self.feed_window(&buf, at_end, depth, out, scratch);
            on_window(consumed as u64, self, out);
            if at_end {
                return Ok(self.consumed - start + (buf.len() - consumed) as u64);
            }
            if consumed == 0 {
                // A line longer than the window: look at more at once.
                window = window.saturating_mul(2);
            } else {
                buf.drain(..consumed);
                window = usize::try_from(WINDOW_BYTES).unwrap_or(usize::MAX);
            }
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

#[cfg(test)]
mod tests {
    use std::path::Path;

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
