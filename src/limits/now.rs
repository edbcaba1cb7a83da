//! Where each window of a limit stands at "now", and when the current burn rate would fill it:
//! the part of the report that looks only at the latest instance of each window.

use crate::model::LimitSnapshot;

use super::{
    LimitNow, PROJECTION_MIN_SPAN_MS, Projection, ProjectionStatus, Seen, WindowNow, by_window,
    window_label, window_ms,
};

/// Where a limit stands at `now_ms`: its latest snapshot's plan and credits, and each window
/// that the latest snapshot names or that still runs.
pub(super) fn limit_now(
    home: &str,
    limit_id: &str,
    list: &[&LimitSnapshot],
    now_ms: i64,
) -> Option<LimitNow> {
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
