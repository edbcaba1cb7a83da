//! The bytes commits share: each session's encoded facts and usage rows, kept in one
//! append-only file (`pack-N.bin`) that commit after commit names runs of.
//!
//! A commit that adds one session to ten thousand used to write every other session's bytes
//! into its own catalog and usage files again: 16 MB at 10 GB, copied by the kernel, but still
//! about a fifth of the update's time and a fresh 16 MB for the page cache to write back. Now
//! a commit appends only the bytes it made to the pack the last commit used, and its catalog
//! and usage files name runs of that pack ([`Runs`]).
//!
//! Bytes a commit names are never written again, so a reader of an older commit reads what it
//! always read; bytes a writer killed midway appended are named by no commit. When the pack
//! holds more bytes no session uses (sessions read again since) than ones it does, or its
//! lists are cut into too many runs, a commit writes its live bytes to a new pack numbered by
//! its generation, and the old pack goes once no kept generation names it.

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, Result};
use crate::scan::read_at;

/// A pack holding more bytes the commit does not carry over than this, and than the ones it
/// does, is written anew.
const DEAD_BYTES_ALLOWED: u64 = 4 << 20;

/// Runs a commit's lists may be cut into (each a read when a report reads the lists) before
/// the pack is written anew.
const RUNS_ALLOWED: usize = 512;

/// The file name of pack `number`.
pub(super) fn pack_name(number: u64) -> String {
    format!("pack-{number}.bin")
}

/// `N` of `pack-N.bin`.
pub fn pack_number(name: &str) -> Option<u64> {
    name.strip_prefix("pack-")?
        .strip_suffix(".bin")?
        .parse()
        .ok()
}

/// A byte string made of runs of a pack, back to back: `(offset, length)` each.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Runs {
    runs: Vec<(u64, u64)>,
    /// Where each run starts in the string.
    starts: Vec<u64>,
}

impl Runs {
    /// The string of these runs, in order.
    pub(super) fn new(runs: Vec<(u64, u64)>) -> Runs {
        let mut string = Runs::default();
        for (at, len) in runs {
            string.push(at, len);
        }
        string
    }

    /// The runs as stored.
    pub(super) fn as_slice(&self) -> &[(u64, u64)] {
        &self.runs
    }

    /// Adds `len` bytes at `at` to the end (joining the last run when they follow it).
    pub(super) fn push(&mut self, at: u64, len: u64) {
        if len == 0 {
            return;
        }
        let end = self.len();
        match self.runs.last_mut() {
            Some((last, run)) if last.checked_add(*run) == Some(at) => {
                *run = run.saturating_add(len);
            }
            _ => {
                self.runs.push((at, len));
                self.starts.push(end);
            }
        }
    }

    /// How long the string is (at most `u64::MAX`: runs read from a damaged file may claim
    /// more, which [`Runs::fits`] refuses).
    pub(super) fn len(&self) -> u64 {
        match (self.starts.last(), self.runs.last()) {
            (Some(start), Some((_, len))) => start.saturating_add(*len),
            _ => 0,
        }
    }

    /// How many runs.
    pub(super) fn count(&self) -> usize {
        self.runs.len()
    }

    /// Where bytes `range` of the string are in the pack, run by run (`None` past its end).
    pub(super) fn pieces(
        &self,
        range: Range<u64>,
    ) -> Option<impl Iterator<Item = (u64, u64)> + '_> {
        if range.start > range.end || range.end > self.len() {
            return None;
        }
        let (lo, hi) = (range.start, range.end);
        let first = self.starts.partition_point(|&s| s <= lo);
        let runs = self
            .runs
            .iter()
            .zip(&self.starts)
            .skip(first.saturating_sub(1));
        Some(runs.take_while(move |&(_, &start)| start < hi).filter_map(
            move |(&(offset, len), &start)| {
                let (from, to) = (lo.max(start), hi.min(start + len));
                (from < to).then(|| (offset + (from - start), to - from))
            },
        ))
    }

    /// Bytes `range` of the string, read from `pack` (`None` when the pack is shorter).
    pub(super) fn read(&self, pack: &File, range: Range<u64>) -> Option<Vec<u8>> {
        let pieces: Vec<(u64, u64)> = self.pieces(range.clone())?.collect();
        let mut bytes = Vec::with_capacity(usize::try_from(range.end - range.start).ok()?);
        for (at, len) in pieces {
            bytes.extend(read_at(pack, at, usize::try_from(len).ok()?)?);
        }
        Some(bytes)
    }

    /// True when every run lies within the first `pack_len` bytes of the pack.
    pub(super) fn fits(&self, pack_len: u64) -> bool {
        self.runs
            .iter()
            .all(|&(at, len)| at.checked_add(len).is_some_and(|end| end <= pack_len))
    }
}

/// A pack opened for reading, with its length then.
#[derive(Debug)]
pub(super) struct Pack {
    pub(super) file: File,
    pub(super) len: u64,
}

impl Pack {
    /// Opens pack `number` of the folder `dir`.
    pub(super) fn open(dir: &Path, number: u64) -> Result<Pack> {
        let path = dir.join(pack_name(number));
        let file = File::open(&path).map_err(|e| Error::io(&path, e))?;
        let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
        Ok(Pack { file, len })
    }
}

/// The pack a commit writes to: the last commit's, appended to, or a new one its live bytes
/// are copied into.
#[derive(Debug)]
pub struct PackWriter {
    number: u64,
    path: PathBuf,
    file: File,
    /// Where the next bytes go.
    end: AtomicU64,
    /// The last commit's pack, when this is a new one: the carried runs are in it.
    source: Option<File>,
}

impl PackWriter {
    /// The pack commit `generation` writes to when it carries `carried` bytes of pack `last`
    /// (0 for none) over, in `runs` runs: that pack, unless it holds too many bytes no longer
    /// carried, or the runs are too many.
    pub fn for_commit(
        dir: &Path,
        generation: u64,
        last: u64,
        carried: u64,
        runs: usize,
    ) -> Result<PackWriter> {
        let source = if last == 0 {
            None
        } else {
            let path = dir.join(pack_name(last));
            let file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            let len = file.metadata().map_err(|e| Error::io(&path, e))?.len();
            let dead = len.saturating_sub(carried);
            if dead <= DEAD_BYTES_ALLOWED.max(carried) && runs <= RUNS_ALLOWED {
                return Ok(PackWriter {
                    number: last,
                    path,
                    file,
                    end: AtomicU64::new(len),
                    source: None,
                });
            }
            Some(file)
        };
        // Numbered by the commit: no commit names it yet (one a killed writer began is
        // started over).
        let path = dir.join(pack_name(generation));
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        Ok(PackWriter {
            number: generation,
            path,
            file,
            end: AtomicU64::new(0),
            source,
        })
    }

    /// The pack's number.
    pub fn number(&self) -> u64 {
        self.number
    }

    /// The pack's path.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The pack, for reading what was written.
    pub(super) fn reader(&self) -> Result<File> {
        self.file.try_clone().map_err(|e| Error::io(&self.path, e))
    }

    /// Whether runs carried over are copied (into a new pack) rather than named as they are.
    pub(super) fn copies(&self) -> bool {
        self.source.is_some()
    }

    /// Reserves `len` bytes at the end; gives where they start.
    pub(super) fn reserve(&self, len: u64) -> u64 {
        self.end.fetch_add(len, Ordering::Relaxed)
    }

    /// Writes `bytes` at `at` (reserved).
    pub(super) fn write_at(&self, bytes: &[u8], at: u64) -> io::Result<()> {
        write_all_at(&self.file, bytes, at)
    }

    /// Copies `len` bytes at `from` of the last pack to `to` (reserved) of this one.
    pub(super) fn copy_at(&self, from: u64, len: u64, to: u64) -> io::Result<()> {
        let Some(source) = &self.source else {
            return Err(io::Error::other("no pack to copy from"));
        };
        copy_range(source, from, &self.file, to, len)
    }
}

#[cfg(unix)]
fn write_all_at(file: &File, bytes: &[u8], at: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::write_all_at(file, bytes, at)
}

#[cfg(windows)]
fn write_all_at(file: &File, mut bytes: &[u8], mut at: u64) -> io::Result<()> {
    while !bytes.is_empty() {
        let n = std::os::windows::fs::FileExt::seek_write(file, bytes, at)?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[n..];
        at += n as u64;
    }
    Ok(())
}

#[cfg(not(any(unix, windows)))]
fn write_all_at(_: &File, _: &[u8], _: u64) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Copies `len` bytes from `from` in `source` to `to` in `target`: by the kernel where it can
/// (`copy_file_range`, which never brings them into the process), else through a buffer.
fn copy_range(
    source: &File,
    mut from: u64,
    target: &File,
    mut to: u64,
    len: u64,
) -> io::Result<()> {
    let end = from + len;
    #[cfg(any(target_os = "linux", target_os = "android", target_os = "freebsd"))]
    while from < end {
        let chunk = usize::try_from(end - from)
            .unwrap_or(usize::MAX)
            .min(1 << 30);
        match rustix::fs::copy_file_range(source, Some(&mut from), target, Some(&mut to), chunk) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            // Not between these files (another file system, an old kernel): the buffer below.
            Err(_) => break,
        }
    }
    while from < end {
        let chunk = usize::try_from(end - from)
            .unwrap_or(usize::MAX)
            .min(1 << 20);
        let bytes = read_at(source, from, chunk).ok_or(io::ErrorKind::UnexpectedEof)?;
        write_all_at(target, &bytes, to)?;
        from += chunk as u64;
        to += chunk as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_join_when_they_follow_and_ranges_map_across_them() {
        let mut runs = Runs::default();
        runs.push(10, 5); // string 0..5
        runs.push(15, 5); // joins: 5..10
        runs.push(0, 0); // nothing
        runs.push(100, 3); // 10..13
        runs.push(50, 2); // 13..15
        assert_eq!(runs.as_slice(), [(10, 10), (100, 3), (50, 2)]);
        assert_eq!(runs.len(), 15);
        assert_eq!(runs.count(), 3);
        let pieces = |range| runs.pieces(range).map(Iterator::collect::<Vec<_>>);
        assert_eq!(pieces(0..15), Some(vec![(10, 10), (100, 3), (50, 2)]));
        assert_eq!(pieces(8..14), Some(vec![(18, 2), (100, 3), (50, 1)]));
        assert_eq!(pieces(10..10), Some(vec![]));
        assert_eq!(pieces(0..0), Some(vec![]));
        assert_eq!(pieces(11..12), Some(vec![(101, 1)]));
        assert_eq!(pieces(13..15), Some(vec![(50, 2)]));
        assert_eq!(pieces(15..15), Some(vec![]));
        assert_eq!(pieces(14..16), None);
        assert_eq!(Runs::new(runs.as_slice().to_vec()), runs);
        assert!(runs.fits(110));
        assert!(!runs.fits(102));
        assert!(!Runs::new(vec![(u64::MAX, 2)]).fits(u64::MAX));
    }

    #[test]
    fn a_pack_is_appended_to_until_it_holds_too_much_dead_weight() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = PackWriter::for_commit(dir.path(), 1, 0, 0, 0).expect("new");
        assert_eq!(first.number(), 1);
        assert!(!first.copies());
        let at = first.reserve(3);
        first.write_at(b"abc", at).expect("write");
        drop(first);
        // Little dead weight: the same pack, written after its end.
        let second = PackWriter::for_commit(dir.path(), 2, 1, 3, 1).expect("append");
        assert_eq!((second.number(), second.reserve(2)), (1, 3));
        second.write_at(b"de", 3).expect("write");
        drop(second);
        let pack = Pack::open(dir.path(), 1).expect("open");
        assert_eq!(read_at(&pack.file, 0, 5).as_deref(), Some(&b"abcde"[..]));
        // Too many runs: a new pack, numbered by the commit, the old runs copied into it.
        let third = PackWriter::for_commit(dir.path(), 3, 1, 5, RUNS_ALLOWED + 1).expect("new");
        assert_eq!(third.number(), 3);
        assert!(third.copies());
        let at = third.reserve(4);
        third.copy_at(1, 3, at).expect("copy");
        third.write_at(b"!", at + 3).expect("write");
        let pack = Pack::open(dir.path(), 3).expect("open");
        assert_eq!(read_at(&pack.file, 0, 4).as_deref(), Some(&b"bcd!"[..]));
        assert!(third.copy_at(4, 9, 9).is_err(), "past the old pack's end");
        // More bytes no longer carried than carried ones, and over 4 MB: a new pack too.
        let big = PackWriter::for_commit(dir.path(), 5, 3, 0, 0).expect("append");
        let at = big.reserve(2 * DEAD_BYTES_ALLOWED);
        let filler = vec![7; usize::try_from(2 * DEAD_BYTES_ALLOWED).expect("fits")];
        big.write_at(&filler, at).expect("write");
        let len = at + 2 * DEAD_BYTES_ALLOWED;
        let kept = PackWriter::for_commit(dir.path(), 6, 3, len - DEAD_BYTES_ALLOWED, 1);
        assert_eq!(
            kept.expect("append").number(),
            3,
            "4 MB dead, fewer than carried"
        );
        let kept = PackWriter::for_commit(dir.path(), 6, 3, len / 2, 1).expect("append");
        assert_eq!(kept.number(), 3, "as many dead bytes as carried ones");
        let anew = PackWriter::for_commit(dir.path(), 6, 3, 1 << 20, 1).expect("new");
        assert_eq!(anew.number(), 6, "7 MB dead against 1 MB carried");
        // A missing pack is an error, not an empty one.
        assert!(PackWriter::for_commit(dir.path(), 4, 7, 0, 0).is_err());
        assert_eq!(pack_number(&pack_name(42)), Some(42));
        assert_eq!(pack_number("pack-x.bin"), None);
    }
}
