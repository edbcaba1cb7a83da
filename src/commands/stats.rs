//! `rolldex stats`: token usage and cost reports.

use super::refresh::{Freshness, Needs, open_index};
use super::{Io, report_skipped};
use crate::cli::{GroupArg, StatsArgs};
use crate::config::Config;
use crate::error::{Error, Result};
// Re-exported for front ends that still reach them here; the library owns them.
pub use crate::filters::{absolute, date_range, parse_date};
use crate::load::load_sessions;
use crate::model::UNKNOWN_MODEL;
use crate::output::sanitize;
use crate::output::stats::write_report;
use crate::scan::{Patterns, scan_homes};
use crate::stats::{Grouping, Report, StatsQuery, Unpriced, compute, quarter_hours_are_whole_days};

/// Runs `stats`: from the index (brought up to date first), or by a direct scan; with
/// `--watch`, again after every change until Ctrl-C.
pub fn run(config: &Config, args: &StatsArgs, io: &mut Io<'_>) -> Result<()> {
    if args.watch {
        return super::watch::watch(config, io, &mut |io| once(config, args, io, false));
    }
    once(config, args, io, true)
}

/// One `stats` report; `last` when the process ends after it.
fn once(config: &Config, args: &StatsArgs, io: &mut Io<'_>, last: bool) -> Result<()> {
    let query = build_query(config, args)?;
    let sessions = if args.no_index {
        let scan = scan_homes(&config.homes, &Patterns::new(&config.excludes)?)?;
        let loaded = load_sessions(&scan);
        if !config.quiet {
            report_skipped(io.err, &loaded.report, loaded.duplicates)
                .map_err(|e| Error::io("<stderr>", e))?;
        }
        loaded.sessions
    } else {
        let freshness = Freshness::for_query(args.no_update);
        let mut store = open_index(config, freshness, Needs::Report, io)?.0;
        let (mut sessions, summed) = store.take_usage();
        let mut with_events;
        if summed && !quarter_hours_are_whole_days(&sessions, &query.zone) {
            // A zone with an odd offset: the quarter-hour sums cannot say which side of its
            // midnight each event fell on; the events can.
            with_events = open_index(config, Freshness::AsIs, Needs::Usage, io)?.0;
            sessions = with_events.take_usage().0;
        }
        let report = compute(&sessions, &query, &config.prices);
        let finished = finish(config, args, io, &report);
        if last {
            super::keep_until_exit((sessions, report));
            super::keep_until_exit(store);
        }
        return finished;
    };
    let report = compute(&sessions, &query, &config.prices);
    finish(config, args, io, &report)
}

/// Prints `report` and what it left out.
fn finish(config: &Config, args: &StatsArgs, io: &mut Io<'_>, report: &Report) -> Result<()> {
    write_report(
        io.out,
        report,
        config.format,
        args.breakdown,
        config.columns,
    )
    .map_err(|e| Error::io("<stdout>", e))?;
    if !config.quiet {
        let named: Vec<&Unpriced> = report
            .unpriced
            .iter()
            .filter(|m| m.model != UNKNOWN_MODEL)
            .collect();
        if let Some(first) = named.first() {
            let table = match &first.tier {
                Some(tier) => format!("[prices.\"{}\".{tier}]", first.model),
                None => format!("[prices.\"{}\"]", first.model),
            };
            let names: Vec<String> = named.iter().map(|m| m.label()).collect();
            let _ = writeln!(
                io.err,
                "rolldex: no price for {}, so its usage is left out of the costs (marked incomplete); \
                 add one to your config.toml: {} input = … cached_input = … output = … \
                 (USD per million tokens)",
                sanitize(&names.join(", ")),
                sanitize(&table)
            );
        }
        if report.unpriced.iter().any(|m| m.model == UNKNOWN_MODEL) {
            let _ = writeln!(
                io.err,
                "rolldex: some usage has no model name (Codex before 0.35 did not record it) and is unpriced"
            );
        }
    }
    Ok(())
}

/// Turns `stats` arguments into a query.
pub fn build_query(config: &Config, args: &StatsArgs) -> Result<StatsQuery> {
    let grouping = match args.group {
        GroupArg::Daily => Grouping::Day,
        GroupArg::Weekly => Grouping::Week,
        GroupArg::Monthly => Grouping::Month,
        GroupArg::Session => Grouping::Session,
        GroupArg::Model => Grouping::Model,
        GroupArg::Project => Grouping::Project,
        GroupArg::Client => Grouping::Client,
    };
    let (since, until) = date_range(args.since.as_deref(), args.until.as_deref())?;
    Ok(StatsQuery {
        grouping,
        zone: config.zone.clone(),
        since,
        until,
        model: args.model.clone(),
        cwd: args
            .cwd
            .as_deref()
            .map(|p| absolute(p).to_string_lossy().into_owned()),
    })
}
