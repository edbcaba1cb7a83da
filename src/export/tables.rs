//! The rows of the exported tables, built from sessions and their usage events.
//!
//! Rows reuse the library's meanings: costs come from [`crate::stats::amount_of`] (the prices,
//! tiers and unpriced rules of `stats`), models are named as reports name them
//! ([`PriceTable::report_name`]), projects and clients are `stats`' groupings. Nothing here
//! writes a file.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;

use super::redact::{Redactor, clean_repository_url};
pub use super::schema::{
    Column, DAILY, EXPORT_SCHEMA_VERSION, Kind, MESSAGES, SESSIONS, TABLES, Table, USAGE_EVENTS,
};
use crate::model::{Message, SessionInfo, TokenUsage, UNKNOWN_MODEL, UsageEvent};
use crate::pricing::PriceTable;
use crate::stats::{Amount, amount_of};

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// SQL NULL.
    Null,
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// Milliseconds since the Unix epoch, UTC.
    Time(i64),
    /// Days since 1970-01-01.
    Day(i32),
    /// A list of text.
    List(Vec<String>),
}

impl Cell {
    fn text(value: Option<&str>) -> Cell {
        value.map_or(Cell::Null, |v| Cell::Text(v.to_owned()))
    }
}

/// What every row of one run shares.
#[derive(Debug, Clone)]
pub struct RowContext<'a> {
    /// The machine (or name) the rows come from.
    pub source_id: &'a str,
    /// When the run started (ms, UTC): the snapshots' `exported_at`.
    pub exported_at_ms: i64,
    /// Prices in force.
    pub prices: &'a PriceTable,
    /// Redacts paths when `--redact-paths` was given.
    pub redactor: Option<&'a Redactor>,
    /// Whether session names and titles go out (`--include-text`).
    pub include_text: bool,
}

impl RowContext<'_> {
    fn start(&self, snapshot: bool) -> Vec<Cell> {
        let mut row = vec![
            Cell::Text(self.source_id.to_owned()),
            Cell::Int(EXPORT_SCHEMA_VERSION),
        ];
        if snapshot {
            row.push(Cell::Time(self.exported_at_ms));
        }
        row
    }

    /// A path as it leaves the machine: as is, or its keyed hash.
    pub fn path(&self, path: &str) -> String {
        match self.redactor {
            Some(redactor) => redactor.path(path),
            None => path.to_owned(),
        }
    }

    /// The row of one counted usage event.
    pub fn event_row(&self, session_id: &str, key: u64, event: &UsageEvent) -> Vec<Cell> {
        let mut row = self.start(false);
        row.push(Cell::Text(session_id.to_owned()));
        row.push(Cell::Text(format!("{key:016x}")));
        row.push(Cell::Time(event.timestamp_ms));
        row.push(Cell::Text(self.prices.report_name(&event.model).to_owned()));
        row.push(Cell::text(event.service_tier.as_deref()));
        push_usage(&mut row, &event.usage);
        let amount = amount_of(std::iter::once(event), self.prices);
        row.push(amount.cost_usd.map_or(Cell::Null, Cell::Float));
        row.push(cost_note(&amount));
        row
    }

    /// The row of one session: its facts, usage and cost. `project` is `stats`' project key.
    pub fn session_row(
        &self,
        info: &SessionInfo,
        events: &[UsageEvent],
        project: &str,
    ) -> Vec<Cell> {
        let mut row = self.start(true);
        row.push(Cell::Text(info.id.clone()));
        row.push(Cell::Bool(info.id_is_derived()));
        row.push(info.started_at_ms.map_or(Cell::Null, Cell::Time));
        row.push(info.updated_at_ms.map_or(Cell::Null, Cell::Time));
        let cwd = info.cwd.as_deref().or(info.latest_cwd.as_deref());
        row.push(cwd.map_or(Cell::Null, |c| Cell::Text(self.path(c))));
        row.push(Cell::Text(self.project(project)));
        row.push(Cell::text(
            info.git_repository_url
                .as_deref()
                .map(clean_repository_url)
                .as_deref(),
        ));
        row.push(Cell::text(info.git_branch.as_deref()));
        row.push(Cell::text(info.originator.as_deref()));
        row.push(Cell::Text(client(info).to_owned()));
        row.push(Cell::text(info.source.as_deref()));
        row.push(Cell::Bool(info.interactive));
        row.push(Cell::Bool(info.archived));
        let mut models: Vec<String> = Vec::new();
        for model in &info.models {
            let name = self.prices.report_name(model);
            if !models.iter().any(|m| m == name) {
                models.push(name.to_owned());
            }
        }
        row.push(Cell::List(models));
        row.push(Cell::text(info.model_provider.as_deref()));
        row.push(Cell::text(info.cli_version.as_deref()));
        row.push(Cell::text(info.forked_from_id.as_deref()));
        let text = |t: Option<&str>| {
            if self.include_text {
                Cell::text(t)
            } else {
                Cell::Null
            }
        };
        row.push(text(info.thread_name.as_deref()));
        row.push(text(info.title.as_deref()));
        row.push(Cell::Int(i64::from(info.turns)));
        row.push(Cell::Int(events.len() as i64));
        let amount = amount_of(events, self.prices);
        push_usage(&mut row, &amount.usage);
        push_cost(&mut row, &amount);
        row
    }

    /// A project key as it leaves the machine (`unknown` stays as it is).
    fn project(&self, project: &str) -> String {
        if project == UNKNOWN_MODEL {
            project.to_owned()
        } else {
            self.path(project)
        }
    }

    /// The row of one message; `ordinal` is its place among the session's own messages.
    pub fn message_row(&self, session_id: &str, ordinal: u64, message: Message) -> Vec<Cell> {
        let mut row = self.start(false);
        row.push(Cell::Text(session_id.to_owned()));
        row.push(Cell::Int(ordinal as i64));
        row.push(message.timestamp_ms.map_or(Cell::Null, Cell::Time));
        row.push(Cell::Text(message.role.as_str().to_owned()));
        row.push(Cell::text(message.tool.as_deref()));
        row.push(Cell::Text(message.text));
        row
    }
}

/// The client of a session, as `stats client` names it.
pub fn client(info: &SessionInfo) -> &str {
    info.originator.as_deref().unwrap_or(UNKNOWN_MODEL)
}

/// The six token fields, in the columns' order.
fn push_usage(row: &mut Vec<Cell>, usage: &TokenUsage) {
    row.extend(
        [
            usage.input_tokens,
            usage.cached_input_tokens,
            usage.output_tokens,
            usage.reasoning_output_tokens,
            usage.total_tokens,
            usage.cache_write_input_tokens,
        ]
        .map(Cell::Int),
    );
}

/// `cost_usd`, `cost_complete`, `cost_note` of an amount.
fn push_cost(row: &mut Vec<Cell>, amount: &Amount) {
    row.push(amount.cost_usd.map_or(Cell::Null, Cell::Float));
    row.push(Cell::Bool(amount.cost_complete));
    row.push(cost_note(amount));
}

/// Why (part of) an amount has no cost: null when it is all priced.
fn cost_note(amount: &Amount) -> Cell {
    if amount.cost_complete {
        return Cell::Null;
    }
    let mut parts: Vec<String> = Vec::new();
    let named: Vec<&str> = amount
        .unpriced_models
        .iter()
        .map(String::as_str)
        .filter(|m| *m != UNKNOWN_MODEL)
        .collect();
    if !named.is_empty() {
        parts.push(format!("no price for {}", named.join(", ")));
    }
    if amount.unpriced_models.iter().any(|m| m == UNKNOWN_MODEL) {
        parts.push("no model name recorded (Codex before 0.35)".to_owned());
    }
    Cell::Text(parts.join("; "))
}

/// The `daily` table being summed: (UTC day, model, project, client) → per service tier
/// tokens, sessions and events.
#[derive(Debug, Default)]
pub struct Daily {
    rows: BTreeMap<(NaiveDate, String, String, String), DailySums>,
}

#[derive(Debug, Default)]
struct DailySums {
    by_tier: BTreeMap<Option<Arc<str>>, TokenUsage>,
    sessions: i64,
    /// The last session (by index) counted, so a session counts once per row.
    last_session: Option<usize>,
    events: i64,
}

impl Daily {
    /// Adds one event of session number `session` (`project` and `client` are its keys).
    pub fn add(
        &mut self,
        context: &RowContext<'_>,
        session: usize,
        project: &str,
        client: &str,
        event: &UsageEvent,
    ) {
        let day = utc_day(event.timestamp_ms);
        let model = context.prices.report_name(&event.model).to_owned();
        let sums = self
            .rows
            .entry((day, model, context.project(project), client.to_owned()))
            .or_default();
        sums.by_tier
            .entry(event.service_tier.clone())
            .or_default()
            .add(&event.usage);
        if sums.last_session != Some(session) {
            sums.last_session = Some(session);
            sums.sessions += 1;
        }
        sums.events += 1;
    }

    /// The rows, sorted by day, model, project and client. Each is priced as a `stats` row is:
    /// summed per model and tier, then priced.
    pub fn rows<'s>(&'s self, context: &'s RowContext<'_>) -> impl Iterator<Item = Vec<Cell>> + 's {
        self.rows
            .iter()
            .map(move |((day, model, project, client), sums)| {
                let model: Arc<str> = Arc::from(model.as_str());
                let parts: Vec<UsageEvent> = sums
                    .by_tier
                    .iter()
                    .map(|(tier, usage)| UsageEvent {
                        timestamp_ms: 0,
                        model: model.clone(),
                        usage: *usage,
                        service_tier: tier.clone(),
                        event_key: 0,
                    })
                    .collect();
                let amount = amount_of(&parts, context.prices);
                let mut row = context.start(true);
                row.push(Cell::Day(days_since_epoch(*day)));
                row.push(Cell::Text(model.to_string()));
                row.push(Cell::Text(project.clone()));
                row.push(Cell::Text(client.clone()));
                row.push(Cell::Int(sums.sessions));
                row.push(Cell::Int(sums.events));
                push_usage(&mut row, &amount.usage);
                push_cost(&mut row, &amount);
                row
            })
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The UTC day of an instant (ms).
pub fn utc_day(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms).map_or(NaiveDate::MIN, |t| t.date_naive())
}

/// Days from 1970-01-01 to `day`.
pub fn days_since_epoch(day: NaiveDate) -> i32 {
    (day - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN)).num_days() as i32
}

/// Adds a row to a running FNV-1a digest, skipping column `skip` (a snapshot's `exported_at`):
/// two snapshots with the same digest say the same thing.
pub fn digest_row(digest: &mut u64, row: &[Cell], skip: Option<usize>) {
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            *digest ^= u64::from(*byte);
            *digest = digest.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (i, cell) in row.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        match cell {
            Cell::Null => feed(&[0]),
            Cell::Text(t) => {
                feed(&[1]);
                feed(&(t.len() as u64).to_le_bytes());
                feed(t.as_bytes());
            }
            Cell::Int(n) | Cell::Time(n) => {
                feed(&[2]);
                feed(&n.to_le_bytes());
            }
            Cell::Float(f) => {
                feed(&[3]);
                feed(&f.to_bits().to_le_bytes());
            }
            Cell::Bool(b) => feed(&[4, u8::from(*b)]),
            Cell::Day(d) => {
                feed(&[5]);
                feed(&d.to_le_bytes());
            }
            Cell::List(items) => {
                feed(&[6]);
                feed(&(items.len() as u64).to_le_bytes());
                for item in items {
                    feed(&(item.len() as u64).to_le_bytes());
                    feed(item.as_bytes());
                }
            }
        }
    }
}

/// The column index of `exported_at` in a snapshot table.
pub const EXPORTED_AT: usize = 2;

#[cfg(test)]
mod tests;
