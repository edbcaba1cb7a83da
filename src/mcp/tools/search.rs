//! The tools that find sessions: `search_sessions` (by the words of their messages) and
//! `list_sessions` (by where, when and with which model), answered with the hits and session
//! views of `rolldex search --json` and `rolldex sessions --json`.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ToolResult, answer, clip_line, dates, filter, finish_text, limit};
use crate::config::Config;
use crate::find::{HitQuery, ListQuery, hidden_hit_count, list_sessions, search_hits};
use crate::index::IndexStore;
use crate::output::hits::{HitView, view};
use crate::output::sessions::{SessionView, session_view};
use crate::query::RoleFilter;

/// Most sessions `search_sessions` returns.
const MAX_HITS: usize = 50;
/// Most sessions `list_sessions` returns.
const MAX_SESSIONS: usize = 100;

/// `role` values.
#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleParam {
    /// What the user typed.
    User,
    /// The assistant's replies.
    Assistant,
    /// Reasoning summaries.
    Reasoning,
    /// Tool calls (commands, patches) and their output.
    Tool,
}

/// Parameters of `search_sessions`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SearchParams {
    /// Words that must all occur in one message. "quoted phrase", -excluded, prefix*.
    /// Identifiers (ERR_QX7731, src/import.rs, a commit hash) are found whole and by parts.
    pub query: String,
    /// Only sessions in this directory or below (absolute path).
    pub cwd: Option<String>,
    /// Only messages on or after this day (YYYY-MM-DD, in the server's --tz).
    pub since: Option<String>,
    /// Only messages on or before this day (YYYY-MM-DD).
    pub until: Option<String>,
    /// Only this kind of message.
    pub role: Option<RoleParam>,
    /// Only sessions that used this model.
    pub model: Option<String>,
    /// How many sessions (1 to 50, default 10).
    pub limit: Option<usize>,
    /// Include `codex exec` and sub-agent sessions (default false).
    pub include_non_interactive: Option<bool>,
}

/// Result of `search_sessions`: the same hits as `rolldex search --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct SearchResult<'a> {
    /// One hit per session, best first.
    pub hits: Vec<HitView<'a>>,
    /// More sessions matched than `limit`: raise it or narrow the query.
    pub more: bool,
    /// Remarks about the answer (an index still catching up, …).
    pub notes: Vec<String>,
}

/// Parameters of `list_sessions`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ListParams {
    /// Only sessions in this directory or below (absolute path).
    pub cwd: Option<String>,
    /// Only sessions active on or after this day (YYYY-MM-DD).
    pub since: Option<String>,
    /// Only sessions started on or before this day (YYYY-MM-DD).
    pub until: Option<String>,
    /// Only sessions that used this model.
    pub model: Option<String>,
    /// How many sessions (1 to 100, default 20).
    pub limit: Option<usize>,
    /// Include `codex exec` and sub-agent sessions (default false).
    pub include_non_interactive: Option<bool>,
}

/// Result of `list_sessions`: the same sessions as `rolldex sessions --json`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ListResult<'a> {
    /// Newest activity first.
    pub sessions: Vec<SessionView<'a>>,
    /// How many sessions passed the filters.
    pub total: usize,
    /// More sessions passed than `limit`.
    pub more: bool,
    /// Remarks about the answer.
    pub notes: Vec<String>,
}

/// `search_sessions`.
pub fn search(
    config: &Config,
    store: &IndexStore,
    p: &SearchParams,
    notes: Vec<String>,
) -> ToolResult {
    let limit = limit(p.limit, 10, MAX_HITS)?;
    let (since, until) = dates(p.since.as_deref(), p.until.as_deref())?;
    if p.query.trim().is_empty() {
        return Err("query is empty: give the words to look for".into());
    }
    let query = HitQuery {
        text: p.query.clone(),
        since_ms: since.map(|d| config.zone.start_of(d)),
        until_ms: until
            .and_then(|d| d.succ_opt())
            .map(|d| config.zone.start_of(d)),
        role: p.role.map(|r| match r {
            RoleParam::User => RoleFilter::User,
            RoleParam::Assistant => RoleFilter::Assistant,
            RoleParam::Reasoning => RoleFilter::Reasoning,
            RoleParam::Tool => RoleFilter::Tool,
        }),
        filter: filter(
            p.cwd.as_deref(),
            p.model.as_deref(),
            p.include_non_interactive,
        ),
        limit: limit + 1,
    };
    let mut found = search_hits(store, &query).map_err(|e| e.to_string())?;
    let mut notes = notes;
    if found.is_empty() {
        // An agent told "nothing" would not think of the hidden sessions on its own.
        let hidden = hidden_hit_count(store, &query, MAX_HITS + 1);
        if hidden > 0 {
            let count = if hidden > MAX_HITS {
                format!("more than {MAX_HITS}")
            } else {
                hidden.to_string()
            };
            notes.push(format!(
                "{count} `codex exec` or sub-agent session(s) match: \
                 set include_non_interactive to true to see them"
            ));
        }
    }
    let more = found.len() > limit;
    found.truncate(limit);
    let hits: Vec<HitView<'_>> = found
        .iter()
        .map(|h| {
            view(
                &h.hit,
                h.session,
                config.zone.format_minute(h.hit.timestamp_ms),
                false,
            )
        })
        .collect();
    let mut text = String::new();
    if hits.is_empty() {
        let _ = writeln!(
            text,
            "No session matches {:?}. Try fewer or other words, a prefix (word*), or drop filters.",
            p.query
        );
    }
    for (i, h) in hits.iter().enumerate() {
        let _ = writeln!(
            text,
            "{}. {}  {}  {}\n   {}\n   [{}] {}",
            i + 1,
            h.session_id,
            h.local_time,
            h.cwd.unwrap_or("?"),
            h.title.map_or(String::new(), |t| clip_line(t, 100)),
            h.role,
            h.snippet
        );
    }
    if more {
        let _ = writeln!(
            text,
            "… more sessions match: raise limit (max {MAX_HITS}) or narrow with cwd, since, role."
        );
    }
    finish_text(&mut text, &notes);
    answer(text, &SearchResult { hits, more, notes })
}

/// `list_sessions`.
pub fn list(config: &Config, store: &IndexStore, p: &ListParams, notes: Vec<String>) -> ToolResult {
    let limit = limit(p.limit, 20, MAX_SESSIONS)?;
    let (since, until) = dates(p.since.as_deref(), p.until.as_deref())?;
    let query = ListQuery {
        filter: filter(
            p.cwd.as_deref(),
            p.model.as_deref(),
            p.include_non_interactive,
        ),
        since_ms: since.map(|d| config.zone.start_of(d)),
        until_ms: until
            .and_then(|d| d.succ_opt())
            .map(|d| config.zone.start_of(d)),
    };
    let (sessions, total) = list_sessions(store, &query, limit);
    let local = |ms: i64| config.zone.format_minute(ms);
    let views: Vec<SessionView<'_>> = sessions.iter().map(|s| session_view(s, &local)).collect();
    let mut text = String::new();
    if views.is_empty() {
        let _ = writeln!(text, "No sessions match these filters.");
    }
    for s in &views {
        let _ = writeln!(
            text,
            "{}  {}  {}  {} turns  {}",
            s.session_id,
            s.local.0,
            s.cwd.unwrap_or("?"),
            s.turns,
            clip_line(s.name.or(s.title).unwrap_or(""), 100)
        );
    }
    let more = total > views.len();
    if more {
        let _ = writeln!(
            text,
            "… {} more sessions: raise limit (max {MAX_SESSIONS}) or narrow with cwd, since, until.",
            total - views.len()
        );
    }
    finish_text(&mut text, &notes);
    answer(
        text,
        &ListResult {
            sessions: views,
            total,
            more,
            notes,
        },
    )
}
