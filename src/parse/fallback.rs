//! The slow paths of the line reader: legacy (≤ 0.31) files and JSON that is valid but not in
//! Codex's field order. Both are decoded whole and routed back into the normal handlers.

use serde::Deserialize;

use super::decode::decode;
use super::{Depth, FileState, Parsed, lines, wire};
use crate::model::Generation;

impl FileState {
    pub(super) fn legacy_header(&mut self, line: &[u8], out: &mut Parsed, scratch: &mut Vec<u8>) {
        self.session.generation = Generation::Legacy;
        let value = decode::<serde_json::Value>(line, scratch, &mut out.report);
        match value.as_ref().map(wire::SessionMeta::deserialize) {
            Some(Ok(meta)) if meta.id.is_some() => self.apply_meta(&meta),
            _ => out.report.malformed += 1,
        }
        self.session.updated_at_ms = self.session.updated_at_ms.or(self.session.started_at_ms);
    }

    /// A line that is not a v2 envelope in Codex's field order: legacy items, or odd JSON.
    pub(super) fn other_line(
        &mut self,
        line: &[u8],
        depth: Depth,
        out: &mut Parsed,
        scratch: &mut Vec<u8>,
    ) {
        // `{"type":…` first is a legacy bare item, unless it names a v2 record type.
        let legacy = lines::read_legacy_prefix(line).filter(|kind| !is_envelope_type(kind));
        if let Some(kind) = legacy {
            if self.session.generation == Generation::Unknown {
                self.session.generation = Generation::Legacy;
            }
            if kind == b"record_type" {
                return;
            }
            let wants = depth != Depth::Usage
                || (kind == b"message" && lines::head_contains(line, b"\"user\"", 200));
            if !wants {
                return;
            }
            let value = decode::<serde_json::Value>(line, scratch, &mut out.report);
            match value.as_ref().map(wire::ResponseItem::deserialize) {
                Some(Ok(item)) => {
                    let mut parsed = Parsed::default();
                    // Legacy lines carry no time: the session's start stands in.
                    self.response_item(kind, &item, self.session.started_at_ms, true, &mut parsed);
                    if depth != Depth::Usage {
                        out.messages.append(&mut parsed.messages);
                    }
                }
                _ => out.report.malformed += 1,
            }
            return;
        }
        // Valid JSON in an unexpected field order: decode the envelope generically.
        match decode::<serde_json::Value>(line, scratch, &mut out.report) {
            Some(serde_json::Value::Object(mut object)) => {
                let kind = object
                    .get("type")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
                let timestamp = object
                    .get("timestamp")
                    .and_then(|v| v.as_str())
                    .and_then(|t| lines::parse_timestamp_ms(t.as_bytes()));
                match (kind, object.remove("payload")) {
                    (Some(kind), Some(payload)) => {
                        let sub = payload
                            .get("type")
                            .and_then(|v| v.as_str())
                            .map(str::to_owned);
                        self.session.generation = Generation::Envelope;
                        self.touch(timestamp);
                        if !matches!(
                            kind.as_str(),
                            "session_meta"
                                | "turn_context"
                                | "event_msg"
                                | "response_item"
                                | "compacted"
                                | "world_state"
                                | "inter_agent_communication_metadata"
                                | "session_state"
                                | "thread_settings_applied"
                        ) {
                            out.report.unknown += 1;
                            return;
                        }
                        if kind == "response_item"
                            && (depth == Depth::Usage || self.accountant.in_copied_block())
                        {
                            return;
                        }
                        self.apply(
                            kind.as_bytes(),
                            sub.as_deref().map(str::as_bytes),
                            timestamp,
                            &payload,
                            depth,
                            out,
                        );
                    }
                    _ => out.report.unknown += 1,
                }
            }
            Some(_) | None => out.report.malformed += 1,
        }
    }
}

/// True for the `type` names of v2 envelopes (never a legacy item's type).
fn is_envelope_type(kind: &[u8]) -> bool {
    matches!(
        kind,
        b"session_meta"
            | b"turn_context"
            | b"event_msg"
            | b"response_item"
            | b"compacted"
            | b"world_state"
    )
}
