//! The `usage_report` tool: the token and cost rows of `rolldex stats --json`, grouped and
//! filtered the same way, handed out a page of rows at a time.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ToolResult, answer, clip_line, cwd, dates, finish_text, limit};
use crate::config::Config;
use crate::index::IndexStore;
use crate::stats::{Amount, Grouping, Row, StatsQuery, compute};
use crate::timezone::Zone;

/// Most rows one `usage_report` page holds.
const MAX_ROWS: usize = 500;

/// Parameters of `usage_report`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UsageParams {
    /// How to group rows.
    pub group_by: Grouping,
    /// First day to include (YYYY-MM-DD, in `tz`).
    pub since: Option<String>,
    /// Last day to include (YYYY-MM-DD, in `tz`).
    pub until: Option<String>,
    /// Time zone that decides days, weeks and months: an IANA name, UTC, +05:30 or local
    /// (default: the server's --tz).
    pub tz: Option<String>,
    /// Only this model.
    pub model: Option<String>,
    /// Only sessions in this directory or below (absolute path).
    pub cwd: Option<String>,
    /// First row of the page (the `next_offset` of the previous page).
    pub offset: Option<usize>,
    /// Rows per page (1 to 500, default 100).
    pub limit: Option<usize>,
}

/// Result of `usage_report`: the rows and totals of `rolldex stats --json`, a page at a time.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UsageResult {
    /// `day`, `week`, `month`, `session`, `model`, `project` or `client`.
    pub group_by: &'static str,
    /// The zone's name.
    pub tz: String,
    /// One page of rows, sorted by key.
    pub rows: Vec<Row>,
    /// Sum over all rows (every page).
    pub totals: Amount,
    /// Rows in the whole report.
    pub total_rows: usize,
    /// Index of the first row of the page.
    pub offset: usize,
    /// The `offset` of the next page; absent on the last one.
    pub next_offset: Option<usize>,
    /// Remarks about the answer.
    pub notes: Vec<String>,
}

/// `usage_report`: needs the store's usage.
pub fn usage(
    config: &Config,
    store: IndexStore,
    p: &UsageParams,
    notes: Vec<String>,
) -> ToolResult {
    let limit = limit(p.limit, 100, MAX_ROWS)?;
    let (since, until) = dates(p.since.as_deref(), p.until.as_deref())?;
    let zone = match &p.tz {
        Some(tz) => Zone::parse(tz, &config.local_zone).map_err(|e| format!("tz: {e}"))?,
        None => config.zone.clone(),
    };
    let query = StatsQuery {
        grouping: p.group_by,
        zone,
        since,
        until,
        model: p.model.clone(),
        cwd: p.cwd.as_deref().map(cwd),
    };
    let sessions = store.into_sessions();
    let report = compute(&sessions, &query, &config.prices);
    let total_rows = report.rows.len();
    let offset = p.offset.unwrap_or(0);
    if offset > total_rows {
        return Err(format!(
            "offset {offset} is past the end ({total_rows} rows): use an offset below {total_rows}"
        ));
    }
    let rows: Vec<Row> = report.rows.into_iter().skip(offset).take(limit).collect();
    let end = offset + rows.len();
    let next_offset = (end < total_rows).then_some(end);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "usage by {} ({}), rows {offset}–{} of {total_rows}",
        report.group_by,
        report.tz,
        end.saturating_sub(1)
    );
    for row in &rows {
        let _ = writeln!(
            text,
            "{}  {} tokens  {}",
            clip_line(&row.key, 80),
            row.amount.usage.total_tokens,
            cost(&row.amount)
        );
    }
    let _ = writeln!(
        text,
        "total  {} tokens  {}",
        report.totals.usage.total_tokens,
        cost(&report.totals)
    );
    if let Some(next) = next_offset {
        let _ = writeln!(
            text,
            "… {} more rows: call again with offset {next}, or narrow with since/until.",
            total_rows - end
        );
    }
    finish_text(&mut text, &notes);
    answer(
        text,
        &UsageResult {
            group_by: report.group_by,
            tz: report.tz,
            rows,
            totals: report.totals,
            total_rows,
            offset,
            next_offset,
            notes,
        },
    )
}

fn cost(amount: &Amount) -> String {
    match amount.cost_usd {
        None => "unpriced".to_owned(),
        Some(usd) if amount.cost_complete => format!("${usd:.2}"),
        Some(usd) => format!(
            "≥ ${usd:.2} (unpriced: {})",
            amount.unpriced_models.join(", ")
        ),
    }
}
