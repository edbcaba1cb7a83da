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

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::model::{Credits, LimitSnapshot, UsageEvent};
use crate::pricing::PriceTable;
use crate::stats::{Amount, SessionUsage, amount_of};

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

/// Where a limit stands at `now_ms`: its latest snapshot's plan and credits, and each window
/// that the latest snapshot names or that still runs.
fn limit_now(home: &str, limit_id: &str, list: &[&LimitSnapshot], now_ms: i64) -> Option<LimitNow> {
    let latest = *list.last()?;
    let mut windows = Vec::new();
    for (minutes, seen) in by_window(list) {
        let Some(last) = seen.last().copied() else {
            continue;
        };
        let in_latest = latest
            .windows
            .iter()
            .any(|w| w.window_minutes == minutes && last.time_ms == latest.time_ms);
        let running = last.resets_ms.is_some_and(|r| r > now_ms);
        if !in_latest && !running {
            continue;
        }
        let reset_since = last.resets_ms.is_some_and(|r| r <= now_ms);
        let current = current_run(&seen, minutes);
        windows.push(WindowNow {
            window_minutes: minutes,
            label: window_label(minutes),
            used_percent: if reset_since { 0.0 } else { last.used },
            reported_used_percent: last.used,
            as_of: last.time_ms,
            resets_at: last.resets_ms,
            resets_in_seconds: last.resets_ms.map(|r| (r - now_ms).max(0) / 1000),
            reset_since,
            projection: if reset_since {
                Projection {
                    status: ProjectionStatus::NotEnoughData,
                    percent_per_hour: None,
                    full_at: None,
                }
            } else {
                project(&current, last.resets_ms)
            },
        });
    }
    Some(LimitNow {
        home: home.to_owned(),
        limit_id: limit_id.to_owned(),
        plan_type: latest.plan_type.clone(),
        credits: latest.credits.clone(),
        reached: latest.reached.clone(),
        as_of: latest.time_ms,
        age_seconds: (now_ms - latest.time_ms).max(0) / 1000,
        windows,
    })
}

/// The observations of the instance the last one belongs to (time order kept).
fn current_run(seen: &[Seen], minutes: u32) -> Vec<Seen> {
    let Some(last) = seen.last() else {
        return Vec::new();
    };
    let Some(end) = last.resets_ms else {
        // No reset times (0.40): a run lasts while use does not drop.
        let mut start = seen.len() - 1;
        while start > 0 && seen[start - 1].used <= seen[start].used {
            start -= 1;
        }
        return seen[start..].to_vec();
    };
    let length = window_ms(minutes);
    seen.iter()
        .filter(|s| s.resets_ms.is_some_and(|r| (r - end).abs() < length))
        .copied()
        .collect()
}

/// The window length in ms.
fn window_ms(minutes: u32) -> i64 {
    i64::from(minutes) * 60_000
}

/// The projection from the current instance's observations.
fn project(run: &[Seen], resets_ms: Option<i64>) -> Projection {
    let not_enough = Projection {
        status: ProjectionStatus::NotEnoughData,
        percent_per_hour: None,
        full_at: None,
    };
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return not_enough;
    };
    let span = last.time_ms - first.time_ms;
    if run.len() < 2 || span < PROJECTION_MIN_SPAN_MS {
        return not_enough;
    }
    let per_ms = (last.used - first.used) / span as f64;
    let percent_per_hour = Some(per_ms * 3_600_000.0);
    if per_ms <= 0.0 {
        return Projection {
            status: ProjectionStatus::NotRising,
            percent_per_hour,
            full_at: None,
        };
    }
    let full_at = last.time_ms + ((100.0 - last.used).max(0.0) / per_ms).round() as i64;
    if resets_ms.is_some_and(|r| full_at >= r) {
        return Projection {
            status: ProjectionStatus::ResetsFirst,
            percent_per_hour,
            full_at: None,
        };
    }
    Projection {
        status: ProjectionStatus::FullBeforeReset,
        percent_per_hour,
        full_at: Some(full_at),
    }
}

/// The instances of each window of one limit (usage not filled yet).
fn instances_of(
    home: &str,
    limit_id: &str,
    list: &[&LimitSnapshot],
    now_ms: i64,
    prices: &PriceTable,
) -> Vec<WindowInstance> {
    let mut out = Vec::new();
    for (minutes, mut seen) in by_window(list) {
        seen.retain(|s| s.resets_ms.is_some());
        seen.sort_by_key(|s| (s.resets_ms, s.time_ms));
        let length = window_ms(minutes);
        let mut groups: Vec<Vec<Seen>> = Vec::new();
        for s in seen {
            match groups.last_mut() {
                Some(group)
                    if group
                        .last()
                        .and_then(|p| p.resets_ms)
                        .zip(s.resets_ms)
                        .is_some_and(|(p, r)| r - p < length) =>
                {
                    group.push(s);
                }
                _ => groups.push(vec![s]),
            }
        }
        for group in groups {
            let Some(resets) = group.iter().filter_map(|s| s.resets_ms).max() else {
                continue;
            };
            let resets_at = resets - resets.rem_euclid(60_000);
            out.push(WindowInstance {
                home: home.to_owned(),
                limit_id: limit_id.to_owned(),
                window_minutes: minutes,
                label: window_label(minutes),
                start: resets_at - length,
                resets_at,
                current: resets_at > now_ms,
                peak_used_percent: group.iter().map(|s| s.used).fold(0.0, f64::max),
                snapshots: group.len(),
                usage: amount_of(std::iter::empty(), prices),
                top_sessions: Vec::new(),
            });
        }
    }
    out
}

/// Sums the usage of `events` (the home's, sorted by time) inside the instance.
fn fill_usage(
    instance: &mut WindowInstance,
    events: &[(i64, usize, &UsageEvent)],
    sessions: &[SessionUsage],
    top: usize,
    prices: &PriceTable,
) {
    let from = events.partition_point(|(t, _, _)| *t < instance.start);
    let to = events.partition_point(|(t, _, _)| *t < instance.resets_at);
    let inside = &events[from..to.max(from)];
    instance.usage = amount_of(inside.iter().map(|(_, _, e)| *e), prices);
    let mut per_session: BTreeMap<usize, Vec<&UsageEvent>> = BTreeMap::new();
    for (_, index, event) in inside {
        per_session.entry(*index).or_default().push(event);
    }
    let mut shares: Vec<SessionShare> = per_session
        .into_iter()
        .map(|(index, events)| {
            let info = &sessions[index].info;
            SessionShare {
                session_id: info.id.clone(),
                title: info.display_name().map(str::to_owned),
                usage: amount_of(events, prices),
            }
        })
        .collect();
    shares.sort_by(|a, b| {
        b.usage
            .cost_usd
            .unwrap_or(0.0)
            .total_cmp(&a.usage.cost_usd.unwrap_or(0.0))
            .then_with(|| b.usage.usage.total_tokens.cmp(&a.usage.usage.total_tokens))
            .then_with(|| a.session_id.cmp(&b.session_id))
    });
    shares.truncate(top);
    instance.top_sessions = shares;
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
