//! A list of byte strings for the next commit, made of runs of the pack the last commit's
//! strings are in and of bytes this update made.
//!
//! An update that adds one session to ten thousand carries every other session's facts and
//! usage over unchanged. Read into memory and copied, those bytes cost a 10 GB history's update
//! fresh copies of 16 MB; copied by the kernel from file to file, still a fifth of its time.
//! Saved to the pack ([`Spliced::save_to`]), the carried runs are only named again (see
//! [`super::pack`]); [`Spliced::write_to`] reads them back for a table not saved yet.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};

use super::pack::{PackWriter, Runs};

/// Where a run of bytes comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// `len` bytes of the last commit's pack from offset `at`.
    Old { at: u64, len: u64 },
    /// `len` bytes of [`Spliced::own`] from `start`.
    New { start: usize, len: usize },
}

/// Byte strings back to back, string `i` ending at `ends[i]`, held as runs of pieces
/// (adjacent ranges of the same source are one piece).
#[derive(Debug, Default)]
pub(super) struct Spliced {
    ends: Vec<u64>,
    pieces: Vec<Piece>,
    own: Vec<u8>,
}

impl Spliced {
    /// An empty list with room for `strings` strings and `own` bytes made by this update.
    pub(super) fn with_capacity(strings: usize, own: usize) -> Spliced {
        Spliced {
            ends: Vec::with_capacity(strings),
            pieces: Vec::new(),
            own: Vec::with_capacity(own),
        }
    }

    /// Appends the string stored as these runs (offset, length) of the last commit's pack.
    pub(super) fn push_old(&mut self, pieces: impl IntoIterator<Item = (u64, u64)>) {
        let mut string = 0;
        for (at, len) in pieces {
            self.add_old(at, len);
            string += len;
        }
        self.end_string(string);
    }

    fn add_old(&mut self, at: u64, len: u64) {
        match self.pieces.last_mut() {
            Some(Piece::Old { at: last, len: run }) if *last + *run == at => *run += len,
            _ if len == 0 => {}
            _ => self.pieces.push(Piece::Old { at, len }),
        }
    }

    /// How many bytes of the last commit's pack the strings carry over, in how many runs.
    pub(super) fn carried(&self) -> (u64, usize) {
        self.pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Old { len, .. } => Some(*len),
                Piece::New { .. } => None,
            })
            .fold((0, 0), |(bytes, runs), len| (bytes + len, runs + 1))
    }

    /// Puts the strings in `pack`, and gives where they are there: the bytes this update made
    /// are appended, and the carried runs are named as they are, or copied when the pack is a
    /// new one.
    pub(super) fn save_to(&self, pack: &PackWriter) -> std::io::Result<Runs> {
        let mut runs = Runs::default();
        if pack.copies() {
            let start = pack.reserve(self.byte_len());
            let mut to = start;
            for piece in &self.pieces {
                match *piece {
                    Piece::New { start, len } => {
                        pack.write_at(&self.own[start..start + len], to)?;
                        to += len as u64;
                    }
                    Piece::Old { at, len } => {
                        pack.copy_at(at, len, to)?;
                        to += len;
                    }
                }
            }
            runs.push(start, self.byte_len());
            return Ok(runs);
        }
        let made = pack.reserve(self.own.len() as u64);
        pack.write_at(&self.own, made)?;
        for piece in &self.pieces {
            match *piece {
                Piece::New { start, len } => runs.push(made + start as u64, len as u64),
                Piece::Old { at, len } => runs.push(at, len),
            }
        }
        Ok(runs)
    }

    /// Appends a string made by this update; gives where it is among the bytes made (see
    /// [`Spliced::made_bytes`]).
    pub(super) fn push_new(&mut self, bytes: &[u8]) -> std::ops::Range<usize> {
        let start = self.own.len();
        self.own.extend_from_slice(bytes);
        match self.pieces.last_mut() {
            Some(Piece::New { len, .. }) => *len += bytes.len(),
            _ if bytes.is_empty() => {}
            _ => self.pieces.push(Piece::New {
                start,
                len: bytes.len(),
            }),
        }
        self.end_string(bytes.len() as u64);
        start..start + bytes.len()
    }

    /// Bytes `range` of those made by this update (as [`Spliced::push_new`] gave it).
    pub(super) fn made_bytes(&self, range: std::ops::Range<usize>) -> Option<&[u8]> {
        self.own.get(range)
    }

    fn end_string(&mut self, len: u64) {
        let end = self.byte_len() + len;
        self.ends.push(end);
    }

    /// Where each string ends.
    pub(super) fn ends(&self) -> &[u64] {
        &self.ends
    }

    /// How many bytes the strings take.
    pub(super) fn byte_len(&self) -> u64 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// The strings' bytes when they are all made by this update (none carried over).
    pub(super) fn own_bytes(&self) -> Option<&[u8]> {
        let own = self.pieces.iter().all(|p| matches!(p, Piece::New { .. }));
        own.then_some(&self.own[..])
    }

    /// Writes the strings' bytes to `out`, the old ones read from `from` (the last commit's
    /// pack; from file to file, the kernel copies). A pack shorter than its runs is an error,
    /// not a shorter list.
    pub(super) fn write_to(
        &self,
        from: Option<&File>,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        for piece in &self.pieces {
            match *piece {
                Piece::New { start, len } => out.write_all(&self.own[start..start + len])?,
                Piece::Old { at, len } => {
                    let Some(mut file) = from else {
                        return Err(std::io::Error::other("carried bytes but no file to copy"));
                    };
                    // A failure to read is the last commit's file's, not the new one's.
                    let last = |e: std::io::Error| {
                        std::io::Error::new(e.kind(), format!("the last commit's file: {e}"))
                    };
                    file.seek(SeekFrom::Start(at)).map_err(last)?;
                    // Errors of the copy may be the new file's (a full disk): left as they are.
                    let copied = std::io::copy(&mut file.take(len), out)?;
                    if copied != len {
                        return Err(last(std::io::ErrorKind::UnexpectedEof.into()));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufWriter;

    use super::*;

    fn written(list: &Spliced, from: Option<&File>) -> std::io::Result<Vec<u8>> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        let mut out = BufWriter::new(File::create(&path).expect("create"));
        out.write_all(b"<")?;
        list.write_to(from, &mut out)?;
        out.write_all(b">")?;
        out.flush()?;
        drop(out);
        Ok(std::fs::read(&path).expect("read"))
    }

    /// A last commit's file holding `bytes`: its folder, its path and the open file.
    fn old_file(bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf, File) {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = dir.path().join("old");
        std::fs::write(&old, bytes).expect("write");
        let file = File::open(&old).expect("open");
        (dir, old, file)
    }

    #[test]
    fn old_ranges_and_new_bytes_are_written_in_order_and_adjacent_runs_merge() {
        let (_dir, old, file) = old_file(b"0123456789");
        let mut list = Spliced::with_capacity(6, 8);
        list.push_old([(2, 3)]); // "234"
        list.push_old([(5, 2)]); // "56", the same run
        list.push_new(b"ab");
        list.push_new(b""); // an empty string
        list.push_new(b"c");
        list.push_old([(0, 1)]); // "0"
        assert_eq!(list.ends(), [3, 5, 7, 7, 8, 9]);
        assert_eq!(list.byte_len(), 9);
        assert_eq!(list.pieces.len(), 3, "{:?}", list.pieces);
        assert_eq!(written(&list, Some(&file)).expect("writes"), b"<23456abc0>");
        // Once the old file is gone from the folder, its open handle still reads it.
        std::fs::remove_file(&old).expect("remove");
        assert_eq!(written(&list, Some(&file)).expect("writes"), b"<23456abc0>");
    }

    #[test]
    fn a_range_past_the_end_of_the_old_file_is_an_error() {
        let (_dir, _, file) = old_file(b"0123");
        let mut list = Spliced::default();
        list.push_old([(2, 5)]);
        assert!(written(&list, Some(&file)).is_err());
        assert!(written(&list, None).is_err());
        let mut empty = Spliced::default();
        empty.push_old([(9, 0)]);
        assert_eq!(written(&empty, None).expect("nothing to copy"), b"<>");
    }
}
