//! Renders session lists (`sessions`, `resume --json`) and conversations (`show`).

use std::io::{self, Write};

use serde::Serialize;

use super::{Format, csv_field, new_table, sanitize, thousands, write_json, write_jsonl};
use crate::model::{Message, Role, SessionInfo, TokenUsage};

/// One session as printed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct SessionView<'a> {
    /// Session id.
    pub session_id: &'a str,
    /// RFC 3339 creation time.
    pub started_at: Option<String>,
    /// RFC 3339 time of the last line.
    pub updated_at: Option<String>,
    /// Working directory (latest turn's when it moved).
    pub cwd: Option<&'a str>,
    /// Models used.
    pub models: &'a [String],
    /// Client.
    pub originator: Option<&'a str>,
    /// Source (`cli`, `exec`, `subagent:review`, …).
    pub source: Option<&'a str>,
    /// Model provider (`openai`, …): `codex resume` lists only the configured one's sessions.
    pub model_provider: Option<&'a str>,
    /// A sub-agent's role.
    pub agent_role: Option<&'a str>,
    /// A sub-agent's nickname.
    pub agent_nickname: Option<&'a str>,
    /// False for exec, app-server and sub-agent sessions.
    pub interactive: bool,
    /// Thread name.
    pub name: Option<&'a str>,
    /// First real user message.
    pub title: Option<&'a str>,
    /// User turns.
    pub turns: u32,
    /// Counted usage.
    pub usage: &'a TokenUsage,
    /// The best matching text (resume with a query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    /// Local times for the table.
    #[serde(skip)]
    pub local: (String, String),
}

/// RFC 3339 with milliseconds, UTC.
pub fn rfc3339(ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

/// Builds the view of one session; `local` formats a time for the table.
pub fn session_view<'a>(info: &'a SessionInfo, local: &dyn Fn(i64) -> String) -> SessionView<'a> {
    SessionView {
        session_id: &info.id,
        started_at: info.started_at_ms.and_then(rfc3339),
        updated_at: info.updated_at_ms.and_then(rfc3339),
        cwd: info.latest_cwd.as_deref().or(info.cwd.as_deref()),
        models: &info.models,
        originator: info.originator.as_deref(),
        source: info.source.as_deref(),
        model_provider: info.model_provider.as_deref(),
        agent_role: info.agent_role.as_deref(),
        agent_nickname: info.agent_nickname.as_deref(),
        interactive: info.interactive,
        name: info.thread_name.as_deref(),
        title: info.title.as_deref(),
        turns: info.turns,
        usage: &info.usage,
        snippet: None,
        local: (
            info.updated_at_ms.map(local).unwrap_or_default(),
            info.started_at_ms.map(local).unwrap_or_default(),
        ),
    }
}

/// Writes a session list; a table is fitted to `columns` (see [`new_table`]).
pub fn write_sessions(
    out: &mut dyn Write,
    sessions: &[SessionView<'_>],
    format: Format,
    columns: Option<u16>,
) -> io::Result<()> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct List<'s, 'a> {
                sessions: &'s [SessionView<'a>],
            }
            write_json(out, &List { sessions })
        }
        Format::Jsonl => write_jsonl(out, sessions),
        Format::Csv => {
            writeln!(
                out,
                "session_id,updated_at,started_at,cwd,models,originator,turns,total_tokens,name,title"
            )?;
            for s in sessions {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{},{}",
                    s.session_id,
                    s.updated_at.as_deref().unwrap_or(""),
                    s.started_at.as_deref().unwrap_or(""),
                    csv_field(s.cwd.unwrap_or("")),
                    csv_field(&s.models.join(";")),
                    csv_field(s.originator.unwrap_or("")),
                    s.turns,
                    s.usage.total_tokens,
                    csv_field(s.name.unwrap_or("")),
                    csv_field(s.title.unwrap_or(""))
                )?;
            }
            Ok(())
        }
        Format::Table => {
            if sessions.is_empty() {
                return writeln!(out, "No sessions found.");
            }
            let mut table = new_table(
                &[
                    "Updated",
                    "Started",
                    "Session",
                    "Cwd",
                    "Model",
                    "Client",
                    "Turns",
                    "Tokens",
                    "Name / title",
                ],
                columns,
            );
            for s in sessions {
                let clean = |text: Option<&str>| sanitize(text.unwrap_or("")).into_owned();
                table.add_row(vec![
                    s.local.0.clone(),
                    s.local.1.clone(),
                    clean(Some(s.session_id)),
                    clean(s.cwd),
                    clean(s.models.last().map(String::as_str)),
                    clean(s.originator),
                    s.turns.to_string(),
                    thousands(s.usage.total_tokens),
                    clean(s.name.or(s.title)),
                ]);
            }
            writeln!(out, "{table}")
        }
    }
}

/// One conversation record of `show --json`.
#[derive(Debug, Serialize)]
pub struct Record<'a> {
    /// RFC 3339 time, when the line has one.
    pub timestamp: Option<String>,
    /// Kind of message.
    pub role: &'static str,
    /// Tool name for tool calls and outputs.
    pub tool: Option<&'a str>,
    /// The text (whole).
    pub text: &'a str,
    /// The rollout this message is inherited from (history the session holds by reference),
    /// absent for the session's own messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<&'a str>,
}

/// Writes a conversation for reading in a terminal or a pager.
pub fn write_conversation(
    out: &mut dyn Write,
    messages: &[&Message],
    local: &dyn Fn(i64) -> String,
    full: bool,
) -> io::Result<()> {
    for message in messages {
        let when = message.timestamp_ms.map(local).unwrap_or_default();
        let tool = message.tool.as_deref().unwrap_or("tool");
        let (label, body) = match message.role {
            Role::User => ("user".to_owned(), message.text.clone()),
            Role::Assistant => ("assistant".to_owned(), message.text.clone()),
            Role::Reasoning => ("reasoning summary".to_owned(), message.text.clone()),
            Role::ToolCall => (format!("tool call ({tool})"), format!("$ {}", message.text)),
            Role::ToolOutput => (
                "tool output".to_owned(),
                if full {
                    message.text.clone()
                } else {
                    shorten(&message.text, 6, 4)
                },
            ),
        };
        writeln!(out, "── {when} {}", sanitize(&label))?;
        for line in body.trim_end().lines() {
            writeln!(out, "   {}", sanitize(line))?;
        }
        writeln!(out)?;
    }
    Ok(())
}

/// Writes `show --json` records: each part's messages, inherited parts marked with their source.
pub fn write_records(
    out: &mut dyn Write,
    parts: &[(Option<&str>, Vec<&Message>)],
    format: Format,
) -> io::Result<()> {
    let records: Vec<Record<'_>> = parts
        .iter()
        .flat_map(|(from, messages)| {
            messages.iter().map(move |m| Record {
                timestamp: m.timestamp_ms.and_then(rfc3339),
                role: m.role.as_str(),
                tool: m.tool.as_deref(),
                text: &m.text,
                inherited_from: *from,
            })
        })
        .collect();
    match format {
        Format::Jsonl | Format::Csv => write_jsonl(out, &records),
        _ => {
            #[derive(Serialize)]
            struct Conversation<'r, 'a> {
                messages: &'r [Record<'a>],
            }
            write_json(out, &Conversation { messages: &records })
        }
    }
}

/// The first `head` and last `tail` lines, with a count of what was left out.
fn shorten(text: &str, head: usize, tail: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= head + tail + 1 {
        return text.to_owned();
    }
    let mut out: Vec<String> = lines[..head].iter().map(|l| (*l).to_owned()).collect();
    out.push(format!(
        "… {} more lines (--full shows all) …",
        lines.len() - head - tail
    ));
    out.extend(lines[lines.len() - tail..].iter().map(|l| (*l).to_owned()));
    out.join("\n")
}
