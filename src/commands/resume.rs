//! `rolldex resume`: prints the id of the session to resume (only ids on stdout), or runs
//! `codex resume <id>` itself.

use std::io::Write;

use super::Io;
use super::refresh::{Freshness, Needs, answer};
use crate::cli::ResumeArgs;
use crate::codex_config;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::filters::absolute_text;
use crate::find::{ResumeQuery, hidden_resume_count, rank_to_resume, with_facts};
use crate::output::sessions::{session_view, write_sessions};
use crate::output::{Format, sanitize};

/// Runs `resume`; returns the exit code.
pub fn run(config: &Config, args: &ResumeArgs, io: &mut Io<'_>) -> Result<u8> {
    if args.limit == 0 {
        return Err(Error::Usage("--limit must be at least 1".into()));
    }
    let text = args.query.join(" ");
    // Only a query searches the index; the latest sessions come from the catalog alone.
    let needs = if text.trim().is_empty() {
        Needs::Sessions
    } else {
        Needs::Search
    };
    let cwd = match (&args.cwd, args.all, text.trim().is_empty()) {
        (Some(dir), _, _) => Some(absolute_text(dir)),
        // Like `codex resume --last`: without a query, the current directory's sessions.
        (None, false, true) => {
            let here = std::env::current_dir().map_err(|e| Error::io(".", e))?;
            Some(here.to_string_lossy().into_owned())
        }
        _ => None,
    };
    let query = ResumeQuery {
        text: text.clone(),
        cwd,
        include_non_interactive: args.include_non_interactive,
        limit: args.limit,
        snippets: config.format != Format::Table,
    };
    let (store, _, ranked) = answer(
        config,
        Freshness::for_query(args.no_update),
        needs,
        io,
        |store| rank_to_resume(store, &query),
    )?;
    let candidates = with_facts(&store, ranked);
    if candidates.is_empty() {
        if !config.quiet {
            let scope = query.cwd.as_deref().map_or_else(
                || "any project".to_owned(),
                |d| format!("{d} (use --all for every project)"),
            );
            let what = if text.trim().is_empty() {
                String::new()
            } else {
                format!(" matching {text:?}")
            };
            let hidden = hidden_resume_count(&store, &query, super::HIDDEN_COUNTED);
            let hint = super::hidden_matches_hint(hidden);
            let _ = writeln!(io.err, "rolldex: no session{what} in {scope}{hint}");
        }
        return Ok(1);
    }
    if args.exec {
        let first = candidates[0].session;
        return exec_codex(args, &codex_config::resume_args(first, &config.homes));
    }
    let write = |out: &mut dyn Write| -> std::io::Result<()> {
        if config.format != Format::Table {
            let local = |ms: i64| config.zone.format_minute(ms);
            let views: Vec<_> = candidates
                .iter()
                .map(|c| {
                    let mut view = session_view(c.session, &local);
                    view.snippet.clone_from(&c.snippet);
                    view
                })
                .collect();
            return write_sessions(out, &views, config.format, config.columns);
        }
        for candidate in &candidates {
            let session = candidate.session;
            if args.print_command {
                // The id comes from the data: quoted for the shell, and after `--` when it
                // would otherwise read as an option; `codex resume` lists only the configured
                // provider's sessions, so another provider's gets `-c model_provider=…`.
                let line = codex_config::resume_command(
                    &args.codex_bin.to_string_lossy(),
                    &["resume"],
                    session,
                    &config.homes,
                );
                writeln!(out, "{line}")?;
            } else {
                writeln!(out, "{}", sanitize(&session.id))?;
            }
        }
        Ok(())
    };
    write(io.out).map_err(|e| Error::io("<stdout>", e))?;
    drop(candidates);
    super::keep_until_exit(store);
    Ok(0)
}

/// Replaces this process with `codex resume [-c model_provider=…] <id>` (never through a shell).
fn exec_codex(args: &ResumeArgs, codex_args: &[String]) -> Result<u8> {
    let mut command = std::process::Command::new(&args.codex_bin);
    command.args(codex_args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = command.exec();
        Err(Error::Usage(format!(
            "cannot run {}: {error}",
            args.codex_bin.display()
        )))
    }
    #[cfg(not(unix))]
    {
        let status = command
            .status()
            .map_err(|e| Error::Usage(format!("cannot run {}: {e}", args.codex_bin.display())))?;
        Ok(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1))
    }
}
