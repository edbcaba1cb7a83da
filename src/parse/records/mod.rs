//! How each kind of rollout record changes a [`FileState`]: envelopes and their payloads
//! (session meta, turn context, token counts, user and response items) become session facts,
//! usage events and, when the index wants them, messages.
//!
//! Layout: this file reads one envelope line (which lines need decoding at all, and the fast
//! paths that skip the JSON tree) and hands each decoded payload to its handler; `facts` keeps
//! the session's facts, prompts and messages, `usage` counts spend, and `rate_limits` turns
//! the server's `rate_limits` into snapshots.

mod facts;
mod rate_limits;
mod usage;

use super::decode::{Envelope, decode, decode_borrowed};
use super::{
    Depth, FileState, INDEXED_OUTPUT_HEAD, INDEXED_OUTPUT_TAIL, Parsed, PromptSource, content,
    fast, lines, wire,
};
use serde::Deserialize;

use crate::model::{Generation, Message, Role};

impl FileState {
    pub(super) fn envelope_line(
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
        if prefix.kind == b"rollout_reference" {
            // History held by reference: `show` reads it from the referenced file; it never
            // adds spend here.
            self.touch(timestamp);
            if depth == Depth::Full
                && let Some(envelope) =
                    decode::<Envelope<wire::RolloutReference>>(line, scratch, &mut out.report)
            {
                let r = envelope.payload;
                out.references.push(super::Reference {
                    at: out.messages.len(),
                    rollout_id: r.rollout_id,
                    rollout_path: r.rollout_path,
                    thread_id: r.thread_id,
                    nth_user_message: r.nth_user_message.filter(|n| *n != u64::MAX),
                });
            }
            return;
        }
        if prefix.kind == b"event_msg" && prefix.sub == Some(b"thread_settings_applied") {
            // The Fast setting lives only here (not in `turn_context`): in force until changed.
            // These lines are large; one key is all rolldex needs of them.
            self.touch(timestamp);
            if !self.accountant.in_copied_block() {
                let tier = lines::plain_string_after(line, b"\"service_tier\":");
                self.accountant.on_service_tier(tier);
            }
            return;
        }
        let needs_parse = match (prefix.kind, prefix.sub) {
            (b"session_meta" | b"turn_context" | b"token_usage_record", _)
            | (b"event_msg", Some(b"token_count" | b"user_message" | b"thread_name_updated")) => {
                true
            }
            // Paginated history (Codex ≥ 0.153) writes what the user typed only here.
            (b"event_msg", Some(b"item_completed")) => {
                lines::head_contains(line, b"\"type\":\"UserMessage\"", 400)
            }
            (b"response_item", Some(sub)) => {
                depth != Depth::Usage
                    && !self.accountant.in_copied_block()
                    && content::carries_text(sub)
                    // v2 repeats what the user typed in `user_message` events (paginated files
                    // in `item_completed`), without the injected context these (often large)
                    // lines carry.
                    && !(sub == b"message" && lines::head_contains(line, b"\"role\":\"user\"", 160))
                    && !(sub == b"message" && lines::head_contains(line, b"\"role\":\"developer\"", 160))
                    // A parent's message carried into a fork is the parent's, not this session's.
                    && !(sub == b"message" && memchr::memmem::find(line, b"\"inherited_user_message\":true").is_some())
            }
            (
                b"response_item"
                | b"event_msg"
                | b"compacted"
                | b"world_state"
                | b"inter_agent_communication"
                | b"inter_agent_communication_metadata"
                | b"session_state"
                | b"thread_settings_applied"
                | b"rollout_reference"
                | b"retained_context"
                | b"security_risk_score"
                | b"realtime_item",
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
    pub(super) fn touch(&mut self, timestamp: Option<i64>) {
        if let Some(ts) = timestamp {
            self.session.updated_at_ms = Some(self.session.updated_at_ms.map_or(ts, |u| u.max(ts)));
            self.last_ts = Some(ts);
        }
        let copying = self.accountant.in_copied_block();
        self.accountant.on_line(timestamp);
        if copying && !self.accountant.in_copied_block() {
            // The timestamp rule closed a legacy fork's copied block here; if the copy went on
            // past a second boundary, its rest is found later against the parent's events.
            self.fork_tail_start = Some(self.events_counted);
        }
    }

    pub(super) fn apply(
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
            (b"token_usage_record", _) => self.usage_record(timestamp, payload, out),
            (b"event_msg", Some(b"user_message")) => {
                if self.accountant.in_copied_block() || !self.prompts_from(PromptSource::Events) {
                    return;
                }
                if let Ok(event) = wire::TextEvent::deserialize(payload) {
                    let is_plain = event.kind.as_deref().is_none_or(|k| k == "plain");
                    if let Some(text) = event.message.filter(|_| is_plain) {
                        self.user_text(&text, timestamp, depth, out);
                    }
                }
            }
            (b"event_msg", Some(b"item_completed")) => {
                if self.accountant.in_copied_block() {
                    return;
                }
                let Ok(event) = wire::ItemCompleted::deserialize(payload) else {
                    out.report.malformed += 1;
                    return;
                };
                let Some(item) = event
                    .item
                    .filter(|i| i.kind.as_deref() == Some("UserMessage"))
                else {
                    return;
                };
                if !self.prompts_from(PromptSource::Items) {
                    return;
                }
                let text = item
                    .content
                    .as_ref()
                    .map(content::content_text)
                    .unwrap_or_default();
                self.user_text(&text, timestamp, depth, out);
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
}
