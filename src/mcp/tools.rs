//! The MCP tools: their parameters and results (with JSON schemas), and what each does over an
//! open index through the library's use cases — the same functions the command line calls, so
//! a tool and its command answer a question with the same sessions and numbers.
//!
//! Results reuse the command line's JSON views (`HitView`, `SessionView`, stats rows), so the
//! field names are those of `--json`. Every result is bounded for an agent's context: default
//! and maximum limits, a `more`/`next_offset` marker where something was left out, and long
//! texts cut with a marker saying how much. Errors are messages that say what to change.

use std::fmt::Write as _;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::codex_config;
use crate::commands::stats::{absolute, parse_date};
use crate::config::Config;
use crate::find::{
    HitQuery, ListQuery, ResumeQuery, SessionFilter, list_sessions, search_hits, sessions_to_resume,
};
use crate::index::IndexStore;
use crate::model::{Message, Role, SessionInfo};
use crate::output::hits::{HitView, view};
use crate::output::sessions::{SessionView, rfc3339, session_view};
use crate::query::RoleFilter;
use crate::stats::{Amount, Grouping, Row, StatsQuery, compute};
use crate::timezone::Zone;
use crate::transcript;

/// A tool's answer: a short text for people and models, and the structured result.
#[derive(Debug)]
pub struct Answer {
    /// The short text rendering.
    pub text: String,
    /// The structured result (matches the tool's output schema).
    pub structured: serde_json::Value,
}

/// A tool error: a message that says what to change.
pub type ToolResult = std::result::Result<Answer, String>;

fn answer<T: Serialize>(text: String, result: &T) -> ToolResult {
    let structured = serde_json::to_value(result).map_err(|e| format!("internal error: {e}"))?;
    Ok(Answer { text, structured })
}

/// Most sessions `search_sessions` returns.
const MAX_HITS: usize = 50;
/// Most sessions `list_sessions` returns.
const MAX_SESSIONS: usize = 100;
/// Most messages one `read_session` page holds.
const MAX_TURNS: usize = 100;
/// Most rows one `usage_report` page holds.
const MAX_ROWS: usize = 500;
/// Characters of one message's text in `read_session` before it is cut.
const TURN_CHARS: usize = 2_000;
/// Characters of all texts of one `read_session` page: the page ends early beyond it.
const PAGE_CHARS: usize = 24_000;

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

/// Where `read_session` centres its page: a word or phrase (the first message that mentions
/// it), or a message index.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Around {
    /// A message index (`index` of a turn).
    Index(usize),
    /// A word or phrase, case-insensitive.
    Text(String),
}

/// Parameters of `read_session`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ReadParams {
    /// A session id, a unique prefix of one, or a thread name.
    pub session: String,
    /// Only the turns (a user message and what followed it) that mention this word.
    pub grep: Option<String>,
    /// Centre the page on the first message that mentions this word or phrase (or on this
    /// message index); overrides `offset`.
    pub around: Option<Around>,
    /// First message of the page (the `next_offset` of the previous page).
    pub offset: Option<usize>,
    /// Messages per page (1 to 100, default 20).
    pub limit: Option<usize>,
}

/// One message of a conversation, as `rolldex show --json` has it, shortened when long.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Turn {
    /// Position in the (grep-filtered) conversation: what `offset` and `around` count.
    pub index: usize,
    /// RFC 3339 time, when the line has one.
    pub timestamp: Option<String>,
    /// `user`, `assistant`, `reasoning`, `tool_call` or `tool_output`.
    pub role: &'static str,
    /// Tool name for tool calls and outputs.
    pub tool: Option<String>,
    /// The text; a long one is cut, with a marker saying how much is left out.
    pub text: String,
    /// Whether `text` was cut.
    pub shortened: bool,
    /// The rollout this message is inherited from (history held by reference), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
}

/// Result of `read_session`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ReadResult<'a> {
    /// The session's facts, as in `list_sessions`.
    pub session: SessionView<'a>,
    /// One page of messages, in order.
    pub turns: Vec<Turn>,
    /// Messages in the conversation (after `grep`).
    pub total: usize,
    /// Index of the first message of the page.
    pub offset: usize,
    /// The `offset` of the next page; absent on the last one.
    pub next_offset: Option<usize>,
    /// The message `around` found, if it was given.
    pub matched: Option<usize>,
    /// Remarks about the answer.
    pub notes: Vec<String>,
}

/// Parameters of `usage_report`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct UsageParams {
    /// How to group rows.
    pub group_by: Grouping,
    /// First day to include (YYYY-MM-DD, in `tz`).
    pub since: Option<String>,
    /// Last day to include (YYYY-MM-DD, in `tz`).
    pub until: Option<String>,
    /// Time zone that decides days, weeks and months: an IANA name, UTC, +05:30 or local
    /// (default: the server's --tz).
    pub tz: Option<String>,
    /// Only this model.
    pub model: Option<String>,
    /// Only sessions in this directory or below (absolute path).
    pub cwd: Option<String>,
    /// First row of the page (the `next_offset` of the previous page).
    pub offset: Option<usize>,
    /// Rows per page (1 to 500, default 100).
    pub limit: Option<usize>,
}

/// Result of `usage_report`: the rows and totals of `rolldex stats --json`, a page at a time.
#[derive(Debug, Serialize, JsonSchema)]
pub struct UsageResult {
    /// `day`, `week`, `month`, `session`, `model`, `project` or `client`.
    pub group_by: &'static str,
    /// The zone's name.
    pub tz: String,
    /// One page of rows, sorted by key.
    pub rows: Vec<Row>,
    /// Sum over all rows (every page).
    pub totals: Amount,
    /// Rows in the whole report.
    pub total_rows: usize,
    /// Index of the first row of the page.
    pub offset: usize,
    /// The `offset` of the next page; absent on the last one.
    pub next_offset: Option<usize>,
    /// Remarks about the answer.
    pub notes: Vec<String>,
}

/// Parameters of `session_to_resume`.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct ResumeParams {
    /// Words to look for in whole conversations and thread names; without it, the most
    /// recently active session.
    pub query: Option<String>,
    /// Only sessions in this directory or below (absolute path). Without a query, the default
    /// is the server's working directory, like `codex resume --last`.
    pub cwd: Option<String>,
}

/// Result of `session_to_resume`.
#[derive(Debug, Serialize, JsonSchema)]
pub struct ResumeResult<'a> {
    /// The session to resume.
    pub session_id: String,
    /// Resumes it in the Codex TUI.
    pub resume_command: String,
    /// Resumes it non-interactively: append the prompt to send.
    pub exec_resume_command: String,
    /// The session's facts (with the matching text when a query was given).
    pub session: SessionView<'a>,
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

/// `read_session`.
pub fn read(
    config: &Config,
    store: &IndexStore,
    p: &ReadParams,
    mut notes: Vec<String>,
) -> ToolResult {
    let limit = limit(p.limit, 20, MAX_TURNS)?;
    let sessions = store.session_infos();
    let session = resolve(config, &sessions, &p.session)?;
    let transcript = transcript::read(session, &store.file_sessions());
    if transcript.unreadable {
        return Err(format!(
            "cannot read {} (moved or deleted since it was indexed?)",
            session.path
        ));
    }
    if let Some(base) = &transcript.missing_base {
        notes.push(format!(
            "the history this session inherits from {base} is not on disk (archived elsewhere or deleted); showing what is"
        ));
    }
    let parts = transcript.views(p.grep.as_deref());
    let all: Vec<(Option<&str>, &Message)> = parts
        .iter()
        .flat_map(|(from, messages)| messages.iter().map(move |m| (*from, *m)))
        .collect();
    if all.is_empty() && p.grep.is_some() {
        return Err(format!(
            "no turn of session {} mentions {:?}: try another word, or read it without grep",
            session.id,
            p.grep.as_deref().unwrap_or("")
        ));
    }
    let total = all.len();
    let (offset, matched) = match &p.around {
        None => (p.offset.unwrap_or(0), None),
        Some(Around::Index(i)) if *i < total => (i.saturating_sub(limit / 2), Some(*i)),
        Some(Around::Index(i)) => {
            return Err(format!(
                "around {i} is past the last message ({total} messages): give an index below {total}"
            ));
        }
        Some(Around::Text(needle)) => {
            let lower = needle.to_lowercase();
            let Some(i) = all
                .iter()
                .position(|(_, m)| m.text.to_lowercase().contains(&lower))
            else {
                return Err(format!(
                    "no message of session {} mentions {needle:?}: try another word (search_sessions finds sessions by word)",
                    session.id
                ));
            };
            (i.saturating_sub(limit / 2), Some(i))
        }
    };
    if offset > total {
        return Err(format!(
            "offset {offset} is past the end ({total} messages): use an offset below {total}"
        ));
    }
    let mut turns = Vec::new();
    let mut used = 0;
    for (index, (from, message)) in all.iter().enumerate().skip(offset).take(limit) {
        let (text, shortened) = shorten(message);
        // Always at least one message, so a page moves on.
        if !turns.is_empty() && used + text.len() > PAGE_CHARS {
            break;
        }
        used += text.len();
        turns.push(Turn {
            index,
            timestamp: message.timestamp_ms.and_then(rfc3339),
            role: message.role.as_str(),
            tool: message.tool.clone(),
            text,
            shortened,
            inherited_from: from.map(str::to_owned),
        });
    }
    let end = offset + turns.len();
    let next_offset = (end < total).then_some(end);
    let local = |ms: i64| config.zone.format_minute(ms);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "session {}  {}  {}",
        session.id,
        session
            .latest_cwd
            .as_deref()
            .or(session.cwd.as_deref())
            .unwrap_or("?"),
        clip_line(session.display_name().unwrap_or(""), 100)
    );
    let _ = writeln!(
        text,
        "messages {offset}–{} of {total}",
        end.saturating_sub(1)
    );
    for turn in &turns {
        let when = all[turn.index]
            .1
            .timestamp_ms
            .map(local)
            .unwrap_or_default();
        let who = match (&turn.tool, turn.role) {
            (Some(tool), "tool_call" | "tool_output") => format!("{} ({tool})", turn.role),
            _ => turn.role.to_owned(),
        };
        let _ = writeln!(
            text,
            "── [{}] {when} {who}\n{}",
            turn.index,
            turn.text.trim_end()
        );
    }
    if let Some(next) = next_offset {
        let _ = writeln!(
            text,
            "… {} more messages: call again with offset {next}.",
            total - end
        );
    }
    finish_text(&mut text, &notes);
    answer(
        text,
        &ReadResult {
            session: session_view(session, &local),
            turns,
            total,
            offset,
            next_offset,
            matched,
            notes,
        },
    )
}

/// `usage_report`: needs the store's usage.
pub fn usage(
    config: &Config,
    store: IndexStore,
    p: &UsageParams,
    notes: Vec<String>,
) -> ToolResult {
    let limit = limit(p.limit, 100, MAX_ROWS)?;
    let (since, until) = dates(p.since.as_deref(), p.until.as_deref())?;
    let zone = match &p.tz {
        Some(tz) => Zone::parse(tz).map_err(|e| format!("tz: {e}"))?,
        None => config.zone.clone(),
    };
    let query = StatsQuery {
        grouping: p.group_by,
        zone,
        since,
        until,
        model: p.model.clone(),
        cwd: p.cwd.as_deref().map(cwd),
    };
    let sessions = store.into_sessions();
    let report = compute(&sessions, &query, &config.prices);
    let total_rows = report.rows.len();
    let offset = p.offset.unwrap_or(0);
    if offset > total_rows {
        return Err(format!(
            "offset {offset} is past the end ({total_rows} rows): use an offset below {total_rows}"
        ));
    }
    let rows: Vec<Row> = report.rows.into_iter().skip(offset).take(limit).collect();
    let end = offset + rows.len();
    let next_offset = (end < total_rows).then_some(end);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "usage by {} ({}), rows {offset}–{} of {total_rows}",
        report.group_by,
        report.tz,
        end.saturating_sub(1)
    );
    for row in &rows {
        let _ = writeln!(
            text,
            "{}  {} tokens  {}",
            clip_line(&row.key, 80),
            row.amount.usage.total_tokens,
            cost(&row.amount)
        );
    }
    let _ = writeln!(
        text,
        "total  {} tokens  {}",
        report.totals.usage.total_tokens,
        cost(&report.totals)
    );
    if let Some(next) = next_offset {
        let _ = writeln!(
            text,
            "… {} more rows: call again with offset {next}, or narrow with since/until.",
            total_rows - end
        );
    }
    finish_text(&mut text, &notes);
    answer(
        text,
        &UsageResult {
            group_by: report.group_by,
            tz: report.tz,
            rows,
            totals: report.totals,
            total_rows,
            offset,
            next_offset,
            notes,
        },
    )
}

/// `session_to_resume`. `here` is the server's working directory (the default scope without
/// a query, like `codex resume --last`).
pub fn resume(
    config: &Config,
    store: &IndexStore,
    p: &ResumeParams,
    here: Option<String>,
    notes: Vec<String>,
) -> ToolResult {
    let text = p.query.clone().unwrap_or_default();
    let scope = match (&p.cwd, text.trim().is_empty()) {
        (Some(dir), _) => Some(cwd(dir)),
        (None, true) => here,
        (None, false) => None,
    };
    let query = ResumeQuery {
        text: text.clone(),
        cwd: scope.clone(),
        include_non_interactive: false,
        limit: 1,
        snippets: true,
    };
    let found = sessions_to_resume(store, &query).map_err(|e| e.to_string())?;
    let Some(best) = found.into_iter().next() else {
        let what = if text.trim().is_empty() {
            String::new()
        } else {
            format!(" matching {text:?}")
        };
        return Err(match scope {
            Some(dir) => format!(
                "no session{what} in {dir}: give another cwd, or leave cwd out{}",
                if text.trim().is_empty() {
                    " and give a query"
                } else {
                    " to look in every project"
                }
            ),
            None => format!("no session{what} in any project: try other words"),
        });
    };
    let session = best.session;
    let resume_command = codex_config::resume_command("codex", &["resume"], session, &config.homes);
    let exec_resume_command =
        codex_config::resume_command("codex", &["exec", "resume"], session, &config.homes);
    let local = |ms: i64| config.zone.format_minute(ms);
    let mut view = session_view(session, &local);
    view.snippet = best.snippet;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}  {}\n{}\n  {resume_command}\n  {exec_resume_command} \"<prompt>\"",
        session.id,
        view.local.0,
        view.cwd.unwrap_or("?"),
        clip_line(session.display_name().unwrap_or(""), 100)
    );
    finish_text(&mut out, &notes);
    answer(
        out,
        &ResumeResult {
            session_id: session.id.clone(),
            resume_command,
            exec_resume_command,
            session: view,
            notes,
        },
    )
}

/// The session `id` names, or a message listing the candidates.
fn resolve<'a>(
    config: &Config,
    sessions: &[&'a SessionInfo],
    id: &str,
) -> Result<&'a SessionInfo, String> {
    transcript::resolve(sessions, id).map_err(|candidates| {
        if candidates.is_empty() {
            return format!(
                "no session matches {id:?}: give a session id (or a unique prefix) or a thread name; list_sessions lists sessions, search_sessions finds them by word"
            );
        }
        let mut text = format!(
            "{id:?} matches {} sessions: give more of the id. Candidates:",
            candidates.len()
        );
        for s in candidates.iter().take(10) {
            let when = s.updated_at_ms.map(|t| config.zone.format_minute(t)).unwrap_or_default();
            let _ = write!(text, "\n  {}  {when}  {}", s.id, clip_line(s.display_name().unwrap_or(""), 80));
        }
        if candidates.len() > 10 {
            let _ = write!(text, "\n  … and {} more", candidates.len() - 10);
        }
        text
    })
}

/// A message's text for a page: tool output as its first 6 and last 4 lines, and anything
/// longer than [`TURN_CHARS`] cut, each with a marker.
fn shorten(message: &Message) -> (String, bool) {
    let mut text = message.text.clone();
    let mut shortened = false;
    if message.role == Role::ToolOutput {
        let lines: Vec<&str> = text.lines().collect();
        if lines.len() > 11 {
            let mut kept: Vec<String> = lines[..6].iter().map(|l| (*l).to_owned()).collect();
            kept.push(format!("… {} more lines …", lines.len() - 10));
            kept.extend(lines[lines.len() - 4..].iter().map(|l| (*l).to_owned()));
            text = kept.join("\n");
            shortened = true;
        }
    }
    let chars = text.chars().count();
    if chars > TURN_CHARS {
        let head: String = text.chars().take(TURN_CHARS).collect();
        text = format!("{head}… [{} more characters]", chars - TURN_CHARS);
        shortened = true;
    }
    (text, shortened)
}

/// A limit within 1..=max, `default` when absent.
fn limit(given: Option<usize>, default: usize, max: usize) -> Result<usize, String> {
    match given {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(format!(
            "limit {n} is out of range: give a number from 1 to {max}"
        )),
    }
}

/// `since` and `until` as days; an error names the field and the format.
fn dates(
    since: Option<&str>,
    until: Option<&str>,
) -> Result<(Option<NaiveDate>, Option<NaiveDate>), String> {
    let since = since
        .map(|d| parse_date("since", d))
        .transpose()
        .map_err(|e| e.to_string())?;
    let until = until
        .map(|d| parse_date("until", d))
        .transpose()
        .map_err(|e| e.to_string())?;
    if let (Some(s), Some(u)) = (since, until)
        && s > u
    {
        return Err(format!("since {s} is after until {u}: swap them"));
    }
    Ok((since, until))
}

fn cwd(dir: &str) -> String {
    absolute(std::path::Path::new(dir))
        .to_string_lossy()
        .into_owned()
}

fn filter(
    dir: Option<&str>,
    model: Option<&str>,
    include_non_interactive: Option<bool>,
) -> SessionFilter {
    SessionFilter {
        cwd: dir.map(cwd),
        model: model.map(str::to_owned),
        include_non_interactive: include_non_interactive.unwrap_or(false),
    }
}

/// One line of at most `max` characters.
fn clip_line(text: &str, max: usize) -> String {
    let flat = text.replace(['\n', '\r', '\t'], " ");
    if flat.chars().count() <= max {
        return flat;
    }
    let mut cut: String = flat.chars().take(max).collect();
    cut.push('…');
    cut
}

fn cost(amount: &Amount) -> String {
    match amount.cost_usd {
        None => "unpriced".to_owned(),
        Some(usd) if amount.cost_complete => format!("${usd:.2}"),
        Some(usd) => format!(
            "≥ ${usd:.2} (unpriced: {})",
            amount.unpriced_models.join(", ")
        ),
    }
}

fn finish_text(text: &mut String, notes: &[String]) {
    for note in notes {
        let _ = writeln!(text, "note: {note}");
    }
}
