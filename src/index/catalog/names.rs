//! The thread names a commit had in force, kept encoded until an update asks for them.
//!
//! Only an update compares names (to rewrite the name documents that changed); every query
//! finds a session's name in its keys already. Decoding the map at each query's start-up was
//! some 6,000 strings and a tree of 3,000 entries on a large history, for nothing.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::FileRef;
use super::files::text_hash;
use crate::keys::SessionKeys;
use crate::scan::ScanResult;

/// Session id → thread name, as a commit saw them: encoded as read from a catalog, decoded
/// on first use; both at hand for a catalog an update just made.
#[derive(Debug, Default)]
pub struct ThreadNames {
    /// The map, postcard-encoded (what a catalog file holds).
    encoded: Vec<u8>,
    decoded: OnceLock<BTreeMap<String, String>>,
}

impl ThreadNames {
    /// Keeps `names`, encoded for saving.
    pub fn new(names: BTreeMap<String, String>) -> ThreadNames {
        ThreadNames {
            encoded: postcard::to_stdvec(&names).unwrap_or_default(),
            decoded: OnceLock::from(names),
        }
    }

    /// The names, decoded once. An update has checked them ([`ThreadNames::check`]); should
    /// the bytes not decode all the same, the names the sessions carry stand in, which is what
    /// they were unless a named session had no content.
    pub fn get(&self, sessions: &[SessionKeys]) -> &BTreeMap<String, String> {
        self.decoded.get_or_init(|| {
            postcard::from_bytes(&self.encoded).unwrap_or_else(|_| {
                sessions
                    .iter()
                    .filter_map(|k| Some((k.id.clone(), k.thread_name.clone()?)))
                    .collect()
            })
        })
    }
}

impl ThreadNames {
    /// Decodes the names now (an update's load): an error when they do not decode, which is
    /// a damaged catalog to rebuild rather than names to guess.
    pub fn check(&self) -> Result<(), String> {
        if self.decoded.get().is_none() {
            let names = postcard::from_bytes(&self.encoded)
                .map_err(|_| "the thread names do not decode".to_owned())?;
            let _ = self.decoded.set(names);
        }
        Ok(())
    }

    /// The names, decoded as by [`ThreadNames::get`], owned.
    pub fn into_map(mut self, sessions: &[SessionKeys]) -> BTreeMap<String, String> {
        self.get(sessions);
        self.decoded.take().unwrap_or_default()
    }
}

impl Serialize for ThreadNames {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serde_bytes::serialize(&self.encoded, s)
    }
}

impl<'de> Deserialize<'de> for ThreadNames {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ThreadNames, D::Error> {
        Ok(ThreadNames {
            encoded: serde_bytes::deserialize(d)?,
            decoded: OnceLock::new(),
        })
    }
}

/// Thread names in force: `session_index.jsonl` first, else the file's own
/// `thread_name_updated`.
pub(super) fn desired(files: &[FileRef], scan: &ScanResult) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    for file in files {
        let id = &file.session_id;
        if let Some(name) = scan.thread_names.get(id).or(file.own_name.as_ref()) {
            names.insert(id.clone(), name.clone());
        }
    }
    names
}

/// A fingerprint of the thread names a scan read from `session_index.jsonl`: the names in force
/// are a function of the files and these, so equal stamps and equal fingerprints mean nothing
/// changed. Each pair is hashed on its own and the hashes summed, so the names need no
/// sorting: a sorted copy of 10,000 names was a tenth of a large history's freshness check.
pub fn names_hash(scan: &ScanResult) -> u64 {
    // splitmix64's finaliser: summing the pairs' hashes unmixed let two sessions swap names
    // unnoticed whenever their hashes differed in the top bit alone.
    let mix = |mut z: u64| {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let pairs = scan.thread_names.iter();
    pairs.fold(scan.thread_names.len() as u64, |sum, (id, name)| {
        sum.wrapping_add(mix(text_hash(id).rotate_left(29) ^ text_hash(name)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_back_as_they_went_in() {
        let names: BTreeMap<String, String> = [("a", "first"), ("b", "second")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let kept = ThreadNames::new(names.clone());
        let bytes = postcard::to_stdvec(&kept).expect("encode");
        let back: ThreadNames = postcard::from_bytes(&bytes).expect("decode");
        assert_eq!(back.get(&[]), &names);
    }

    #[test]
    fn damaged_names_fall_back_to_the_sessions_own() {
        let damaged = ThreadNames {
            encoded: vec![5, 1, 2],
            decoded: OnceLock::new(),
        };
        let sessions = vec![
            SessionKeys {
                id: "a".into(),
                thread_name: Some("named".into()),
                ..SessionKeys::default()
            },
            SessionKeys {
                id: "b".into(),
                ..SessionKeys::default()
            },
        ];
        assert!(
            damaged.check().is_err(),
            "an update rebuilds a catalog like this"
        );
        let back = damaged.get(&sessions);
        assert_eq!(back.len(), 1);
        assert_eq!(back["a"], "named");
    }
}
