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
