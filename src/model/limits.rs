//! What a `rate_limits` snapshot said, as the parser keeps it per file and the index per
//! session; `crate::limits` computes windows and projections from these.

use serde::{Deserialize, Serialize};

/// One rate-limit window of a snapshot. Windows are told apart by their length, never by the
/// `primary`/`secondary` slot Codex wrote them in (a weekly-only period puts the week first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitWindow {
    /// The window's length (300 = 5 h, 10080 = a week).
    pub window_minutes: u32,
    /// How much of it was used, 0–100.
    pub used_percent: f64,
    /// When it resets (Unix seconds); relative resets are made absolute with the event's time.
    /// `None` in the 0.40 flat shape, which did not say.
    pub resets_at_s: Option<i64>,
}

/// Credits a `rate_limits` snapshot reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    /// The account has credits.
    pub has_credits: bool,
    /// They are unlimited.
    pub unlimited: bool,
    /// The balance as Codex wrote it (a decimal string), if it did.
    pub balance: Option<String>,
}

/// One `token_count.rate_limits` snapshot of one limit: what the server said at that time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LimitSnapshot {
    /// The event's time (ms since the Unix epoch, UTC).
    pub time_ms: i64,
    /// The limit bucket (`codex`, `codex_bengalfox`); files before Codex 0.100 say none, which
    /// means `codex`.
    pub limit_id: String,
    /// Its windows (one, two, or none when the server sent no window).
    pub windows: Vec<LimitWindow>,
    /// `plus`, `pro`, …
    pub plan_type: Option<String>,
    /// Credits, when reported.
    pub credits: Option<Credits>,
    /// `rate_limit_reached_type` (`rate_limit_reached`, `workspace_…`) when a limit was hit.
    pub reached: Option<String>,
}

impl LimitSnapshot {
    /// True when `other` says the same as this one, whatever its time.
    pub fn same_values(&self, other: &LimitSnapshot) -> bool {
        self.limit_id == other.limit_id
            && self.windows == other.windows
            && self.plan_type == other.plan_type
            && self.credits == other.credits
            && self.reached == other.reached
    }
}
