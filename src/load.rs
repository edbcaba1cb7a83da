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
    let parsed: Vec<(SessionUsage, ParseReport, u64, bool, bool)> = scan
        .files
        .par_iter()
        .map_init(Vec::new, |scratch, file: &SourceFile| {
            let (state, out) = parse::parse_path(&file.path, file.archived, Depth::Usage, scratch);
            let records = state.uses_records();
            let empty = state.is_empty();
            let session = SessionUsage {
                info: state.session,
                events: out.usage,
            };
            (session, out.report, file.len, records, empty)
        })
        .collect();
    let mut loaded = Loaded::default();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut sizes: Vec<(u64, bool)> = Vec::new();
    for (mut session, report, len, records, empty) in parsed {
        loaded.report.merge(&report);
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
            if len > known_len {
                kept.info = session.info;
                sizes[at].0 = len;
            }
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
    loaded.report.unreadable += scan.unreadable;
    loaded
}
