//! `rolldex search`: full-text search, one hit per session. Exit 0 with hits, 1 without.

use std::io::IsTerminal;

use super::Io;
use super::refresh::{Freshness, Needs, answer};
use crate::cli::{RoleArg, SearchArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::filters::{DateRange, absolute_text};
pub use crate::find::SessionFilter;
use crate::find::{HitQuery, find_hits, hidden_hit_count, with_sessions};
use crate::output::Format;
use crate::output::hits::{view, write_hits};
use crate::query::RoleFilter;

/// Runs `search`; returns the exit code.
pub fn run(config: &Config, args: &SearchArgs, io: &mut Io<'_>) -> Result<u8> {
    let text = args.query.join(" ");
    let range = DateRange::parse(args.since.as_deref(), args.until.as_deref())?;
    if args.limit == 0 {
        return Err(Error::Usage("--limit must be at least 1".into()));
    }
    let (since_ms, until_ms) = range.bounds_ms(&config.zone);
    let query = HitQuery {
        text,
        since_ms,
        until_ms,
        role: args.role.map(role_filter),
        filter: SessionFilter {
            cwd: args.cwd.as_deref().map(absolute_text),
            model: args.model.clone(),
            include_non_interactive: args.include_non_interactive,
        },
        limit: args.limit,
    };
    let (store, _, hits) = answer(
        config,
        Freshness::for_query(args.no_update),
        Needs::Search,
        io,
        |store| find_hits(store, &query),
    )?;
    let hits = with_sessions(&store, hits);
    // Colour only in a table on a terminal that takes it.
    let color =
        config.format == Format::Table && std::io::stdout().is_terminal() && config.color_allowed;
    let views: Vec<_> = hits
        .iter()
        .map(|h| {
            view(
                &h.hit,
                h.session,
                config.zone.format_minute(h.hit.timestamp_ms),
                color,
            )
        })
        .collect();
    if hits.is_empty() {
        if config.format == Format::Json {
            write_hits(io.out, &views, config.format, config.columns)
                .map_err(|e| Error::io("<stdout>", e))?;
        }
        if !config.quiet {
            let hidden = hidden_hit_count(&store, &query, super::HIDDEN_COUNTED);
            let hint = super::hidden_matches_hint(hidden);
            let _ = writeln!(io.err, "rolldex: no matches for {:?}{hint}", query.text);
        }
        return Ok(1);
    }
    write_hits(io.out, &views, config.format, config.columns)
        .map_err(|e| Error::io("<stdout>", e))?;
    drop(views);
    drop(hits);
    super::keep_until_exit(store);
    Ok(0)
}

/// The library's role filter for `--role`.
pub fn role_filter(role: RoleArg) -> RoleFilter {
    match role {
        RoleArg::User => RoleFilter::User,
        RoleArg::Assistant => RoleFilter::Assistant,
        RoleArg::Reasoning => RoleFilter::Reasoning,
        RoleArg::Tool => RoleFilter::Tool,
    }
}
