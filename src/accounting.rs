//! The token accounting rules: turn a rollout's usage lines into real spend.
//!
//! Codex re-emits unchanged totals, resets its counters on old resumes, writes estimate-only
//! rows and copies a parent's whole history into forks. The state machine here follows the
//! format notes §9.3 exactly, and its state is serialisable so an index can stop after any line
//! and go on later from the same point.
//!
//! From Codex 0.150 on, each model response also writes a `token_usage_record` with its own
//! `response_id`. Where a file has them they are the source (a fork's `token_count` totals
//! carry its parent's spend; records never do), and `token_count` only moves the baseline, so
//! one span is never counted from both.

use serde::{Deserialize, Serialize};

use std::sync::Arc;

use crate::model::{TokenUsage, UNKNOWN_MODEL, UsageEvent};

/// Where a forked file stands with respect to its copied parent history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ForkBlock {
    /// No second `session_meta` seen (yet): nothing is a copy.
    #[default]
    None,
    /// Inside the copied block, which carries the fork's timestamp second (Unix seconds).
    Open(i64),
    /// The copied block is over; everything from here on is the child's own.
    Closed,
}

/// The accounting state of one rollout file after some prefix of its lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountant {
    /// Last seen cumulative totals (the baseline for the next delta).
    prev: TokenUsage,
    /// Model of the latest `turn_context`.
    model: Option<Arc<str>>,
    /// Service tier of the latest `thread_settings_applied` (`None`: standard).
    #[serde(default)]
    service_tier: Option<Arc<str>>,
    /// How many `session_meta` lines were seen.
    metas: u32,
    /// Copied-history status.
    fork: ForkBlock,
    /// The latest `token_usage_record` response ids, what was counted for each and how many
    /// events it counted: a record repeated with a bigger snapshot replaces the earlier one.
    /// Repeats come within a turn, so only the last [`RECENT_RECORDS`] are kept and a file's
    /// state stays small.
    #[serde(default)]
    records: std::collections::VecDeque<(String, TokenUsage, u32)>,
    /// True once any `token_usage_record` was seen (records with an empty id are additive and
    /// not kept in `records`).
    #[serde(default)]
    has_records: bool,
}

/// How many recent `token_usage_record` response ids a file's state remembers.
const RECENT_RECORDS: usize = 32;

/// What a `token_count` event carried, already decoded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCount {
    /// Cumulative totals for the thread.
    pub total: TokenUsage,
    /// The most recent model response.
    pub last: TokenUsage,
}

/// Why an event was or was not counted (for tests and diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Counted: the increase of the totals.
    Counted,
    /// Counted: the totals went down, so `last_token_usage` was used.
    CountedAfterReset,
    /// Totals did not move: a re-emit.
    Unchanged,
    /// Input and output both zero: an estimate or a window fill.
    EstimateOnly,
    /// Part of a fork's copied parent history.
    CopiedFromParent,
    /// The file has `token_usage_record` lines, which carry this spend.
    CoveredByRecords,
    /// A `token_usage_record` repeated with the same or a smaller snapshot.
    RecordRepeated,
}

impl Accountant {
    /// A line with a timestamp was read; closes the fork block once the second changes.
    pub fn on_line(&mut self, timestamp_ms: Option<i64>) {
        if let (ForkBlock::Open(second), Some(ts)) = (self.fork, timestamp_ms)
            && ts.div_euclid(1000) != second
        {
            self.fork = ForkBlock::Closed;
        }
    }

    /// A `session_meta` line; the second one opens the copied parent block.
    pub fn on_session_meta(&mut self, timestamp_ms: Option<i64>) {
        self.metas += 1;
        if self.metas == 2
            && let Some(ts) = timestamp_ms
        {
            self.fork = ForkBlock::Open(ts.div_euclid(1000));
        }
    }

    /// A `turn_context` line naming the model in force from now on.
    pub fn on_model(&mut self, model: &str) {
        if self.model.as_deref() != Some(model) {
            self.model = Some(Arc::from(model));
        }
    }

    /// A `thread_settings_applied` line: its `service_tier` is in force until the next one
    /// (absent: the standard tier). Codex's older `fast` is today's `priority`.
    pub fn on_service_tier(&mut self, tier: Option<&str>) {
        let tier = tier.filter(|t| !t.is_empty() && *t != "default" && *t != "auto");
        let tier = tier.map(|t| if t == "fast" { "priority" } else { t });
        if self.service_tier.as_deref() != tier {
            self.service_tier = tier.map(Arc::from);
        }
    }

    /// The model in force, or `unknown`.
    pub fn model(&self) -> &str {
        self.model.as_deref().unwrap_or(UNKNOWN_MODEL)
    }

    /// True once the file has `token_usage_record` lines (Codex ≥ 0.150).
    pub fn has_records(&self) -> bool {
        self.has_records
    }

    /// True while reading a fork's copied parent history.
    pub fn in_copied_block(&self) -> bool {
        matches!(self.fork, ForkBlock::Open(_))
    }

    /// A `token_count` event with non-null `info`: decide what it spent.
    pub fn on_token_count(
        &mut self,
        timestamp_ms: i64,
        count: &TokenCount,
    ) -> (Verdict, Option<UsageEvent>) {
        if count.total == self.prev {
            return (Verdict::Unchanged, None);
        }
        let delta = count.total.minus(&self.prev);
        self.prev = count.total;
        if self.in_copied_block() {
            return (Verdict::CopiedFromParent, None);
        }
        if self.has_records {
            return (Verdict::CoveredByRecords, None);
        }
        // Before 0.78, `codex exec resume` started its counters again from zero: the first
        // count after it carries a total equal to its own last usage. If that total happens to
        // exceed the old one in every field, the difference would undercount the call.
        let restarted = count.total == count.last && delta != count.last;
        let (verdict, candidate) = if delta.any_negative() || restarted {
            (Verdict::CountedAfterReset, count.last)
        } else {
            (Verdict::Counted, delta)
        };
        if candidate.input_tokens == 0 && candidate.output_tokens == 0 {
            return (Verdict::EstimateOnly, None);
        }
        (verdict, Some(self.event(timestamp_ms, candidate)))
    }

    /// A `token_usage_record` of this session: one model response's usage. The same
    /// `response_id` again replaces its earlier snapshot (only the growth is counted); an empty
    /// id is additive.
    pub fn on_usage_record(
        &mut self,
        timestamp_ms: i64,
        response_id: &str,
        usage: TokenUsage,
    ) -> (Verdict, Option<UsageEvent>) {
        // Input and output both zero: nothing was spent (an estimate).
        let counts = |u: &TokenUsage| u.input_tokens != 0 || u.output_tokens != 0;
        self.has_records = true;
        if self.in_copied_block() {
            return (Verdict::CopiedFromParent, None);
        }
        let (counted, occurrence) = if response_id.is_empty() {
            (usage, None)
        } else if let Some((_, earlier, seen)) =
            self.records.iter_mut().find(|(id, _, _)| id == response_id)
        {
            let growth = usage.minus(earlier);
            if growth.any_negative() {
                // A smaller snapshot of the same response: the bigger one stands.
                return (Verdict::RecordRepeated, None);
            }
            *earlier = usage;
            let occurrence = *seen;
            if counts(&growth) {
                *seen += 1;
            }
            (growth, Some(occurrence))
        } else {
            if self.records.len() == RECENT_RECORDS {
                self.records.pop_front();
            }
            let seen = u32::from(counts(&usage));
            self.records
                .push_back((response_id.to_owned(), usage, seen));
            (usage, Some(0))
        };
        if !counts(&counted) {
            return (Verdict::RecordRepeated, None);
        }
        let mut event = self.event(timestamp_ms, counted);
        if let Some(occurrence) = occurrence {
            event.event_key = crate::model::response_event_key(response_id, occurrence);
        }
        (Verdict::Counted, Some(event))
    }

    fn event(&self, timestamp_ms: i64, usage: TokenUsage) -> UsageEvent {
        UsageEvent {
            timestamp_ms,
            model: self
                .model
                .clone()
                .unwrap_or_else(|| Arc::from(UNKNOWN_MODEL)),
            usage,
            service_tier: self.service_tier.clone(),
            // Set from the response id by the caller, else by the parser from the line.
            event_key: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(input: i64, cached: i64, output: i64, reasoning: i64) -> TokenUsage {
        TokenUsage {
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            reasoning_output_tokens: reasoning,
            total_tokens: input + output,
            cache_write_input_tokens: 0,
        }
    }

    fn count(total: TokenUsage, last: TokenUsage) -> TokenCount {
        TokenCount { total, last }
    }

    #[test]
    fn counts_increase_and_skips_reemits() {
        let mut acc = Accountant::default();
        acc.on_model("gpt-5");
        let first = count(usage(100, 40, 10, 5), usage(100, 40, 10, 5));
        let (v, e) = acc.on_token_count(0, &first);
        assert_eq!(v, Verdict::Counted);
        assert_eq!(e.expect("counted").usage.total_tokens, 110);
        assert_eq!(acc.on_token_count(1, &first).0, Verdict::Unchanged);
        let second = count(usage(250, 140, 30, 5), usage(150, 100, 20, 0));
        let (_, e) = acc.on_token_count(2, &second);
        assert_eq!(e.expect("counted").usage, usage(150, 100, 20, 0));
    }

    #[test]
    fn reset_uses_last_usage() {
        let mut acc = Accountant::default();
        acc.on_token_count(0, &count(usage(5000, 0, 500, 0), usage(5000, 0, 500, 0)));
        let (v, e) = acc.on_token_count(1, &count(usage(300, 100, 20, 0), usage(300, 100, 20, 0)));
        assert_eq!(v, Verdict::CountedAfterReset);
        let e = e.expect("counted");
        assert_eq!(e.usage, usage(300, 100, 20, 0));
        assert_eq!(&*e.model, "unknown");
    }

    #[test]
    fn a_restart_that_grew_every_field_uses_last_usage() {
        // Codex 0.77 `exec resume`: the counters start again from zero, and the first call
        // after it is bigger than the whole session before it in every field.
        let mut acc = Accountant::default();
        acc.on_token_count(0, &count(usage(1000, 0, 100, 0), usage(1000, 0, 100, 0)));
        let restart = count(usage(6227, 10, 300, 5), usage(6227, 10, 300, 5));
        let (v, e) = acc.on_token_count(1, &restart);
        assert_eq!(v, Verdict::CountedAfterReset);
        assert_eq!(e.expect("counted").usage, usage(6227, 10, 300, 5));
    }

    #[test]
    fn estimate_only_moves_baseline_without_counting() {
        let mut acc = Accountant::default();
        acc.on_token_count(0, &count(usage(100, 0, 10, 0), usage(100, 0, 10, 0)));
        // Context-window fill: totals overwritten with {total: window}, last = {total: delta}.
        let fill = TokenUsage {
            total_tokens: 258_400,
            ..TokenUsage::default()
        };
        let last = TokenUsage {
            total_tokens: 258_290,
            ..TokenUsage::default()
        };
        assert_eq!(
            acc.on_token_count(1, &count(fill, last)).0,
            Verdict::EstimateOnly
        );
        // The next real call is measured from the overwritten baseline: reset → last usage.
        let (v, e) = acc.on_token_count(2, &count(usage(200, 0, 20, 0), usage(200, 0, 20, 0)));
        assert_eq!(v, Verdict::CountedAfterReset);
        assert_eq!(e.expect("counted").usage.total_tokens, 220);
    }

    #[test]
    fn fork_copy_sets_baseline_only() {
        let mut acc = Accountant::default();
        acc.on_session_meta(Some(1_000_500));
        acc.on_session_meta(Some(1_000_501));
        acc.on_line(Some(1_000_900));
        let (v, _) = acc.on_token_count(
            1_000_900,
            &count(usage(9000, 0, 900, 0), usage(100, 0, 10, 0)),
        );
        assert_eq!(v, Verdict::CopiedFromParent);
        acc.on_line(Some(1_003_000));
        let (v, e) = acc.on_token_count(
            1_003_000,
            &count(usage(9100, 0, 920, 0), usage(100, 0, 20, 0)),
        );
        assert_eq!(v, Verdict::Counted);
        assert_eq!(e.expect("counted").usage.total_tokens, 120);
    }
}
