//! Reading Codex's thread database (`state_5.sqlite`) without touching it: opened through a
//! read-only, immutable URI so SQLite creates no `-wal`/`-shm` file and takes no lock, with a
//! status that says whether it was read, missing or broken.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use super::rollout::source_name;
use super::{DbStatus, STATE_DB, StateDbStatus};

/// `threads.source` holds a plain name or, for structured sources, their JSON.
pub(super) fn source_from_db(text: &str) -> String {
    if text.starts_with('{') || text.starts_with('"') {
        serde_json::from_str::<Value>(text).map_or_else(|_| text.to_owned(), |v| source_name(&v))
    } else {
        text.to_owned()
    }
}

/// One row of `threads`.
#[derive(Debug, Clone)]
pub(super) struct ThreadRow {
    pub(super) rollout_path: Option<String>,
    pub(super) tokens_used: Option<i64>,
    pub(super) archived: bool,
    pub(super) model_provider: Option<String>,
    pub(super) source: Option<String>,
}

/// Reads `threads` from `state_5.sqlite` (read-only, immutable). `None` rows: no comparison.
pub(super) fn read_state_db(home: &Path) -> (StateDbStatus, Option<HashMap<String, ThreadRow>>) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_and_source() {
        assert_eq!(uri_path(Path::new("/a b/c?d")), "/a%20b/c%3Fd");
        assert_eq!(
            source_from_db(r#"{"subagent":"review"}"#),
            "subagent:review"
        );
        assert_eq!(source_from_db("exec"), "exec");
    }
}
