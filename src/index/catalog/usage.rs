//! The usage of a commit: every session's usage events, the same summed by UTC quarter-hour
//! (all an up-to-date `stats` reads), and its rate-limit snapshots.
//!
//! On disk each of the three is a list of one encoded blob per session, in catalog order, with
//! the models interned once. The file: the directory's length (8 bytes, little-endian) and the
//! directory: the models, where each session's blob ends in each list, and the runs of the
//! index's pack ([`super::pack`]) each list's bytes are in (quarter-hour sums, events,
//! snapshots). A report reads the directory and the lists it decodes into a [`UsageTable`];
//! an update reads only the directory ([`UsageFile`]) and writes the next file
//! ([`NextUsage`]), the blobs of the sessions it did not read named again as runs of the pack:
//! it neither reads, decodes, sums nor writes again ten thousand sessions to add one. The row
//! encoding is in [`super::usage_file`].

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::super::state::{encode_sized, read_first_part, write_with};
use super::blobs::{Blobs, check_ends, span};
use super::pack::{Pack, PackWriter, Runs};
use super::spliced::Spliced;
use super::usage_file::{decode_quarters, decode_rows, encode_quarters, encode_rows};
use crate::error::{Error, Result};
use crate::model::{LimitSnapshot, TokenUsage, UsageEvent};
use crate::stats::SessionUsage;
use crate::timezone::QUARTER_HOUR_MS;

/// Interned (model, service tier) pairs: a history has a handful.
pub(super) type Models = Vec<(Arc<str>, Option<Arc<str>>)>;

/// The lists, in file order: each session's events summed by quarter-hour
/// ([`quarter_hour_sums`]) as rows, its events as rows, its `rate_limits` snapshots in time
/// order (postcard; empty for none).
const QUARTERS: usize = 0;
const EVENTS: usize = 1;
const LIMITS: usize = 2;

/// The directory, as written.
#[derive(Serialize)]
struct DirectoryOut<'a> {
    models: &'a Models,
    ends: [&'a [u64]; 3],
    pack: u64,
    runs: [&'a [(u64, u64)]; 3],
}

/// The directory, as read.
#[derive(Deserialize)]
struct DirectoryIn {
    models: Models,
    ends: [Vec<u64>; 3],
    pack: u64,
    runs: [Vec<(u64, u64)>; 3],
}

/// A usage file as an update reads it: the directory, and the pack its blobs stay in.
#[derive(Debug, Default)]
pub struct UsageFile {
    models: Models,
    /// Where each session's blob ends, per list.
    ends: [Vec<u64>; 3],
    /// Where each list's bytes are in the pack.
    runs: [Runs; 3],
    /// The pack's number (0 for the empty commit) and the pack.
    pack: u64,
    file: Option<File>,
}

/// The next commit's usage file as an update makes it.
#[derive(Debug, Default)]
pub struct NextUsage {
    models: Models,
    lists: [Spliced; 3],
    /// How many sessions the last commit's file has.
    last_len: usize,
    /// Where each session comes from, in order, for [`NextUsage::quarter_hours`].
    origins: Vec<Origin>,
}

/// Where a session of the next usage file comes from.
#[derive(Debug, Clone)]
enum Origin {
    /// Session `i` of the last commit.
    Carried(usize),
    /// Read by this update: its quarter-hour blob is these bytes of the ones it made.
    Read(std::ops::Range<usize>),
}

impl NextUsage {
    /// Session `i` of `from`, its blobs carried as they are (a session `from` lacks has
    /// none).
    pub(super) fn push_moved(&mut self, from: &UsageFile, i: usize) {
        for (list, k) in self.lists.iter_mut().zip([QUARTERS, EVENTS, LIMITS]) {
            let pieces = from.runs[k].pieces(span(&from.ends[k], i));
            list.push_old(pieces.into_iter().flatten());
        }
        self.origins.push(Origin::Carried(i));
    }

    /// How many bytes of the last commit's pack the file carries over, in how many runs.
    pub fn carried(&self) -> (u64, usize) {
        self.lists
            .iter()
            .map(Spliced::carried)
            .fold((0, 0), |(b, r), (bytes, runs)| (b + bytes, r + runs))
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
        let made = self.lists[QUARTERS].push_new(&quarters);
        self.origins.push(Origin::Read(made));
        self.lists[EVENTS].push_new(&rows);
        let limits = if limits.is_empty() {
            Vec::new()
        } else {
            postcard::to_stdvec(limits).unwrap_or_default()
        };
        self.lists[LIMITS].push_new(&limits);
    }

    /// The index of an event's (model, service tier) in `models`.
    fn model_index(&self, e: &UsageEvent) -> Option<usize> {
        self.models
            .iter()
            .position(|(m, t)| *m == e.model && *t == e.service_tier)
    }

    /// The next commit's quarter-hour sums, made from `last`, the last commit's as read
    /// (the carried sessions' are moved out of it, not read and decoded again), and the sums
    /// of the sessions this update read, decoded from the blobs it made as a reader of the new
    /// file decodes them. `last` must be the table of the file the sessions were carried from
    /// (the store holds only the table of the commit it updates); `None` when it does not
    /// cover that file's sessions or a blob does not decode (the caller then reads the new
    /// file).
    pub fn quarter_hours(&self, last: UsageTable) -> Option<UsageTable> {
        let mut last = last.sessions;
        if last.len() != self.last_len {
            return None;
        }
        let mut sessions = Vec::with_capacity(self.origins.len());
        for origin in &self.origins {
            let sums = match origin {
                Origin::Carried(i) => last.get_mut(*i).map(std::mem::take)?,
                Origin::Read(made) => {
                    let blob = self.lists[QUARTERS].made_bytes(made.clone())?;
                    decode_quarters(&self.models, blob).ok()?
                }
            };
            sessions.push(sums);
        }
        Some(UsageTable {
            sessions,
            limits: Blobs::default(),
        })
    }

    /// Puts the lists in `pack`, writes the file, and gives it back as the next update reads
    /// it.
    pub fn save(self, path: &Path, pack: &PackWriter) -> Result<UsageFile> {
        let mut runs: [Runs; 3] = Default::default();
        for (list, runs) in self.lists.iter().zip(&mut runs) {
            *runs = list.save_to(pack).map_err(|e| Error::io(pack.path(), e))?;
        }
        let ends = self.lists.each_ref().map(Spliced::ends);
        let directory = encode_sized(&DirectoryOut {
            models: &self.models,
            ends,
            pack: pack.number(),
            runs: runs.each_ref().map(Runs::as_slice),
        })
        .map_err(|e| Error::Index(e.to_string()))?;
        write_with(path, |out: &mut BufWriter<File>| {
            out.write_all(&(directory.len() as u64).to_le_bytes())?;
            out.write_all(&directory)
        })?;
        Ok(UsageFile {
            models: self.models,
            ends: ends.map(<[u64]>::to_vec),
            runs,
            pack: pack.number(),
            file: Some(pack.reader()?),
        })
    }
}

impl UsageFile {
    /// A table for the next commit, with this one's models (so every carried-over row still
    /// names its model by the same index), no sessions yet, and room for this one's sessions
    /// and for `events` events and `snapshots` snapshots more read by this update.
    pub(super) fn next_empty(&mut self, events: usize, snapshots: usize) -> NextUsage {
        let sessions = self.len() + 16;
        NextUsage {
            models: std::mem::take(&mut self.models),
            lists: [
                Spliced::with_capacity(sessions, events * 8),
                Spliced::with_capacity(sessions, events * 48),
                Spliced::with_capacity(sessions, snapshots * 256),
            ],
            last_len: self.len(),
            origins: Vec::with_capacity(sessions),
        }
    }

    /// How many sessions.
    pub fn len(&self) -> usize {
        self.ends[EVENTS].len()
    }

    /// The number of the pack its lists are in (the catalog's must be the same: an update
    /// carries both over from that pack).
    pub fn pack(&self) -> u64 {
        self.pack
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads a usage file's directory; its lists stay in the pack until read.
    pub fn load(path: &Path) -> Result<UsageFile> {
        let (_, directory, rest) = read_first_part(path)?;
        let DirectoryIn {
            models,
            ends,
            pack,
            runs,
        } = match postcard::take_from_bytes(&directory) {
            Ok((directory, [])) if rest == 0 => directory,
            Ok(_) => return Err(damaged(path, "bytes after the directory")),
            Err(e) => return Err(damaged(path, &format!("directory: {e}"))),
        };
        if ends.iter().any(|list| list.len() != ends[EVENTS].len()) {
            return Err(damaged(
                path,
                "its lists cover different numbers of sessions",
            ));
        }
        let Pack { file, len } = Pack::open(path.parent().unwrap_or(Path::new(".")), pack)?;
        let runs = runs.map(Runs::new);
        for k in [QUARTERS, EVENTS, LIMITS] {
            // The ends must climb to the list's length, and the list lie within the pack.
            check_ends(&ends[k], runs[k].len()).map_err(|e| damaged(path, e))?;
            if !runs[k].fits(len) {
                return Err(damaged(path, "its lists are past the end of their pack"));
            }
        }
        Ok(UsageFile {
            models,
            ends,
            runs,
            pack,
            file: Some(file),
        })
    }

    /// List `k`, read whole.
    fn read_list(&self, path: &Path, k: usize) -> Result<Blobs> {
        let ends = self.ends[k].clone();
        let bytes = match &self.file {
            Some(file) => (self.runs[k].read(file, 0..self.runs[k].len()))
                .ok_or_else(|| damaged(path, "cut short"))?,
            None => Vec::new(),
        };
        Blobs::from_parts(ends, bytes).map_err(|e| damaged(path, e))
    }
}

/// Usage of each catalog session, decoded: what a report reads.
#[derive(Debug, Default)]
pub struct UsageTable {
    sessions: Vec<Vec<UsageEvent>>,
    /// Each session's snapshots, still encoded (a report that does not need them pays
    /// nothing for them); none when only the quarter-hour sums were read.
    limits: Blobs,
}

impl UsageTable {
    /// Reads a usage file's every event and snapshot.
    pub fn load(path: &Path) -> Result<UsageTable> {
        let file = UsageFile::load(path)?;
        let events = file.read_list(path, EVENTS)?;
        Ok(UsageTable {
            sessions: decode_sessions(path, &events, |blob| decode_rows(&file.models, blob))?,
            limits: file.read_list(path, LIMITS)?,
        })
    }

    /// Reads only a usage file's quarter-hour sums ([`quarter_hour_sums`]).
    pub fn load_quarter_hours(path: &Path) -> Result<UsageTable> {
        let file = UsageFile::load(path)?;
        let quarters = file.read_list(path, QUARTERS)?;
        Ok(UsageTable {
            sessions: decode_sessions(path, &quarters, |blob| decode_quarters(&file.models, blob))?,
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
    blobs: &Blobs,
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

fn damaged(path: &Path, what: &str) -> Error {
    Error::Index(format!("{}: {what}", path.display()))
}

#[cfg(test)]
mod tests;
