//! The MCP tools: their parameters and results (with JSON schemas), and what each does over an
//! open index through the library's use cases — the same functions the command line calls, so
//! a tool and its command answer a question with the same sessions and numbers.
//!
//! Results reuse the command line's JSON views (`HitView`, `SessionView`, stats rows), so the
//! field names are those of `--json`. Every result is bounded for an agent's context: default
//! and maximum limits, a `more`/`next_offset` marker where something was left out, and long
//! texts cut with a marker saying how much. Errors are messages that say what to change.
//!
//! One module per tool family (`search`: search_sessions and list_sessions, `read`:
//! read_session, `usage`: usage_report, `resume`: session_to_resume); this one holds the
//! answer type and the parameter checks and text helpers they share.

mod read;
mod resume;
mod search;
mod usage;

use std::fmt::Write as _;

use chrono::NaiveDate;
use serde::Serialize;

use crate::commands::stats::{absolute, parse_date};
use crate::find::SessionFilter;

pub use read::{Around, ReadParams, ReadResult, Turn, read};
pub use resume::{ResumeParams, ResumeResult, resume};
pub use search::{ListParams, ListResult, RoleParam, SearchParams, SearchResult, list, search};
pub use usage::{UsageParams, UsageResult, usage};

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

fn finish_text(text: &mut String, notes: &[String]) {
    for note in notes {
        let _ = writeln!(text, "note: {note}");
    }
}
