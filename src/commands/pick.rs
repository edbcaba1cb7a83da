//! `rolldex pick`: the interactive session picker (see `picker`); prints the chosen id on
//! stdout and exits 0, exits 130 when cancelled, or runs `codex resume <id>` (Ctrl-R, --exec).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use super::Io;
use crate::cli::PickArgs;
use crate::codex_config;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::filters::absolute_text;
use crate::output::sanitize;
use crate::pick::{Scope, scope_cycle};
use crate::picker::{self, Options, Outcome, ShowCommand};

/// The exit code of a cancelled pick (as a shell reports Ctrl-C).
const CANCELLED: u8 = 130;

/// Runs `pick`; returns the exit code.
pub fn run(config: &Config, args: &PickArgs, io: &mut Io<'_>) -> Result<u8> {
    let cwd = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    let here = match &args.cwd {
        Some(dir) => absolute_text(dir),
        None => absolute_text(&cwd),
    };
    let repo = repository_root(Path::new(&here)).map(|p| p.to_string_lossy().into_owned());
    let scopes = scope_cycle(&here, repo.as_deref());
    let start = if args.all {
        scopes.iter().position(|s| *s == Scope::Everywhere)
    } else {
        args.cwd.as_ref().map(|_| 0)
    };
    let options = Options {
        line: args.query.join(" "),
        scopes,
        start,
        include_non_interactive: args.include_non_interactive,
        full_screen: args.full_screen,
        update: !args.no_update,
        here,
        // The picker draws on the terminal, whatever stdout is.
        color: config.color_allowed,
        show: show_command(config),
    };
    let outcome = picker::run(config, &options)?;
    let (id, run) = match outcome {
        Outcome::Cancelled => return Ok(CANCELLED),
        Outcome::Chosen(id) if !args.exec && !args.print_command => {
            writeln!(io.out, "{}", sanitize(&id)).map_err(|e| Error::io("<stdout>", e))?;
            return Ok(0);
        }
        Outcome::Chosen(id) => (id, args.exec),
        Outcome::Resume(id) => (id, true),
    };
    let store = crate::picker::worker::open_as_is(config)?;
    let session = store
        .sessions()
        .by_id(&id)
        .ok_or_else(|| Error::Usage(format!("session {id:?} is gone from the index")))?;
    if run {
        return exec_codex(
            &args.codex_bin,
            &codex_config::resume_args(session, &config.homes),
        );
    }
    // Quoted for the shell, with `-c model_provider=…` when codex needs it (as `resume
    // --print-command`): what `rolldex init` puts on the command line.
    let line = codex_config::resume_command(
        &args.codex_bin.to_string_lossy(),
        &["resume"],
        session,
        &config.homes,
    );
    writeln!(io.out, "{line}").map_err(|e| Error::io("<stdout>", e))?;
    Ok(0)
}

/// The directory holding `.git` at or above `dir`, if any.
fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// `rolldex [--codex-home …] [--index-dir …] show --no-update ID | $PAGER` for Ctrl-O.
fn show_command(config: &Config) -> Option<ShowCommand> {
    let program = std::env::current_exe().ok()?;
    let mut args = Vec::new();
    for home in &config.homes {
        args.push("--codex-home".to_owned());
        args.push(home.to_string_lossy().into_owned());
    }
    args.push("--index-dir".to_owned());
    args.push(config.index_dir.to_string_lossy().into_owned());
    args.extend([
        "--quiet".to_owned(),
        "show".to_owned(),
        "--no-update".to_owned(),
    ]);
    Some(ShowCommand {
        program,
        args,
        pager: config.pager.clone(),
    })
}

/// Replaces this process with `codex <args>` (never through a shell), on the terminal even
/// when stdout is captured (`$(rolldex pick)` then Ctrl-R).
fn exec_codex(codex_bin: &Path, codex_args: &[String]) -> Result<u8> {
    let mut command = std::process::Command::new(codex_bin);
    command.args(codex_args);
    if !std::io::stdout().is_terminal()
        && let Ok(tty) = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
        && let Ok(tty_in) = tty.try_clone()
    {
        command.stdin(tty_in).stdout(tty);
    }
    let cannot =
        |e: std::io::Error| Error::Usage(format!("cannot run {}: {e}", codex_bin.display()));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        Err(cannot(command.exec()))
    }
    #[cfg(not(unix))]
    {
        let status = command.status().map_err(cannot)?;
        Ok(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1))
    }
}
