//! `rolldex limits`: rate-limit windows now, their history, projections; `--watch` redraws.

use chrono::Days;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use super::stats::date_range;
use super::watch::watch;
use crate::cli::LimitsArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::limits::{LimitsQuery, compute};
use crate::output::limits::write_limits;

/// Runs `limits` once, or until Ctrl-C with `--watch`.
pub fn run(config: &Config, args: &LimitsArgs, io: &mut Io<'_>) -> Result<()> {
    if args.watch {
        return watch(config, io, &mut |io| {
            once(config, args, Freshness::Update, io)
        });
    }
    once(config, args, Freshness::for_query(args.no_update), io)
}

fn once(config: &Config, args: &LimitsArgs, freshness: Freshness, io: &mut Io<'_>) -> Result<()> {
    let (since, until) = date_range(args.since.as_deref(), args.until.as_deref())?;
    let query = LimitsQuery {
        now_ms: now_ms(args.now.as_deref())?,
        history: args.history,
        since_ms: since.map(|d| config.zone.start_of(d)),
        until_ms: until
            .and_then(|d| d.checked_add_days(Days::new(1)))
            .map(|d| config.zone.start_of(d)),
        top_sessions: args.top,
    };
    let (sessions, limits) = open_index(config, freshness, Needs::Usage, io)?
        .0
        .into_sessions_with_limits();
    let report = compute(&sessions, &limits, &homes(config), &query, &config.prices);
    write_limits(io.out, &report, config.format, &config.zone, config.columns)
        .map_err(|e| Error::io("<stdout>", e))
}

/// The configured homes as text (a session belongs to the home its path is under).
pub fn homes(config: &Config) -> Vec<String> {
    config
        .homes
        .iter()
        .map(|h| h.to_string_lossy().into_owned())
        .collect()
}

/// Now, or the hidden `--now` instant (tests pin the clock with it).
pub fn now_ms(now: Option<&str>) -> Result<i64> {
    match now {
        Some(text) => chrono::DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp_millis())
            .map_err(|_| Error::Usage(format!("--now {text:?}: expected an RFC 3339 time"))),
        None => Ok(chrono::Utc::now().timestamp_millis()),
    }
}
