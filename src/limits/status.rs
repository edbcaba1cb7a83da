//! The status line's figures (`rolldex statusline`): one limit and today's spend, computed
//! through the same report as `rolldex limits` so the two never disagree.

use crate::model::LimitSnapshot;
use crate::pricing::PriceTable;
use crate::stats::{Amount, SessionUsage, amount_of};

use super::{LimitNow, LimitsQuery, compute};

/// What the status line shows: the limit most recently reported (`codex` preferred) and
/// today's spend.
#[derive(Debug, Clone)]
pub struct Status {
    /// The limit, when any snapshot exists.
    pub limit: Option<LimitNow>,
    /// Tokens and cost of today (in the report's zone).
    pub today: Amount,
    /// Whether there is anything at all (snapshots or usage): an empty history prints nothing.
    pub has_data: bool,
}

/// The status line's figures: `today_start_ms` is the start of today in the user's zone.
pub fn status(
    sessions: &[SessionUsage],
    limits: &[Vec<LimitSnapshot>],
    homes: &[String],
    now_ms: i64,
    today_start_ms: i64,
    prices: &PriceTable,
) -> Status {
    let query = LimitsQuery {
        now_ms,
        history: false,
        since_ms: None,
        until_ms: None,
        top_sessions: 0,
    };
    let report = compute(sessions, limits, homes, &query, prices);
    let has_data = !report.limits.is_empty() || sessions.iter().any(|s| !s.events.is_empty());
    let limit = report
        .limits
        .iter()
        .find(|l| l.limit_id == "codex")
        .or(report.limits.first())
        .cloned();
    let today = amount_of(
        sessions
            .iter()
            .flat_map(|s| &s.events)
            .filter(|e| e.timestamp_ms >= today_start_ms && e.timestamp_ms <= now_ms),
        prices,
    );
    Status {
        limit,
        today,
        has_data,
    }
}
