//! `rolldex doctor`: explains why rolldex's numbers or Codex's session picker may surprise —
//! totals that differ from Codex's state DB, unreadable files, sessions `codex resume` hides,
//! record types this rolldex does not know. Read-only, like everything else.
//!
//! The checks live in [`crate::doctor`]; this file renders them (a report for people, or one
//! JSON document) and picks the exit code: 0 clean, 1 findings, 2 errors.

use std::io::{self, Write};

use serde::Serialize;

use super::Io;
use crate::cli::DoctorArgs;
use crate::config::Config;
use crate::doctor::{self, DbStatus, HiddenGroup, HomeReport};
use crate::error::{Error, Result};
use crate::output::{Format, new_table, thousands, write_json};

/// Session ids shown per line in the table without `--all-ids`.
const IDS_SHOWN: usize = 3;

/// The `--json` document.
#[derive(Serialize)]
struct Document<'a> {
    /// Mismatches + unreadable files + unknown record types + unreadable state DBs.
    findings: usize,
    homes: &'a [HomeReport],
}

/// Runs `doctor`; returns the exit code (0 nothing wrong, 1 findings).
pub fn run(config: &Config, args: &DoctorArgs, io: &mut Io<'_>) -> Result<u8> {
    if matches!(config.format, Format::Jsonl | Format::Csv) {
        return Err(Error::Usage(
            "doctor prints a table or JSON (--json); --format jsonl and csv do not apply".into(),
        ));
    }
    let reports = doctor::check_homes(&config.homes, &config.excludes)?;
    let findings: usize = reports.iter().map(HomeReport::findings).sum();
    let written = if config.format == Format::Json {
        if !config.quiet {
            for report in &reports {
                if let Some(error) = &report.state_db.error {
                    let _ = writeln!(
                        io.err,
                        "rolldex: {}: {error}; skipped the comparison",
                        report.state_db.path.display()
                    );
                }
            }
        }
        write_json(
            io.out,
            &Document {
                findings,
                homes: &reports,
            },
        )
    } else {
        write_report(io.out, &reports, findings, args.all_ids, config.columns)
    };
    written.map_err(|e| Error::io("<stdout>", e))?;
    Ok(u8::from(findings > 0))
}

fn write_report(
    out: &mut dyn Write,
    reports: &[HomeReport],
    findings: usize,
    all_ids: bool,
    columns: Option<u16>,
) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_home(out, report, all_ids, columns)?;
    }
    writeln!(out)?;
    if findings == 0 {
        writeln!(out, "No problems found.")
    } else {
        let mut parts = Vec::new();
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mismatches: usize = reports.iter().map(|r| r.mismatches.len()).sum();
        let unreadable: usize = reports.iter().map(|r| r.unreadable.len()).sum();
        let unknown: usize = reports.iter().map(|r| r.unknown_types.len()).sum();
        let db_errors = reports
            .iter()
            .filter(|r| r.state_db.status == DbStatus::Error)
            .count();
        for (n, one, many) in [
            (mismatches, "token total mismatch", "token total mismatches"),
            (unreadable, "unreadable file", "unreadable files"),
            (unknown, "unknown record type", "unknown record types"),
            (db_errors, "unreadable state DB", "unreadable state DBs"),
        ] {
            if n > 0 {
                parts.push(count(n, one, many));
            }
        }
        writeln!(out, "Found {}.", parts.join(", "))
    }
}

fn write_home(
    out: &mut dyn Write,
    r: &HomeReport,
    all_ids: bool,
    columns: Option<u16>,
) -> io::Result<()> {
    writeln!(
        out,
        "Codex home {} ({} rollout {}, {} {})",
        r.home.display(),
        r.files,
        plural(r.files, "file", "files"),
        r.sessions,
        plural(r.sessions, "session", "sessions"),
    )?;

    writeln!(out, "\nToken totals vs Codex's state DB")?;
    match r.state_db.status {
        DbStatus::Missing => writeln!(out, "  no {}: skipped the comparison", doctor::STATE_DB)?,
        DbStatus::Error => writeln!(
            out,
            "  {}: {}; skipped the comparison",
            r.state_db.path.display(),
            r.state_db.error.as_deref().unwrap_or("unreadable")
        )?,
        DbStatus::Read => {
            writeln!(
                out,
                "  {} {} compared, {} {}",
                r.compared,
                plural(r.compared, "session", "sessions"),
                r.matching,
                if r.matching == 1 { "matches" } else { "match" }
            )?;
            if !r.mismatches.is_empty() {
                let mut table = new_table(
                    &["session", "rollout total", "tokens_used", "difference"],
                    columns,
                );
                for m in &r.mismatches {
                    table.add_row(vec![
                        m.session_id.clone(),
                        m.rollout_total.map_or_else(|| "none".to_owned(), thousands),
                        thousands(m.tokens_used),
                        signed(m.difference),
                    ]);
                }
                writeln!(out, "{table}")?;
            }
            if r.state_db.wal_ignored {
                writeln!(
                    out,
                    "  note: {}-wal is not empty (Codex running?); read without it, tokens_used of \
                     recently active sessions may lag",
                    doctor::STATE_DB
                )?;
            }
            if !r.not_in_state_db.is_empty() {
                writeln!(
                    out,
                    "  not in the state DB yet (Codex adds them on its next scan): {}",
                    ids(&r.not_in_state_db, all_ids)
                )?;
            }
            if !r.missing_rollouts.is_empty() {
                writeln!(
                    out,
                    "  in the state DB without a rollout here: {}",
                    ids(&r.missing_rollouts, all_ids)
                )?;
            }
        }
    }

    writeln!(out, "\nUnreadable files")?;
    if r.unreadable.is_empty() {
        writeln!(out, "  none")?;
    }
    for file in &r.unreadable {
        writeln!(out, "  {}: {}", file.path.display(), file.reason)?;
    }

    writeln!(
        out,
        "\nHidden from `codex resume` (current provider: {})",
        r.current_provider
    )?;
    if let Some(note) = &r.config_note {
        writeln!(
            out,
            "  note: {note}; assumed provider {}",
            doctor::DEFAULT_PROVIDER
        )?;
    }
    let hidden = &r.hidden;
    if hidden.other_provider.is_empty()
        && hidden.archived.is_empty()
        && hidden.non_interactive.is_empty()
    {
        writeln!(out, "  none")?;
    }
    for group in &hidden.other_provider {
        write_group(out, &format!("provider {}", group.name), group, all_ids)?;
    }
    if !hidden.archived.is_empty() {
        writeln!(
            out,
            "  archived: {} ({})",
            count_sessions(hidden.archived.len()),
            ids(&hidden.archived, all_ids)
        )?;
    }
    for group in &hidden.non_interactive {
        let label = if group.shown_with_include_non_interactive == Some(true) {
            format!(
                "source {} (listed with --include-non-interactive)",
                group.name
            )
        } else {
            format!("source {} (never listed)", group.name)
        };
        write_group(out, &label, group, all_ids)?;
    }

    writeln!(out, "\nUnknown record types")?;
    if r.unknown_types.is_empty() {
        writeln!(out, "  none")?;
    }
    for t in &r.unknown_types {
        writeln!(
            out,
            "  {}: {} {} in {} {}, written by Codex {}",
            t.record_type,
            t.lines,
            plural(t.lines, "line", "lines"),
            t.files,
            plural(t.files, "file", "files"),
            t.cli_versions.join(", ")
        )?;
    }
    Ok(())
}

fn write_group(
    out: &mut dyn Write,
    label: &str,
    group: &HiddenGroup,
    all_ids: bool,
) -> io::Result<()> {
    writeln!(
        out,
        "  {label}: {} ({})",
        count_sessions(group.sessions.len()),
        ids(&group.sessions, all_ids)
    )
}

fn count_sessions(n: usize) -> String {
    format!("{n} {}", plural(n as u64, "session", "sessions"))
}

fn plural<'a>(n: u64, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// The first few ids, and how many more.
fn ids(list: &[String], all: bool) -> String {
    if all || list.len() <= IDS_SHOWN {
        return list.join(", ");
    }
    format!(
        "{} and {} more",
        list[..IDS_SHOWN].join(", "),
        list.len() - IDS_SHOWN
    )
}

/// `+1,234` / `-1,234`.
fn signed(n: i64) -> String {
    if n > 0 {
        format!("+{}", thousands(n))
    } else {
        thousands(n)
    }
}
