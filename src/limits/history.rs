//! Past window instances (`limits --history`): grouping a window's snapshots into instances by
//! their reset time, and summing the usage events that fall inside each.

use std::collections::BTreeMap;

use crate::model::{LimitSnapshot, UsageEvent};
use crate::pricing::PriceTable;
use crate::stats::{SessionUsage, amount_of};

use super::{Seen, SessionShare, WindowInstance, by_window, window_label, window_ms};

/// The instances of each window of one limit (usage not filled yet).
pub(super) fn instances_of(
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
pub(super) fn fill_usage(
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
