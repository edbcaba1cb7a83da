//! Usage reports: folds usage events into rows by day, week, month, session, model, project
//! or client, with per-model breakdowns and costs.
//!
//! Pure computation over sessions and their events; the same code serves a direct scan and the
//! index, so both give identical numbers by construction.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::keys::SessionFacts;
use crate::model::{SessionInfo, TokenUsage, UsageEvent, path_is_under};
use crate::pricing::PriceTable;
use crate::timezone::{Zone, week_start};

/// What rows are keyed by (also the MCP `usage_report`'s `group_by`, hence its names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Grouping {
    /// Calendar day in the report zone.
    Day,
    /// ISO week (Monday start), keyed by its Monday.
    Week,
    /// Calendar month.
    Month,
    /// Session id.
    Session,
    /// Model.
    Model,
    /// Project: repository root when known, else the session's cwd.
    Project,
    /// Client (`session_meta.originator`).
    Client,
}

impl Grouping {
    /// The `group_by` value of the JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Grouping::Day => "day",
            Grouping::Week => "week",
            Grouping::Month => "month",
            Grouping::Session => "session",
            Grouping::Model => "model",
            Grouping::Project => "project",
            Grouping::Client => "client",
        }
    }
}

/// A session with its counted usage events; its facts are a whole [`SessionInfo`], or only its
/// [`SessionKeys`](crate::keys::SessionKeys) where a report needs no more.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SessionUsage<I = SessionInfo> {
    /// Session facts.
    pub info: I,
    /// Counted usage, in order.
    pub events: Vec<UsageEvent>,
}

/// Filters and grouping for one report.
#[derive(Debug, Clone)]
pub struct StatsQuery {
    /// Row key.
    pub grouping: Grouping,
    /// Zone that decides days, weeks and months.
    pub zone: Zone,
    /// First day included (in `zone`).
    pub since: Option<NaiveDate>,
    /// Last day included (in `zone`).
    pub until: Option<NaiveDate>,
    /// Only this model (after the user's aliases).
    pub model: Option<String>,
    /// Only sessions whose cwd is this directory or below.
    pub cwd: Option<String>,
}

/// Tokens and cost of one model within a row (or of a row, or of the whole report).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Amount {
    /// Token counts.
    #[serde(flatten)]
    pub usage: TokenUsage,
    /// USD of the priced part; `None` when no part is priced (never $0 for unpriced usage).
    pub cost_usd: Option<f64>,
    /// Whether every part is priced, so that `cost_usd` is the whole cost.
    pub cost_complete: bool,
    /// What has no price, sorted: a model, or a model on a tier (`gpt-5.2-codex (priority)`).
    pub unpriced_models: Vec<String>,
}

impl Amount {
    /// Nothing yet: no tokens, no cost, complete.
    fn empty() -> Amount {
        Amount {
            usage: TokenUsage::default(),
            cost_usd: None,
            cost_complete: true,
            unpriced_models: Vec::new(),
        }
    }

    /// Adds `usage` at `price` (`None`: unpriced, recorded under `label`).
    fn add_part(&mut self, usage: &TokenUsage, price: Option<f64>, label: impl FnOnce() -> String) {
        self.usage.add(usage);
        if let Some(cost) = price {
            self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + cost);
        } else {
            self.cost_complete = false;
            let label = label();
            if let Err(at) = self.unpriced_models.binary_search(&label) {
                self.unpriced_models.insert(at, label);
            }
        }
    }

    /// Adds another amount: priced parts add up, unpriced ones are listed.
    fn add(&mut self, other: &Amount) {
        self.usage.add(&other.usage);
        if let Some(cost) = other.cost_usd {
            self.cost_usd = Some(self.cost_usd.unwrap_or(0.0) + cost);
        }
        self.cost_complete &= other.cost_complete;
        for label in &other.unpriced_models {
            if let Err(at) = self.unpriced_models.binary_search(label) {
                self.unpriced_models.insert(at, label.clone());
            }
        }
    }

    /// An amount with nothing in it costs $0 (there is nothing unpriced).
    fn finish(mut self) -> Amount {
        if self.cost_complete && self.cost_usd.is_none() {
            self.cost_usd = Some(0.0);
        }
        self
    }
}

/// One report row.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Row {
    /// The group key (a date, a session id, a model, …).
    pub key: String,
    /// Sum over the row.
    #[serde(flatten)]
    pub amount: Amount,
    /// Per-model split.
    pub models: BTreeMap<String, Amount>,
}

/// Usage with no price: a model, or a model on a service tier that has no price.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unpriced {
    /// The model as reported.
    pub model: String,
    /// The service tier (`None`: standard).
    pub tier: Option<String>,
}

impl Unpriced {
    /// `model`, or `model (tier)`.
    pub fn label(&self) -> String {
        label(&self.model, self.tier.as_deref())
    }
}

/// `model`, or `model (tier)`.
fn label(model: &str, tier: Option<&str>) -> String {
    match tier {
        Some(tier) => format!("{model} ({tier})"),
        None => model.to_owned(),
    }
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Report {
    /// `day`, `week`, …
    pub group_by: &'static str,
    /// The zone's name.
    pub tz: String,
    /// Rows sorted by key.
    pub rows: Vec<Row>,
    /// Sum over all rows.
    pub totals: Amount,
    /// What had usage but no price, sorted.
    #[serde(skip)]
    pub unpriced: Vec<Unpriced>,
}

/// One model's usage in a row, by service tier (`None`: standard).
type ByTier<'t> = BTreeMap<Option<&'t str>, TokenUsage>;

/// A row key before it is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    /// A day, a week's Monday, or a month's first day.
    Date(NaiveDate),
    /// A session id, model, project or client.
    Text(&'a str),
}

/// Builds the report for `query` over `sessions`.
pub fn compute<I: SessionFacts>(
    sessions: &[SessionUsage<I>],
    query: &StatsQuery,
    prices: &PriceTable,
) -> Report {
    let projects = if query.grouping == Grouping::Project {
        project_keys(sessions)
    } else {
        Vec::new()
    };
    // Sum by borrowed keys first: one hash-map update per event, no allocation.
    let mut sums: FxHashMap<(Key<'_>, &str, Option<&str>), TokenUsage> = FxHashMap::default();
    let mut days = query.zone.days();
    let wanted_model = query.model.as_deref().map(|m| prices.report_name(m));
    for (index, session) in sessions.iter().enumerate() {
        if let Some(dir) = &query.cwd
            && !session.info.is_under(dir)
        {
            continue;
        }
        for event in &session.events {
            let model = prices.report_name(&event.model);
            if wanted_model.is_some_and(|m| m != model) {
                continue;
            }
            let date = days.date_of(event.timestamp_ms);
            if query.since.is_some_and(|s| date < s) || query.until.is_some_and(|u| date > u) {
                continue;
            }
            let key = match query.grouping {
                Grouping::Day => Key::Date(date),
                Grouping::Week => Key::Date(week_start(date)),
                Grouping::Month => Key::Date(date.with_day(1).unwrap_or(date)),
                Grouping::Session => Key::Text(session.info.id()),
                Grouping::Model => Key::Text(model),
                Grouping::Project => Key::Text(&projects[index]),
                Grouping::Client => Key::Text(session.info.originator().unwrap_or("unknown")),
            };
            sums.entry((key, model, event.service_tier.as_deref()))
                .or_default()
                .add(&event.usage);
        }
    }
    // Row key → model → service tier → usage.
    let mut rows: BTreeMap<String, BTreeMap<String, ByTier<'_>>> = BTreeMap::new();
    for ((key, model, tier), usage) in sums {
        let key = match key {
            Key::Date(date) if query.grouping == Grouping::Month => {
                date.format("%Y-%m").to_string()
            }
            Key::Date(date) => date.format("%Y-%m-%d").to_string(),
            Key::Text(text) => text.to_owned(),
        };
        rows.entry(key)
            .or_default()
            .entry(model.to_owned())
            .or_default()
            .entry(tier)
            .or_default()
            .add(&usage);
    }
    let mut unpriced: Vec<Unpriced> = Vec::new();
    let mut price_of = |model: &str, by_tier: &ByTier<'_>| -> Amount {
        let mut amount = Amount::empty();
        for (tier, usage) in by_tier {
            let cost = prices.price_for(model, *tier).map(|p| p.cost(usage));
            if cost.is_none() {
                let missing = Unpriced {
                    model: model.to_owned(),
                    tier: tier.map(str::to_owned),
                };
                if let Err(at) = unpriced.binary_search(&missing) {
                    unpriced.insert(at, missing);
                }
            }
            amount.add_part(usage, cost, || label(model, *tier));
        }
        amount
    };
    let mut totals = Amount::empty();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(key, by_model)| {
            let models: BTreeMap<String, Amount> = by_model
                .iter()
                .map(|(m, by_tier)| (m.clone(), price_of(m, by_tier)))
                .collect();
            let mut amount = Amount::empty();
            for part in models.values() {
                amount.add(part);
            }
            totals.add(&amount);
            Row {
                key,
                amount,
                models,
            }
        })
        .collect();
    Report {
        group_by: query.grouping.name(),
        tz: query.zone.name(),
        rows,
        totals: totals.finish(),
        unpriced,
    }
}

/// Tokens and cost of `events`, priced as a report row is (summed per model and tier, then
/// priced): what `limits` counts inside a window and `statusline` for today.
pub fn amount_of<'e>(
    events: impl IntoIterator<Item = &'e UsageEvent>,
    prices: &PriceTable,
) -> Amount {
    let mut sums: BTreeMap<(&str, Option<&str>), TokenUsage> = BTreeMap::new();
    for event in events {
        sums.entry((
            prices.report_name(&event.model),
            event.service_tier.as_deref(),
        ))
        .or_default()
        .add(&event.usage);
    }
    let mut amount = Amount::empty();
    for ((model, tier), usage) in &sums {
        let cost = prices.price_for(model, *tier).map(|p| p.cost(usage));
        amount.add_part(usage, cost, || label(model, *tier));
    }
    amount.finish()
}

/// True when every event's quarter-hour is one local date in `zone`: then usage summed by
/// quarter-hour (timed at the quarter's start) gives the same report as the events themselves.
/// False only for a zone with an odd offset (an old local mean time, `+05:17`) at a midnight.
pub fn quarter_hours_are_whole_days<I>(sessions: &[SessionUsage<I>], zone: &Zone) -> bool {
    let mut days = zone.days();
    sessions
        .iter()
        .flat_map(|s| &s.events)
        .all(|e| days.quarter_is_one_date(e.timestamp_ms))
}

/// The project of each session: the shortest cwd among sessions of the same git repository
/// (same remote URL) that contains this session's cwd; else the workspace root Codex
/// recorded; else the cwd itself.
pub fn project_keys<I: SessionFacts>(sessions: &[SessionUsage<I>]) -> Vec<String> {
    // The same cwd (creation, else latest) on both sides: a session whose `session_meta` has
    // a repository URL but no cwd, and a `turn_context` with one, is a root like any other.
    fn cwd_of(info: &impl SessionFacts) -> Option<&str> {
        info.cwd().or(info.latest_cwd())
    }
    let mut roots_by_repo: HashMap<&str, Vec<&str>> = HashMap::new();
    for session in sessions {
        if let (Some(url), Some(cwd)) = (session.info.git_repository_url(), cwd_of(&session.info)) {
            let roots = roots_by_repo.entry(url).or_default();
            if !roots.contains(&cwd) {
                roots.push(cwd);
            }
        }
    }
    sessions
        .iter()
        .map(|session| {
            let info = &session.info;
            let Some(cwd) = cwd_of(info) else {
                return "unknown".to_owned();
            };
            let repo_root = info.git_repository_url().and_then(|url| {
                roots_by_repo
                    .get(url)?
                    .iter()
                    .filter(|root| path_is_under(cwd, root))
                    .min_by_key(|root| root.len())
            });
            repo_root.map_or_else(
                || {
                    info.workspace_root()
                        .map_or_else(|| cwd.to_owned(), str::to_owned)
                },
                |r| (*r).to_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests;
