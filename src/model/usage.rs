//! Token counts and the usage events that carry them: the unit every report adds up, the keys
//! that name each event, and the two rules that keep one model call from counting twice when
//! several files of a thread repeat it.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::stable_hash;

/// Token counts as Codex reports them: `cached` is a part of `input`, `reasoning` a part of
/// `output`, and `total = input + output`.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct TokenUsage {
    /// Input tokens, cached ones included.
    pub input_tokens: i64,
    /// The cached part of `input_tokens`.
    pub cached_input_tokens: i64,
    /// Output tokens, reasoning included.
    pub output_tokens: i64,
    /// The reasoning part of `output_tokens`.
    pub reasoning_output_tokens: i64,
    /// `input_tokens + output_tokens`.
    pub total_tokens: i64,
    /// Tokens written to the prompt cache (Codex ≥ 0.150 records them; 0 when absent). Treated
    /// as a part of `input_tokens` and carried for information, not priced separately.
    #[serde(default)]
    pub cache_write_input_tokens: i64,
}

impl TokenUsage {
    /// Field-wise sum, used to fold events into report rows.
    pub fn add(&mut self, other: &TokenUsage) {
        self.input_tokens = self.input_tokens.saturating_add(other.input_tokens);
        self.cached_input_tokens = self
            .cached_input_tokens
            .saturating_add(other.cached_input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(other.output_tokens);
        self.reasoning_output_tokens = self
            .reasoning_output_tokens
            .saturating_add(other.reasoning_output_tokens);
        self.total_tokens = self.total_tokens.saturating_add(other.total_tokens);
        self.cache_write_input_tokens = self
            .cache_write_input_tokens
            .saturating_add(other.cache_write_input_tokens);
    }

    /// Field-wise difference `self - earlier`.
    #[must_use]
    pub fn minus(&self, earlier: &TokenUsage) -> TokenUsage {
        TokenUsage {
            input_tokens: self.input_tokens.saturating_sub(earlier.input_tokens),
            cached_input_tokens: self
                .cached_input_tokens
                .saturating_sub(earlier.cached_input_tokens),
            output_tokens: self.output_tokens.saturating_sub(earlier.output_tokens),
            reasoning_output_tokens: self
                .reasoning_output_tokens
                .saturating_sub(earlier.reasoning_output_tokens),
            total_tokens: self.total_tokens.saturating_sub(earlier.total_tokens),
            cache_write_input_tokens: self
                .cache_write_input_tokens
                .saturating_sub(earlier.cache_write_input_tokens),
        }
    }

    /// True when any field is negative (a counter went backwards).
    pub fn any_negative(&self) -> bool {
        self.input_tokens < 0
            || self.cached_input_tokens < 0
            || self.output_tokens < 0
            || self.reasoning_output_tokens < 0
            || self.total_tokens < 0
            || self.cache_write_input_tokens < 0
    }

    /// The six figures in a fixed order (input, cached input, output, reasoning, total, cache
    /// write): a compact row, and a key to compare events by.
    pub fn counts(&self) -> [i64; 6] {
        [
            self.input_tokens,
            self.cached_input_tokens,
            self.output_tokens,
            self.reasoning_output_tokens,
            self.total_tokens,
            self.cache_write_input_tokens,
        ]
    }

    /// True when every field is zero.
    pub fn is_zero(&self) -> bool {
        *self == TokenUsage::default()
    }
}

/// One model call's real spend, as the accounting rules extract it from a rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageEvent {
    /// The event line's timestamp, milliseconds since the Unix epoch (UTC).
    pub timestamp_ms: i64,
    /// The model in force (latest `turn_context.model`), or `unknown`; shared by every event
    /// of the same model (a history has a handful of models and many thousand events).
    pub model: Arc<str>,
    /// The tokens this call spent.
    pub usage: TokenUsage,
    /// The service tier in force (`priority` for Fast, `flex`), `None` for the standard one:
    /// the latest `thread_settings_applied` said so. It changes the price, not the tokens.
    #[serde(default)]
    pub service_tier: Option<Arc<str>>,
    /// Names this event among its session's events, the same in every run, after a home moves
    /// and in a true copy of the file: [`response_event_key`] where Codex wrote a response id,
    /// else [`line_event_key`]. `export` keys `usage_events` by it. 0 only until the parser
    /// sets it.
    #[serde(default)]
    pub event_key: u64,
}

/// The event key of a `token_usage_record`'s spend: FNV-1a 64 ([`stable_hash`]) of
/// `response` NUL `<response_id>` NUL `<n>`, `n` being how many events the same response
/// counted before in the file (a record repeated with a bigger snapshot counts its growth).
/// Two files of one thread (a revert file, a segment) give one response the same key.
pub fn response_event_key(response_id: &str, occurrence: u32) -> u64 {
    stable_hash(&format!("response\0{response_id}\0{occurrence}"))
}

/// The event key of a usage line without a response id: FNV-1a 64 ([`stable_hash`]) of
/// `line` NUL `<file name>` NUL `<offset>`: the rollout's file name without its directory or a
/// `.zst` suffix, and the line's first byte in the decoded file (decimal).
pub fn line_event_key(file_name: &str, offset: u64) -> u64 {
    let name = file_name.strip_suffix(".zst").unwrap_or(file_name);
    stable_hash(&format!("line\0{name}\0{offset}"))
}

/// Several files of one thread that are not copies of each other (a revert file beside the
/// file it replaced, a segment beside the live file): each response's event once. Files whose
/// spend comes from `token_usage_record`s hold one event per response, and a prefix two files
/// share is the same lines, so the same event (time, model, tier, tokens) in both is one
/// response.
pub fn merge_thread_events(lists: &[&[UsageEvent]]) -> Vec<UsageEvent> {
    let mut all: Vec<UsageEvent> = lists.iter().flat_map(|l| l.iter().cloned()).collect();
    let key = |e: &UsageEvent| {
        (
            e.timestamp_ms,
            e.model.clone(),
            e.service_tier.clone(),
            e.usage.counts(),
        )
    };
    all.sort_by_cached_key(key);
    all.dedup_by(|a, b| key(a) == key(b));
    all
}

/// How many events after a legacy fork's copied block are compared with its parent's.
const MAX_LEAKED_COPY: usize = 4096;

/// Drops what a legacy fork's copied block leaked past the timestamp rule. Codex stamps the
/// copied parent lines with the time it writes them, so a long copy can cross a second
/// boundary, and the rule (the copy carries the fork's second) then counts the rest of the
/// copy as the child's. The copy's events repeat, in order, the last events the parent spent
/// before the fork: the longest run of the child's first events (from `start`) that equals the
/// end of the parent's events up to `fork_ms` is the leaked copy. Returns how many were
/// dropped.
pub fn drop_leaked_copy(
    child: &mut Vec<UsageEvent>,
    start: usize,
    parent: &[UsageEvent],
    fork_ms: i64,
) -> usize {
    let before: Vec<&UsageEvent> = parent
        .iter()
        .filter(|e| e.timestamp_ms <= fork_ms)
        .collect();
    let tail = child.get(start..).unwrap_or_default();
    let same = |a: &UsageEvent, b: &UsageEvent| a.usage == b.usage && a.model == b.model;
    let most = tail.len().min(before.len()).min(MAX_LEAKED_COPY);
    let leaked = (1..=most)
        .rev()
        .find(|&k| {
            tail[..k]
                .iter()
                .zip(&before[before.len() - k..])
                .all(|(c, p)| same(c, p))
        })
        .unwrap_or(0);
    child.drain(start..start + leaked);
    leaked
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_arithmetic() {
        let a = TokenUsage {
            input_tokens: 10,
            cached_input_tokens: 4,
            output_tokens: 5,
            reasoning_output_tokens: 2,
            total_tokens: 15,
            cache_write_input_tokens: 0,
        };
        let b = TokenUsage {
            input_tokens: 3,
            cached_input_tokens: 1,
            output_tokens: 1,
            reasoning_output_tokens: 0,
            total_tokens: 4,
            cache_write_input_tokens: 0,
        };
        let d = a.minus(&b);
        assert_eq!(d.total_tokens, 11);
        assert!(!d.any_negative());
        assert!(b.minus(&a).any_negative());
    }
}
