//! Spend: `token_usage_record` lines and `token_count` events become counted usage events,
//! through the accountant that applies the token rules (copies, resets, repeats).

use serde::Deserialize;

use crate::accounting::TokenCount;
use crate::parse::{FileState, Parsed, wire};

impl FileState {
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

    /// The time a usage line counts at: its own, else (counted in the report) the file's latest
    /// valid time before it, else the session's start; `None` when the file has no time at all.
    fn usage_time(&self, timestamp: Option<i64>, out: &mut Parsed) -> Option<i64> {
        if timestamp.is_some() {
            return timestamp;
        }
        out.report.untimed += 1;
        self.last_ts.or(self.session.started_at_ms)
    }
}
