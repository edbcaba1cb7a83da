//! The per-file state kept beside the tantivy index: what was read of each rollout, where its
//! parser and accounting stood, and the usage events it produced. Only an update reads it;
//! queries read the smaller [`super::catalog`].
//!
//! Each file's entry is kept encoded, so an update decodes only the entries of files that
//! changed and writes the others back byte for byte: a resumed session costs one entry, not the
//! whole history. Written as a new file per commit and named in the tantivy commit's payload,
//! so the text index and this state always change together.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::error::{Error, Result};
use crate::model::UsageEvent;
use crate::parse::FileState;

/// What the index knows about one rollout file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileEntry {
    /// Size when last read.
    pub len: u64,
    /// Modification time when last read (ns).
    pub mtime_ns: i128,
    /// (device, inode) when last read.
    pub identity: (u64, u64),
    /// The bytes just before `state.consumed`, to notice a rewrite that kept the size growing.
    pub tail_check: Vec<u8>,
    /// Parser state after the consumed bytes (session facts included).
    pub state: FileState,
    /// Counted usage so far.
    pub events: Vec<UsageEvent>,
    /// The file could not be read when last seen: it holds no session until it changes.
    pub unreadable: bool,
}

impl FileEntry {
    /// The entry of a file that could not be read.
    pub fn unreadable(file: &crate::scan::SourceFile) -> FileEntry {
        FileEntry {
            len: file.len,
            mtime_ns: file.mtime_ns,
            identity: file.identity,
            tail_check: Vec::new(),
            state: FileState::new(&file.path, file.archived),
            events: Vec::new(),
            unreadable: true,
        }
    }
}

/// How many bytes before the consumed offset are remembered.
pub const TAIL_CHECK_BYTES: usize = 64;

/// Where a file's encoded entry is: in memory (read by this update), or in a segment file.
#[derive(Debug, Clone)]
enum Loc {
    Fresh(ByteBuf),
    Stored { segment: u64, offset: u64, len: u64 },
}

/// Every file's entry, encoded: rollout path → where the postcard bytes of its [`FileEntry`]
/// are.
///
/// The entries live in segment files (`segment-N.bin`, N the generation that wrote it), named
/// by a small per-commit index (`state-N.bin`: path → segment, offset, length). An update
/// writes one new segment holding only the entries it read, and the index: appending a
/// session to a 10 GB history no longer reads and writes the state of every file. When dead
/// entries (replaced or removed) outweigh live ones, or segments pile up, a commit writes every
/// live entry into its new segment and the old ones go.
#[derive(Debug, Default)]
pub struct IndexState {
    files: BTreeMap<String, Loc>,
    /// Open segment files, by generation, with their length.
    segments: BTreeMap<u64, (std::sync::Arc<std::fs::File>, u64)>,
}

/// The index as stored: the segments it uses, and where each file's entry is (`S` is
/// `String` when reading, `&str` when writing: the paths are not copied to be saved).
#[derive(Serialize, Deserialize)]
struct StoredIndex<S = String> {
    segments: Vec<u64>,
    files: Vec<(S, u64, u64, u64)>,
}

/// Segments kept before a commit writes every live entry into one.
const MAX_SEGMENTS: usize = 16;

/// The segment file of generation `n` in `dir`.
pub(super) fn segment_path(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("segment-{n}.bin"))
}

impl IndexState {
    /// The entry of `path`, decoded; `None` when absent or unreadable as an entry (its file is
    /// then read again from the start).
    pub fn entry(&self, path: &str) -> Option<FileEntry> {
        postcard::from_bytes(&self.encoded(self.files.get(path)?)?).ok()
    }

    fn encoded<'a>(&'a self, loc: &'a Loc) -> Option<Cow<'a, [u8]>> {
        match loc {
            Loc::Fresh(bytes) => Some(Cow::Borrowed(bytes)),
            Loc::Stored {
                segment,
                offset,
                len,
            } => {
                let (file, _) = self.segments.get(segment)?;
                crate::scan::read_at(file, *offset, usize::try_from(*len).ok()?).map(Cow::Owned)
            }
        }
    }

    /// Stores `entry` as the entry of `path`.
    pub fn insert(&mut self, path: String, entry: &FileEntry) -> Result<()> {
        let bytes = postcard::to_stdvec(entry).map_err(|e| Error::Index(e.to_string()))?;
        self.files.insert(path, Loc::Fresh(ByteBuf::from(bytes)));
        Ok(())
    }

    /// Forgets the entry of `path`.
    pub fn remove(&mut self, path: &str) {
        self.files.remove(path);
    }

    /// The generations of the segments this state uses.
    pub fn segments(&self) -> Vec<u64> {
        self.segments.keys().copied().collect()
    }

    /// Reads a state index, opening the segments it names; a segment missing or shorter than
    /// an entry in it means a damaged index.
    pub fn load(path: &Path) -> Result<IndexState> {
        let stored: StoredIndex = read_postcard(path)?;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut state = IndexState::default();
        for n in stored.segments {
            let segment = segment_path(dir, n);
            let file = std::fs::File::open(&segment).map_err(|e| Error::io(&segment, e))?;
            let len = file.metadata().map_err(|e| Error::io(&segment, e))?.len();
            state.segments.insert(n, (std::sync::Arc::new(file), len));
        }
        let mut files = Vec::with_capacity(stored.files.len());
        for (file, segment, offset, len) in stored.files {
            let fits = state
                .segments
                .get(&segment)
                .and_then(|(_, size)| offset.checked_add(len).map(|end| end <= *size))
                .unwrap_or(false);
            if !fits {
                return Err(Error::Index(format!(
                    "{}: an entry outside its segment",
                    path.display()
                )));
            }
            let loc = Loc::Stored {
                segment,
                offset,
                len,
            };
            files.push((file, loc));
        }
        // Saved in path order: built at once from the sorted list, where inserting 10,000
        // long, alike paths one by one compared each with a dozen others.
        state.files = files.into_iter().collect();
        Ok(state)
    }

    /// Writes generation `n`'s segment (see [`IndexState::write_segment`]) unless that was
    /// done already, and then its index at `path`; afterwards every entry is stored, and the
    /// segments no entry uses are let go (the caller removes their files).
    pub fn save(&mut self, path: &Path, n: u64) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        self.write_segment(dir, n)?;
        let used: std::collections::BTreeSet<u64> = self
            .files
            .values()
            .filter_map(|loc| match loc {
                Loc::Stored { segment, .. } => Some(*segment),
                Loc::Fresh(_) => None,
            })
            .collect();
        self.segments.retain(|k, _| used.contains(k) || *k == n);
        let index = StoredIndex {
            segments: self.segments.keys().copied().collect(),
            files: self
                .files
                .iter()
                .filter_map(|(name, loc)| match loc {
                    Loc::Stored {
                        segment,
                        offset,
                        len,
                    } => Some((name.as_str(), *segment, *offset, *len)),
                    Loc::Fresh(_) => None,
                })
                .collect(),
        };
        write_postcard(path, &index)
    }

    /// Writes generation `n`'s segment in `dir`: the entries read since the last commit, or
    /// every live entry when the old segments are mostly dead or too many. The entries are then
    /// read from it, so their encoded bytes leave memory: a build writes its segment before it
    /// derives the catalog, which would otherwise hold both. Nothing names the segment until
    /// the commit's index does; writing it twice for one generation does nothing the second
    /// time.
    pub fn write_segment(&mut self, dir: &Path, n: u64) -> Result<()> {
        if self.segments.contains_key(&n) {
            return Ok(());
        }
        let live: u64 = self
            .files
            .values()
            .map(|loc| match loc {
                Loc::Stored { len, .. } => *len,
                Loc::Fresh(_) => 0,
            })
            .sum();
        let stored: u64 = self.segments.values().map(|(_, len)| *len).sum();
        let compact = stored > 2 * live.max(1) || self.segments.len() >= MAX_SEGMENTS;
        let mut at = 0u64;
        let mut moved: Vec<(String, u64, u64)> = Vec::new();
        let entries = self.files.iter().filter_map(|(name, loc)| {
            // A stored entry is written again only by a compaction; one unreadable now is
            // left out, so its file is read again next time.
            let bytes = match loc {
                Loc::Stored { .. } if !compact => None,
                _ => self.encoded(loc),
            }?;
            moved.push((name.clone(), at, bytes.len() as u64));
            at += bytes.len() as u64;
            Some(bytes)
        });
        let segment = segment_path(dir, n);
        write_bytes(&segment, entries)?;
        let file = std::fs::File::open(&segment).map_err(|e| Error::io(&segment, e))?;
        if compact {
            self.files.retain(|_, loc| matches!(loc, Loc::Fresh(_)));
        }
        for (name, offset, len) in moved {
            self.files.insert(
                name,
                Loc::Stored {
                    segment: n,
                    offset,
                    len,
                },
            );
        }
        self.segments.insert(n, (std::sync::Arc::new(file), at));
        Ok(())
    }
}

/// Reads a postcard file; one that does not decode to exactly its length (cut, or garbage
/// that happens to start like a value) is damaged.
pub(super) fn read_postcard<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let damaged =
        |what: &dyn std::fmt::Display| Error::Index(format!("{}: {what}", path.display()));
    match postcard::take_from_bytes(&bytes) {
        Ok((value, [])) => Ok(value),
        Ok((_, rest)) => Err(damaged(&format_args!("{} bytes too many", rest.len()))),
        Err(e) => Err(damaged(&e)),
    }
}

/// Writes a postcard file whole: temporary name, then rename, so a reader sees the old file or
/// the new one. Not fsynced: the index is a cache of the rollouts, and a state file a power
/// loss left short fails to decode, which rebuilds the index (the self-repair); syncing
/// three files on every query-triggered update cost about a third of it.
pub(super) fn write_postcard<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let tmp: PathBuf = path.with_extension("tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    // Streamed, not encoded whole first: a 10 GB history's state is tens of megabytes.
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    postcard::to_io(value, &mut out)
        .map_err(|e| Error::Index(format!("{}: {e}", tmp.display())))?;
    out.flush().map_err(|e| Error::io(&tmp, e))?;
    drop(out);
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}

/// Writes the file at `path` as [`write_postcard`] does (beside it first, then renamed over
/// it), its bytes given by `write`; gives back the file, open for reading.
pub(super) fn write_with(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<std::fs::File> {
    let tmp: PathBuf = path.with_extension("tmp");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&tmp)
        .map_err(|e| Error::io(&tmp, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    write(&mut out)
        .and_then(|()| out.flush())
        .map_err(|e| Error::io(&tmp, e))?;
    let file = out
        .into_inner()
        .map_err(|e| Error::io(&tmp, e.into_error()))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))?;
    Ok(file)
}

/// Encodes `value` into a buffer of exactly its size, counted first by a pass that writes
/// nothing: a catalog's head is megabytes at 10 GB, and encoding it into a growing buffer
/// touched about twice that in fresh memory as the buffer doubled and was copied.
pub(super) fn encode_sized<T: Serialize + ?Sized>(value: &T) -> postcard::Result<Vec<u8>> {
    let size = postcard::serialize_with_flavor(value, postcard::ser_flavors::Size::default())?;
    postcard::to_extend(value, Vec::with_capacity(size))
}

/// Encodes `value` in one pass, into a buffer of about `hint` bytes (its size last time):
/// [`encode_sized`]'s counting pass costs as much as the encoding, a tenth of an update that
/// adds one session to 10,000. With no hint it counts first.
pub(super) fn encode_hinted<T: Serialize + ?Sized>(
    value: &T,
    hint: usize,
) -> postcard::Result<Vec<u8>> {
    if hint == 0 {
        return encode_sized(value);
    }
    postcard::to_extend(value, Vec::with_capacity(hint + hint / 16 + 4096))
}

/// Writes `parts` back to back as the file at `path`, the same way as [`write_postcard`]
/// (streamed: parts may be made as they are written).
pub(super) fn write_bytes<B: AsRef<[u8]>>(
    path: &Path,
    parts: impl IntoIterator<Item = B>,
) -> Result<()> {
    write_with(path, |out| {
        parts
            .into_iter()
            .try_for_each(|part| out.write_all(part.as_ref()))
    })
    .map(drop)
}

/// A file made of a length-prefixed first part and the rest: the open file, the first part,
/// and how many bytes follow it. A length the file cannot hold is damage, found before
/// anything is allocated for it.
pub(super) fn read_first_part(path: &Path) -> Result<(std::fs::File, Vec<u8>, u64)> {
    let damaged = |what: &str| Error::Index(format!("{}: {what}", path.display()));
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let prefix = crate::scan::read_at(&file, 0, 8).ok_or_else(|| damaged("cut short"))?;
    let len = u64::from_le_bytes(prefix.try_into().unwrap_or_default());
    let rest = file_len
        .checked_sub(8)
        .and_then(|n| n.checked_sub(len))
        .ok_or_else(|| damaged("shorter than its first part says"))?;
    let first = usize::try_from(len)
        .ok()
        .and_then(|len| crate::scan::read_at(&file, 8, len))
        .ok_or_else(|| damaged("cut short"))?;
    Ok((file, first, rest))
}
