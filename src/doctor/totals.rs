//! The token comparison: each session's end-of-file total against the state DB's
//! `tokens_used`, matching a DB row to the rollout it names even when the home was moved or the
//! file compressed since.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use super::rollout::FileFacts;
use super::state_db::ThreadRow;
use super::{HomeReport, Mismatch};

/// Compares end-of-file totals with `tokens_used`, and notes the rows and files on one side only.
pub(super) fn compare_totals(
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
    fn relocation() {
        assert_eq!(
            relocate(Path::new("/h"), "/tmp/x/home/sessions/2026/12/01/r.jsonl"),
            Some(PathBuf::from("/h/sessions/2026/12/01/r.jsonl"))
        );
    }
}
