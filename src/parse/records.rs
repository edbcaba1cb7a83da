//! How each kind of rollout record changes a [`FileState`]: envelopes and their payloads
//! (session meta, turn context, token counts, user and response items) become session facts,
//! usage events and, when the index wants them, messages.

use super::decode::{Envelope, decode, decode_borrowed};
use super::{
    Depth, FileState, INDEXED_OUTPUT_HEAD, INDEXED_OUTPUT_TAIL, Parsed, PromptSource, content,
    fast, lines, title, wire,
};
use serde::Deserialize;

use crate::accounting::TokenCount;
use crate::model::{Credits, Generation, LimitSnapshot, LimitWindow, Message, Role};

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

    pub(super) fn apply_meta(&mut self, meta: &wire::SessionMeta<'_>) {
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
        session.thread_source = meta.thread_source.as_deref().map(str::to_owned);
        session.history_base = meta.history_base.as_ref().and_then(|b| {
            Some(crate::model::HistoryBase {
                rollout_id: b.thread_id.clone().filter(|t| !t.is_empty())?,
                end_byte_offset: b.end_byte_offset,
            })
        });
        session.agent_role = meta.agent_role.as_deref().map(str::to_owned);
        session.agent_nickname = meta.agent_nickname.as_deref().map(str::to_owned);
        if let Some(git) = &meta.git {
            session.git_branch = git.branch.as_deref().map(str::to_owned);
            session.git_repository_url = git.repository_url.as_deref().map(str::to_owned);
            session.git_commit = git.commit_hash.as_deref().map(str::to_owned);
        }
        session.interactive = content::is_interactive(
            session.source.as_deref(),
            session.originator.as_deref(),
            session.thread_source.as_deref(),
        );
    }

    /// True when the user's prompts in this file come from `source`: the first kind seen wins,
    /// so a prompt is never counted (or indexed) twice in a file that has both.
    fn prompts_from(&mut self, source: PromptSource) -> bool {
        match self.prompts {
            PromptSource::Unknown => {
                self.prompts = source;
                true
            }
            seen => seen == source,
        }
    }

    /// A `token_usage_record` line: one model response's usage, the primary source where
    /// present. A record of another thread (a copy) is not this session's spend.
    pub(super) fn usage_record(
        &mut self,
        timestamp: Option<i64>,
        payload: &serde_json::Value,
        out: &mut Parsed,
    ) {
        let Ok(record) = wire::UsageRecord::deserialize(payload) else {
            out.report.malformed += 1;
            return;
        };
        let own = record
            .thread_id
            .as_deref()
            .is_none_or(|t| t.is_empty() || self.session.id.is_empty() || t == self.session.id);
        let (Some(usage), true) = (record.usage, own) else {
            return;
        };
        if usage.has_negative() {
            out.report.impossible += 1;
            return;
        }
        let usage = usage.to_usage();
        let Some(ts) = self.usage_time(timestamp, out) else {
            return;
        };
        let response_id = record.response_id.as_deref().unwrap_or("");
        if let (_, Some(event)) = self.accountant.on_usage_record(ts, response_id, usage) {
            self.count(event, out);
        }
    }

    /// Adds a counted event to the session and the output, keyed by its line when no
    /// response id keyed it.
    fn count(&mut self, mut event: crate::model::UsageEvent, out: &mut Parsed) {
        if event.event_key == 0 {
            let path = std::path::Path::new(&self.session.path);
            let name = path.file_name().map(|n| n.to_string_lossy());
            event.event_key =
                crate::model::line_event_key(name.as_deref().unwrap_or(""), self.line_start);
        }
        self.events_counted = self.events_counted.saturating_add(1);
        self.session.usage.add(&event.usage);
        if !self.session.models.iter().any(|m| **m == *event.model) {
            self.session.models.push(event.model.to_string());
        }
        out.usage.push(event);
    }

    pub(super) fn token_count(
        &mut self,
        timestamp: Option<i64>,
        payload: &serde_json::Value,
        out: &mut Parsed,
    ) {
        let Ok(event) = wire::TokenCountEvent::deserialize(payload) else {
            out.report.malformed += 1;
            return;
        };
        if let Some(limits) = payload.get("rate_limits").filter(|v| v.is_object())
            && let Some(ts) = timestamp.or(self.last_ts)
        {
            self.rate_limits(ts, limits);
        }
        let Some(info) = event.info else { return };
        let negative =
            |u: &Option<wire::WireUsage>| u.as_ref().is_some_and(wire::WireUsage::has_negative);
        if negative(&info.total_token_usage) || negative(&info.last_token_usage) {
            out.report.impossible += 1;
            return;
        }
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
        let Some(ts) = self.usage_time(timestamp, out) else {
            return;
        };
        if let (_, Some(event)) = self
            .accountant
            .on_token_count(ts, &TokenCount { total, last })
        {
            self.count(event, out);
        }
    }

    /// Notes a `rate_limits` snapshot taken at `ts` (ms). A shape rolldex cannot read is
    /// skipped quietly: the usage on the same line still counts.
    fn rate_limits(&mut self, ts: i64, value: &serde_json::Value) {
        let Ok(wire) = wire::RateLimits::deserialize(value) else {
            return;
        };
        let Some(snapshot) = snapshot_of(ts, wire) else {
            return;
        };
        let list = &mut self.limits;
        let mut same_limit = list
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, s)| s.limit_id == snapshot.limit_id)
            .map(|(i, _)| i);
        match (same_limit.next(), same_limit.next()) {
            // A run of equal snapshots: keep its first and move its last.
            (Some(last), Some(before))
                if list[last].same_values(&snapshot) && list[before].same_values(&snapshot) =>
            {
                list[last].time_ms = list[last].time_ms.max(ts);
            }
            _ => list.push(snapshot),
        }
    }

    /// The time a usage line counts at: its own, else (counted in the report) the file's latest
    /// valid time before it, else the session's start; `None` when the file has no time at all.
    fn usage_time(&self, timestamp: Option<i64>, out: &mut Parsed) -> Option<i64> {
        if timestamp.is_some() {
            return timestamp;
        }
        out.report.untimed += 1;
        self.last_ts.or(self.session.started_at_ms)
    }

    pub(super) fn user_text(
        &mut self,
        text: &str,
        timestamp: Option<i64>,
        depth: Depth,
        out: &mut Parsed,
    ) {
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

    pub(super) fn response_item(
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

/// A wire `rate_limits` as a snapshot: windows of any shape, relative resets made absolute
/// with the event time `ts` (ms). `None` when it says nothing (no window, plan or credits).
fn snapshot_of(ts: i64, wire: wire::RateLimits) -> Option<LimitSnapshot> {
    let mut windows = Vec::with_capacity(2);
    let mut push = |minutes: Option<i64>, used: Option<f64>, resets_at_s: Option<i64>| {
        let minutes = minutes
            .and_then(|m| u32::try_from(m).ok())
            .filter(|m| *m > 0);
        if let (Some(window_minutes), Some(used)) = (minutes, used.filter(|u| u.is_finite())) {
            windows.push(LimitWindow {
                window_minutes,
                used_percent: used,
                resets_at_s,
            });
        }
    };
    for window in [&wire.primary, &wire.secondary].into_iter().flatten() {
        let resets = window.resets_at.or_else(|| {
            window
                .resets_in_seconds
                .map(|s| ts.div_euclid(1000).saturating_add(s))
        });
        push(window.window_minutes, window.used_percent, resets);
    }
    if wire.primary.is_none() && wire.secondary.is_none() {
        push(wire.primary_window_minutes, wire.primary_used_percent, None);
        push(
            wire.secondary_window_minutes,
            wire.secondary_used_percent,
            None,
        );
    }
    let credits = wire.credits.map(|c| Credits {
        has_credits: c.has_credits.unwrap_or(false),
        unlimited: c.unlimited.unwrap_or(false),
        balance: match c.balance {
            Some(serde_json::Value::String(s)) => Some(s),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        },
    });
    if windows.is_empty() && credits.is_none() && wire.plan_type.is_none() {
        return None;
    }
    Some(LimitSnapshot {
        time_ms: ts,
        limit_id: wire
            .limit_id
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| "codex".to_owned()),
        windows,
        plan_type: wire.plan_type.filter(|p| !p.is_empty()),
        credits,
        reached: wire.rate_limit_reached_type.filter(|r| !r.is_empty()),
    })
}
