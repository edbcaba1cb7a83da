//! The catalog's sessions: [`SessionKeys`] decoded when the catalog is read, each whole
//! [`SessionInfo`] kept encoded until something asks for it.
//!
//! Decoding every session's twenty-odd strings was most of a query's start-up on a large
//! history (21 ms for 10,000 sessions), and a listing shows twenty of them. An update moves
//! the encoded sessions it does not touch without decoding them.
//!
//! On disk the encoded sessions follow the catalog's value as raw bytes. A loaded (or just
//! written) catalog leaves them in the file and reads a session's bytes when it is first asked
//! for ([`SessionTable::attach`]); the file is never changed once written (a commit writes a
//! new one), and the open handle keeps it readable after a later commit removes its name. The
//! next commit's table carries the sessions it keeps as ranges of that file ([`Spliced`]), so
//! an update neither reads nor copies ten thousand sessions' bytes to add one.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::blobs::span;
use super::spliced::Spliced;
use crate::keys::SessionKeys;
use crate::model::SessionInfo;
use crate::scan::read_at;

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

/// The encoded sessions: being made (ranges of the last catalog file and new bytes), or a
/// range of the catalog file they were written to, read on demand.
#[derive(Debug)]
enum Blob {
    Made {
        list: Spliced,
        /// The file the carried ranges are in.
        from: Option<File>,
        /// All of it, once something needed it in memory (a table not written yet).
        whole: OnceLock<Vec<u8>>,
    },
    InFile {
        file: File,
        start: u64,
        len: u64,
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
            Blob::InFile {
                whole: w,
                file,
                start,
                len,
            } => {
                if let Some(bytes) = w.get() {
                    return Cow::Borrowed(bytes.get(range).unwrap_or_default());
                }
                if range.start > range.end || range.end as u64 > *len {
                    return Cow::Borrowed(&[]);
                }
                let at = start + range.start as u64;
                Cow::Owned(read_at(file, at, range.len()).unwrap_or_default())
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
            Blob::InFile {
                whole,
                file,
                start,
                len,
            } => whole.get_or_init(|| {
                usize::try_from(*len)
                    .ok()
                    .and_then(|len| read_at(file, *start, len))
                    .unwrap_or_default()
            }),
        }
    }

    /// Where bytes `range` are in the file, when they are in one (as offset and length).
    fn file_range(&self, range: std::ops::Range<u64>) -> Option<(u64, u64)> {
        match self {
            Blob::InFile { start, len, .. } if range.start <= range.end && range.end <= *len => {
                Some((start + range.start, range.end - range.start))
            }
            _ => None,
        }
    }

    /// The file the bytes are in, if they are in one.
    fn file(&self) -> Option<&File> {
        match self {
            Blob::InFile { file, .. } => Some(file),
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

    /// The list being made. A table read from a file (pushed to after it was written, which
    /// an update never does) starts one that carries its bytes as one range of that file.
    fn made(&mut self) -> &mut Spliced {
        if let Blob::InFile {
            file, start, len, ..
        } = &self.bytes
        {
            let mut list = Spliced::default();
            list.push_old(*start, *len);
            self.bytes = Blob::made(list, file.try_clone().ok());
        }
        match &mut self.bytes {
            Blob::Made { list, whole, .. } => {
                whole.take(); // what it held is out of date now
                list
            }
            Blob::InFile { .. } => unreachable!("made above"),
        }
    }

    /// Writes the encoded sessions to `out` (they follow the catalog's value).
    pub(super) fn write_bytes(&self, out: &mut BufWriter<File>) -> std::io::Result<()> {
        match &self.bytes {
            Blob::Made { list, from, .. } => list.write_to(from.as_ref(), out),
            Blob::InFile { .. } => out.write_all(self.bytes.all()),
        }
    }

    /// How many bytes the encoded sessions take.
    pub(super) fn byte_len(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Leaves the encoded sessions in `file`, the `len` bytes from `start` (the rest of the
    /// catalog file after its value); ends that do not match those bytes mean a damaged file.
    pub fn attach(&mut self, file: File, start: u64, len: u64) -> Result<(), String> {
        let climbs = self.ends.windows(2).all(|w| w[0] <= w[1]);
        if !climbs || self.ends.last().copied().unwrap_or(0) != len {
            return Err(format!(
                "the sessions' {len} bytes do not match their table"
            ));
        }
        self.bytes = Blob::InFile {
            file,
            start,
            len,
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
    /// with the thread name in force now: its bytes as a range of the last file when they are
    /// in one, decoded and encoded again only when the name changed.
    pub fn carry(&mut self, keys: SessionKeys, from: &Carried, i: usize, name: Option<&String>) {
        let range = span(&from.ends, i);
        let bytes = || from.bytes.slice(range.start as usize..range.end as usize);
        if keys.thread_name.as_ref() != name {
            let mut info: SessionInfo =
                postcard::from_bytes(&bytes()).unwrap_or_else(|_| keys.to_info());
            info.thread_name = name.cloned();
            return self.push(&info);
        }
        match (&self.bytes, from.bytes.file_range(range.clone())) {
            (Blob::Made { from: Some(_), .. }, Some((at, len))) => {
                let list = self.made();
                list.push_old(at, len);
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
        // The bytes follow the catalog's value.
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
