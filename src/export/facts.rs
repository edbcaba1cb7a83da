//! Which rows of the append-only tables are new: usage events by their key within the session
//! (made unique here), messages by their place in the session's rollout, read again only when
//! the file changed since all its messages were exported.

use std::path::Path;

use rustc_hash::FxHashMap;

use super::ExportRequest;
use super::files::{PendingFile, Written};
use super::manifest::Keys;
use super::tables::{self, RowContext};
use crate::error::Result;
use crate::model::{UsageEvent, stable_hash};
use crate::parse::{Depth, parse_path};
use crate::stats::SessionUsage;

/// Each event's key, made unique within the session: a key seen before in the same session
/// (a response id Codex repeated out of the parser's memory) becomes FNV-1a 64 of
/// `<key as 16 hex digits>#<n>`, `n` counting its earlier uses. Events are in a fixed order,
/// so the n-th repeat is the same event in every run.
pub fn event_keys(events: &[UsageEvent]) -> Vec<u64> {
    let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
    events
        .iter()
        .map(|event| {
            let uses = seen.entry(event.event_key).or_insert(0);
            let key = if *uses == 0 {
                event.event_key
            } else {
                stable_hash(&format!("{:016x}#{uses}", event.event_key))
            };
            *uses += 1;
            key
        })
        .collect()
}

/// Writes the messages not yet exported (`--include-text`), reading each session's rollout
/// unless its size is the one at which all its messages were exported.
#[allow(clippy::too_many_arguments)]
pub fn export_messages(
    request: &ExportRequest,
    context: &RowContext<'_>,
    sessions: &[SessionUsage],
    keys: &Keys,
    new_keys: &mut Keys,
    stamp: &str,
    since_ms: Option<i64>,
    notes: &mut Vec<String>,
) -> Result<Option<Written>> {
    let mut file: Option<PendingFile> = None;
    let mut unreadable = 0u64;
    // Rollouts are read one after another on this thread, and each session's messages are
    // written before the next is read: memory holds one session's messages. Reading them on
    // rayon's workers, 16 at a time, was no faster (the Parquet encoders have the other cores)
    // and each worker kept the memory of what it had read: `export --include-text` of the rich
    // 2 GB history peaked at 1,005 MB with 64 threads and 184 MB with 2, read here 202 and 132.
    let mut scratch = Vec::new();
    for session in sessions {
        let info = &session.info;
        let session_hash = stable_hash(&info.id);
        let size = std::fs::metadata(&info.path).map(|m| m.len()).ok();
        let messages = if size.is_some() && keys.read_size(session_hash) == size {
            Some(Vec::new())
        } else {
            let (_, parsed) = parse_path(
                Path::new(&info.path),
                info.archived,
                Depth::Full,
                &mut scratch,
            );
            (parsed.report.unreadable == 0).then_some(parsed.messages)
        };
        let Some(messages) = messages else {
            unreadable += 1;
            continue;
        };
        for (ordinal, message) in messages.into_iter().enumerate() {
            let ordinal = ordinal as u64;
            let before = since_ms.is_some_and(|s| message.timestamp_ms.is_some_and(|t| t < s));
            if before || keys.has_message(session_hash, ordinal) {
                continue;
            }
            let pending = match &mut file {
                Some(file) => file,
                None => file.insert(PendingFile::create(
                    &request.out_dir,
                    tables::MESSAGES,
                    stamp,
                    request.format,
                )?),
            };
            pending.write(context.message_row(&session.info.id, ordinal, message))?;
            new_keys.messages.push((session_hash, ordinal));
        }
        if let (None, Some(size)) = (since_ms, size) {
            new_keys.reads.push((session_hash, size));
        }
    }
    if unreadable > 0 {
        notes.push(format!(
            "{unreadable} rollout file(s) could not be read; their messages are left for a later run"
        ));
    }
    file.map(PendingFile::finish).transpose()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{TokenUsage, line_event_key, response_event_key};

    #[test]
    fn keys_are_fixed_fnv_hashes_and_unique_per_session() {
        // Expected values: FNV-1a 64 computed apart (Python) over the documented strings.
        assert_eq!(line_event_key("rollout-x.jsonl", 42), 0x3044_ca51_933d_8743);
        assert_eq!(
            line_event_key("rollout-x.jsonl.zst", 42),
            0x3044_ca51_933d_8743
        );
        assert_eq!(response_event_key("resp_1", 0), 0xe5c5_4d35_24f8_13a0);
        let event = |key: u64| UsageEvent {
            timestamp_ms: 0,
            model: Arc::from("m"),
            usage: TokenUsage::default(),
            service_tier: None,
            event_key: key,
        };
        assert_eq!(
            event_keys(&[event(7), event(7), event(9)]),
            [7, 0x36d3_493a_11ea_07d8, 9]
        );
    }
}
