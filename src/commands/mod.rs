//! One file per command: each turns resolved settings and its own arguments into output.
//!
//! Commands are the only layer that writes to stdout and stderr (through the writers `app`
//! hands them); everything below returns values.

pub mod doctor;
pub mod export;
pub mod index;
pub mod limits;
pub mod pick;
pub mod refresh;
pub mod resume;
pub mod search;
pub mod sessions;
pub mod shell;
pub mod show;
pub mod stats;
pub mod statusline;
pub mod watch;

use std::io::{self, Write};

use crate::parse::ParseReport;

/// Where a command writes: results to `out`, diagnostics to `err`.
///
/// The terminal rule: `err` is the process's unlocked stderr, which takes its lock for one
/// write at a time. Nothing may hold the stderr lock across work during which the progress bar
/// (drawn from indicatif's tick thread, see `refresh`) can draw, and nothing writes to `err`
/// while a bar is on screen: the bar is cleared before the next line of output.
pub struct Io<'a> {
    /// Standard output (results only).
    pub out: &'a mut dyn Write,
    /// Standard error (summaries, hints); never locked across work.
    pub err: &'a mut dyn Write,
}

/// Ends a one-shot command's use of `value` without freeing it: the process exits once the
/// answer is written, and the system takes its memory back at once, where freeing a large
/// history's sessions one by one (a string, a few shared texts and models each) cost about a
/// millisecond. Never for a command that loops (`--watch`) or serves (the picker, MCP).
pub(crate) fn keep_until_exit<T>(value: T) {
    std::mem::forget(value);
}

/// One stderr line saying what was skipped, or nothing when nothing was.
pub fn report_skipped(
    err: &mut dyn Write,
    report: &ParseReport,
    duplicates: u64,
) -> io::Result<()> {
    let mut parts = Vec::new();
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if report.malformed > 0 {
        parts.push(plural(
            report.malformed,
            "malformed line",
            "malformed lines",
        ));
    }
    if report.unknown > 0 {
        parts.push(plural(
            report.unknown,
            "line of an unknown record type",
            "lines of unknown record types",
        ));
    }
    if report.lossy_utf8 > 0 {
        parts.push(plural(
            report.lossy_utf8,
            "line with invalid UTF-8 (read lossily)",
            "lines with invalid UTF-8 (read lossily)",
        ));
    }
    if report.torn_tails > 0 {
        parts.push(plural(
            report.torn_tails,
            "unfinished last line (left for later)",
            "unfinished last lines (left for later)",
        ));
    }
    if report.impossible > 0 {
        parts.push(plural(
            report.impossible,
            "usage line with impossible (negative) token figures",
            "usage lines with impossible (negative) token figures",
        ));
    }
    if report.untimed > 0 {
        parts.push(plural(
            report.untimed,
            "usage line without a valid time (counted at the time before it)",
            "usage lines without a valid time (counted at the time before them)",
        ));
    }
    if report.unreadable > 0 {
        parts.push(plural(
            report.unreadable,
            "unreadable file",
            "unreadable files",
        ));
    }
    if duplicates > 0 {
        parts.push(plural(
            duplicates,
            "duplicate copy of a session",
            "duplicate copies of sessions",
        ));
    }
    if parts.is_empty() {
        return Ok(());
    }
    writeln!(
        err,
        "rolldex: skipped {} ({} lines read)",
        parts.join(", "),
        report.lines
    )
}

/// How many hidden sessions a widened search looks for before it says "or more".
const HIDDEN_COUNTED: usize = 100;

/// What a `search` or `resume` that found nothing adds when `found` hidden sessions (`codex exec`,
/// sub-agents) would have matched: empty for none, so a user is not left thinking the words are
/// nowhere. `found` is [`crate::find::hidden_hit_count`]'s (or `hidden_resume_count`'s) answer,
/// capped at [`HIDDEN_COUNTED`].
fn hidden_matches_hint(found: usize) -> String {
    let sessions = match found {
        0 => return String::new(),
        1 => {
            return "; 1 `codex exec` or sub-agent session matches \
                     (--include-non-interactive shows it)"
                .to_owned();
        }
        HIDDEN_COUNTED.. => format!("{HIDDEN_COUNTED} or more"),
        n => n.to_string(),
    };
    format!(
        "; {sessions} `codex exec` or sub-agent sessions match (--include-non-interactive shows them)"
    )
}
