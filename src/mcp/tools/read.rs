//! The `read_session` tool: one page of a session's conversation, narrowed by `grep`, moved by
//! `offset` or centred by `around`, with long messages and tool output shortened so a page fits
//! an agent's context.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{ToolResult, answer, clip_line, finish_text, limit};
use crate::config::Config;
use crate::index::IndexStore;
use crate::model::{Message, Role, SessionInfo};
use crate::output::sessions::{SessionView, rfc3339, session_view};
use crate::transcript;

/// Most messages one `read_session` page holds.
const MAX_TURNS: usize = 100;
/// Characters of one message's text in `read_session` before it is cut.
const TURN_CHARS: usize = 2_000;
/// Characters of all texts of one `read_session` page: the page ends early beyond it.
const PAGE_CHARS: usize = 24_000;

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
