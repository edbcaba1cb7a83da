//! `rolldex sessions`: lists sessions from the index, newest activity first.

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use crate::cli::SessionsArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::filters::{DateRange, absolute_text};
use crate::find::{ListQuery, SessionFilter, list_sessions};
use crate::output::sessions::{session_view, write_sessions};

/// Runs `sessions`.
pub fn run(config: &Config, args: &SessionsArgs, io: &mut Io<'_>) -> Result<()> {
    let range = DateRange::parse(args.since.as_deref(), args.until.as_deref())?;
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let filter = SessionFilter {
        cwd: args.cwd.as_deref().map(absolute_text),
        model: args.model.clone(),
        include_non_interactive: args.include_non_interactive,
    };
    let (since_ms, until_ms) = range.bounds_ms(&config.zone);
    let query = ListQuery {
        filter,
        since_ms,
        until_ms,
    };
    let (sessions, _) = list_sessions(&store, &query, args.limit);
    let local = |ms: i64| config.zone.format_minute(ms);
    let views: Vec<_> = sessions.iter().map(|s| session_view(s, &local)).collect();
    let written = write_sessions(io.out, &views, config.format, config.columns)
        .map_err(|e| Error::io("<stdout>", e));
    drop((views, sessions));
    super::keep_until_exit(store);
    written
}
