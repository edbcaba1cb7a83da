//! A read-only view of a Codex home's `config.toml`: the model provider configured now.
//!
//! `codex resume` lists only the sessions of that provider, so a session of another one needs
//! `-c model_provider=…` to be resumed (`resume --print-command`, `--exec`), and `doctor` lists
//! such sessions as hidden. rolldex never writes this file.

use std::path::Path;

use crate::model::SessionInfo;

/// The provider Codex uses when `config.toml` names none.
pub const DEFAULT_PROVIDER: &str = "openai";

/// `model_provider` of `config.toml` (honouring a selected `profile`), else `openai`; and a note
/// when the file exists but cannot be read.
pub fn current_provider(home: &Path) -> (String, Option<String>) {
    let path = home.join("config.toml");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return (DEFAULT_PROVIDER.to_owned(), None);
        }
        Err(e) => {
            return (
                DEFAULT_PROVIDER.to_owned(),
                Some(format!("{}: {e}", path.display())),
            );
        }
    };
    let table: toml::Table = match toml::from_str(&text) {
        Ok(table) => table,
        Err(e) => {
            let first = e.to_string().lines().next().unwrap_or_default().to_owned();
            return (
                DEFAULT_PROVIDER.to_owned(),
                Some(format!("{}: {first}", path.display())),
            );
        }
    };
    let from_profile = table
        .get("profile")
        .and_then(toml::Value::as_str)
        .and_then(|p| table.get("profiles")?.get(p)?.get("model_provider"))
        .and_then(toml::Value::as_str);
    let provider = from_profile
        .or_else(|| table.get("model_provider").and_then(toml::Value::as_str))
        .unwrap_or(DEFAULT_PROVIDER);
    (provider.to_owned(), None)
}

/// The `-c` override `codex resume` needs for `session`: `model_provider=<p>` when the session
/// was written with another provider than the one configured in the home that holds it (the
/// first home when none does); `None` when none is needed or the session names no provider.
pub fn resume_override(session: &SessionInfo, homes: &[std::path::PathBuf]) -> Option<String> {
    let provider = session
        .model_provider
        .as_deref()
        .filter(|p| !p.is_empty())?;
    let home = homes
        .iter()
        .find(|h| Path::new(&session.path).starts_with(h))
        .or_else(|| homes.first())?;
    let (current, _) = current_provider(home);
    (provider != current).then(|| format!("model_provider={provider}"))
}

/// The command line that resumes `session` with `codex <subcommand…>` (`["resume"]` or
/// `["exec", "resume"]`), quoted for a POSIX shell: `-c model_provider=…` when the session's
/// provider is not the configured one (see [`resume_override`]), and `--` before an id that
/// would read as an option.
pub fn resume_command(
    codex_bin: &str,
    subcommand: &[&str],
    session: &SessionInfo,
    homes: &[std::path::PathBuf],
) -> String {
    let mut words: Vec<String> = vec![shell_word(codex_bin)];
    words.extend(subcommand.iter().map(|w| shell_word(w)));
    if let Some(provider) = resume_override(session, homes) {
        words.push("-c".to_owned());
        words.push(shell_word(&provider));
    }
    if !end_of_options(&session.id).is_empty() {
        words.push("--".to_owned());
    }
    words.push(shell_word(&crate::output::sanitize(&session.id)));
    words.join(" ")
}

/// The arguments after `codex` that resume `session` (`resume [-c model_provider=…] [--] <id>`),
/// for running codex directly, without a shell (`resume --exec`, the picker's Ctrl-R).
pub fn resume_args(session: &SessionInfo, homes: &[std::path::PathBuf]) -> Vec<String> {
    let mut args = vec!["resume".to_owned()];
    if let Some(provider) = resume_override(session, homes) {
        args.push("-c".to_owned());
        args.push(provider);
    }
    if !end_of_options(&session.id).is_empty() {
        args.push("--".to_owned());
    }
    args.push(session.id.clone());
    args
}

/// `"-- "` when `id` starts with `-` (a crafted `session_meta.id` such as `--help` must reach
/// codex as an id, not as an option), else `""`.
pub fn end_of_options(id: &str) -> &'static str {
    if id.starts_with('-') { "-- " } else { "" }
}

/// Quotes a word for a POSIX shell when it needs quoting: anything but
/// `[A-Za-z0-9_./:=@%+-]` is single-quoted.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:=@%".contains(c))
    {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
