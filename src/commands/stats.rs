//! `rolldex stats`: token usage and cost reports.

use chrono::NaiveDate;

use super::refresh::{Freshness, Needs, open_index};
use super::{Io, report_skipped};
use crate::cli::{GroupArg, StatsArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::load::load_sessions;
use crate::model::UNKNOWN_MODEL;
use crate::output::sanitize;
use crate::output::stats::write_report;
use crate::scan::{Patterns, scan_homes};
use crate::stats::{Grouping, StatsQuery, Unpriced, compute};

/// Runs `stats`: from the index (brought up to date first), or by a direct scan.
pub fn run(config: &Config, args: &StatsArgs, io: &mut Io<'_>) -> Result<()> {
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
        open_index(config, freshness, Needs::Usage, io)?
            .0
            .into_sessions()
    };
    let report = compute(&sessions, &query, &config.prices);
    write_report(io.out, &report, config.format, args.breakdown)
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

/// Parses `--since` and `--until` (inclusive days), refusing a range that ends before it starts.
pub fn date_range(
    since: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>)> {
    let since = since.map(|d| parse_date("--since", d)).transpose()?;
    let until = until.map(|d| parse_date("--until", d)).transpose()?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return Err(Error::Usage(format!("--since {s} is after --until {u}")));
    }
    Ok((since, until))
}

/// Parses `YYYY-MM-DD`, naming the flag in the error.
pub fn parse_date(flag: &str, text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| Error::Usage(format!("{flag} {text:?}: expected a date like 2026-03-05")))
}

/// Makes a user-given directory absolute and resolves `.` and `..` by the text alone (no
/// filesystem access: the directory may be gone, or on a dead mount). A Windows path
/// (`D:\proj`, sessions recorded on Windows) is kept as written: here it is not relative to
/// the current directory, and `path_is_under` compares it the Windows way.
pub fn absolute(path: &std::path::Path) -> std::path::PathBuf {
    let text = path.to_string_lossy();
    if !path.is_absolute() && crate::model::is_windows_path(&text) {
        return path.to_path_buf();
    }
    crate::config::absolute_clean(path)
}
