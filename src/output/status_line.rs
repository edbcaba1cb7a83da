//! The one-line status (`rolldex statusline`): a [`Status`] as a short line for a shell
//! prompt or a terminal multiplexer's status bar, by default or through a `{field}` template.
//! Apart from the limits tables because it is what a prompt runs every few seconds.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::limits::{compact, percent, short_duration};
use super::{money, sanitize};
use crate::limits::Status;

/// The field names a statusline template may use.
pub const STATUS_FIELDS: &[&str] = &[
    "5h",
    "5h_reset",
    "wk",
    "wk_reset",
    "today",
    "today_tokens",
    "age",
    "plan",
    "limit",
];

/// The statusline's fields and their values (absent: unknown).
fn status_fields(status: &Status) -> BTreeMap<&'static str, String> {
    let mut fields = BTreeMap::new();
    if let Some(limit) = &status.limit {
        for (name, reset, minutes) in [("5h", "5h_reset", 300), ("wk", "wk_reset", 10080)] {
            if let Some(w) = limit.windows.iter().find(|w| w.window_minutes == minutes) {
                fields.insert(name, percent(w.used_percent));
                if let Some(secs) = w.resets_in_seconds.filter(|_| !w.reset_since) {
                    fields.insert(reset, short_duration(secs));
                }
            }
        }
        fields.insert("age", short_duration(limit.age_seconds));
        if let Some(plan) = &limit.plan_type {
            fields.insert("plan", plan.clone());
        }
        fields.insert("limit", limit.limit_id.clone());
    }
    fields.insert("today", money(status.today.cost_usd));
    fields.insert("today_tokens", compact(status.today.usage.total_tokens));
    fields
}

/// Checks a template: every `{name}` must be a known field.
pub fn check_template(template: &str) -> Result<(), String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            return Err(format!("unclosed {{ in {template:?}"));
        };
        let name = &after[..close];
        if !STATUS_FIELDS.contains(&name) {
            return Err(format!(
                "unknown field {{{name}}}; known: {}",
                STATUS_FIELDS
                    .iter()
                    .map(|f| format!("{{{f}}}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The status line: `template` with its fields filled (`-` when unknown), or the default
/// `5h 42% ↻1h12m · wk 18% · today $3.10` with only the parts that are known. Control
/// characters from the data are escaped.
pub fn status_line(status: &Status, template: Option<&str>) -> String {
    let fields = status_fields(status);
    let line = if let Some(template) = template {
        let mut line = String::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            line.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find('}').unwrap_or(after.len());
            let name = &after[..close];
            line.push_str(fields.get(name).map_or("-", String::as_str));
            rest = after.get(close + 1..).unwrap_or("");
        }
        line.push_str(rest);
        line
    } else {
        let mut parts = Vec::new();
        for (name, label, reset) in [("5h", "5h", "5h_reset"), ("wk", "wk", "wk_reset")] {
            if let Some(used) = fields.get(name) {
                let mut part = format!("{label} {used}");
                if name == "5h"
                    && let Some(r) = fields.get(reset)
                {
                    let _ = write!(part, " ↻{r}");
                }
                parts.push(part);
            }
        }
        if let Some(today) = fields.get("today") {
            parts.push(format!("today {today}"));
        }
        parts.join(" · ")
    };
    sanitize(&line).into_owned()
}
