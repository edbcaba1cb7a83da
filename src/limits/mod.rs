//! Rate-limit windows: where each window stands now, the past window instances with what was
//! spent inside them, and when the current burn rate would fill a window.
//!
//! Every `token_count` event since Codex 0.40 carries the server's `rate_limits` snapshot; the
//! parser keeps them per file (see [`crate::parse::FileState::limits`]) and the index per
//! session, so this is pure computation over those snapshots and the usage events: it reads no
//! file, clock or environment (the caller passes "now").
//!
//! A window is told apart by its limit (`limit_id`) and its length (`window_minutes`), never by
//! the `primary`/`secondary` slot it came in. One *instance* of a window runs from
//! `resets_at − length` to `resets_at`; snapshots whose `resets_at` lie closer together than
//! the window's length belong to one instance (two real instances of one window cannot: they
//! would overlap), so a reset time that jitters by a second never splits an instance. Snapshots
//! of different Codex homes are kept apart: each home may be another account.
//!
//! Layout: `report` holds the answer's types and how their times serialise; `now` where each
//! window stands and its projection; `history` the past instances and the usage inside them;
//! `status` the status line's figures. This file groups the snapshots per limit and window and
//! puts the report together.

mod history;
mod now;
mod report;
mod status;

use std::collections::BTreeMap;

use crate::model::{LimitSnapshot, UsageEvent};
use crate::pricing::PriceTable;
use crate::stats::SessionUsage;

pub use report::{
    LimitNow, LimitsReport, Projection, ProjectionStatus, SessionShare, WindowInstance, WindowNow,
};
pub use status::{Status, status};

use history::{fill_usage, instances_of};
use now::limit_now;

/// A projection needs snapshots spanning at least this long in the current instance.
pub const PROJECTION_MIN_SPAN_MS: i64 = 10 * 60 * 1000;

/// What to compute.
#[derive(Debug, Clone)]
pub struct LimitsQuery {
    /// The present (ms since the epoch): decides which windows still run and the countdowns.
    pub now_ms: i64,
    /// Whether to list past window instances.
    pub history: bool,
    /// Only instances that end after this instant (ms).
    pub since_ms: Option<i64>,
    /// Only instances that start before this instant (ms).
    pub until_ms: Option<i64>,
    /// How many sessions to name per instance (those that spent most in it).
    pub top_sessions: usize,
}

/// The label of a window length: `5h`, `weekly`, `90m`, `2d`.
pub fn window_label(minutes: u32) -> String {
    match minutes {
        10080 => "weekly".to_owned(),
        m if m % 1440 == 0 => format!("{}d", m / 1440),
        m if m % 60 == 0 => format!("{}h", m / 60),
        m => format!("{m}m"),
    }
}

/// Computes the report over `sessions` and their snapshots (`limits[i]` belongs to
/// `sessions[i]`); `homes` are the configured Codex homes (a session belongs to the first
/// whose path is a prefix of its own).
pub fn compute(
    sessions: &[SessionUsage],
    limits: &[Vec<LimitSnapshot>],
    homes: &[String],
    query: &LimitsQuery,
    prices: &PriceTable,
) -> LimitsReport {
    let home_of = |index: usize| -> String {
        let path = sessions.get(index).map_or("", |s| s.info.path.as_str());
        homes
            .iter()
            .find(|h| std::path::Path::new(path).starts_with(h.as_str()))
            .cloned()
            .unwrap_or_default()
    };
    // (home, limit) → snapshots in time order.
    let mut by_limit: BTreeMap<(String, String), Vec<&LimitSnapshot>> = BTreeMap::new();
    for (index, list) in limits.iter().enumerate() {
        if list.is_empty() {
            continue;
        }
        let home = home_of(index);
        for snapshot in list {
            by_limit
                .entry((home.clone(), snapshot.limit_id.clone()))
                .or_default()
                .push(snapshot);
        }
    }
    for list in by_limit.values_mut() {
        list.sort_by_key(|s| s.time_ms);
        list.dedup_by(|b, a| a.time_ms == b.time_ms && a.same_values(b));
    }
    let mut now: Vec<LimitNow> = by_limit
        .iter()
        .filter_map(|((home, limit_id), list)| limit_now(home, limit_id, list, query.now_ms))
        .collect();
    now.sort_by(|a, b| {
        b.as_of
            .cmp(&a.as_of)
            .then_with(|| a.home.cmp(&b.home))
            .then_with(|| a.limit_id.cmp(&b.limit_id))
    });
    let history = query.history.then(|| {
        let mut instances = Vec::new();
        let mut events_by_home: BTreeMap<String, Vec<(i64, usize, &UsageEvent)>> = BTreeMap::new();
        for (index, session) in sessions.iter().enumerate() {
            let events = events_by_home.entry(home_of(index)).or_default();
            events.extend(session.events.iter().map(|e| (e.timestamp_ms, index, e)));
        }
        for events in events_by_home.values_mut() {
            events.sort_by_key(|(t, i, _)| (*t, *i));
        }
        for ((home, limit_id), list) in &by_limit {
            for mut instance in instances_of(home, limit_id, list, query.now_ms, prices) {
                if query.since_ms.is_some_and(|s| instance.resets_at <= s)
                    || query.until_ms.is_some_and(|u| instance.start >= u)
                {
                    continue;
                }
                let events = events_by_home.get(home).map_or(&[][..], Vec::as_slice);
                fill_usage(&mut instance, events, sessions, query.top_sessions, prices);
                instances.push(instance);
            }
        }
        instances.sort_by(|a, b| {
            (a.start, &a.home, &a.limit_id, a.window_minutes).cmp(&(
                b.start,
                &b.home,
                &b.limit_id,
                b.window_minutes,
            ))
        });
        instances
    });
    LimitsReport {
        now: query.now_ms,
        limits: now,
        history,
    }
}

/// One window's observation: when, how full, when it resets (ms).
#[derive(Debug, Clone, Copy)]
struct Seen {
    time_ms: i64,
    used: f64,
    resets_ms: Option<i64>,
}

/// The observations of each window length of one limit, in time order.
fn by_window(list: &[&LimitSnapshot]) -> BTreeMap<u32, Vec<Seen>> {
    let mut windows: BTreeMap<u32, Vec<Seen>> = BTreeMap::new();
    for snapshot in list {
        for window in &snapshot.windows {
            windows
                .entry(window.window_minutes)
                .or_default()
                .push(Seen {
                    time_ms: snapshot.time_ms,
                    used: window.used_percent,
                    resets_ms: window.resets_at_s.map(|s| s.saturating_mul(1000)),
                });
        }
    }
    windows
}

/// The window length in ms.
fn window_ms(minutes: u32) -> i64 {
    i64::from(minutes) * 60_000
}
