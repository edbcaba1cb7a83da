//! Where an export's rows say they come from: the `source_id` every row carries, derived from
//! this machine and its Codex homes unless the user names one, and the check that a given one
//! is safe in a file name, a bucket path and a SQL literal.

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::model::stable_hash;

/// The default `source_id`: 16 hex digits of FNV-1a 64 over the host name and the Codex
/// homes' canonical paths (sorted, NUL-separated): the same machine and homes give the same
/// id on every run, and two machines (or two homes on one) never share one by accident.
pub fn default_source_id(host: &str, homes: &[PathBuf]) -> String {
    let mut paths: Vec<String> = homes
        .iter()
        .map(|h| {
            std::fs::canonicalize(h)
                .unwrap_or_else(|_| h.clone())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    paths.sort();
    paths.dedup();
    format!(
        "{:016x}",
        stable_hash(&format!("{host}\0{}", paths.join("\0")))
    )
}

/// This machine's host name (empty where it cannot be read).
pub fn host_name() -> String {
    #[cfg(unix)]
    {
        rustix::system::uname()
            .nodename()
            .to_string_lossy()
            .into_owned()
    }
    #[cfg(not(unix))]
    {
        String::new()
    }
}

/// A source id must be something a file, a bucket path and a SQL literal can carry.
pub(super) fn check_source_id(id: &str) -> Result<()> {
    let fine = !id.is_empty()
        && id.len() <= 128
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '@' | '+'));
    if fine {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "--source-id {id:?}: use 1 to 128 letters, digits, '-', '_', '.', '@' or '+'"
        )))
    }
}
