//! A small cache of what `statusline` needs (the rate-limit snapshots and the usage of the
//! last eight days), so a prompt that redraws every few seconds reads a few kilobytes instead
//! of decoding the whole catalog and usage table.
//!
//! The cache names the commit generation it was made from and is used only while that commit
//! is the live one (read from `tantivy/meta.json`'s payload, which is small); any other state
//! (missing, damaged, older, a rebuilt index) falls back to the full path, which writes a fresh
//! cache. It is written atomically beside the index files, best effort: a read-only index dir
//! only means the slow path every time. It never holds anything the index does not.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::state::{read_postcard, write_postcard};
use super::{Payload, homes_key};
use crate::model::LimitSnapshot;
use crate::stats::SessionUsage;

/// How far back, before the newest event or snapshot, the cache keeps data: a weekly window
/// and a day on either side, so "today" in any time zone and the current week are whole.
const KEEP_MS: i64 = 9 * 24 * 60 * 60 * 1000;

/// The cache file, in the homes' index folder.
const FILE: &str = "quick.bin";

/// The cached sessions (only those with recent events or snapshots, only those events) and
/// their snapshots, in matching order, for commit `generation`.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Quick {
    generation: u64,
    sessions: Vec<SessionUsage>,
    limits: Vec<Vec<LimitSnapshot>>,
}

/// The generation of the live commit, read from `tantivy/meta.json` alone.
fn live_generation(dir: &Path) -> Option<u64> {
    #[derive(Deserialize)]
    struct Meta {
        payload: Option<String>,
    }
    let text = std::fs::read(dir.join("tantivy").join("meta.json")).ok()?;
    let meta: Meta = serde_json::from_slice(&text).ok()?;
    let payload: Payload = serde_json::from_str(meta.payload.as_deref()?).ok()?;
    Some(payload.generation)
}

fn folder(index_dir: &Path, homes: &[PathBuf]) -> PathBuf {
    index_dir.join(homes_key(homes))
}

/// The cached sessions and snapshots, when the cache belongs to the live commit.
pub fn load(
    index_dir: &Path,
    homes: &[PathBuf],
) -> Option<(Vec<SessionUsage>, Vec<Vec<LimitSnapshot>>)> {
    let dir = folder(index_dir, homes);
    let live = live_generation(&dir)?;
    let quick: Quick = read_postcard(&dir.join(FILE)).ok()?;
    (quick.generation == live).then_some((quick.sessions, quick.limits))
}

/// Writes the cache for commit `generation` from the full sessions and snapshots (best
/// effort: errors are ignored).
pub fn save(
    index_dir: &Path,
    homes: &[PathBuf],
    generation: u64,
    sessions: &[SessionUsage],
    limits: &[Vec<LimitSnapshot>],
) {
    let newest = sessions
        .iter()
        .flat_map(|s| s.events.iter().map(|e| e.timestamp_ms))
        .chain(limits.iter().flatten().map(|l| l.time_ms))
        .max()
        .unwrap_or(0);
    let since = newest.saturating_sub(KEEP_MS);
    let mut quick = Quick {
        generation,
        ..Quick::default()
    };
    for (i, session) in sessions.iter().enumerate() {
        let events: Vec<_> = session
            .events
            .iter()
            .filter(|e| e.timestamp_ms >= since)
            .cloned()
            .collect();
        let snapshots: Vec<LimitSnapshot> = limits
            .get(i)
            .map(|l| l.iter().filter(|s| s.time_ms >= since).cloned().collect())
            .unwrap_or_default();
        if events.is_empty() && snapshots.is_empty() {
            continue;
        }
        quick.sessions.push(SessionUsage {
            info: session.info.clone(),
            events,
        });
        quick.limits.push(snapshots);
    }
    let _ = write_postcard(&folder(index_dir, homes).join(FILE), &quick);
}
