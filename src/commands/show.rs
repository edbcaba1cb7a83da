//! `rolldex show`: one session's conversation, found by id, id prefix or thread name, read
//! from its rollout file.

use std::fmt::Write as _;
use std::io::Write;

use super::Io;
use super::refresh::{Freshness, Needs, open_index};
use crate::cli::ShowArgs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::SessionInfo;
use crate::output::sessions::{write_conversation, write_records};
use crate::output::{Format, sanitize};
use crate::transcript;

/// Runs `show`; returns the exit code.
pub fn run(config: &Config, args: &ShowArgs, io: &mut Io<'_>) -> Result<u8> {
    let (store, _) = open_index(
        config,
        Freshness::for_query(args.no_update),
        Needs::Sessions,
        io,
    )?;
    let sessions: Vec<&SessionInfo> = store.session_infos();
    let session = match transcript::resolve(&sessions, &args.id) {
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
    let transcript = transcript::read(session, &store.file_sessions());
    if transcript.unreadable {
        let _ = writeln!(
            io.err,
            "rolldex: cannot read {} (moved or deleted since it was indexed?)",
            sanitize(&session.path)
        );
        return Ok(1);
    }
    if let Some(base) = &transcript.missing_base
        && !config.quiet
    {
        let _ = writeln!(
            io.err,
            "rolldex: the history this session inherits from {} is not on disk (archived elsewhere or deleted); showing what is",
            sanitize(base)
        );
    }
    // Inherited history where the session holds it (first, for a fork), its own messages.
    let parts = transcript.views(args.grep.as_deref());
    let found = parts.iter().any(|(_, m)| !m.is_empty());
    let local = |ms: i64| config.zone.format_minute(ms);
    let written = if config.format == Format::Table {
        write_header(io.out, session, &local).and_then(|()| {
            for (from, messages) in &parts {
                if let Some(from) = from {
                    writeln!(io.out, "┄┄ inherited from {} ┄┄\n", sanitize(from))?;
                } else if parts.len() > 1 {
                    writeln!(io.out, "┄┄ this session ┄┄\n")?;
                }
                write_conversation(io.out, messages, &local, args.full)?;
            }
            Ok(())
        })
    } else {
        write_records(io.out, &parts, config.format)
    };
    written.map_err(|e| Error::io("<stdout>", e))?;
    if args.grep.is_some() && !found {
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
