//! `rolldex show`: one session's conversation, found by id, id prefix or thread name, read
//! from its rollout file.

use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Message, Role, SessionInfo};
use crate::output::sessions::{write_conversation, write_records};
use crate::output::{Format, sanitize};
use crate::parse::{Depth, parse_path};

/// Runs `show`; returns the exit code.
pub fn run(config: &Config, args: &ShowArgs, io: &mut Io<'_>) -> Result<u8> {
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let sessions: Vec<&SessionInfo> = store.session_infos();
    let session = match resolve(&sessions, &args.id) {
        Ok(session) => session,
        Err(candidates) => {
            let _ = if candidates.is_empty() {
                writeln!(
                    io.err,
                    "rolldex: no session matches {:?}; `rolldex sessions` lists them, `rolldex search` finds them",
                    args.id
                )
            } else {
                let mut text = format!(
                    "rolldex: {:?} matches {} sessions:\n",
                    args.id,
                    candidates.len()
                );
                for s in candidates.iter().take(20) {
                    let when = s
                        .updated_at_ms
                        .map(|t| config.zone.format_minute(t))
                        .unwrap_or_default();
                    let _ = writeln!(
                        text,
                        "  {}  {when}  {}",
                        sanitize(&s.id),
                        sanitize(s.display_name().unwrap_or(""))
                    );
                }
                write!(io.err, "{text}")
            };
            return Ok(1);
        }
    };
    let (_, parsed) = parse_path(
        Path::new(&session.path),
        session.archived,
        Depth::Full,
        &mut Vec::new(),
    );
    if parsed.report.unreadable > 0 {
        let _ = writeln!(
            io.err,
            "rolldex: cannot read {} (moved or deleted since it was indexed?)",
            sanitize(&session.path)
        );
        return Ok(1);
    }
    let mut messages: Vec<&Message> = parsed.messages.iter().collect();
    if let Some(word) = &args.grep {
        messages = matching_turns(&messages, word);
    }
    let local = |ms: i64| config.zone.format_minute(ms);
    let written = if config.format == Format::Table {
        write_header(io.out, session, &local)
            .and_then(|()| write_conversation(io.out, &messages, &local, args.full))
    } else {
        write_records(io.out, &messages, config.format)
    };
    written.map_err(|e| Error::io("<stdout>", e))?;
    if args.grep.is_some() && messages.is_empty() {
        return Ok(1);
    }
    Ok(0)
}

fn write_header(
    out: &mut dyn Write,
    s: &SessionInfo,
    local: &dyn Fn(i64) -> String,
) -> std::io::Result<()> {
    // Every field comes from the data: sanitised for the terminal.
    writeln!(out, "session  {}", sanitize(&s.id))?;
    if let Some(name) = s.display_name() {
        writeln!(out, "title    {}", sanitize(name))?;
    }
    let started = s.started_at_ms.map(local).unwrap_or_default();
    let updated = s.updated_at_ms.map(local).unwrap_or_default();
    writeln!(out, "time     {started} → {updated}")?;
    writeln!(
        out,
        "cwd      {}",
        sanitize(s.latest_cwd.as_deref().or(s.cwd.as_deref()).unwrap_or("?"))
    )?;
    writeln!(
        out,
        "models   {}   client {}",
        sanitize(&s.models.join(", ")),
        sanitize(s.originator.as_deref().unwrap_or("?"))
    )?;
    if let Some(parent) = &s.forked_from_id {
        writeln!(
            out,
            "fork of  {} (its copied history is not repeated here)",
            sanitize(parent)
        )?;
    }
    writeln!(out, "file     {}", sanitize(&s.path))?;
    writeln!(out)
}

/// Finds the session `id` names: exact id, unique id prefix, or thread name. On failure,
/// returns the candidates (empty when nothing matched).
fn resolve<'a>(
    sessions: &[&'a SessionInfo],
    id: &str,
) -> std::result::Result<&'a SessionInfo, Vec<&'a SessionInfo>> {
    let wanted = id.trim().to_ascii_lowercase();
    if wanted.is_empty() {
        return Err(Vec::new());
    }
    if let Some(exact) = sessions.iter().copied().find(|s| s.id == wanted) {
        return Ok(exact);
    }
    let by_prefix: Vec<&SessionInfo> = sessions
        .iter()
        .copied()
        .filter(|s| s.id.starts_with(&wanted))
        .collect();
    if by_prefix.len() == 1 {
        return Ok(by_prefix[0]);
    }
    if by_prefix.len() > 1 {
        return Err(by_prefix);
    }
    let by_name: Vec<&SessionInfo> = sessions
        .iter()
        .copied()
        .filter(|s| {
            s.thread_name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(id.trim()))
        })
        .collect();
    match by_name.len() {
        1 => Ok(by_name[0]),
        0 => Err(sessions
            .iter()
            .copied()
            .filter(|s| {
                s.display_name()
                    .is_some_and(|n| n.to_lowercase().contains(&id.trim().to_lowercase()))
            })
            .collect()),
        _ => Err(by_name),
    }
}

/// The turns (a user message and everything up to the next one) that mention `word`.
fn matching_turns<'a>(messages: &[&'a Message], word: &str) -> Vec<&'a Message> {
    let needle = word.to_lowercase();
    let mut out = Vec::new();
    let mut turn: Vec<&Message> = Vec::new();
    let mut flush = |turn: &mut Vec<&'a Message>| {
        if turn.iter().any(|m| m.text.to_lowercase().contains(&needle)) {
            out.append(turn);
        }
        turn.clear();
    };
    for message in messages {
        if message.role == Role::User {
            flush(&mut turn);
        }
        turn.push(message);
    }
    flush(&mut turn);
    out
}
