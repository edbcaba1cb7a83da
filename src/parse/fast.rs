//! Shortcuts for the two biggest kinds of line, which hold most of a history's bytes:
//! reasoning items (an opaque `encrypted_content` blob) and tool outputs (often tens of KB).
//!
//! The index keeps only a bounded head and tail of a tool output and never the encrypted
//! blob, so these functions cut the raw JSON before decoding it. Any surprise in the shape
//! returns `None`, and the caller decodes the whole line the ordinary way.

use memchr::memmem;

/// A reasoning line with its `encrypted_content` cut off: `…,"summary":[…]}}`.
pub fn reasoning_without_blob(line: &[u8]) -> Option<Vec<u8>> {
    const KEY: &[u8] = b",\"encrypted_content\":\"";
    let at = memmem::rfind(line, KEY)?;
    let rest = &line[at + KEY.len()..];
    // The blob is base64: no quote until its end, then the payload and envelope close.
    let blob_end = memchr::memchr(b'"', rest)?;
    if &rest[blob_end..] != b"\"}}" {
        return None;
    }
    let mut cut = Vec::with_capacity(at + 2);
    cut.extend_from_slice(&line[..at]);
    cut.extend_from_slice(b"}}");
    Some(cut)
}

/// The head and tail (about `head` and `tail` bytes) of a tool output's `output` string,
/// decoded, joined by an ellipsis line; the whole text when it is short.
pub fn output_head_tail(line: &[u8], head: usize, tail: usize) -> Option<String> {
    const KEY: &[u8] = b"\"output\":\"";
    let start = memmem::find(line, KEY)? + KEY.len();
    let raw = string_body(&line[start..])?;
    if raw.starts_with(b"{\\\"output\\\":") {
        return None; // JSON inside the string (old shell tool): decode it properly.
    }
    if raw.len() <= head + tail {
        return unescape(raw);
    }
    let head_end = safe_cut_before(raw, head);
    let tail_start = safe_cut_after(raw, raw.len() - tail);
    if tail_start <= head_end {
        return unescape(raw);
    }
    let mut text = unescape(&raw[..head_end])?;
    text.push_str("\n…\n");
    text.push_str(&unescape(&raw[tail_start..])?);
    Some(text)
}

/// The bytes of a JSON string body up to (not including) its closing quote.
fn string_body(bytes: &[u8]) -> Option<&[u8]> {
    let mut from = 0;
    loop {
        let quote = from + memchr::memchr(b'"', &bytes[from..])?;
        let backslashes = bytes[..quote]
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(&bytes[..quote]);
        }
        from = quote + 1;
    }
}

/// True when cutting `raw` at `p` splits neither an escape sequence (no backslash in the six
/// bytes before) nor a UTF-8 character.
fn is_safe_cut(raw: &[u8], p: usize) -> bool {
    p == 0
        || p == raw.len()
        || (!raw[p.saturating_sub(6)..p].contains(&b'\\') && (raw[p] & 0xC0) != 0x80)
}

/// A safe cut point at or before `at` (searching back at most 256 bytes; else the start).
fn safe_cut_before(raw: &[u8], at: usize) -> usize {
    (at.saturating_sub(256)..=at)
        .rev()
        .find(|p| is_safe_cut(raw, *p))
        .unwrap_or(0)
}

/// A safe cut point at or after `at` (searching ahead at most 256 bytes; else the end).
fn safe_cut_after(raw: &[u8], at: usize) -> usize {
    (at..=raw.len().min(at + 256))
        .find(|p| is_safe_cut(raw, *p))
        .unwrap_or(raw.len())
}

/// Decodes a JSON string body.
fn unescape(body: &[u8]) -> Option<String> {
    let mut quoted = Vec::with_capacity(body.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(body);
    quoted.push(b'"');
    serde_json::from_slice::<String>(&quoted).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_reasoning_blob() {
        let line = br#"{"timestamp":"t","type":"response_item","payload":{"type":"reasoning","summary":[{"type":"summary_text","text":"plan"}],"content":null,"encrypted_content":"gAAAAxyz=="}}"#;
        let cut = reasoning_without_blob(line).expect("cut");
        let value: serde_json::Value = serde_json::from_slice(&cut).expect("valid json");
        assert_eq!(value["payload"]["summary"][0]["text"], "plan");
    }

    #[test]
    fn keeps_head_and_tail_of_outputs() {
        let body = format!(
            "start {} the \\\"end\\\" error: connection reset",
            "word ".repeat(500)
        );
        let line = format!(
            r#"{{"timestamp":"t","type":"response_item","payload":{{"type":"function_call_output","call_id":"c","output":"{body}"}}}}"#
        );
        let text = output_head_tail(line.as_bytes(), 40, 60).expect("fast path");
        assert!(text.starts_with("start word"));
        assert!(text.ends_with("the \"end\" error: connection reset"));
        assert!(text.len() < 120);
        let short = r#"{"type":"function_call_output","call_id":"c","output":"ok\nline"}}"#;
        assert_eq!(
            output_head_tail(short.as_bytes(), 40, 60).as_deref(),
            Some("ok\nline")
        );
        let legacy = r#"{"output":"{\"output\":\"x\",\"metadata\":{}}"}}"#;
        assert_eq!(output_head_tail(legacy.as_bytes(), 40, 60), None);
    }
}
