//! The catalog's sessions: [`SessionKeys`] decoded when the catalog is read, each whole
//! [`SessionInfo`] kept encoded until something asks for it.
//!
//! Decoding every session's twenty-odd strings was most of a query's start-up on a large
//! history (21 ms for 10,000 sessions), and a listing shows twenty of them. An update moves
//! the encoded sessions it does not touch without decoding them.
//!
//! On disk the encoded sessions follow the catalog's value as raw bytes. A loaded catalog
//! leaves them in the file and reads a session's bytes when it is first asked for
//! ([`SessionTable::attach`]); the file is never changed once written (a commit writes a new
//! one), and the open handle keeps it readable after a later commit removes its name.

use std::borrow::Cow;
use std::fs::File;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

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

/// The encoded sessions: built in memory, or a range of the catalog file read on demand.
#[derive(Debug)]
enum Blob {
    Owned(Vec<u8>),
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
        Blob::Owned(Vec::new())
    }
}

impl Blob {
    /// Bytes `range` (empty when out of range, or when the file can no longer be read: the
    /// keys then stand in for the session).
    fn slice(&self, range: std::ops::Range<usize>) -> Cow<'_, [u8]> {
        match self {
            Blob::Owned(bytes) => Cow::Borrowed(bytes.get(range).unwrap_or_default()),
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
            Blob::Owned(bytes) => bytes,
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

    /// Every byte, owned (read from the file without a second copy when not read yet).
    fn into_owned(self) -> Vec<u8> {
        self.all();
        match self {
            Blob::Owned(bytes) => bytes,
            Blob::InFile { whole, .. } => whole.into_inner().unwrap_or_default(),
        }
    }

    /// The bytes, to append to.
    fn owned(&mut self) -> &mut Vec<u8> {
        if let Blob::InFile { .. } = self {
            *self = Blob::Owned(std::mem::take(self).into_owned());
        }
        match self {
            Blob::Owned(bytes) => bytes,
            Blob::InFile { .. } => unreachable!("made owned above"),
        }
    }
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
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        // Out of range only for a table never attached to its bytes: then it decodes as
        // nothing, and the keys stand in.
        self.bytes.slice(start..self.ends[i] as usize)
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

    /// An empty table with room for `sessions` sessions of `bytes` encoded bytes in all.
    pub fn with_capacity(sessions: usize, bytes: usize) -> SessionTable {
        SessionTable {
            keys: Vec::with_capacity(sessions),
            bytes: Blob::Owned(Vec::with_capacity(bytes)),
            ends: Vec::with_capacity(sessions),
            infos: Vec::with_capacity(sessions),
        }
    }

    fn push_encoded(&mut self, keys: SessionKeys, bytes: &[u8]) {
        self.keys.push(keys);
        let all = self.bytes.owned();
        all.extend_from_slice(bytes);
        self.ends.push(all.len() as u64);
        self.infos.push(OnceLock::new());
    }

    /// The encoded sessions, written after the catalog's value.
    pub fn encoded_bytes(&self) -> &[u8] {
        self.bytes.all()
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

    /// Takes the table apart: every session's keys, the encoded sessions back to back, and
    /// where each ends.
    pub fn into_parts(self) -> (Vec<SessionKeys>, Vec<u8>, Vec<u64>) {
        (self.keys, self.bytes.into_owned(), self.ends)
    }

    /// Adds a session taken out by [`SessionTable::into_parts`], with the thread name in
    /// force now (decoded and encoded again only when that changed it).
    pub fn push_moved(&mut self, keys: SessionKeys, bytes: &[u8], name: Option<&String>) {
        if keys.thread_name.as_ref() == name {
            return self.push_encoded(keys, bytes);
        }
        let mut info: SessionInfo = postcard::from_bytes(bytes).unwrap_or_else(|_| keys.to_info());
        info.thread_name = name.cloned();
        self.push(&info);
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
mod tests {
    use super::*;

    fn info(id: &str, title: &str) -> SessionInfo {
        SessionInfo {
            id: id.into(),
            title: Some(title.into()),
            ..SessionInfo::default()
        }
    }

    /// `table` written as the catalog writes it and read back.
    fn through_a_file(table: &SessionTable) -> Result<SessionTable, String> {
        let mut bytes = postcard::to_stdvec(table).expect("encode");
        let value_len = bytes.len();
        bytes.extend_from_slice(table.encoded_bytes());
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("table");
        std::fs::write(&path, &bytes).expect("write");
        let mut back: SessionTable = postcard::from_bytes(&bytes[..value_len]).expect("decode");
        let file = File::open(&path).expect("open");
        back.attach(file, value_len as u64, (bytes.len() - value_len) as u64)?;
        Ok(back)
    }

    #[test]
    fn sessions_round_trip_and_decode_on_demand() {
        let mut table = SessionTable::default();
        table.push(&info("a", "first"));
        table.push(&info("b", "second"));
        let back = through_a_file(&table).expect("attach");
        assert_eq!(back.len(), 2);
        assert_eq!(back.keys()[1].id, "b");
        assert_eq!(back.get(1).title.as_deref(), Some("second"));
        assert_eq!(
            back.by_id("a").and_then(|s| s.title.as_deref()),
            Some("first")
        );
        let mut moved = SessionTable::default();
        let name = "named".to_owned();
        let (keys, bytes, ends) = back.into_parts();
        let mut start = 0;
        for (keys, end) in keys.into_iter().zip(ends) {
            let rename = (keys.id == "b").then_some(&name);
            moved.push_moved(keys, &bytes[start..end as usize], rename);
            start = end as usize;
        }
        let infos = moved.into_infos();
        assert_eq!(infos[0], info("a", "first"));
        assert_eq!(infos[1].thread_name.as_deref(), Some("named"));
        assert_eq!(infos[1].title.as_deref(), Some("second"));
    }

    #[test]
    fn bytes_that_do_not_match_the_table_fail_to_attach_and_never_panic() {
        let mut table = SessionTable::default();
        table.push(&info("a", "first"));
        table.ends[0] += 7;
        assert!(through_a_file(&table).is_err());
        // A table used without its bytes falls back to the keys.
        let bytes = postcard::to_stdvec(&table).expect("encode");
        let bare: SessionTable = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(bare.get(0).id, "a");
        assert_eq!(bare.get(0).title, None);
    }
}
