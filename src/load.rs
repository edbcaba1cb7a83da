//! Scan → parse in parallel: reads every rollout file once (rayon, one file per task, lines in
//! order within a file) and returns sessions with their usage, ready for reports.
//!
//! This is the direct path that needs no index; the index reuses the same per-file parser.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::parse::{self, Depth, ParseReport};
use crate::scan::{ScanResult, SourceFile};
use crate::stats::SessionUsage;

/// Sessions read from disk, and what was skipped.
#[derive(Debug, Default)]
pub struct Loaded {
    /// One entry per session id.
    pub sessions: Vec<SessionUsage>,
    /// Skipped lines and files.
    pub report: ParseReport,
    /// Files dropped because another file holds the same session id and more bytes.
    pub duplicates: u64,
}

/// Parses every file of `scan` (usage depth) and applies thread names.
pub fn load_sessions(scan: &ScanResult) -> Loaded {
    #[allow(clippy::type_complexity)]
    let parsed: Vec<(SessionUsage, ParseReport, u64, bool, bool, Option<usize>)> = scan
        .files
        .par_iter()
        .map_init(Vec::new, |scratch, file: &SourceFile| {
            let (state, out) = parse::parse_path(&file.path, file.archived, Depth::Usage, scratch);
            let records = state.uses_records();
            let empty = state.is_empty();
            let fork_tail = state.fork_tail_start();
            let session = SessionUsage {
                info: state.session,
                events: out.usage,
            };
            (session, out.report, file.len, records, empty, fork_tail)
        })
        .collect();
    let mut loaded = Loaded::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut sizes: Vec<(u64, bool)> = Vec::new();
    let mut fork_tails: Vec<(String, usize)> = Vec::new();
    for (mut session, report, len, records, empty, fork_tail) in parsed {
        loaded.report.merge(&report);
        if let Some(start) = fork_tail {
            fork_tails.push((session.info.path.clone(), start));
        }
        // An empty file (Codex crashed before its first line) holds no session.
        if empty {
            continue;
        }
        if let Some(name) = scan.thread_names.get(&session.info.id) {
            session.info.thread_name = Some(name.clone());
        }
        let Some(&at) = by_id.get(&session.info.id) else {
            by_id.insert(session.info.id.clone(), loaded.sessions.len());
            loaded.sessions.push(session);
            sizes.push((len, records));
            continue;
        };
        let (known_len, known_records) = sizes[at];
        if records && known_records {
            // Other files of one thread with per-response records (a revert file, a
            // segment): each response once over all of them.
            let kept = &mut loaded.sessions[at];
            let events =
                crate::model::merge_thread_events(&[kept.events.as_slice(), &session.events]);
            // The file written last (the live one) stands for the session.
            if session.info.updated_at_ms > kept.info.updated_at_ms {
                kept.info = session.info;
            }
            sizes[at].0 = sizes[at].0.max(len);
            kept.info.recount(&events);
            kept.events = events;
        } else {
            // The same session in two files (a copy, or two overlapping homes): appends only
            // ever grow a rollout, so the longer file holds everything the shorter one does.
            loaded.duplicates += 1;
            if len > known_len {
                loaded.sessions[at] = session;
                sizes[at] = (len, records);
            }
        }
    }
    drop_leaked_copies(&mut loaded.sessions, &fork_tails);
    loaded.report.unreadable += scan.unreadable;
    loaded
}

/// Legacy forks whose copied block the timestamp rule closed too early lose the leaked rest
/// of the copy (see [`crate::model::drop_leaked_copy`]); `fork_tails` names each such file
/// and its first event after the block.
fn drop_leaked_copies(sessions: &mut [SessionUsage], fork_tails: &[(String, usize)]) {
    for (path, start) in fork_tails {
        let Some(at) = sessions.iter().position(|s| s.info.path == *path) else {
            continue;
        };
        let Some(parent_id) = sessions[at].info.forked_from_id.clone() else {
            continue;
        };
        let Some(parent) = sessions.iter().position(|s| s.info.id == parent_id) else {
            continue;
        };
        let parent_events = sessions[parent].events.clone();
        let child = &mut sessions[at];
        let fork_ms = child.info.started_at_ms.unwrap_or(i64::MAX);
        if crate::model::drop_leaked_copy(&mut child.events, *start, &parent_events, fork_ms) > 0 {
            let events = std::mem::take(&mut child.events);
            child.info.recount(&events);
            child.events = events;
        }
    }
}
