//! Renders search hits: a table with highlighted snippets for people, JSON for programs.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use super::{Format, csv_field, new_table, sanitize, write_json, write_jsonl};
use crate::model::SessionInfo;
use crate::query::Hit;

/// A hit joined with its session's facts, as printed.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct HitView<'a> {
    /// Session id.
    pub session_id: &'a str,
    /// Relevance.
    pub score: f32,
    /// RFC 3339 time of the message.
    pub timestamp: String,
    /// Session working directory.
    pub cwd: Option<&'a str>,
    /// Kind of message.
    pub role: &'a str,
    /// Text around the match.
    pub snippet: String,
    /// Thread name or title.
    pub title: Option<&'a str>,
    /// Local time for the table.
    #[serde(skip)]
    pub local_time: String,
    /// Snippet with highlight markers for the table.
    #[serde(skip)]
    pub highlighted: String,
}

/// Joins a hit with its session; `color` wraps matches in ANSI bold red.
pub fn view<'a>(
    hit: &'a Hit,
    session: Option<&'a SessionInfo>,
    local_time: String,
    color: bool,
) -> HitView<'a> {
    let one_line = |s: &str| s.replace(['\n', '\r', '\t'], " ");
    // Same byte offsets as the snippet (each replaced character is one byte, like a space), so
    // the highlight ranges still apply; no carriage return is left to be escaped below.
    let flat = one_line(&hit.snippet);
    let mut highlighted = String::new();
    let mut at = 0;
    for range in &hit.highlights {
        if range.start < at || range.end > hit.snippet.len() {
            continue;
        }
        // Data is sanitised piece by piece, before the colour codes go in.
        highlighted.push_str(&sanitize(&flat[at..range.start]));
        let word = sanitize(&flat[range.clone()]);
        if color {
            let _ = write!(highlighted, "\x1b[1;31m{word}\x1b[0m");
        } else {
            highlighted.push_str(&word);
        }
        at = range.end;
    }
    highlighted.push_str(&sanitize(&flat[at..]));
    HitView {
        session_id: &hit.session_id,
        score: hit.score,
        timestamp: chrono::DateTime::from_timestamp_millis(hit.timestamp_ms)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
            .unwrap_or_default(),
        cwd: session.and_then(|s| s.cwd.as_deref().or(s.latest_cwd.as_deref())),
        role: &hit.role,
        snippet: flat,
        title: session.and_then(SessionInfo::display_name),
        local_time,
        highlighted,
    }
}

/// Writes hits in `format`; a table is fitted to `columns` (see [`new_table`]).
pub fn write_hits(
    out: &mut dyn Write,
    hits: &[HitView<'_>],
    format: Format,
    columns: Option<u16>,
) -> io::Result<()> {
    match format {
        Format::Json => {
            #[derive(Serialize)]
            struct Hits<'h, 'a> {
                hits: &'h [HitView<'a>],
            }
            write_json(out, &Hits { hits })
        }
        Format::Jsonl => write_jsonl(out, hits),
        Format::Csv => {
            writeln!(out, "session_id,score,timestamp,cwd,role,title,snippet")?;
            for h in hits {
                writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    h.session_id,
                    h.score,
                    h.timestamp,
                    csv_field(h.cwd.unwrap_or("")),
                    h.role,
                    csv_field(h.title.unwrap_or("")),
                    csv_field(&h.snippet)
                )?;
            }
            Ok(())
        }
        Format::Table => {
            let mut table = new_table(&["Time", "Session", "Cwd", "Match"], columns);
            for h in hits {
                table.add_row(vec![
                    h.local_time.clone(),
                    sanitize(h.session_id).into_owned(),
                    sanitize(h.cwd.unwrap_or("")).into_owned(),
                    h.highlighted.clone(),
                ]);
            }
            writeln!(out, "{table}")
        }
    }
}
