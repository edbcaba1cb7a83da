//! What rolldex reads from the process's environment, as one plain snapshot.
//!
//! The front end (`app`) fills an [`Environment`] once, before anything runs, and hands it down
//! in [`RawSettings`](crate::config::RawSettings); [`Config::resolve`](crate::config::Config::resolve)
//! turns it into the plain values later stages use (homes, index directory, the `local` zone,
//! colour, table width). Below the front end nothing reads a variable, a home directory or the
//! system zone itself: every read is in one place, and a unit test states the environment it
//! means by building this struct instead of setting process-wide variables (which races with
//! every other test in the process).
//!
//! The snapshot holds the values as read, uninterpreted (an empty `CODEX_HOME`, a `COLUMNS`
//! that is not a number, a `TZ` rolldex cannot read): what they mean is the library's business
//! and is tested there. It is a module of its own rather than part of `config` because
//! `config`, `timezone` and the commands' output all take their part of it.

use std::ffi::OsString;
use std::path::PathBuf;

/// Everything rolldex reads from the process environment, read once by the front end.
///
/// [`Default`] is an environment where nothing is set and no directory can be found.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `$CODEX_HOME` (empty counts as unset).
    pub codex_home: Option<PathBuf>,
    /// `$ROLLDEX_INDEX_DIR` (empty counts as unset).
    pub rolldex_index_dir: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (empty counts as unset).
    pub xdg_config_home: Option<PathBuf>,
    /// The user's home directory, as the `directories` crate finds it (`$HOME`, else the
    /// password database).
    pub home_dir: Option<PathBuf>,
    /// rolldex's default cache directory, as the `directories` crate names it
    /// (`$XDG_CACHE_HOME/rolldex` or `~/.cache/rolldex` on Linux): the default index directory.
    pub cache_dir: Option<PathBuf>,
    /// `$TZ`, when set and valid Unicode.
    pub tz: Option<String>,
    /// The system's time zone name (IANA), when it can be found.
    pub system_zone: Option<String>,
    /// The bytes of the system's zone file (`/etc/localtime`, TZif): its rules are the `local`
    /// zone when the system's zone has no name rolldex knows.
    pub zone_file: Option<Vec<u8>>,
    /// Whether `$NO_COLOR` is set (to anything, even empty: see no-color.org).
    pub no_color: bool,
    /// `$TERM`.
    pub term: Option<OsString>,
    /// `$COLUMNS`, when set and valid Unicode.
    pub columns: Option<String>,
    /// `$PAGER`, when set and valid Unicode (the picker's Ctrl-O pages a session through it).
    pub pager: Option<String>,
    /// `$ROLLDEX_REDACT_KEY`: a team's key for `export --redact-paths`.
    pub redact_key: Option<RedactKey>,
}

/// A redaction key's bytes, kept out of `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct RedactKey(pub Vec<u8>);

impl std::fmt::Debug for RedactKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RedactKey(..)")
    }
}

impl Environment {
    /// Whether the environment allows colour: not when the user asked for none (`NO_COLOR`)
    /// or the terminal says it cannot show it (`TERM=dumb`, as Emacs shells and some CI logs
    /// set). A command colours only when this holds and it draws on a terminal.
    pub fn allows_color(&self) -> bool {
        !self.no_color && self.term.as_ref().is_none_or(|term| term != "dumb")
    }

    /// The terminal width `$COLUMNS` states, when it is a number; tables are fitted to it.
    pub fn columns(&self) -> Option<u16> {
        self.columns.as_deref().and_then(|c| c.parse::<u16>().ok())
    }

    /// The pager command's words: `$PAGER` split at spaces, or `less -R` when it is unset or
    /// blank (it is run directly, never through a shell).
    pub fn pager(&self) -> Vec<String> {
        let pager = self.pager.as_deref().filter(|p| !p.trim().is_empty());
        pager
            .unwrap_or("less -R")
            .split_whitespace()
            .map(str::to_owned)
            .collect()
    }

    /// The team's redaction key, unless it is unset or empty.
    pub fn redact_key(&self) -> Option<RedactKey> {
        self.redact_key.clone().filter(|k| !k.0.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_and_redaction_key() {
        let pager = |p: Option<&str>| {
            Environment {
                pager: p.map(str::to_owned),
                ..Environment::default()
            }
            .pager()
        };
        assert_eq!(pager(None), ["less", "-R"]);
        assert_eq!(pager(Some("  ")), ["less", "-R"]);
        assert_eq!(pager(Some("most -s  -x")), ["most", "-s", "-x"]);
        let key = |k: &[u8]| {
            Environment {
                redact_key: Some(RedactKey(k.to_vec())),
                ..Environment::default()
            }
            .redact_key()
        };
        assert_eq!(key(b""), None);
        assert_eq!(key(b"team"), Some(RedactKey(b"team".to_vec())));
        assert_eq!(format!("{:?}", key(b"secret")), "Some(RedactKey(..))");
    }

    #[test]
    fn colour_and_width() {
        let env = |no_color, term: Option<&str>| Environment {
            no_color,
            term: term.map(OsString::from),
            ..Environment::default()
        };
        assert!(env(false, None).allows_color());
        assert!(env(false, Some("xterm-256color")).allows_color());
        assert!(!env(false, Some("dumb")).allows_color());
        assert!(!env(true, Some("xterm")).allows_color());
        let width = |c: &str| {
            Environment {
                columns: Some(c.to_owned()),
                ..Environment::default()
            }
            .columns()
        };
        assert_eq!(width("120"), Some(120));
        assert_eq!(width("wide"), None);
        assert_eq!(width(""), None);
        assert_eq!(Environment::default().columns(), None);
    }
}
