//! The usage table of a commit: every session's usage events with interned models, its
//! rate-limit snapshots kept encoded, and the same usage summed by quarter-hour, which is all an
//! up-to-date `stats` reads. Its on-disk encoding is in [`super::usage_file`].

use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::super::state::{read_first_part, write_postcard_after};
use crate::error::{Error, Result};
use crate::model::{LimitSnapshot, UsageEvent};
use crate::scan::read_at;
use crate::stats::SessionUsage;
use crate::timezone::QUARTER_HOUR_MS;

/// Usage of each catalog session, in catalog order. On disk each event is a [`Row`] with an
/// index into `models`; in memory it is decoded straight into a [`UsageEvent`] (see
/// [`usage_file`]), so a report takes the events as they are.
#[derive(Debug, Default)]
pub struct UsageTable {
    /// Interned (model, service tier) pairs: a history has a handful.
    pub(super) models: Vec<(Arc<str>, Option<Arc<str>>)>,
    pub(super) sessions: Vec<Vec<UsageEvent>>,
    /// The `rate_limits` snapshots of each session's files, in time order (parallel to
    /// `sessions`): `limits` and `statusline` answer from them without reading a rollout.
    /// Kept encoded (postcard), a blob per session: a report that does not need them pays a
    /// copy, not a decode (they were 40 % of this file), and an update moves them untouched.
    pub(super) limits: Vec<serde_bytes::ByteBuf>,
}

/// One usage event on disk: time (ms), index into `models`, input, cached input, output,
/// reasoning, total, cache-write input, and its event key.
pub(super) type Row = (i64, u32, [i64; 6], u64);

impl UsageTable {
    /// `events`, with their models interned (so the file can name them by index).
    pub(super) fn interned(&mut self, events: Vec<UsageEvent>) -> Vec<UsageEvent> {
        for e in &events {
            if self.model_index(e).is_none() {
                self.models.push((e.model.clone(), e.service_tier.clone()));
            }
        }
        events
    }

    /// The index of an event's (model, service tier) in `models`.
    pub(super) fn model_index(&self, e: &UsageEvent) -> Option<usize> {
        self.models
            .iter()
            .position(|(m, t)| *m == e.model && *t == e.service_tier)
    }

    /// The same usage summed by quarter-hour: one event per session, (model, service tier)
    /// and UTC quarter-hour, timed at the quarter's start; no snapshots. A report in any zone
    /// whose days begin on a quarter-hour sums the same figures from about a tenth of the
    /// rows (see [`crate::stats::quarter_hours_are_whole_days`]).
    #[must_use]
    pub fn by_quarter_hour(&self) -> UsageTable {
        let sessions = self
            .sessions
            .iter()
            .map(|events| {
                let mut sums: Vec<UsageEvent> = Vec::new();
                let mut at: FxHashMap<(i64, usize), usize> = FxHashMap::default();
                for e in events {
                    let quarter = e.timestamp_ms.div_euclid(QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
                    let model = self.model_index(e).unwrap_or(usize::MAX);
                    let slot = *at.entry((quarter, model)).or_insert_with(|| {
                        sums.push(UsageEvent {
                            timestamp_ms: quarter,
                            usage: crate::model::TokenUsage::default(),
                            event_key: 0,
                            ..e.clone()
                        });
                        sums.len() - 1
                    });
                    sums[slot].usage.add(&e.usage);
                }
                sums
            })
            .collect();
        UsageTable {
            models: self.models.clone(),
            sessions,
            limits: Vec::new(),
        }
    }

    /// Reads a usage file's whole table (after its quarter-hour sums).
    pub fn load(path: &Path) -> Result<UsageTable> {
        let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
        let (file, first, rest) = read_first_part(path)?;
        let bytes = usize::try_from(rest)
            .ok()
            .and_then(|len| read_at(&file, 8 + first.len() as u64, len))
            .ok_or_else(|| damaged("cut short"))?;
        match postcard::take_from_bytes(&bytes) {
            Ok((table, [])) => Ok(table),
            Ok(_) => Err(damaged("bytes after the table")),
            Err(e) => Err(damaged(&e.to_string())),
        }
    }

    /// Reads only a usage file's quarter-hour sums ([`UsageTable::by_quarter_hour`]).
    pub fn load_quarter_hours(path: &Path) -> Result<UsageTable> {
        let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
        let (_, bytes, _) = read_first_part(path)?;
        match postcard::take_from_bytes(&bytes) {
            Ok((table, [])) => Ok(table),
            Ok(_) => Err(damaged("bytes after the quarter-hour sums")),
            Err(e) => Err(damaged(&e.to_string())),
        }
    }

    /// Writes a usage file: the quarter-hour sums' length (8 bytes, little-endian), the sums,
    /// then the whole table.
    pub fn save(&self, path: &Path) -> Result<()> {
        let quarters = postcard::to_stdvec(&self.by_quarter_hour())
            .map_err(|e| Error::Index(e.to_string()))?;
        let mut head = (quarters.len() as u64).to_le_bytes().to_vec();
        head.extend_from_slice(&quarters);
        write_postcard_after(path, &head, self)
    }

    /// Joins the catalog's sessions with their usage, and hands out every session's
    /// `rate_limits` snapshots (one list per session, in the same order), consuming both.
    pub fn into_sessions_with_limits<I>(
        mut self,
        sessions: Vec<I>,
    ) -> (Vec<SessionUsage<I>>, Vec<Vec<LimitSnapshot>>) {
        let mut limits: Vec<Vec<LimitSnapshot>> = std::mem::take(&mut self.limits)
            .iter()
            .map(|blob| decode_limits(blob))
            .collect();
        limits.resize_with(sessions.len(), Vec::new);
        (self.into_sessions(sessions), limits)
    }

    /// Joins the catalog's sessions with their usage, consuming both.
    pub fn into_sessions<I>(self, sessions: Vec<I>) -> Vec<SessionUsage<I>> {
        sessions
            .into_iter()
            .zip(
                self.sessions
                    .into_iter()
                    .chain(std::iter::repeat_with(Vec::new)),
            )
            .map(|(info, events)| SessionUsage { info, events })
            .collect()
    }
}

/// A session's snapshots as stored (none: an empty blob).
pub(super) fn encode_limits(limits: &[LimitSnapshot]) -> serde_bytes::ByteBuf {
    if limits.is_empty() {
        return serde_bytes::ByteBuf::new();
    }
    serde_bytes::ByteBuf::from(postcard::to_stdvec(limits).unwrap_or_default())
}

/// A session's snapshots from their blob; a blob that does not decode counts as none (the
/// whole file decoded, so this is not damage a rebuild would fix).
fn decode_limits(blob: &[u8]) -> Vec<LimitSnapshot> {
    if blob.is_empty() {
        return Vec::new();
    }
    postcard::from_bytes(blob).unwrap_or_default()
}
