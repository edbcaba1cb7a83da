//! The limits report's types, as the JSON output shows them: they are the contract with
//! `--json` readers, so they sit apart from the computation, with the helpers that write their
//! times as RFC 3339.

use serde::{Serialize, Serializer};

use crate::model::Credits;
use crate::stats::Amount;

/// The answer: one entry per (home, limit), and the instances when asked.
#[derive(Debug, Clone, Serialize)]
pub struct LimitsReport {
    /// The "now" the report was computed for.
    #[serde(serialize_with = "ms_time")]
    pub now: i64,
    /// Each limit's latest state, newest snapshot first.
    pub limits: Vec<LimitNow>,
    /// Past and current window instances, oldest first (only with `history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<WindowInstance>>,
}

/// Where one limit stands.
#[derive(Debug, Clone, Serialize)]
pub struct LimitNow {
    /// The Codex home the snapshots come from.
    pub home: String,
    /// The limit bucket (`codex`, …).
    pub limit_id: String,
    /// The plan the latest snapshot names, if any.
    pub plan_type: Option<String>,
    /// Credits the latest snapshot reported.
    pub credits: Option<Credits>,
    /// `rate_limit_reached_type` of the latest snapshot.
    pub reached: Option<String>,
    /// Time of the latest snapshot.
    #[serde(serialize_with = "ms_time")]
    pub as_of: i64,
    /// Seconds between the latest snapshot and now.
    pub age_seconds: i64,
    /// Its windows, shortest first.
    pub windows: Vec<WindowNow>,
}

/// One window of a limit, now.
#[derive(Debug, Clone, Serialize)]
pub struct WindowNow {
    /// Length in minutes.
    pub window_minutes: u32,
    /// `5h`, `weekly`, or the length (`90m`, `2d`).
    pub label: String,
    /// Used now: the snapshot's figure, or 0 when the window has reset since.
    pub used_percent: f64,
    /// What the latest snapshot of this window said.
    pub reported_used_percent: f64,
    /// Time of that snapshot.
    #[serde(serialize_with = "ms_time")]
    pub as_of: i64,
    /// When the window resets (`null`: the snapshot did not say).
    #[serde(serialize_with = "opt_ms_time")]
    pub resets_at: Option<i64>,
    /// Seconds until then (0 once passed).
    pub resets_in_seconds: Option<i64>,
    /// The window reset after the snapshot was taken: nothing is known to be used in the new one.
    pub reset_since: bool,
    /// When the current burn rate would fill it.
    pub projection: Projection,
}

/// When a window would reach 100 % at the current burn rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Projection {
    /// The outcome.
    pub status: ProjectionStatus,
    /// Percentage points per hour, from the first and last snapshot of the current instance.
    pub percent_per_hour: Option<f64>,
    /// When it would be full (only with `full_before_reset`).
    #[serde(serialize_with = "opt_ms_time")]
    pub full_at: Option<i64>,
}

/// The outcome of a projection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProjectionStatus {
    /// It fills before it resets, at `full_at`.
    FullBeforeReset,
    /// At this rate it resets first.
    ResetsFirst,
    /// Use did not grow over the snapshots.
    NotRising,
    /// Fewer than two snapshots spanning ten minutes in the current instance, or it has reset.
    NotEnoughData,
}

/// One instance of a window, with what rolldex counted inside it.
#[derive(Debug, Clone, Serialize)]
pub struct WindowInstance {
    /// The Codex home.
    pub home: String,
    /// The limit bucket.
    pub limit_id: String,
    /// Length in minutes.
    pub window_minutes: u32,
    /// `5h`, `weekly`, …
    pub label: String,
    /// `resets_at − length`.
    #[serde(serialize_with = "ms_time")]
    pub start: i64,
    /// When it reset (or resets), to the minute.
    #[serde(serialize_with = "ms_time")]
    pub resets_at: i64,
    /// Still running at "now".
    pub current: bool,
    /// The highest `used_percent` a snapshot in it reported.
    pub peak_used_percent: f64,
    /// How many snapshots fell in it.
    pub snapshots: usize,
    /// Tokens and API-equivalent cost of every usage event of the home in `[start, resets_at)`.
    pub usage: Amount,
    /// The sessions that spent most in it, most first.
    pub top_sessions: Vec<SessionShare>,
}

/// One session's part of an instance.
#[derive(Debug, Clone, Serialize)]
pub struct SessionShare {
    /// Session id.
    pub session_id: String,
    /// Thread name or title.
    pub title: Option<String>,
    /// Its tokens and cost inside the instance.
    pub usage: Amount,
}

/// Serialises ms as RFC 3339 UTC with milliseconds (serde's `serialize_with` passes a reference).
#[allow(clippy::trivially_copy_pass_by_ref)]
fn ms_time<S: Serializer>(ms: &i64, serializer: S) -> Result<S::Ok, S::Error> {
    match chrono::DateTime::<chrono::Utc>::from_timestamp_millis(*ms) {
        Some(t) => {
            serializer.serialize_str(&t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        }
        None => serializer.serialize_none(),
    }
}

/// Serialises optional ms as RFC 3339 UTC, or null (serde's `serialize_with` signature).
#[allow(clippy::ref_option)]
fn opt_ms_time<S: Serializer>(ms: &Option<i64>, serializer: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => ms_time(ms, serializer),
        None => serializer.serialize_none(),
    }
}
