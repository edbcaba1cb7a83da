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

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::scan::{Patterns, SourceFile, scan_homes};

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

/// Sources the picker lists by default, and the ones `--include-non-interactive` adds.
const INTERACTIVE_SOURCES: &[&str] = &["cli", "vscode"];
const NON_INTERACTIVE_SOURCES: &[&str] = &["exec", "mcp", "appServer", "app_server"];

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

/// Compares end-of-file totals with `tokens_used`, and notes the rows and files on one side only.
fn compare_totals(
    home: &Path,
    by_id: &BTreeMap<&str, Vec<&FileFacts>>,
    rows: Option<&HashMap<String, ThreadRow>>,
    report: &mut HomeReport,
) {
    let Some(rows) = rows else {
        return;
    };
    for (id, files) in by_id {
        let Some(row) = rows.get(*id) else {
            report.not_in_state_db.push((*id).to_owned());
            continue;
        };
        // The file Codex points at (moved homes: matched below `sessions/`; the DB names a
        // compressed file by its plain name), else the first.
        let wanted = row.rollout_path.as_deref().and_then(|p| relocate(home, p));
        let file = files
            .iter()
            .find(|f| wanted.as_deref() == Some(plain_path(&f.path).as_path()))
            .or_else(|| files.first())
            .copied();
        let Some(file) = file else { continue };
        report.compared += 1;
        let tokens_used = row.tokens_used.unwrap_or(0);
        let difference = file.eof_total.unwrap_or(0).saturating_sub(tokens_used);
        if difference == 0 {
            report.matching += 1;
        } else {
            report.mismatches.push(Mismatch {
                session_id: (*id).to_owned(),
                path: file.path.clone(),
                rollout_total: file.eof_total,
                tokens_used,
                difference,
            });
        }
    }
    let mut missing: Vec<String> = rows
        .keys()
        .filter(|id| !by_id.contains_key(id.as_str()))
        .cloned()
        .collect();
    missing.sort();
    report.missing_rollouts = missing;
}

/// What `codex resume` would hide, from the state DB row when there is one (that is what the
/// picker reads first), else from the rollout's `session_meta` and folder.
fn hidden_sessions(
    by_id: &BTreeMap<&str, Vec<&FileFacts>>,
    rows: Option<&HashMap<String, ThreadRow>>,
    current_provider: &str,
) -> Hidden {
    let mut providers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut sources: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut archived = BTreeSet::new();
    let mut classify = |id: &str, provider: Option<String>, source: String, is_archived: bool| {
        // Codex lists a session that names no provider under any current provider (its
        // `ProviderMatcher` takes it for the default, which is the current one).
        if let Some(provider) = provider
            && provider != current_provider
        {
            providers.entry(provider).or_default().insert(id.to_owned());
        }
        if is_archived {
            archived.insert(id.to_owned());
        }
        if !INTERACTIVE_SOURCES.contains(&source.as_str()) {
            sources.entry(source).or_default().insert(id.to_owned());
        }
    };
    for (id, files) in by_id {
        let row = rows.and_then(|r| r.get(*id));
        let meta = files.iter().find(|f| f.meta_seen).or_else(|| files.first());
        let provider = row
            .and_then(|r| r.model_provider.clone())
            .filter(|p| !p.is_empty())
            .or_else(|| meta.and_then(|m| m.model_provider.clone()));
        let source = row
            .and_then(|r| r.source.as_deref())
            .map(source_from_db)
            .or_else(|| meta.and_then(|m| m.source.clone()))
            .unwrap_or_else(|| "unknown".to_owned());
        let is_archived = row.map_or_else(|| files.iter().all(|f| f.archived), |r| r.archived);
        classify(id, provider, source, is_archived);
    }
    let groups = |map: BTreeMap<String, BTreeSet<String>>, sources: bool| {
        map.into_iter()
            .map(|(name, ids)| HiddenGroup {
                shown_with_include_non_interactive: sources
                    .then(|| NON_INTERACTIVE_SOURCES.contains(&name.as_str())),
                name,
                sessions: ids.into_iter().collect(),
            })
            .collect()
    };
    Hidden {
        other_provider: groups(providers, false),
        archived: archived.into_iter().collect(),
        non_interactive: groups(sources, true),
    }
}

/// Unknown record types summed over files.
fn unknown_types(facts: &[FileFacts]) -> Vec<UnknownType> {
    struct Acc {
        lines: u64,
        files: u64,
        versions: BTreeSet<String>,
        sessions: BTreeSet<String>,
    }
    let mut acc: BTreeMap<&str, Acc> = BTreeMap::new();
    for file in facts {
        for (kind, lines) in &file.unknown {
            let entry = acc.entry(kind.as_str()).or_insert_with(|| Acc {
                lines: 0,
                files: 0,
                versions: BTreeSet::new(),
                sessions: BTreeSet::new(),
            });
            entry.lines += lines;
            entry.files += 1;
            entry.versions.insert(
                file.cli_version
                    .clone()
                    .unwrap_or_else(|| "unknown".to_owned()),
            );
            if let Some(id) = &file.id {
                entry.sessions.insert(id.clone());
            }
        }
    }
    acc.into_iter()
        .map(|(kind, a)| UnknownType {
            record_type: kind.to_owned(),
            lines: a.lines,
            files: a.files,
            cli_versions: a.versions.into_iter().collect(),
            sessions: a.sessions.into_iter().collect(),
        })
        .collect()
}

/// What one rollout says, as far as `doctor` cares.
#[derive(Debug, Default)]
struct FileFacts {
    path: PathBuf,
    archived: bool,
    /// The filename's UUID, else the first `session_meta.id`.
    id: Option<String>,
    meta_seen: bool,
    cli_version: Option<String>,
    model_provider: Option<String>,
    source: Option<String>,
    /// `total_tokens` of the last `token_count` whose `info` is not null.
    eof_total: Option<i64>,
    /// Unknown top-level types and their line counts.
    unknown: BTreeMap<String, u64>,
    unreadable: Option<String>,
}

/// Reads a rollout forward, line by line (bounded memory on huge files); a `.jsonl.zst` is
/// decoded as a stream.
fn read_rollout(file: &SourceFile) -> FileFacts {
    let mut facts = FileFacts {
        path: file.path.clone(),
        archived: file.archived,
        ..FileFacts::default()
    };
    let opened = std::fs::File::open(&file.path).and_then(|handle| {
        if crate::scan::is_compressed(&file.path) {
            let decoder = zstd::stream::read::Decoder::new(handle)?;
            Ok(Box::new(decoder) as Box<dyn Read>)
        } else {
            Ok(Box::new(handle) as Box<dyn Read>)
        }
    });
    let handle = match opened {
        Ok(h) => h,
        Err(e) => {
            facts.unreadable = Some(e.to_string());
            return facts;
        }
    };
    let mut reader = BufReader::with_capacity(1 << 16, handle);
    let mut line = Vec::new();
    let (mut bytes, mut json_lines) = (0u64, 0u64);
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => break,
            Ok(n) => bytes += n as u64,
            Err(e) => {
                facts.unreadable = Some(e.to_string());
                return facts;
            }
        }
        if read_line(crate::parse::trim_line(&line), &mut facts) {
            json_lines += 1;
        }
    }
    if bytes == 0 {
        facts.unreadable = Some("empty".to_owned());
    } else if json_lines == 0 {
        facts.unreadable = Some("no JSON line".to_owned());
    }
    let from_name = crate::parse::id_from_file_name(&file.path);
    facts.id = from_name.or(facts.id.take());
    facts
}

/// Applies one line; true when it was a JSON object.
fn read_line(line: &[u8], facts: &mut FileFacts) -> bool {
    if line.is_empty() {
        return false;
    }
    // Fast path: Codex writes `{"timestamp":…,("ordinal":N,)"type":"…","payload":{"type":"…"`.
    if let Some((kind, sub)) = envelope_prefix(line) {
        let needs_json = match kind {
            b"session_meta" => !facts.meta_seen,
            b"event_msg" => sub.is_none_or(|s| s == b"token_count"),
            _ => false,
        };
        if !needs_json {
            note_kind(&String::from_utf8_lossy(kind), facts);
            return true;
        }
    }
    let Ok(Value::Object(object)) = serde_json::from_slice::<Value>(line) else {
        return false;
    };
    // Legacy bare lines (Codex ≤ 0.31) have no envelope: nothing to classify; the first one
    // holds the session id.
    let Some(payload) = object.get("payload") else {
        if facts.id.is_none()
            && let Some(id) = object.get("id").and_then(Value::as_str)
        {
            facts.id = Some(id.to_ascii_lowercase());
        }
        return true;
    };
    let Some(kind) = object.get("type").and_then(Value::as_str) else {
        return true;
    };
    note_kind(kind, facts);
    match kind {
        "session_meta" if !facts.meta_seen => {
            facts.meta_seen = true;
            let text = |key: &str| payload.get(key).and_then(Value::as_str).map(str::to_owned);
            facts.id = text("id").map(|id| id.to_ascii_lowercase());
            facts.cli_version = text("cli_version");
            facts.model_provider = text("model_provider");
            facts.source = payload.get("source").map(source_name);
        }
        "event_msg" if payload.get("type").and_then(Value::as_str) == Some("token_count") => {
            if let Some(total) = payload
                .pointer("/info/total_token_usage/total_tokens")
                .and_then(Value::as_i64)
            {
                facts.eof_total = Some(total);
            }
        }
        _ => {}
    }
    true
}

fn note_kind(kind: &str, facts: &mut FileFacts) {
    if !KNOWN_TYPES.contains(&kind) {
        *facts.unknown.entry(kind.to_owned()).or_insert(0) += 1;
    }
}

/// `(type, payload type)` from a v2 line's first bytes, when it is written in Codex's key order.
fn envelope_prefix(line: &[u8]) -> Option<(&[u8], Option<&[u8]>)> {
    let rest = line.strip_prefix(b"{\"timestamp\":\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let mut rest = rest[end + 1..].strip_prefix(b",")?;
    if let Some(after) = rest.strip_prefix(b"\"ordinal\":") {
        let digits = after.iter().take_while(|b| b.is_ascii_digit()).count();
        rest = after[digits..].strip_prefix(b",")?;
    }
    let rest = rest.strip_prefix(b"\"type\":\"")?;
    let end = memchr::memchr(b'"', rest)?;
    let kind = &rest[..end];
    let sub = rest[end + 1..]
        .strip_prefix(b",\"payload\":{\"type\":\"")
        .and_then(|p| memchr::memchr(b'"', p).map(|e| &p[..e]));
    // Only a line that has a payload at all is an envelope.
    let has_payload = rest[end + 1..].starts_with(b",\"payload\":");
    has_payload.then_some((kind, sub))
}

/// `"cli"` → `cli`; `{"subagent":"review"}` → `subagent:review`; `{"subagent":{"x":…}}` →
/// `subagent:x`.
fn source_name(source: &Value) -> String {
    match source {
        Value::String(s) => s.clone(),
        Value::Object(map) => match map.iter().next() {
            Some((key, Value::String(inner))) => format!("{key}:{inner}"),
            Some((key, Value::Object(inner))) => match inner.keys().next() {
                Some(kind) => format!("{key}:{kind}"),
                None => key.clone(),
            },
            Some((key, _)) => key.clone(),
            None => "unknown".to_owned(),
        },
        _ => "unknown".to_owned(),
    }
}

/// `threads.source` holds a plain name or, for structured sources, their JSON.
fn source_from_db(text: &str) -> String {
    if text.starts_with('{') || text.starts_with('"') {
        serde_json::from_str::<Value>(text).map_or_else(|_| text.to_owned(), |v| source_name(&v))
    } else {
        text.to_owned()
    }
}

/// One row of `threads`.
#[derive(Debug, Clone)]
struct ThreadRow {
    rollout_path: Option<String>,
    tokens_used: Option<i64>,
    archived: bool,
    model_provider: Option<String>,
    source: Option<String>,
}

/// Reads `threads` from `state_5.sqlite` (read-only, immutable). `None` rows: no comparison.
fn read_state_db(home: &Path) -> (StateDbStatus, Option<HashMap<String, ThreadRow>>) {
    let path = home.join(STATE_DB);
    let wal = home.join(format!("{STATE_DB}-wal"));
    let mut status = StateDbStatus {
        path: path.clone(),
        status: DbStatus::Missing,
        error: None,
        threads: 0,
        wal_ignored: std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
    };
    if !path.is_file() {
        return (status, None);
    }
    match query_threads(&path) {
        Ok(rows) => {
            status.status = DbStatus::Read;
            status.threads = rows.len() as u64;
            (status, Some(rows))
        }
        Err(e) => {
            status.status = DbStatus::Error;
            status.error = Some(e.to_string());
            (status, None)
        }
    }
}

fn query_threads(path: &Path) -> rusqlite::Result<HashMap<String, ThreadRow>> {
    use rusqlite::{Connection, OpenFlags};
    let uri = format!("file:{}?mode=ro&immutable=1", uri_path(path));
    let connection = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut statement = connection.prepare(
        "SELECT id, rollout_path, tokens_used, archived, model_provider, source FROM threads",
    )?;
    let rows = statement.query_map([], |row| {
        let id: String = row.get(0)?;
        Ok((
            id.to_ascii_lowercase(),
            ThreadRow {
                rollout_path: row.get(1)?,
                tokens_used: row.get(2)?,
                archived: row.get::<_, Option<i64>>(3)?.unwrap_or(0) != 0,
                model_provider: row.get(4)?,
                source: row.get(5)?,
            },
        ))
    })?;
    rows.collect()
}

/// A path for a `file:` URI: bytes outside the unreserved set (and `/`) percent-encoded, so a
/// `?`, `#` or `%` in a directory name cannot end the path.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for byte in path.as_os_str().as_encoded_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(byte) {
            out.push(char::from(*byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// `rollout_path` of another machine or location, moved into `home`: the part from the last
/// `/sessions/` or `/archived_sessions/` on.
fn relocate(home: &Path, recorded: &str) -> Option<PathBuf> {
    let at = ["/archived_sessions/", "/sessions/"]
        .iter()
        .filter_map(|marker| recorded.rfind(marker))
        .max()?;
    Some(home.join(&recorded[at + 1..]))
}

/// A compressed rollout's plain name (`x.jsonl.zst` → `x.jsonl`), else the path itself.
fn plain_path(path: &Path) -> PathBuf {
    if crate::scan::is_compressed(path) {
        path.with_extension("")
    } else {
        path.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_and_trim() {
        let line =
            br#"{"timestamp":"t","ordinal":3,"type":"event_msg","payload":{"type":"token_count"}}"#;
        assert_eq!(
            envelope_prefix(line),
            Some((&b"event_msg"[..], Some(&b"token_count"[..])))
        );
        assert_eq!(envelope_prefix(br#"{"timestamp":"t","type":"x"}"#), None);
        assert_eq!(crate::parse::trim_line(b"\0\0 {}\r\n"), b"{}");
        assert_eq!(crate::parse::trim_line(b"\0\0\n"), b"");
    }

    #[test]
    fn last_token_count_wins_and_null_info_is_ignored() {
        let mut facts = FileFacts::default();
        for line in [
            r#"{"timestamp":"t","type":"session_meta","payload":{"id":"A","cli_version":"0.1","source":{"subagent":"review"}}}"#,
            r#"{"timestamp":"t","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"total_tokens":10}}}}"#,
            r#"{"timestamp":"t","type":"event_msg","payload":{"type":"token_count","info":null}}"#,
            r#"{"timestamp":"t","type":"brand_new","payload":{}}"#,
            r#"{"type":"brand_new","timestamp":"t","payload":{}}"#,
        ] {
            assert!(read_line(line.as_bytes(), &mut facts));
        }
        assert_eq!(facts.eof_total, Some(10));
        assert_eq!(facts.id.as_deref(), Some("a"));
        assert_eq!(facts.source.as_deref(), Some("subagent:review"));
        assert_eq!(facts.unknown.get("brand_new"), Some(&2));
    }

    #[test]
    fn uri_and_relocation() {
        assert_eq!(uri_path(Path::new("/a b/c?d")), "/a%20b/c%3Fd");
        assert_eq!(
            relocate(Path::new("/h"), "/tmp/x/home/sessions/2026/12/01/r.jsonl"),
            Some(PathBuf::from("/h/sessions/2026/12/01/r.jsonl"))
        );
        assert_eq!(
            source_from_db(r#"{"subagent":"review"}"#),
            "subagent:review"
        );
        assert_eq!(source_from_db("exec"), "exec");
    }
}
