//! `rolldex sessions`: lists sessions from the index, newest activity first.

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use super::search::SessionFilter;
use super::stats::{absolute, date_range};
use crate::cli::SessionsArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::output::sessions::{session_view, write_sessions};

/// Runs `sessions`.
pub fn run(config: &Config, args: &SessionsArgs, io: &mut Io<'_>) -> Result<()> {
    let (since, until) = date_range(args.since.as_deref(), args.until.as_deref())?;
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let filter = SessionFilter {
        cwd: args
            .cwd
            .as_deref()
            .map(|p| absolute(p).to_string_lossy().into_owned()),
        model: args.model.clone(),
        include_non_interactive: args.include_non_interactive,
    };
    let since_ms = since.map(|d| config.zone.start_of(d));
    let until_ms = until
        .and_then(|d| d.succ_opt())
        .map(|d| config.zone.start_of(d));
    let mut sessions: Vec<&SessionInfo> = store
        .session_infos()
        .into_iter()
        .filter(|s| filter.accepts(s))
        .filter(|s| since_ms.is_none_or(|t| s.updated_at_ms.is_some_and(|u| u >= t)))
        .filter(|s| {
            until_ms.is_none_or(|t| s.started_at_ms.or(s.updated_at_ms).is_some_and(|u| u < t))
        })
        .collect();
    sort_newest_first(&mut sessions);
    sessions.truncate(args.limit);
    let local = |ms: i64| config.zone.format_minute(ms);
    let views: Vec<_> = sessions.iter().map(|s| session_view(s, &local)).collect();
    write_sessions(io.out, &views, config.format).map_err(|e| Error::io("<stdout>", e))
}

/// Sorts by last activity, newest first; ties by id for a stable order.
pub fn sort_newest_first(sessions: &mut [&SessionInfo]) {
    sessions.sort_by(|a, b| {
        b.updated_at_ms
            .cmp(&a.updated_at_ms)
            .then_with(|| b.id.cmp(&a.id))
    });
}
