//! The catalog's files: a fixed-size freshness stamp per rollout for every query, and the
//! whole [`FileRef`] list (paths, session ids, names) only for what needs it.
//!
//! Every query asks "is the index current?": each scanned file's size, mtime and identity
//! against what the index read. That needs no paths as strings: a stamp holds its path's
//! hash, stamps are kept in path order (as a scan lists files) and decode without an
//! allocation per file; the list, with three
//! strings per file, is decoded when an update or a transcript asks for it.

use std::fs::File;
use std::sync::OnceLock;

use super::FileRef;
use crate::scan::{ScanResult, read_at};

/// A hash of a text (a path, a thread name) that stays the same from build to build (it is
/// stored), eight bytes at a time: a query hashes every scanned path, and FNV's byte at a time
/// was a tenth of checking 10,000 files.
pub(super) fn text_hash(path: &str) -> u64 {
    const K: u64 = 0xf135_7aea_2e62_a9c5;
    let bytes = path.as_bytes();
    let mut hash = bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        hash = (hash.rotate_left(26) ^ word).wrapping_mul(K);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    hash = (hash.rotate_left(26) ^ u64::from_le_bytes(last)).wrapping_mul(K);
    hash ^ (hash >> 32)
}

/// What says a file is unchanged, found by the hash of its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    path_hash: u64,
    len: u64,
    mtime_ns: i128,
    identity: (u64, u64),
}

impl Stamp {
    fn of(file: &FileRef) -> Stamp {
        Stamp {
            path_hash: text_hash(&file.path),
            len: file.len,
            mtime_ns: file.mtime_ns,
            identity: file.identity,
        }
    }
}

/// Bytes per stored stamp: five little-endian words and the 16-byte mtime.
const STAMP_BYTES: usize = 8 * 4 + 16;

/// Stamps stored as fixed-width bytes, one block: every query reads all of them, and
/// decoding 10,000 stamps field by field as varints took a tenth of a large history's query.
pub mod fixed {
    use super::{STAMP_BYTES, Stamp};

    /// Writes `stamps` as one byte string.
    pub fn serialize<S: serde::Serializer>(stamps: &[Stamp], s: S) -> Result<S::Ok, S::Error> {
        let mut bytes = Vec::with_capacity(stamps.len() * STAMP_BYTES);
        for stamp in stamps {
            bytes.extend_from_slice(&stamp.path_hash.to_le_bytes());
            bytes.extend_from_slice(&stamp.len.to_le_bytes());
            bytes.extend_from_slice(&stamp.mtime_ns.to_le_bytes());
            bytes.extend_from_slice(&stamp.identity.0.to_le_bytes());
            bytes.extend_from_slice(&stamp.identity.1.to_le_bytes());
        }
        serde_bytes::serialize(&bytes, s)
    }

    /// Reads what [`serialize`] wrote; a length that is not a whole number of stamps is damage.
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Stamp>, D::Error> {
        // Borrowed from the head as read: a copy of 10,000 stamps was 480 KB of fresh pages.
        let bytes: &[u8] = serde::Deserialize::deserialize(d)?;
        if !bytes.len().is_multiple_of(STAMP_BYTES) {
            return Err(serde::de::Error::custom("stamps of a broken length"));
        }
        let word =
            |b: &[u8], at: usize| u64::from_le_bytes(b[at..at + 8].try_into().unwrap_or_default());
        Ok(bytes
            .chunks_exact(STAMP_BYTES)
            .map(|b| Stamp {
                path_hash: word(b, 0),
                len: word(b, 8),
                mtime_ns: i128::from_le_bytes(b[16..32].try_into().unwrap_or_default()),
                identity: (word(b, 32), word(b, 40)),
            })
            .collect())
    }
}

/// The stamps of `files`, in their order: [`super::Catalog::next`] lists files as the scan
/// did (byte order of their paths).
pub fn stamps_of(files: &[FileRef]) -> Vec<Stamp> {
    files.iter().map(Stamp::of).collect()
}

/// True when `scan` finds exactly the files `stamps` were made from, unchanged. Both are in
/// the scan's order, so each file is checked against the stamp at its own place: one pass,
/// where a search of the stamps for each of 10,000 files was the largest part of the check
/// that runs after the walk. A path that is not UTF-8 is hashed as the catalog stores it
/// (lossily), so it does not read as a change at every query. A scan in another order only
/// reads as a change.
pub fn stamps_match(stamps: &[Stamp], scan: &ScanResult) -> bool {
    scan.files.len() == stamps.len()
        && scan.files.iter().zip(stamps).all(|(f, s)| {
            s.path_hash == text_hash(&f.key())
                && s.len == f.len
                && s.mtime_ns == f.mtime_ns
                && s.identity == f.identity
        })
}

/// Every indexed file's [`FileRef`]: built in memory, or decoded from the catalog file when
/// first asked for.
#[derive(Debug, Default)]
pub struct FileList {
    decoded: OnceLock<Vec<FileRef>>,
    /// Where the encoded list is: the catalog file, offset and length.
    source: Option<(File, u64, usize)>,
}

impl FileList {
    /// A list held in memory.
    pub fn new(files: Vec<FileRef>) -> FileList {
        FileList {
            decoded: OnceLock::from(files),
            source: None,
        }
    }

    /// A list left encoded in `file` (`len` bytes at `offset`).
    pub fn in_file(file: File, offset: u64, len: usize) -> FileList {
        FileList {
            decoded: OnceLock::new(),
            source: Some((file, offset, len)),
        }
    }

    /// Decodes the list now: `None` when it cannot be read or decoded.
    pub fn try_get(&self) -> Option<&[FileRef]> {
        if let Some(files) = self.decoded.get() {
            return Some(files);
        }
        let (file, offset, len) = self.source.as_ref()?;
        let bytes = read_at(file, *offset, *len)?;
        let files = decode_list(&bytes)?;
        Some(self.decoded.get_or_init(|| files))
    }

    /// The list; empty when it cannot be read (the load of an update checks it first, with
    /// [`FileList::try_get`]).
    pub fn get(&self) -> &[FileRef] {
        self.try_get().unwrap_or_default()
    }

    /// Takes the list out.
    pub fn into_vec(self) -> Vec<FileRef> {
        self.try_get();
        self.decoded.into_inner().unwrap_or_default()
    }
}

/// Decodes an encoded file list into a vector made its size at once. serde's own sizes one for
/// at most 1 MiB (about 8,000 files) and doubles it from there: at 10,000 files the list was
/// copied once more, into fresh pages (some 450 of an update's page faults).
fn decode_list(bytes: &[u8]) -> Option<Vec<FileRef>> {
    use serde::Deserializer as _;
    use serde::de::{SeqAccess, Visitor};

    struct Files(usize);

    impl<'de> Visitor<'de> for Files {
        type Value = Vec<FileRef>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of files")
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // The length comes from the file: trusted only as far as the bytes could hold
            // (each file takes at least 8), so a damaged one cannot ask for much.
            let mut files = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.0 / 8));
            while let Some(file) = seq.next_element()? {
                files.push(file);
            }
            Ok(files)
        }
    }

    let mut decoder = postcard::Deserializer::from_bytes(bytes);
    (&mut decoder).deserialize_seq(Files(bytes.len())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::SourceFile;

    fn file(path: &str, len: u64) -> FileRef {
        FileRef {
            path: path.into(),
            len,
            mtime_ns: 7,
            identity: (1, 2),
            ..FileRef::default()
        }
    }

    fn scanned(path: &str, len: u64) -> SourceFile {
        SourceFile {
            path: path.into(),
            archived: false,
            len,
            mtime_ns: 7,
            identity: (1, 2),
        }
    }

    #[test]
    fn a_long_list_decodes_whole_into_a_vector_made_its_size() {
        let files: Vec<FileRef> = (0..10_000u64)
            .map(|i| file(&format!("/h/sessions/rollout-{i:05}.jsonl"), i))
            .collect();
        let bytes = postcard::to_allocvec(&files).expect("encode");
        let decoded = decode_list(&bytes).expect("decode");
        assert_eq!(decoded, files);
        // serde's own decoding made room for 8,192 and then 16,384.
        assert_eq!(decoded.capacity(), files.len());
        // A damaged length asks for no more than the bytes could hold, and fails.
        let mut damaged = bytes.clone();
        damaged.truncate(bytes.len() / 2);
        assert!(decode_list(&damaged).is_none());
    }

    #[test]
    fn path_hashes_tell_near_paths_apart() {
        let near = [
            "/h/a",
            "/h/b",
            "/h/a/",
            "/h/a\0",
            "/h/abcdefgh",
            "/h/abcdefgi",
        ];
        for (i, a) in near.iter().enumerate() {
            for b in &near[i + 1..] {
                assert_ne!(text_hash(a), text_hash(b), "{a} {b}");
            }
        }
    }

    #[test]
    fn stamps_see_a_changed_a_missing_and_an_extra_file() {
        let scan = |files: Vec<SourceFile>| ScanResult {
            files,
            ..ScanResult::default()
        };
        let stamps = stamps_of(&[file("/h/a", 10), file("/h/b", 20)]);
        assert!(stamps_match(
            &stamps,
            &scan(vec![scanned("/h/a", 10), scanned("/h/b", 20)])
        ));
        // Another order is a change (a scan lists files in one order).
        assert!(!stamps_match(
            &stamps,
            &scan(vec![scanned("/h/b", 20), scanned("/h/a", 10)])
        ));
        assert!(!stamps_match(
            &stamps,
            &scan(vec![scanned("/h/a", 10), scanned("/h/b", 21)])
        ));
        assert!(!stamps_match(&stamps, &scan(vec![scanned("/h/a", 10)])));
        assert!(!stamps_match(
            &stamps,
            &scan(vec![scanned("/h/a", 10), scanned("/h/c", 20)])
        ));
    }

    #[cfg(unix)]
    #[test]
    fn a_path_that_is_not_utf8_matches_its_own_stamp() {
        use std::os::unix::ffi::OsStrExt;
        let raw = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(b"/h/rollout-\xff.jsonl"));
        // The catalog keeps the path as text, lossily, as `Catalog::next` does.
        let stamps = stamps_of(&[file(&raw.to_string_lossy(), 10)]);
        let scan = ScanResult {
            files: vec![SourceFile {
                path: raw,
                ..scanned("", 10)
            }],
            ..ScanResult::default()
        };
        assert!(stamps_match(&stamps, &scan));
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Head {
        #[serde(with = "fixed")]
        stamps: Vec<Stamp>,
        after: u8,
    }

    #[test]
    fn stamps_keep_every_bit_and_a_broken_length_is_an_error() {
        let head = Head {
            stamps: vec![
                Stamp {
                    path_hash: u64::MAX,
                    len: 1 << 40,
                    mtime_ns: -1_234_567_890_123_456_789,
                    identity: (7, u64::MAX - 1),
                },
                Stamp {
                    path_hash: 0,
                    len: 0,
                    mtime_ns: i128::MAX,
                    identity: (0, 0),
                },
            ],
            after: 9,
        };
        let bytes = postcard::to_stdvec(&head).expect("encode");
        assert_eq!(postcard::from_bytes::<Head>(&bytes).expect("decode"), head);
        // A length prefix one byte short of two stamps.
        let mut short = vec![(2 * STAMP_BYTES - 1) as u8];
        short.extend_from_slice(&bytes[1..2 * STAMP_BYTES]);
        short.push(9); // `after`, so that only the stamps' length is wrong
        assert!(postcard::from_bytes::<Head>(&short).is_err());
    }
}
