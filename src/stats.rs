//! Usage reports: folds usage events into rows by day, week, month, session, model, project
//! or client, with per-model breakdowns and costs.
//!
//! Pure computation over sessions and their events; the same code serves a direct scan and the
//! index, so both give identical numbers by construction.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::model::{SessionInfo, TokenUsage, UsageEvent, path_is_under};
use crate::pricing::PriceTable;
use crate::timezone::{Zone, week_start};

/// What rows are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// A session with its counted usage events.
#[derive(Debug, Clone, Default)]
pub struct SessionUsage {
    /// Session facts.
    pub info: SessionInfo,
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

/// Tokens and cost of one model within a row.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Amount {
    /// Token counts.
    #[serde(flatten)]
    pub usage: TokenUsage,
    /// USD, or `None` when any part is unpriced.
    pub cost_usd: Option<f64>,
}

/// One report row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The group key (a date, a session id, a model, …).
    pub key: String,
    /// Sum over the row.
    #[serde(flatten)]
    pub amount: Amount,
    /// Per-model split.
    pub models: BTreeMap<String, Amount>,
}

/// A whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `day`, `week`, …
    pub group_by: &'static str,
    /// The zone's name.
    pub tz: String,
    /// Rows sorted by key.
    pub rows: Vec<Row>,
    /// Sum over all rows.
    pub totals: Amount,
    /// Models that had usage but no price.
    #[serde(skip)]
    pub unpriced: Vec<String>,
}

/// A row key before it is formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'a> {
    /// A day, a week's Monday, or a month's first day.
    Date(NaiveDate),
    /// A session id, model, project or client.
    Text(&'a str),
}

/// Builds the report for `query` over `sessions`.
pub fn compute(sessions: &[SessionUsage], query: &StatsQuery, prices: &PriceTable) -> Report {
    let projects = if query.grouping == Grouping::Project {
        project_keys(sessions)
    } else {
        Vec::new()
    };
    // Sum by borrowed keys first: one hash-map update per event, no allocation.
    let mut sums: FxHashMap<(Key<'_>, &str), TokenUsage> = FxHashMap::default();
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
                Grouping::Session => Key::Text(&session.info.id),
                Grouping::Model => Key::Text(model),
                Grouping::Project => Key::Text(&projects[index]),
                Grouping::Client => {
                    Key::Text(session.info.originator.as_deref().unwrap_or("unknown"))
                }
            };
            sums.entry((key, model)).or_default().add(&event.usage);
        }
    }
    let mut rows: BTreeMap<String, BTreeMap<String, TokenUsage>> = BTreeMap::new();
    for ((key, model), usage) in sums {
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
            .add(&usage);
    }
    let mut unpriced: Vec<String> = Vec::new();
    let mut price_of = |model: &str, usage: &TokenUsage| -> Amount {
        let cost_usd = prices.price(model).map(|p| p.cost(usage));
        if cost_usd.is_none() && !unpriced.iter().any(|m| m == model) {
            unpriced.push(model.to_owned());
        }
        Amount {
            usage: *usage,
            cost_usd,
        }
    };
    let mut totals = Amount {
        usage: TokenUsage::default(),
        cost_usd: Some(0.0),
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|(key, by_model)| {
            let models: BTreeMap<String, Amount> = by_model
                .iter()
                .map(|(m, u)| (m.clone(), price_of(m, u)))
                .collect();
            let amount = sum_amounts(models.values());
            totals = sum_amounts([&totals, &amount]);
            Row {
                key,
                amount,
                models,
            }
        })
        .collect();
    unpriced.sort();
    Report {
        group_by: query.grouping.name(),
        tz: query.zone.name(),
        rows,
        totals,
        unpriced,
    }
}

/// Sums amounts; the cost is `None` as soon as one part is unpriced.
fn sum_amounts<'a>(amounts: impl IntoIterator<Item = &'a Amount>) -> Amount {
    let mut total = Amount {
        usage: TokenUsage::default(),
        cost_usd: Some(0.0),
    };
    for amount in amounts {
        total.usage.add(&amount.usage);
        total.cost_usd = match (total.cost_usd, amount.cost_usd) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    total
}

/// The project of each session: the shortest cwd among sessions of the same git repository
/// (same remote URL) that contains this session's cwd; else the workspace root Codex
/// recorded; else the cwd itself.
pub fn project_keys(sessions: &[SessionUsage]) -> Vec<String> {
    let mut roots_by_repo: HashMap<&str, Vec<&str>> = HashMap::new();
    for session in sessions {
        if let (Some(url), Some(cwd)) = (
            session.info.git_repository_url.as_deref(),
            session.info.cwd.as_deref(),
        ) {
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
            let cwd = info.cwd.as_deref().or(info.latest_cwd.as_deref());
            let Some(cwd) = cwd else {
                return "unknown".to_owned();
            };
            let repo_root = info.git_repository_url.as_deref().and_then(|url| {
                roots_by_repo[url]
                    .iter()
                    .filter(|root| path_is_under(cwd, root))
                    .min_by_key(|root| root.len())
            });
            repo_root.map_or_else(
                || {
                    info.workspace_root
                        .clone()
                        .unwrap_or_else(|| cwd.to_owned())
                },
                |r| (*r).to_owned(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(ts: &str, model: &str, input: i64, output: i64) -> UsageEvent {
        UsageEvent {
            timestamp_ms: chrono::DateTime::parse_from_rfc3339(ts)
                .expect("ts")
                .timestamp_millis(),
            model: model.into(),
            usage: TokenUsage {
                input_tokens: input,
                cached_input_tokens: 0,
                output_tokens: output,
                reasoning_output_tokens: 0,
                total_tokens: input + output,
            },
        }
    }

    fn query(grouping: Grouping, zone: &str) -> StatsQuery {
        StatsQuery {
            grouping,
            zone: Zone::parse(zone).expect("zone"),
            since: None,
            until: None,
            model: None,
            cwd: None,
        }
    }

    #[test]
    fn days_follow_the_zone_and_unpriced_is_null() {
        let session = SessionUsage {
            info: SessionInfo {
                id: "s1".into(),
                ..SessionInfo::default()
            },
            events: vec![
                event("2026-03-05T20:00:00Z", "gpt-5", 1_000_000, 0),
                event("2026-03-05T10:00:00Z", "mystery", 10, 5),
            ],
        };
        let prices = PriceTable::bundled();
        let utc = compute(
            std::slice::from_ref(&session),
            &query(Grouping::Day, "UTC"),
            &prices,
        );
        assert_eq!(utc.rows.len(), 1);
        assert_eq!(utc.rows[0].amount.usage.total_tokens, 1_000_015);
        assert_eq!(utc.rows[0].amount.cost_usd, None);
        assert_eq!(utc.unpriced, vec!["mystery".to_owned()]);
        let nepal = compute(
            std::slice::from_ref(&session),
            &query(Grouping::Day, "Asia/Kathmandu"),
            &prices,
        );
        let keys: Vec<&str> = nepal.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["2026-03-05", "2026-03-06"]);
        assert_eq!(nepal.rows[1].amount.cost_usd, Some(1.25));
        assert_eq!(nepal.totals.usage, utc.totals.usage);
    }

    #[test]
    fn projects_collapse_to_repository_root() {
        let mk = |cwd: &str, url: Option<&str>| SessionUsage {
            info: SessionInfo {
                cwd: Some(cwd.into()),
                git_repository_url: url.map(str::to_owned),
                ..SessionInfo::default()
            },
            events: vec![],
        };
        let sessions = [
            mk("/p/app", Some("git@x:r")),
            mk("/p", Some("git@x:r")),
            mk("/q", None),
            mk("/clone2/sub", Some("git@x:r")),
        ];
        assert_eq!(project_keys(&sessions), ["/p", "/p", "/q", "/clone2/sub"]);
    }
}
