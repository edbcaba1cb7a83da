//! Reading one rollout for `doctor`: a single forward pass over its lines (a `.jsonl.zst`
//! decoded as a stream) that keeps only what the checks need — the session id, its
//! `session_meta`, the end-of-file total and the record types outside [`KNOWN_TYPES`] — so a
//! huge file costs bounded memory and most lines are classified without a JSON parse.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;

use serde_json::Value;

use super::KNOWN_TYPES;
use crate::scan::SourceFile;

/// What one rollout says, as far as `doctor` cares.
#[derive(Debug, Default)]
pub(super) struct FileFacts {
    pub(super) path: PathBuf,
    pub(super) archived: bool,
    /// The filename's UUID, else the first `session_meta.id`.
    pub(super) id: Option<String>,
    pub(super) meta_seen: bool,
    pub(super) cli_version: Option<String>,
    pub(super) model_provider: Option<String>,
    pub(super) source: Option<String>,
    /// `total_tokens` of the last `token_count` whose `info` is not null.
    pub(super) eof_total: Option<i64>,
    /// Unknown top-level types and their line counts.
    pub(super) unknown: BTreeMap<String, u64>,
    pub(super) unreadable: Option<String>,
}

/// Reads a rollout forward, line by line (bounded memory on huge files); a `.jsonl.zst` is
/// decoded as a stream.
pub(super) fn read_rollout(file: &SourceFile) -> FileFacts {
    let mut facts = FileFacts {
        path: file.path.clone(),
        archived: file.archived,
        ..FileFacts::default()
    };
    let opened = std::fs::File::open(&file.path).and_then(|handle| {
        if crate::scan::is_compressed(&file.path) {
            let decoder = zstd::stream::read::Decoder::new(handle)?;
            Ok(Box::new(decoder) as Box<dyn Read>)
        } else {
            Ok(Box::new(handle) as Box<dyn Read>)
        }
    });
    let handle = match opened {
        Ok(h) => h,
        Err(e) => {
            facts.unreadable = Some(e.to_string());
            return facts;
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, handle);
    let mut line = Vec::new();
    let (mut bytes, mut json_lines) = (0u64, 0u64);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => bytes += n as u64,
            Err(e) => {
                facts.unreadable = Some(e.to_string());
                return facts;
            }
        }
        if read_line(crate::parse::trim_line(&line), &mut facts) {
            json_lines += 1;
        }
    }
    if bytes == 0 {
        facts.unreadable = Some("empty".to_owned());
    } else if json_lines == 0 {
        facts.unreadable = Some("no JSON line".to_owned());
    }
    let from_name = crate::parse::id_from_file_name(&file.path);
    facts.id = from_name.or(facts.id.take());
    facts
}

/// Applies one line; true when it was a JSON object.
fn read_line(line: &[u8], facts: &mut FileFacts) -> bool {
    if line.is_empty() {
        return false;
    }
    // Fast path: Codex writes `{"timestamp":…,("ordinal":N,)"type":"…","payload":{"type":"…"`.
    if let Some((kind, sub)) = envelope_prefix(line) {
        let needs_json = match kind {
            b"session_meta" => !facts.meta_seen,
            b"event_msg" => sub.is_none_or(|s| s == b"token_count"),
            _ => false,
        };
        if !needs_json {
            note_kind(&String::from_utf8_lossy(kind), facts);
            return true;
        }
    }
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(line) else {
        return false;
    };
    // Legacy bare lines (Codex ≤ 0.31) have no envelope: nothing to classify; the first one
    // holds the session id.
    let Some(payload) = object.get("payload") else {
        if facts.id.is_none()
            && let Some(id) = object.get("id").and_then(Value::as_str)
        {
            facts.id = Some(id.to_ascii_lowercase());
        }
        return true;
    };
    let Some(kind) = object.get("type").and_then(Value::as_str) else {
        return true;
    };
    note_kind(kind, facts);
    match kind {
        "session_meta" if !facts.meta_seen => {
            facts.meta_seen = true;
            let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
            facts.id = text("id").map(|id| id.to_ascii_lowercase());
            facts.cli_version = text("cli_version");
            facts.model_provider = text("model_provider");
            facts.source = payload.get("source").map(source_name);
        }
        "event_msg" if payload.get("type").and_then(Value::as_str) == Some("token_count") => {
            if let Some(total) = payload
                .pointer("/info/total_token_usage/total_tokens")
                .and_then(Value::as_i64)
            {
                facts.eof_total = Some(total);
            }
        }
        _ => {}
    }
    true
}

fn note_kind(kind: &str, facts: &mut FileFacts) {
    if !KNOWN_TYPES.contains(&kind) {
        *facts.unknown.entry(kind.to_owned()).or_insert(0) += 1;
    }
}

/// `(type, payload type)` from a v2 line's first bytes, when it is written in Codex's key order.
fn envelope_prefix(line: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let rest = line.strip_prefix(b"{\"timestamp\":\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let mut rest = rest[end + 1..].strip_prefix(b",")?;
    if let Some(after) = rest.strip_prefix(b"\"ordinal\":") {
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        rest = after[digits..].strip_prefix(b",")?;
    }
    let rest = rest.strip_prefix(b"\"type\":\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let kind = &rest[..end];
    let sub = rest[end + 1..]
        .strip_prefix(b",\"payload\":{\"type\":\"")
        .and_then(|p| memchr::memchr(b'"', p).map(|e| &p[..e]));
    // Only a line that has a payload at all is an envelope.
    let has_payload = rest[end + 1..].starts_with(b",\"payload\":");
    has_payload.then_some((kind, sub))
}

/// `"cli"` → `cli`; `{"subagent":"review"}` → `subagent:review`; `{"subagent":{"x":…}}` →
/// `subagent:x`.
pub(super) fn source_name(source: &Value) -> String {
    match source {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.iter().next() {
            Some((key, Value::String(inner))) => format!("{key}:{inner}"),
            Some((key, Value::Object(inner))) => match inner.keys().next() {
                Some(kind) => format!("{key}:{kind}"),
                None => key.clone(),
            },
            Some((key, _)) => key.clone(),
            None => "unknown".to_owned(),
        },
        _ => "unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_trim() {
        let line =
            br#"{"timestamp":"t","ordinal":3,"type":"event_msg","payload":{"type":"token_count"}}"#;
        assert_eq!(
            envelope_prefix(line),
            Some((&b"event_msg"[..], Some(&b"token_count"[..])))
        );
        assert_eq!(envelope_prefix(br#"{"timestamp":"t","type":"x"}"#), None);
        assert_eq!(crate::parse::trim_line(b"\0\0 {}\r\n"), b"{}");
        assert_eq!(crate::parse::trim_line(b"\0\0\n"), b"");
    }

    #[test]
    fn last_token_count_wins_and_null_info_is_ignored() {
        let mut facts = FileFacts::default();
        for line in [
            r#"{"timestamp":"t","type":"session_meta","payload":{"id":"A","cli_version":"0.1","source":{"subagent":"review"}}}"#,
            r#"{"timestamp":"t","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":10}}}}"#,
            r#"{"timestamp":"t","type":"event_msg","payload":{"type":"token_count","info":null}}"#,
            r#"{"timestamp":"t","type":"brand_new","payload":{}}"#,
            r#"{"type":"brand_new","timestamp":"t","payload":{}}"#,
        ] {
            assert!(read_line(line.as_bytes(), &mut facts));
        }
        assert_eq!(facts.eof_total, Some(10));
        assert_eq!(facts.id.as_deref(), Some("a"));
        assert_eq!(facts.source.as_deref(), Some("subagent:review"));
        assert_eq!(facts.unknown.get("brand_new"), Some(&2));
    }
}
