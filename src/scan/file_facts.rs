//! What rolldex reads of a file's metadata and bytes without parsing it: its change time and
//! identity (what says a rollout changed or was replaced) and positioned reads (what the index
//! and the snippets read at a stored offset). Kept apart from the walk, which only finds files.

/// A file's last change in nanoseconds since the epoch (0 when unknown): the later of its
/// modification time and, on Unix, its status-change time. The ctime moves on every write and
/// every chmod, and cannot be set back, so a file rewritten in place with its old size and
/// mtime restored (`touch -r`), or one made readable again, is noticed.
pub fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let changed = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
        modified.max(changed)
    }
    #[cfg(not(unix))]
    modified
}

/// (device, inode) on Unix; elsewhere a value derived from size and time.
#[cfg(unix)]
pub fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

/// (device, inode) on Unix; elsewhere a value derived from size and time.
#[cfg(not(unix))]
pub fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    (meta.len(), mtime_ns(meta) as u64)
}

/// The `len` bytes of `file` at `offset` (`None` when the file is shorter now): a positioned
/// read, so the file's own cursor is left alone. The bytes go straight into new memory:
/// filling it with zeros first cost as much as reading the index's larger files.
#[cfg(unix)]
pub fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(len);
    while buf.len() < len {
        let at = offset + buf.len() as u64;
        match rustix::io::pread(file, rustix::buffer::spare_capacity(&mut buf), at) {
            Ok(0) => return None,
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(_) => return None,
        }
    }
    buf.truncate(len);
    Some(buf)
}

/// The `len` bytes of `file` at `offset` (`None` when the file is shorter now): a positioned
/// read, so two threads reading one file (a pack being copied) never move each other's
/// cursor.
#[cfg(windows)]
pub fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    use std::os::windows::fs::FileExt;
    let mut buf = vec![0; len];
    let mut done = 0;
    while done < len {
        match file.seek_read(&mut buf[done..], offset + done as u64) {
            Ok(0) => return None,
            Ok(n) => done += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(buf)
}

/// The `len` bytes of `file` at `offset` (`None` when the file is shorter now). Clones share
/// one cursor: on such a system a file must not be read on two threads at once.
#[cfg(not(any(unix, windows)))]
pub fn read_at(file: &std::fs::File, offset: u64, len: usize) -> Option<Vec<u8>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = file.try_clone().ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut buf = vec![0; len];
    file.read_exact(&mut buf).ok()?;
    Some(buf)
}

#[cfg(test)]
mod tests {
    use super::read_at;
    use std::io::Write;

    #[test]
    fn read_at_reads_exactly_the_range_and_nothing_past_the_end() {
        let mut file = tempfile::tempfile().expect("tempfile");
        let bytes: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        file.write_all(&bytes).expect("write");
        assert_eq!(read_at(&file, 0, bytes.len()).as_deref(), Some(&bytes[..]));
        assert_eq!(read_at(&file, 17, 1000).as_deref(), Some(&bytes[17..1017]));
        assert_eq!(read_at(&file, 5, 0).as_deref(), Some(&[][..]));
        // A file shorter than the range asked for (one that shrank) is no answer.
        assert_eq!(read_at(&file, bytes.len() as u64 - 10, 11), None);
        assert_eq!(read_at(&file, bytes.len() as u64 + 5, 1), None);
    }
}
