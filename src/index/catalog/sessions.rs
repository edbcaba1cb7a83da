//! The catalog's sessions: [`SessionKeys`] decoded when the catalog is read, each whole
//! [`SessionInfo`] kept encoded until something asks for it.
//!
//! Decoding every session's twenty-odd strings was most of a query's start-up on a large
//! history (21 ms for 10,000 sessions), and a listing shows twenty of them. An update moves
//! the encoded sessions it does not touch without decoding them.
//!
//! On disk the encoded sessions are runs of the index's pack ([`super::pack`]), which the
//! catalog names. A loaded (or just written) catalog leaves them there and reads a session's
//! bytes when it is first asked for ([`SessionTable::attach`]); bytes a commit names are never
//! changed, and the open handle keeps them readable after a later commit removes the pack's
//! name. The next commit's table carries the sessions it keeps as runs of that pack
//! ([`Spliced`]), so an update neither reads nor writes ten thousand sessions' bytes to add
//! one.

use std::borrow::Cow;
use std::fs::File;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::blobs::span;
use super::pack::{PackWriter, Runs};
use super::spliced::Spliced;
use crate::keys::SessionKeys;
use crate::model::SessionInfo;

/// Every session of a commit, in catalog order.
#[derive(Debug, Default)]
pub struct SessionTable {
    keys: Vec<SessionKeys>,
    /// Each session's encoded [`SessionInfo`], back to back; session `i` ends at `ends[i]`.
    bytes: Blob,
    ends: Vec<u64>,
    /// Sessions decoded so far.
    infos: Vec<OnceLock<Box<SessionInfo>>>,
}

/// The encoded sessions: being made (runs of the last commit's pack and new bytes), or runs of
/// the pack they were saved to, read on demand.
#[derive(Debug)]
enum Blob {
    Made {
        list: Spliced,
        /// The pack the carried runs are in.
        from: Option<File>,
        /// All of it, once something needed it in memory (a table not written yet).
        whole: OnceLock<Vec<u8>>,
    },
    InPack {
        file: File,
        runs: Runs,
        /// All of it, once something needed every session.
        whole: OnceLock<Vec<u8>>,
    },
}

impl Default for Blob {
    fn default() -> Blob {
        Blob::made(Spliced::default(), None)
    }
}

impl Blob {
    fn made(list: Spliced, from: Option<File>) -> Blob {
        Blob::Made {
            list,
            from,
            whole: OnceLock::new(),
        }
    }

    /// Bytes `range` (empty when out of range, or when the file can no longer be read: the
    /// keys then stand in for the session).
    fn slice(&self, range: std::ops::Range<usize>) -> Cow<'_, [u8]> {
        match self {
            Blob::Made { .. } => Cow::Borrowed(self.all().get(range).unwrap_or_default()),
            Blob::InPack {
                whole: w,
                file,
                runs,
            } => {
                if let Some(bytes) = w.get() {
                    return Cow::Borrowed(bytes.get(range).unwrap_or_default());
                }
                let range = range.start as u64..range.end as u64;
                Cow::Owned(runs.read(file, range).unwrap_or_default())
            }
        }
    }

    /// Every byte, read once.
    fn all(&self) -> &[u8] {
        match self {
            Blob::Made { list, from, whole } => {
                if let Some(own) = list.own_bytes() {
                    return own;
                }
                whole.get_or_init(|| {
                    let mut bytes = Vec::new();
                    list.write_to(from.as_ref(), &mut bytes)
                        .map(|()| bytes)
                        .unwrap_or_default()
                })
            }
            Blob::InPack { whole, file, runs } => {
                whole.get_or_init(|| runs.read(file, 0..runs.len()).unwrap_or_default())
            }
        }
    }

    /// Where bytes `range` are in the pack, when they are in one (runs of offset and length).
    fn pack_pieces(
        &self,
        range: std::ops::Range<u64>,
    ) -> Option<impl Iterator<Item = (u64, u64)> + '_> {
        match self {
            Blob::InPack { runs, .. } => runs.pieces(range),
            Blob::Made { .. } => None,
        }
    }

    /// The pack the bytes are in, if they are in one.
    fn file(&self) -> Option<&File> {
        match self {
            Blob::InPack { file, .. } => Some(file),
            Blob::Made { .. } => None,
        }
    }
}

/// The last commit's encoded sessions, as [`SessionTable::into_carried`] leaves them for the
/// next table to carry over.
#[derive(Debug)]
pub struct Carried {
    bytes: Blob,
    ends: Vec<u64>,
}

impl SessionTable {
    /// How many sessions.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Every session's keys.
    pub fn keys(&self) -> &[SessionKeys] {
        &self.keys
    }

    fn encoded(&self, i: usize) -> Cow<'_, [u8]> {
        let range = span(&self.ends, i);
        // Out of range only for a table never attached to its bytes: then it decodes as
        // nothing, and the keys stand in.
        self.bytes.slice(range.start as usize..range.end as usize)
    }

    /// Session `i`, decoded on first use. A session that does not decode (a damaged file the
    /// load did not catch) is its keys alone, not a failed query.
    pub fn get(&self, i: usize) -> &SessionInfo {
        self.infos[i].get_or_init(|| {
            Box::new(
                postcard::from_bytes(&self.encoded(i)).unwrap_or_else(|_| self.keys[i].to_info()),
            )
        })
    }

    /// The session with this exact id.
    pub fn by_id(&self, id: &str) -> Option<&SessionInfo> {
        let i = self.keys.iter().position(|k| k.id == id)?;
        Some(self.get(i))
    }

    /// Every session, decoding those not decoded yet.
    pub fn all(&self) -> Vec<&SessionInfo> {
        self.bytes.all(); // one read, not one per session
        (0..self.len()).map(|i| self.get(i)).collect()
    }

    /// Adds `info`.
    pub fn push(&mut self, info: &SessionInfo) {
        let bytes = postcard::to_stdvec(info).unwrap_or_default();
        self.push_encoded(SessionKeys::from(info), &bytes);
    }

    /// An empty table that carries sessions of `from` ([`SessionTable::carry`]), with room
    /// for `sessions` sessions and `bytes` bytes of sessions encoded anew.
    pub fn carrying(from: &Carried, sessions: usize, bytes: usize) -> SessionTable {
        let file = from.bytes.file().and_then(|f| f.try_clone().ok());
        SessionTable {
            keys: Vec::with_capacity(sessions),
            bytes: Blob::made(Spliced::with_capacity(sessions, bytes), file),
            ends: Vec::with_capacity(sessions),
            infos: Vec::with_capacity(sessions),
        }
    }

    fn push_encoded(&mut self, keys: SessionKeys, bytes: &[u8]) {
        let list = self.made();
        list.push_new(bytes);
        let end = list.byte_len();
        self.push_keys(keys, end);
    }

    fn push_keys(&mut self, keys: SessionKeys, end: u64) {
        self.keys.push(keys);
        self.ends.push(end);
        self.infos.push(OnceLock::new());
    }

    /// The list being made. A table read from a pack (pushed to after it was written, which
    /// an update never does) starts one that carries its runs.
    fn made(&mut self) -> &mut Spliced {
        if let Blob::InPack { file, runs, .. } = &self.bytes {
            let mut list = Spliced::default();
            list.push_old(runs.as_slice().iter().copied());
            self.bytes = Blob::made(list, file.try_clone().ok());
        }
        match &mut self.bytes {
            Blob::Made { list, whole, .. } => {
                whole.take(); // what it held is out of date now
                list
            }
            Blob::InPack { .. } => unreachable!("made above"),
        }
    }

    /// How many bytes of the last commit's pack the table carries over, in how many runs.
    pub(super) fn carried(&self) -> (u64, usize) {
        match &self.bytes {
            Blob::Made { list, .. } => list.carried(),
            Blob::InPack { runs, .. } => (runs.len(), runs.count()),
        }
    }

    /// Puts the encoded sessions in `pack`; gives where they are there.
    pub(super) fn save_bytes(&mut self, pack: &PackWriter) -> std::io::Result<Runs> {
        self.made().save_to(pack)
    }

    /// Leaves the encoded sessions in `pack`, at `runs`; ends that do not match those bytes
    /// mean a damaged catalog.
    pub(super) fn attach(&mut self, pack: File, runs: Runs) -> Result<(), String> {
        let climbs = self.ends.windows(2).all(|w| w[0] <= w[1]);
        let len = runs.len();
        if !climbs || self.ends.last().copied().unwrap_or(0) != len {
            return Err(format!(
                "the sessions' {len} bytes do not match their table"
            ));
        }
        self.bytes = Blob::InPack {
            file: pack,
            runs,
            whole: OnceLock::new(),
        };
        Ok(())
    }

    /// Takes the table apart for the next one: every session's keys, and the encoded
    /// sessions for [`SessionTable::carry`].
    pub fn into_carried(self) -> (Vec<SessionKeys>, Carried) {
        let carried = Carried {
            bytes: self.bytes,
            ends: self.ends,
        };
        (self.keys, carried)
    }

    /// Adds session `i` of `from`, the table this one is [`SessionTable::carrying`] from,
    /// with the thread name in force now: its bytes as runs of the last commit's pack when they
    /// are in one, decoded and encoded again only when the name changed.
    pub fn carry(&mut self, keys: SessionKeys, from: &Carried, i: usize, name: Option<&String>) {
        let range = span(&from.ends, i);
        let bytes = || from.bytes.slice(range.start as usize..range.end as usize);
        if keys.thread_name.as_ref() != name {
            let mut info: SessionInfo =
                postcard::from_bytes(&bytes()).unwrap_or_else(|_| keys.to_info());
            info.thread_name = name.cloned();
            return self.push(&info);
        }
        match (&self.bytes, from.bytes.pack_pieces(range.clone())) {
            (Blob::Made { from: Some(_), .. }, Some(pieces)) => {
                let list = self.made();
                list.push_old(pieces);
                let end = list.byte_len();
                self.push_keys(keys, end);
            }
            _ => self.push_encoded(keys, &bytes()),
        }
    }

    /// Takes every session out, decoded.
    pub fn into_infos(self) -> Vec<SessionInfo> {
        self.bytes.all();
        (0..self.len())
            .map(|i| {
                postcard::from_bytes(&self.encoded(i)).unwrap_or_else(|_| self.keys[i].to_info())
            })
            .collect()
    }
}

impl Serialize for SessionTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The bytes are in the pack, which the catalog names after its value.
        super::stored_keys::serialize(&self.keys, &self.ends, s)
    }
}

impl<'de> Deserialize<'de> for SessionTable {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<SessionTable, D::Error> {
        let (keys, ends) = super::stored_keys::deserialize(d)?;
        if ends.len() != keys.len() {
            return Err(serde::de::Error::custom("session table out of step"));
        }
        let infos = std::iter::repeat_with(OnceLock::new)
            .take(keys.len())
            .collect();
        // The bytes come with [`SessionTable::attach`].
        Ok(SessionTable {
            keys,
            bytes: Blob::default(),
            ends,
            infos,
        })
    }
}

#[cfg(test)]
mod tests;
