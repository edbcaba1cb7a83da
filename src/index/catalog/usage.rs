//! The usage of a commit: every session's usage events, the same summed by UTC quarter-hour
//! (all an up-to-date `stats` reads), and its rate-limit snapshots.
//!
//! On disk ([`UsageFile`]) each of the three is one encoded blob per session, in catalog
//! order, with the models interned once. An update carries the blobs of the sessions it did
//! not read over as bytes and encodes only the sessions it read: it neither decodes nor sums
//! again ten thousand sessions to add one. A report decodes the part it reads into a
//! [`UsageTable`]. The row encoding is in [`super::usage_file`].
//!
//! The file: the first part's length (8 bytes, little-endian), the first part (the models and
//! the quarter-hour sums), then the rest (the events and the snapshots).

use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::super::state::{encode_sized, read_first_part, write_postcard_after};
use super::blobs::{Blobs, Shared};
use super::usage_file::{decode_quarters, decode_rows, encode_quarters, encode_rows};
use crate::error::{Error, Result};
use crate::model::{LimitSnapshot, TokenUsage, UsageEvent};
use crate::scan::read_at;
use crate::stats::SessionUsage;
use crate::timezone::QUARTER_HOUR_MS;

/// Interned (model, service tier) pairs: a history has a handful.
pub(super) type Models = Vec<(Arc<str>, Option<Arc<str>>)>;

/// A usage file as stored: what an update carries over and writes. As read (or once written)
/// its lists are ranges of the bytes read ([`Shared`]); the next commit's is built in buffers
/// of its own (`UsageFile<Vec<u8>>`).
#[derive(Debug, Default)]
pub struct UsageFile<B = Shared> {
    models: Models,
    /// Each session's events summed by quarter-hour ([`quarter_hour_sums`]), as rows.
    quarters: Blobs<B>,
    /// Each session's events, as rows.
    events: Blobs<B>,
    /// Each session's `rate_limits` snapshots, in time order (postcard; empty for none).
    limits: Blobs<B>,
}

/// The first part of the file.
#[derive(Serialize, Deserialize)]
struct Head<M, B> {
    models: M,
    quarters: B,
}

/// The rest of the file.
#[derive(Serialize, Deserialize)]
struct Rest<B> {
    events: B,
    limits: B,
}

impl UsageFile<Vec<u8>> {
    /// Session `i` of `from`, its blobs copied as they are (a session `from` lacks has none).
    pub(super) fn push_moved(&mut self, from: &UsageFile, i: usize) {
        self.quarters.push(from.quarters.get(i));
        self.events.push(from.events.get(i));
        self.limits.push(from.limits.get(i));
    }

    /// A session read by this update: its events (models interned as needed) and snapshots.
    pub(super) fn push_read(&mut self, events: &[UsageEvent], limits: &[LimitSnapshot]) {
        for e in events {
            if self.model_index(e).is_none() {
                self.models.push((e.model.clone(), e.service_tier.clone()));
            }
        }
        let index = |e: &UsageEvent| self.model_index(e).unwrap_or(0) as u32;
        let quarters = encode_quarters(&quarter_hour_sums(events), index);
        let rows = encode_rows(events, index);
        self.quarters.push(&quarters);
        self.events.push(&rows);
        let limits = if limits.is_empty() {
            Vec::new()
        } else {
            postcard::to_stdvec(limits).unwrap_or_default()
        };
        self.limits.push(&limits);
    }

    /// The index of an event's (model, service tier) in `models`.
    fn model_index(&self, e: &UsageEvent) -> Option<usize> {
        self.models
            .iter()
            .position(|(m, t)| *m == e.model && *t == e.service_tier)
    }

    /// Writes the file (the rest streamed, not encoded whole first).
    pub fn save(&self, path: &Path) -> Result<()> {
        let head = encode_sized(&Head {
            models: &self.models,
            quarters: &self.quarters,
        })
        .map_err(|e| Error::Index(e.to_string()))?;
        let rest = Rest {
            events: &self.events,
            limits: &self.limits,
        };
        write_postcard_after(path, &[&(head.len() as u64).to_le_bytes(), &head], &rest)
    }

    /// The file as a commit holds it once written (its buffers shared, not copied).
    pub fn into_shared(self) -> UsageFile {
        UsageFile {
            models: self.models,
            quarters: self.quarters.into_shared(),
            events: self.events.into_shared(),
            limits: self.limits.into_shared(),
        }
    }
}

impl UsageFile {
    /// A table for the next commit, with this one's models (so every carried-over row still
    /// names its model by the same index), no sessions yet, and room for this one's sessions
    /// and for `events` events and `snapshots` snapshots more (capacity never written costs no
    /// memory; a table copied as it grows holds both copies for a moment).
    pub(super) fn next_empty(&mut self, events: usize, snapshots: usize) -> UsageFile<Vec<u8>> {
        UsageFile {
            models: std::mem::take(&mut self.models),
            quarters: Blobs::with_room_of(&self.quarters, events * 8),
            events: Blobs::with_room_of(&self.events, events * 48),
            limits: Blobs::with_room_of(&self.limits, snapshots * 256),
        }
    }

    /// How many sessions.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Reads a whole usage file, left encoded: each list a range of the bytes read.
    pub fn load(path: &Path) -> Result<UsageFile> {
        let (first, rest) = read_parts(path)?;
        let (first, rest) = (Arc::new(first), Arc::new(rest));
        let head: Head<Models, Blobs<&[u8]>> = decode_part(path, &first, "first part")?;
        let tail: Rest<Blobs<&[u8]>> = decode_part(path, &rest, "rest")?;
        let lens = [head.quarters.len(), tail.events.len(), tail.limits.len()];
        if lens.iter().any(|&len| len != lens[0]) {
            return Err(damaged(
                path,
                "its parts cover different numbers of sessions",
            ));
        }
        let shared = |blobs: Blobs<&[u8]>, read| {
            blobs
                .within(read)
                .ok_or_else(|| damaged(path, "a list outside its part"))
        };
        Ok(UsageFile {
            quarters: shared(head.quarters, &first)?,
            events: shared(tail.events, &rest)?,
            limits: shared(tail.limits, &rest)?,
            models: head.models,
        })
    }
}

/// Usage of each catalog session, decoded: what a report reads.
#[derive(Debug, Default)]
pub struct UsageTable {
    sessions: Vec<Vec<UsageEvent>>,
    /// Each session's snapshots, still encoded (a report that does not need them pays
    /// nothing for them); none when only the quarter-hour sums were read.
    limits: Blobs<Shared>,
}

impl UsageTable {
    /// Reads a usage file's every event and snapshot.
    pub fn load(path: &Path) -> Result<UsageTable> {
        let file = UsageFile::load(path)?;
        Ok(UsageTable {
            sessions: decode_sessions(path, &file.events, |blob| decode_rows(&file.models, blob))?,
            limits: file.limits,
        })
    }

    /// Reads only a usage file's quarter-hour sums ([`quarter_hour_sums`]).
    pub fn load_quarter_hours(path: &Path) -> Result<UsageTable> {
        let (_, first, _) = read_first_part(path)?;
        // The rows are decoded straight from the bytes read, not copied out first.
        let head: Head<Models, Blobs<&[u8]>> = decode_part(path, &first, "first part")?;
        Ok(UsageTable {
            sessions: decode_sessions(path, &head.quarters, |blob| {
                decode_quarters(&head.models, blob)
            })?,
            limits: Blobs::default(),
        })
    }

    /// How many sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// Joins the catalog's sessions with their usage, and hands out every session's
    /// `rate_limits` snapshots (one list per session, in the same order), consuming both.
    pub fn into_sessions_with_limits<I>(
        mut self,
        sessions: Vec<I>,
    ) -> (Vec<SessionUsage<I>>, Vec<Vec<LimitSnapshot>>) {
        let limits = std::mem::take(&mut self.limits);
        let limits = (0..sessions.len())
            .map(|i| decode_limits(limits.get(i)))
            .collect();
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

/// A session's events summed by quarter-hour: one event per (model, service tier) and UTC
/// quarter-hour, timed at the quarter's start. A report in any zone whose days begin on a
/// quarter-hour sums the same figures from about a tenth of the rows (see
/// [`crate::stats::quarter_hours_are_whole_days`]).
fn quarter_hour_sums(events: &[UsageEvent]) -> Vec<UsageEvent> {
    let mut sums: Vec<UsageEvent> = Vec::new();
    let mut at: FxHashMap<(i64, &str, Option<&str>), usize> = FxHashMap::default();
    for e in events {
        let quarter = e.timestamp_ms.div_euclid(QUARTER_HOUR_MS) * QUARTER_HOUR_MS;
        let key = (quarter, &*e.model, e.service_tier.as_deref());
        let slot = *at.entry(key).or_insert_with(|| {
            sums.push(UsageEvent {
                timestamp_ms: quarter,
                usage: TokenUsage::default(),
                event_key: 0,
                ..e.clone()
            });
            sums.len() - 1
        });
        sums[slot].usage.add(&e.usage);
    }
    sums
}

/// Every session's rows as events.
fn decode_sessions(
    path: &Path,
    blobs: &Blobs<impl AsRef<[u8]>>,
    decode: impl Fn(&[u8]) -> Result<Vec<UsageEvent>, String>,
) -> Result<Vec<Vec<UsageEvent>>> {
    // Sized once: grown as it went, the list was copied a few times over (a large history
    // has ten thousand sessions).
    let mut sessions = Vec::with_capacity(blobs.len());
    for blob in blobs.iter() {
        sessions.push(decode(blob).map_err(|e| damaged(path, &e))?);
    }
    Ok(sessions)
}

/// A session's snapshots from their blob; a blob that does not decode counts as none (the
/// framing was checked, so this is not damage a rebuild would fix).
fn decode_limits(blob: &[u8]) -> Vec<LimitSnapshot> {
    if blob.is_empty() {
        return Vec::new();
    }
    postcard::from_bytes(blob).unwrap_or_default()
}

/// The first part of the file and the rest.
fn read_parts(path: &Path) -> Result<(Vec<u8>, Vec<u8>)> {
    let (file, first, rest_len) = read_first_part(path)?;
    let rest = usize::try_from(rest_len)
        .ok()
        .and_then(|len| read_at(&file, 8 + first.len() as u64, len))
        .ok_or_else(|| damaged(path, "cut short"))?;
    Ok((first, rest))
}

/// One part, which must be exactly one value.
fn decode_part<'a, T: Deserialize<'a>>(path: &Path, bytes: &'a [u8], what: &str) -> Result<T> {
    match postcard::take_from_bytes(bytes) {
        Ok((value, [])) => Ok(value),
        Ok(_) => Err(damaged(path, &format!("bytes after the {what}"))),
        Err(e) => Err(damaged(path, &format!("{what}: {e}"))),
    }
}

fn damaged(path: &Path, what: &str) -> Error {
    Error::Index(format!("{}: {what}", path.display()))
}

#[cfg(test)]
mod tests;
