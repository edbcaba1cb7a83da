//! A cheaper answer to "has anything changed since the last walk?" for homes where Codex keeps
//! its state database, so a query need not stat every rollout (10,000 `statx` calls are most of
//! a query's time on a 10 GB history).
//!
//! Codex (0.105 and later: the live runs found no database from 0.104 and earlier, though the
//! format notes date it to 0.93) writes `state_5.sqlite` after it writes rollout lines: each
//! batch of lines it appends is followed by an update of the thread's row
//! (`sync_thread_state_after_write` in codex-rs), so its write-ahead log `state_5.sqlite-wal`
//! (or the database) changes after every append. A new rollout, a moved one (archived,
//! compressed) or a removed one changes its folder. So a walk records the stamps of the
//! database, its log, `session_index.jsonl` (thread names) and every folder it read; while all
//! of them are as recorded, nothing Codex writes has changed, and the next query may answer
//! from the commit that walk produced.
//!
//! What it does not see, and so when it is not used:
//! - a home without `state_5.sqlite` (Codex before 0.105, generated or copied histories, a
//!   database kept elsewhere with `CODEX_SQLITE_HOME`): every query walks;
//! - a folder reached through a symlink (its own folders are not watched): the walk again;
//! - a stamp that changed within [`QUIET`] of the walk: a file system's clock ticks coarsely,
//!   and a change in the same tick as the walk's `stat` would leave the same stamp, so a home
//!   in use is walked until it has been still for that long;
//! - a rollout changed in place by something other than Codex (an editor, a restore onto the
//!   same file), or appended to by a Codex older than 0.105 run on a home a newer one gave a
//!   database: such a change is seen at the next walk (`rolldex index` always walks), and
//!   [`TRUSTED_FOR`] bounds how long a query goes on without one.
//!
//! The database is only ever stat-ed, never opened.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

/// A stamp must be at least this old when it is recorded to be trusted (see the module doc).
pub const QUIET: Duration = Duration::from_secs(2);

/// How long after its walk a signal stands in for one.
pub const TRUSTED_FOR: Duration = Duration::from_mins(10);

/// The files of a home that Codex changes whenever it writes a rollout or a thread name.
const WATCHED_FILES: [&str; 3] = [
    "state_5.sqlite",
    "state_5.sqlite-wal",
    "session_index.jsonl",
];

/// What a file or folder looked like: a change to its contents, its entries, its size or its
/// inode changes at least one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    len: u64,
    /// The later of modification and status-change time ([`super::mtime_ns`]).
    changed_ns: i128,
    identity: (u64, u64),
}

impl Stamp {
    /// The stamp of what `meta` describes.
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            len: meta.len(),
            changed_ns: super::mtime_ns(meta),
            identity: super::file_identity(meta),
        }
    }

    /// The stamp of `path` now (`None` when it is not there), the link itself not followed.
    pub fn at(path: &Path) -> Option<Stamp> {
        std::fs::symlink_metadata(path).ok().map(|m| Stamp::of(&m))
    }
}

/// The stamps of everything a walk watched, and when it began.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// Nanoseconds since the epoch when the walk began.
    taken_ns: i128,
    /// Each watched path (as text) and its stamp, `None` where nothing was there.
    watched: Vec<(String, Option<Stamp>)>,
}

impl Signal {
    /// True when every watched path still has its recorded stamp and the walk is less than
    /// [`TRUSTED_FOR`] old at `now`.
    pub fn holds(&self, now: SystemTime) -> bool {
        let age_ns = since_epoch_ns(now) - self.taken_ns;
        (0..TRUSTED_FOR.as_nanos() as i128).contains(&age_ns)
            && self
                .watched
                .iter()
                .all(|(path, stamp)| Stamp::at(Path::new(path)) == *stamp)
    }

    /// How many paths it watches.
    pub fn len(&self) -> usize {
        self.watched.len()
    }

    /// True when it watches nothing (never, for a signal a walk made).
    pub fn is_empty(&self) -> bool {
        self.watched.is_empty()
    }
}

/// A signal being gathered by a walk: begun before anything is read, so every change made
/// after a file was read shows in a stamp taken before it.
#[derive(Debug)]
pub struct Recorder {
    began: SystemTime,
    watched: Vec<(PathBuf, Option<Stamp>)>,
    usable: bool,
}

impl Recorder {
    /// Stamps every home's watched files now; `None` when some home has no state database
    /// (nothing then tells of Codex's appends).
    pub fn begin(homes: &[PathBuf], now: SystemTime) -> Option<Recorder> {
        let mut watched = Vec::with_capacity(homes.len() * (WATCHED_FILES.len() + 2));
        for home in homes {
            for name in WATCHED_FILES {
                let path = home.join(name);
                watched.push((path.clone(), Stamp::at(&path)));
            }
            // The database itself, this home's first watched file.
            watched[watched.len() - WATCHED_FILES.len()].1?;
        }
        Some(Recorder {
            began: now,
            watched,
            usable: true,
        })
    }

    /// A folder the walk is about to read (stamped before reading it), or one it looked for
    /// and did not find (`None`).
    pub fn folder(&mut self, path: PathBuf, stamp: Option<Stamp>) {
        self.watched.push((path, stamp));
    }

    /// The walk followed a symlink: what is behind it is not watched.
    pub fn give_up(&mut self) {
        self.usable = false;
    }

    /// The signal, when every stamp is old enough and every path is text.
    pub fn finish(self) -> Option<Signal> {
        if !self.usable {
            return None;
        }
        let taken_ns = since_epoch_ns(self.began);
        let quiet_from = taken_ns - QUIET.as_nanos() as i128;
        let mut watched = Vec::with_capacity(self.watched.len());
        for (path, stamp) in self.watched {
            if stamp.is_some_and(|s| s.changed_ns > quiet_from) {
                return None;
            }
            watched.push((path.into_os_string().into_string().ok()?, stamp));
        }
        Some(Signal { taken_ns, watched })
    }
}

/// Nanoseconds since the epoch (0 before it).
fn since_epoch_ns(time: SystemTime) -> i128 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A home with a state database and one session folder, its stamps made old enough.
    fn home() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().to_path_buf();
        std::fs::create_dir_all(home.join("sessions/2026/01/02")).expect("mkdir");
        std::fs::write(home.join("state_5.sqlite"), b"db").expect("write");
        (dir, home)
    }

    /// What a walk of `home` at `now` records.
    fn record(home: &Path, now: SystemTime) -> Option<Signal> {
        let mut recorder = Recorder::begin(&[home.to_path_buf()], now)?;
        for folder in ["sessions", "sessions/2026/01/02", "archived_sessions"] {
            let path = home.join(folder);
            let stamp = Stamp::at(&path);
            recorder.folder(path, stamp);
        }
        recorder.finish()
    }

    #[test]
    fn a_signal_holds_until_codex_writes_or_a_folder_changes() {
        let (_dir, home) = home();
        // Recorded as if the walk ran a minute from now, when every stamp is old enough.
        let later = SystemTime::now() + Duration::from_mins(1);
        let signal = record(&home, later).expect("a signal");
        assert_eq!(signal.len(), 3 + 3);
        assert!(signal.holds(later));

        // Codex writes its log after an append: the signal no longer holds.
        let mut wal = std::fs::File::create(home.join("state_5.sqlite-wal")).expect("wal");
        assert!(!signal.holds(later));
        let signal = record(&home, later).expect("a signal");
        wal.write_all(b"frame").expect("write");
        assert!(!signal.holds(later));

        // A new session's file changes its folder; a new folder for archives is seen too.
        let signal = record(&home, later).expect("a signal");
        std::fs::write(home.join("sessions/2026/01/02/rollout-x.jsonl"), b"{}").expect("write");
        assert!(!signal.holds(later));
        let signal = record(&home, later).expect("a signal");
        std::fs::create_dir(home.join("archived_sessions")).expect("mkdir");
        assert!(!signal.holds(later));

        // Thread names are watched as well.
        let signal = record(&home, later).expect("a signal");
        std::fs::write(home.join("session_index.jsonl"), b"{}").expect("write");
        assert!(!signal.holds(later));
    }

    #[test]
    fn no_signal_without_a_database_or_too_soon_after_a_change_and_none_past_its_time() {
        let (_dir, home) = home();
        let now = SystemTime::now();
        // Everything here changed just now: a change in the same clock tick could hide.
        assert!(record(&home, now).is_none());
        let later = now + Duration::from_mins(1);
        let signal = record(&home, later).expect("a signal");
        assert!(signal.holds(later + TRUSTED_FOR - Duration::from_secs(1)));
        assert!(!signal.holds(later + TRUSTED_FOR));
        // A clock set back is no reason to trust it either.
        assert!(!signal.holds(later - Duration::from_secs(1)));

        let mut recorder = Recorder::begin(std::slice::from_ref(&home), later).expect("a recorder");
        recorder.give_up();
        assert!(recorder.finish().is_none());

        std::fs::remove_file(home.join("state_5.sqlite")).expect("rm");
        assert!(Recorder::begin(&[home], later).is_none());
    }
}
