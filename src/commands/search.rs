//! `rolldex search`: full-text search, one hit per session. Exit 0 with hits, 1 without.

use std::collections::HashSet;
use std::io::IsTerminal;

use rustc_hash::FxHashMap;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use super::stats::{absolute, date_range};
use crate::cli::{RoleArg, SearchArgs};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::output::Format;
use crate::output::hits::{view, write_hits};
use crate::query::{RoleFilter, SearchRequest, search};

/// Runs `search`; returns the exit code.
pub fn run(config: &Config, args: &SearchArgs, io: &mut Io<'_>) -> Result<u8> {
    let text = args.query.join(" ");
    let (since, until) = date_range(args.since.as_deref(), args.until.as_deref())?;
    if args.limit == 0 {
        return Err(Error::Usage("--limit must be at least 1".into()));
    }
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let sessions: FxHashMap<&str, &SessionInfo> = store
        .session_infos()
        .into_iter()
        .map(|s| (s.id.as_str(), s))
        .collect();
    let filter = SessionFilter {
        cwd: args
            .cwd
            .as_deref()
            .map(|p| absolute(p).to_string_lossy().into_owned()),
        model: args.model.clone(),
        // The interactive flag is on every document: no session list needed for it.
        include_non_interactive: true,
    };
    let request = SearchRequest {
        text,
        since_ms: since.map(|d| config.zone.start_of(d)),
        until_ms: until
            .and_then(|d| d.succ_opt())
            .map(|d| config.zone.start_of(d)),
        role: args.role.map(|r| match r {
            RoleArg::User => RoleFilter::User,
            RoleArg::Assistant => RoleFilter::Assistant,
            RoleArg::Reasoning => RoleFilter::Reasoning,
            RoleArg::Tool => RoleFilter::Tool,
        }),
        sessions: filter.allowed(sessions.values().copied()),
        interactive_only: !args.include_non_interactive,
        limit: args.limit,
    };
    let hits = search(&store, &request)?;
    let color = config.format == Format::Table
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let views: Vec<_> = hits
        .iter()
        .map(|h| {
            view(
                h,
                sessions.get(h.session_id.as_str()).copied(),
                config.zone.format_minute(h.timestamp_ms),
                color,
            )
        })
        .collect();
    if hits.is_empty() {
        if config.format == Format::Json {
            write_hits(io.out, &views, config.format).map_err(|e| Error::io("<stdout>", e))?;
        }
        if !config.quiet {
            let _ = writeln!(io.err, "rolldex: no matches for {:?}", request.text);
        }
        return Ok(1);
    }
    write_hits(io.out, &views, config.format).map_err(|e| Error::io("<stdout>", e))?;
    Ok(0)
}

/// Session-level filters shared by `search`, `resume` and `sessions`.
#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    /// Only sessions in this directory or below.
    pub cwd: Option<String>,
    /// Only sessions that used this model.
    pub model: Option<String>,
    /// Keep `codex exec` and sub-agent sessions.
    pub include_non_interactive: bool,
}

impl SessionFilter {
    /// True when `session` passes.
    pub fn accepts(&self, session: &SessionInfo) -> bool {
        (self.include_non_interactive || session.interactive)
            && self.cwd.as_deref().is_none_or(|dir| session.is_under(dir))
            && self
                .model
                .as_deref()
                .is_none_or(|m| session.models.iter().any(|x| x.eq_ignore_ascii_case(m)))
    }

    /// The ids that pass, or `None` when the filter keeps everything.
    pub fn allowed<'a>(
        &self,
        sessions: impl Iterator<Item = &'a SessionInfo>,
    ) -> Option<HashSet<String>> {
        let mut all = true;
        let mut kept = HashSet::new();
        for session in sessions {
            if self.accepts(session) {
                kept.insert(session.id.clone());
            } else {
                all = false;
            }
        }
        (!all).then_some(kept)
    }
}
