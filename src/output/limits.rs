//! Renders a [`LimitsReport`] (tables, JSON, JSONL, CSV); the one-line status is
//! [`super::status_line`].
//!
//! Times in tables are local wall time in `--tz` with a countdown; JSON carries RFC 3339 UTC
//! (the library types serialise themselves, so the JSON shape is the report's shape).

use std::fmt::Write as _;
use std::io::{self, Write};

use comfy_table::CellAlignment;

use super::{Format, csv_field, money, new_table, sanitize, thousands, write_json, write_jsonl};
use crate::limits::{LimitNow, LimitsReport, ProjectionStatus, WindowInstance, WindowNow};
use crate::stats::Amount;
use crate::timezone::Zone;

/// Writes `report` in `format`; table times are shown in `zone`, tables fitted to `columns`
/// (see [`new_table`]).
pub fn write_limits(
    out: &mut dyn Write,
    report: &LimitsReport,
    format: Format,
    zone: &Zone,
    columns: Option<u16>,
) -> io::Result<()> {
    match format {
        Format::Json => write_json(out, report),
        Format::Jsonl => match &report.history {
            Some(history) => write_jsonl(out, history),
            None => write_jsonl(out, &report.limits),
        },
        Format::Csv => write_csv(out, report),
        Format::Table => write_table(out, report, zone, columns),
    }
}

/// `42%`, `42.5%`.
pub fn percent(value: f64) -> String {
    if (value - value.round()).abs() < 0.05 {
        format!("{value:.0}%")
    } else {
        format!("{value:.1}%")
    }
}

/// A short duration: `45s`, `12m`, `1h12m`, `3d4h`.
pub fn short_duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        s if s >= 86_400 => format!("{}d{}h", s / 86_400, (s % 86_400) / 3600),
        s if s >= 3600 => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `1.2M`, `340k`, `950`.
pub fn compact(n: i64) -> String {
    match n {
        n if n >= 1_000_000 => format!("{:.1}M", n as f64 / 1e6),
        n if n >= 10_000 => format!("{}k", n / 1000),
        n => n.to_string(),
    }
}

/// `$1.23`; `unpriced`; `≥ $1.23*` when only a part has a price.
fn cost_cell(amount: &Amount) -> String {
    match amount.cost_usd {
        Some(_) if !amount.cost_complete => format!("≥ {}*", money(amount.cost_usd)),
        cost => money(cost),
    }
}

fn write_table(
    out: &mut dyn Write,
    report: &LimitsReport,
    zone: &Zone,
    columns: Option<u16>,
) -> io::Result<()> {
    if report.limits.is_empty() {
        writeln!(
            out,
            "No rate-limit snapshots found (Codex records them with token counts since 0.40)."
        )?;
    }
    let several_homes = report
        .limits
        .iter()
        .any(|l| l.home != report.limits[0].home);
    for (i, limit) in report.limits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_limit(out, limit, report.now, zone, several_homes, columns)?;
    }
    if let Some(history) = &report.history {
        writeln!(out)?;
        write_history(out, history, zone, columns)?;
    }
    Ok(())
}

fn write_limit(
    out: &mut dyn Write,
    limit: &LimitNow,
    now: i64,
    zone: &Zone,
    several_homes: bool,
    columns: Option<u16>,
) -> io::Result<()> {
    let mut head = format!("Limit {}", sanitize(&limit.limit_id));
    if let Some(plan) = &limit.plan_type {
        let _ = write!(head, " · plan {}", sanitize(plan));
    }
    if let Some(credits) = &limit.credits {
        let text = if credits.unlimited {
            "unlimited".to_owned()
        } else {
            match (&credits.balance, credits.has_credits) {
                (Some(b), _) => sanitize(b).into_owned(),
                (None, true) => "yes".to_owned(),
                (None, false) => "none".to_owned(),
            }
        };
        let _ = write!(head, " · credits {text}");
    }
    let _ = write!(
        head,
        " · as of {} ago ({})",
        short_duration(limit.age_seconds),
        zone.format_minute(limit.as_of)
    );
    if several_homes {
        let _ = write!(head, " · {}", sanitize(&limit.home));
    }
    writeln!(out, "{head}")?;
    if let Some(reached) = &limit.reached {
        writeln!(out, "Limit reached: {}", sanitize(reached))?;
    }
    if limit.windows.is_empty() {
        return writeln!(out, "(no windows reported)");
    }
    let mut table = new_table(&["Window", "Used", "Resets", "At this rate"], columns);
    if let Some(col) = table.column_mut(1) {
        col.set_cell_alignment(CellAlignment::Right);
    }
    for window in &limit.windows {
        table.add_row(vec![
            window.label.clone(),
            percent(window.used_percent),
            resets_cell(window, zone),
            projection_cell(window, now, zone),
        ]);
    }
    writeln!(out, "{table}")
}

fn resets_cell(window: &WindowNow, zone: &Zone) -> String {
    match (window.resets_at, window.resets_in_seconds) {
        (Some(at), _) if window.reset_since => {
            format!(
                "reset at {} (was {})",
                zone.format_minute(at),
                percent(window.reported_used_percent)
            )
        }
        (Some(at), Some(secs)) => {
            format!("{} (in {})", zone.format_minute(at), short_duration(secs))
        }
        _ => "unknown".to_owned(),
    }
}

fn projection_cell(window: &WindowNow, now: i64, zone: &Zone) -> String {
    let p = &window.projection;
    let rate = p
        .percent_per_hour
        .map(|r| format!(", {r:.1} %/h"))
        .unwrap_or_default();
    match p.status {
        ProjectionStatus::FullBeforeReset => match p.full_at {
            Some(at) => format!(
                "full at {} (in {}{rate})",
                zone.format_minute(at),
                short_duration((at - now) / 1000)
            ),
            None => "full before reset".to_owned(),
        },
        ProjectionStatus::ResetsFirst => format!("resets before full{rate}"),
        ProjectionStatus::NotRising => format!("not rising{rate}"),
        ProjectionStatus::NotEnoughData => "not enough data yet".to_owned(),
    }
}

fn write_history(
    out: &mut dyn Write,
    history: &[WindowInstance],
    zone: &Zone,
    columns: Option<u16>,
) -> io::Result<()> {
    if history.is_empty() {
        return writeln!(out, "No window instances in that range.");
    }
    let mut table = new_table(
        &[
            "Limit",
            "Window",
            "Start",
            "Resets",
            "Peak",
            "Tokens",
            "Cost",
            "Spent most",
        ],
        columns,
    );
    for column in 4..7 {
        if let Some(col) = table.column_mut(column) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    for instance in history {
        let top: Vec<String> = instance
            .top_sessions
            .iter()
            .map(|s| {
                let short: String = s.session_id.chars().take(8).collect();
                let name = s
                    .title
                    .as_deref()
                    .map(|t| format!(" {}", sanitize(&t.chars().take(30).collect::<String>())))
                    .unwrap_or_default();
                format!("{short}{name} {}", cost_cell(&s.usage))
            })
            .collect();
        let resets = if instance.current {
            format!("{} (now)", zone.format_minute(instance.resets_at))
        } else {
            zone.format_minute(instance.resets_at)
        };
        table.add_row(vec![
            sanitize(&instance.limit_id).into_owned(),
            instance.label.clone(),
            zone.format_minute(instance.start),
            resets,
            percent(instance.peak_used_percent),
            thousands(instance.usage.usage.total_tokens),
            cost_cell(&instance.usage),
            top.join("\n"),
        ]);
    }
    writeln!(out, "{table}")
}

fn write_csv(out: &mut dyn Write, report: &LimitsReport) -> io::Result<()> {
    let time = |ms: i64| {
        chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    if let Some(history) = &report.history {
        writeln!(
            out,
            "home,limit_id,window_minutes,start,resets_at,current,peak_used_percent,snapshots,total_tokens,cost_usd,cost_complete"
        )?;
        for i in history {
            writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(&i.home),
                csv_field(&i.limit_id),
                i.window_minutes,
                time(i.start),
                time(i.resets_at),
                i.current,
                i.peak_used_percent,
                i.snapshots,
                i.usage.usage.total_tokens,
                i.usage.cost_usd.map(|c| c.to_string()).unwrap_or_default(),
                i.usage.cost_complete
            )?;
        }
        return Ok(());
    }
    writeln!(
        out,
        "home,limit_id,window_minutes,used_percent,as_of,resets_at,plan_type"
    )?;
    for l in &report.limits {
        for w in &l.windows {
            writeln!(
                out,
                "{},{},{},{},{},{},{}",
                csv_field(&l.home),
                csv_field(&l.limit_id),
                w.window_minutes,
                w.used_percent,
                time(w.as_of),
                w.resets_at.map(time).unwrap_or_default(),
                csv_field(l.plan_type.as_deref().unwrap_or(""))
            )?;
        }
    }
    Ok(())
}
