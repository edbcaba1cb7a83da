//! Record types no Codex version known here writes, summed over a home's files with the Codex
//! versions and sessions that wrote them: the first sign of a format change.

use std::collections::{BTreeMap, BTreeSet};

use super::UnknownType;
use super::rollout::FileFacts;

/// Unknown record types summed over files.
pub(super) fn unknown_types(facts: &[FileFacts]) -> Vec<UnknownType> {
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
