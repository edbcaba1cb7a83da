//! Rate-limit snapshots: the `rate_limits` a `token_count` event carries, read in any of the
//! shapes Codex has written and kept per file without runs of repeats.

use serde::Deserialize;

use crate::model::{Credits, LimitSnapshot, LimitWindow};
use crate::parse::{FileState, wire};

impl FileState {
    /// Notes a `rate_limits` snapshot taken at `ts` (ms). A shape rolldex cannot read is
    /// skipped quietly: the usage on the same line still counts.
    pub(super) fn rate_limits(&mut self, ts: i64, value: &serde_json::Value) {
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
