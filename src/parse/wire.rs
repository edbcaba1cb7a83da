//! Private serde mirrors of the rollout JSON, only the fields rolldex reads.
//!
//! Unknown fields are ignored by serde; unknown record types never reach these structs because
//! the line classifier routes them away first. Strings borrow from the line where they can.

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::TokenUsage;

/// `session_meta` payload (v2) or the legacy first line (v1); both carry `id` and `timestamp`.
#[derive(Debug, Deserialize)]
pub struct SessionMeta<'a> {
    #[serde(borrow)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub timestamp: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub originator: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub cli_version: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub model_provider: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub forked_from_id: Option<Cow<'a, str>>,
    pub source: Option<serde_json::Value>,
    #[serde(default)]
    pub history_base: Option<WireHistoryBase>,
    #[serde(borrow)]
    pub thread_source: Option<Cow<'a, str>>,
    #[serde(borrow, alias = "agent_type")]
    pub agent_role: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub agent_nickname: Option<Cow<'a, str>>,
    pub git: Option<Git<'a>>,
}

/// `session_meta.history_base`: an exclusive prefix of another rollout this one inherits.
#[derive(Debug, Deserialize)]
pub struct WireHistoryBase {
    pub thread_id: Option<String>,
    pub end_byte_offset: Option<u64>,
}

/// Git facts Codex collects at session start.
#[derive(Debug, Deserialize)]
pub struct Git<'a> {
    #[serde(borrow)]
    pub commit_hash: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub branch: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub repository_url: Option<Cow<'a, str>>,
}

/// `turn_context` payload: the only reliable per-turn model name.
#[derive(Debug, Deserialize)]
pub struct TurnContext<'a> {
    #[serde(borrow)]
    pub cwd: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub workspace_roots: Option<Vec<Cow<'a, str>>>,
}

/// `event_msg` payload of type `token_count`.
#[derive(Debug, Deserialize)]
pub struct TokenCountEvent {
    pub info: Option<TokenInfo>,
}

/// `token_count.rate_limits` in any of its shapes: `{primary, secondary}` windows (0.41+, with
/// `resets_in_seconds` until 0.47 and `resets_at` since 0.48) or the flat 0.40 fields.
#[derive(Debug, Default, Deserialize)]
pub struct RateLimits {
    #[serde(default)]
    pub limit_id: Option<String>,
    #[serde(default)]
    pub primary: Option<RateLimitWindow>,
    #[serde(default)]
    pub secondary: Option<RateLimitWindow>,
    #[serde(default)]
    pub credits: Option<WireCredits>,
    #[serde(default)]
    pub plan_type: Option<String>,
    #[serde(default)]
    pub rate_limit_reached_type: Option<String>,
    #[serde(default)]
    pub primary_used_percent: Option<f64>,
    #[serde(default)]
    pub primary_window_minutes: Option<i64>,
    #[serde(default)]
    pub secondary_used_percent: Option<f64>,
    #[serde(default)]
    pub secondary_window_minutes: Option<i64>,
}

/// One window of `rate_limits`.
#[derive(Debug, Default, Deserialize)]
pub struct RateLimitWindow {
    #[serde(default)]
    pub used_percent: Option<f64>,
    #[serde(default)]
    pub window_minutes: Option<i64>,
    #[serde(default)]
    pub resets_at: Option<i64>,
    #[serde(default)]
    pub resets_in_seconds: Option<i64>,
}

/// `rate_limits.credits`; the balance is a decimal string (a number is accepted too).
#[derive(Debug, Default, Deserialize)]
pub struct WireCredits {
    #[serde(default)]
    pub has_credits: Option<bool>,
    #[serde(default)]
    pub unlimited: Option<bool>,
    #[serde(default)]
    pub balance: Option<serde_json::Value>,
}

/// `TokenUsageInfo`: cumulative and last-response usage.
#[derive(Debug, Deserialize)]
pub struct TokenInfo {
    #[serde(default)]
    pub total_token_usage: Option<WireUsage>,
    #[serde(default)]
    pub last_token_usage: Option<WireUsage>,
}

/// `TokenUsage` as written; every field may be missing or null in old files.
#[derive(Debug, Default, Deserialize)]
pub struct WireUsage {
    pub input_tokens: Option<i64>,
    pub cached_input_tokens: Option<i64>,
    pub output_tokens: Option<i64>,
    pub reasoning_output_tokens: Option<i64>,
    pub total_tokens: Option<i64>,
    pub cache_write_input_tokens: Option<i64>,
}

impl WireUsage {
    /// True when a figure is negative: no model call spends that, so the line is impossible.
    pub fn has_negative(&self) -> bool {
        [
            self.input_tokens,
            self.cached_input_tokens,
            self.output_tokens,
            self.reasoning_output_tokens,
            self.total_tokens,
            self.cache_write_input_tokens,
        ]
        .into_iter()
        .flatten()
        .any(|n| n < 0)
    }

    /// Missing fields count as zero, and the total is always input + output (a line whose
    /// total disagrees, or that has none, is reported by what it says it spent).
    pub fn to_usage(&self) -> TokenUsage {
        let input = self.input_tokens.unwrap_or(0);
        let output = self.output_tokens.unwrap_or(0);
        TokenUsage {
            input_tokens: input,
            cached_input_tokens: self.cached_input_tokens.unwrap_or(0),
            output_tokens: output,
            reasoning_output_tokens: self.reasoning_output_tokens.unwrap_or(0),
            total_tokens: input.saturating_add(output),
            cache_write_input_tokens: self.cache_write_input_tokens.unwrap_or(0),
        }
    }
}

/// `event_msg` payloads that carry text (`user_message`, `thread_name_updated`).
#[derive(Debug, Deserialize)]
pub struct TextEvent<'a> {
    #[serde(borrow)]
    pub message: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub thread_name: Option<Cow<'a, str>>,
}

/// A `response_item` payload (or a bare legacy line); only the fields rolldex indexes.
#[derive(Debug, Deserialize)]
pub struct ResponseItem<'a> {
    #[serde(borrow)]
    pub role: Option<Cow<'a, str>>,
    #[serde(default)]
    pub content: Option<serde_json::Value>,
    #[serde(default)]
    pub summary: Option<Vec<SummaryPart<'a>>>,
    #[serde(borrow)]
    pub name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub arguments: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub input: Option<Cow<'a, str>>,
    #[serde(default)]
    pub output: Option<serde_json::Value>,
    #[serde(default)]
    pub action: Option<serde_json::Value>,
}

/// One element of a reasoning item's `summary`.
#[derive(Debug, Deserialize)]
pub struct SummaryPart<'a> {
    #[serde(borrow)]
    pub text: Option<Cow<'a, str>>,
}

/// `event_msg` `item_completed` payload (paginated history): the item, tagged by `type`.
#[derive(Debug, Deserialize)]
pub struct ItemCompleted {
    #[serde(default)]
    pub item: Option<TurnItem>,
}

/// A paginated-history `TurnItem`; only `UserMessage` is read (its `content[].text`).
#[derive(Debug, Deserialize)]
pub struct TurnItem {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub content: Option<serde_json::Value>,
}

/// `token_usage_record` payload (Codex ≥ 0.150): one model response's usage.
#[derive(Debug, Deserialize)]
pub struct UsageRecord<'a> {
    #[serde(borrow)]
    pub thread_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub response_id: Option<Cow<'a, str>>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

/// `rollout_reference` payload (mid/late-2026 Codex): another rollout's history, by reference.
#[derive(Debug, Deserialize)]
pub struct RolloutReference {
    pub rollout_id: Option<String>,
    pub rollout_path: Option<String>,
    pub thread_id: Option<String>,
    pub nth_user_message: Option<u64>,
}
