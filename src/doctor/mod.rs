//! Health checks of a Codex home for `rolldex doctor`: why a number or a session is not where
//! people expect it.
//!
//! Four checks per home, each a plain result type (rendering is the command's job):
//!
//! - each session's *end-of-file total* (`total_tokens` of the last `token_count` with `info`,
//!   what Codex stores as `threads.tokens_used`) against `state_5.sqlite`, when that exists;
//! - rollout files that cannot be read;
//! - sessions the `codex resume` picker hides: another model provider than `config.toml`'s,
//!   archived, or a source other than `cli`/`vscode`;
//! - top-level record types this module does not know, with the Codex versions that wrote them.
//!
//! Compressed rollouts (`.jsonl.zst`) are decoded as a stream. Nothing here writes inside a home: the state DB is opened through a read-only, immutable URI
//! (`mode=ro&immutable=1`), so SQLite creates no `-wal`/`-shm` file and takes no lock.
//!
//! Layout: `rollout` reads one file, `state_db` the thread database; `totals`,
//! `hidden` and `unknown_types` are the checks; this file holds the report types and
//! puts one home's report together.

mod hidden;
mod rollout;
mod state_db;
mod totals;
mod unknown_types;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::error::Result;
use crate::scan::{Patterns, scan_homes};

use hidden::hidden_sessions;
use rollout::{FileFacts, read_rollout};
use state_db::read_state_db;
use totals::compare_totals;
use unknown_types::unknown_types;

/// File name of Codex's thread database inside a home.
pub const STATE_DB: &str = "state_5.sqlite";

/// The provider Codex uses when `config.toml` names none.
pub use crate::codex_config::DEFAULT_PROVIDER;

/// Top-level `type`s of a v2 (`{"timestamp","type","payload"}`) line that Codex writes (the
/// 2026 format notes, §4, plus `session_state` and `thread_settings_applied` seen in the wild).
pub const KNOWN_TYPES: &[&str] = &[
    "session_meta",
    "response_item",
    "inter_agent_communication",
    "inter_agent_communication_metadata",
    "compacted",
    "turn_context",
    "token_usage_record",
    "world_state",
    "retained_context",
    "security_risk_score",
    "event_msg",
    "realtime_item",
    "rollout_reference",
    "session_state",
    "thread_settings_applied",
];

/// Everything `doctor` found in one Codex home.
#[derive(Debug, Clone, Serialize)]
pub struct HomeReport {
    /// The home.
    pub home: PathBuf,
    /// The provider `codex resume` lists (`model_provider` of `config.toml`, else `openai`).
    pub current_provider: String,
    /// Why `current_provider` is a guess (config.toml unreadable), if it is.
    pub config_note: Option<String>,
    /// What became of `state_5.sqlite`.
    pub state_db: StateDbStatus,
    /// Rollout files read (`.jsonl`, and `.jsonl.zst` without a plain twin).
    pub files: u64,
    /// Sessions (distinct ids) in those files.
    pub sessions: u64,
    /// Sessions present both in a rollout and in the state DB.
    pub compared: u64,
    /// Compared sessions whose end-of-file total equals `tokens_used`.
    pub matching: u64,
    /// Compared sessions whose totals differ.
    pub mismatches: Vec<Mismatch>,
    /// Sessions with a rollout but no state DB row (Codex adds them on its next scan).
    pub not_in_state_db: Vec<String>,
    /// State DB rows whose rollout is not here at all.
    pub missing_rollouts: Vec<String>,
    /// Files that could not be read.
    pub unreadable: Vec<Unreadable>,
    /// Sessions `codex resume` does not list.
    pub hidden: Hidden,
    /// Record types outside [`KNOWN_TYPES`].
    pub unknown_types: Vec<UnknownType>,
}

impl HomeReport {
    /// Problems worth a non-zero exit: mismatches, unreadable files, unknown record types and a
    /// state DB that could not be read.
    pub fn findings(&self) -> usize {
        self.mismatches.len()
            + self.unreadable.len()
            + self.unknown_types.len()
            + usize::from(self.state_db.status == DbStatus::Error)
    }
}

/// The state DB's fate.
#[derive(Debug, Clone, Serialize)]
pub struct StateDbStatus {
    /// Where it was looked for.
    pub path: PathBuf,
    /// Read, missing, or failed.
    pub status: DbStatus,
    /// The SQLite error, when it failed.
    pub error: Option<String>,
    /// Rows of `threads` read.
    pub threads: u64,
    /// True when a non-empty `state_5.sqlite-wal` sits next to it: an immutable read does not
    /// see the log, so `tokens_used` of sessions active since the last checkpoint may lag.
    pub wal_ignored: bool,
}

/// Whether the state DB was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DbStatus {
    /// Read.
    Read,
    /// Not there: the comparison was skipped.
    Missing,
    /// There but unreadable (corrupt, not a database, no `threads` table).
    Error,
}

/// A session whose end-of-file total differs from Codex's `tokens_used`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    /// Session (thread) id.
    pub session_id: String,
    /// The rollout compared.
    pub path: PathBuf,
    /// `total_tokens` of its last `token_count` (null: it has none).
    pub rollout_total: Option<i64>,
    /// `threads.tokens_used`.
    pub tokens_used: i64,
    /// `rollout_total - tokens_used` (a missing total counts as 0).
    pub difference: i64,
}

/// A file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unreadable {
    /// The file.
    pub path: PathBuf,
    /// Why: the OS error, `empty`, or `no JSON line`.
    pub reason: String,
}

/// Sessions hidden from `codex resume`, by reason (a session can be in several).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Hidden {
    /// Sessions of another model provider, per provider.
    pub other_provider: Vec<HiddenGroup>,
    /// Archived sessions.
    pub archived: Vec<String>,
    /// Sessions of a source other than `cli`/`vscode`, per source.
    pub non_interactive: Vec<HiddenGroup>,
}

/// One reason and the sessions it hides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HiddenGroup {
    /// The provider or source name.
    pub name: String,
    /// For a source: whether `codex resume --include-non-interactive` lists it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shown_with_include_non_interactive: Option<bool>,
    /// Session ids, sorted.
    pub sessions: Vec<String>,
}

/// A record type outside [`KNOWN_TYPES`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownType {
    /// The line's top-level `type`.
    pub record_type: String,
    /// Lines of it.
    pub lines: u64,
    /// Files with it.
    pub files: u64,
    /// `session_meta.cli_version` of those files (`unknown` when a file has none).
    pub cli_versions: Vec<String>,
    /// Sessions with it, sorted.
    pub sessions: Vec<String>,
}

/// Checks every home in turn (each has its own config and state DB).
pub fn check_homes(homes: &[PathBuf], excludes: &[String]) -> Result<Vec<HomeReport>> {
    let patterns = Patterns::new(excludes)?;
    crate::scan::check_homes(homes)?;
    homes
        .iter()
        .map(|home| check_home(home, &patterns))
        .collect()
}

/// Checks one home.
pub fn check_home(home: &Path, patterns: &Patterns) -> Result<HomeReport> {
    let scan = scan_homes(std::slice::from_ref(&home.to_path_buf()), patterns)?;
    let facts: Vec<FileFacts> = scan.files.par_iter().map(read_rollout).collect();
    let (current_provider, config_note) = crate::codex_config::current_provider(home);
    let (state_db, rows) = read_state_db(home);

    let mut report = HomeReport {
        home: home.to_path_buf(),
        current_provider,
        config_note,
        state_db,
        files: facts.len() as u64,
        sessions: 0,
        compared: 0,
        matching: 0,
        mismatches: Vec::new(),
        not_in_state_db: Vec::new(),
        missing_rollouts: Vec::new(),
        unreadable: Vec::new(),
        hidden: Hidden::default(),
        unknown_types: Vec::new(),
    };

    // Files per session id, in path order.
    let mut by_id: BTreeMap<&str, Vec<&FileFacts>> = BTreeMap::new();
    for file in &facts {
        if let Some(reason) = &file.unreadable {
            report.unreadable.push(Unreadable {
                path: file.path.clone(),
                reason: reason.clone(),
            });
            continue;
        }
        if let Some(id) = &file.id {
            by_id.entry(id.as_str()).or_default().push(file);
        }
    }
    report.sessions = by_id.len() as u64;

    compare_totals(home, &by_id, rows.as_ref(), &mut report);
    report.hidden = hidden_sessions(&by_id, rows.as_ref(), &report.current_provider);
    report.unknown_types = unknown_types(&facts);
    Ok(report)
}
