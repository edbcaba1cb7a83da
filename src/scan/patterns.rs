//! Which files under a home are rollouts: the Codex layout, minus the user's `--exclude` globs.
//!
//! The layout is fixed (`sessions/**/rollout-*.jsonl`, `archived_sessions/rollout-*.jsonl`,
//! each also `.zst`), and every query tests every file against it: through a glob set that
//! took some 3,000 instructions a file, a fifth of a 10,000-file walk's own work. It is
//! checked by hand here, and a test holds the check to those globs. User excludes are globs,
//! matched only when there are any.

use std::ffi::OsStr;
use std::path::Path;

use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::error::{Error, Result};

/// Which files to take: the Codex layout, minus user excludes.
pub struct Patterns {
    exclude: GlobSet,
}

impl Patterns {
    /// The Codex layout minus `excludes` (globs matched against the path relative to the
    /// home).
    pub fn new(excludes: &[String]) -> Result<Patterns> {
        let mut exclude = GlobSetBuilder::new();
        for pattern in excludes {
            let glob = Glob::new(pattern)
                .map_err(|e| Error::Usage(format!("--exclude {pattern:?}: {e}")))?;
            exclude.add(glob);
        }
        let exclude = exclude.build().map_err(|e| Error::Usage(e.to_string()))?;
        Ok(Patterns { exclude })
    }

    /// True for a rollout to read. A file inside a directory that is itself named like a
    /// rollout (`…/rollout-x.jsonl/rollout-y.jsonl`: a copy gone wrong, a backup tool's
    /// folder) is not a session of this home.
    pub(super) fn matches(&self, relative: &Path) -> bool {
        let bytes = relative.as_os_str().as_encoded_bytes();
        // Elsewhere `\` separates too: the layout is checked on `/`, as the globs were.
        #[cfg(not(unix))]
        let bytes = &bytes
            .iter()
            .map(|&b| if b == b'\\' { b'/' } else { b })
            .collect::<Vec<u8>>();
        let Some(parts) = Parts::of(bytes) else {
            return false;
        };
        parts.in_layout()
            && !parts.in_rollout_named_dir()
            && (self.exclude.is_empty() || !self.exclude.is_match(relative))
    }
}

/// A relative path cut at its first and last `/`: the top directory, the directories
/// between, and the file name. `None` for a path with no directory.
struct Parts<'a> {
    top: &'a [u8],
    middle: Option<&'a [u8]>,
    name: &'a [u8],
}

impl<'a> Parts<'a> {
    fn of(relative: &'a [u8]) -> Option<Parts<'a>> {
        let first = memchr::memchr(b'/', relative)?;
        let last = memchr::memrchr(b'/', relative)?;
        Some(Parts {
            top: &relative[..first],
            middle: (first < last).then(|| &relative[first + 1..last]),
            name: &relative[last + 1..],
        })
    }

    /// True for a path that the Codex layout names: a rollout file name directly in
    /// `archived_sessions/`, or at any depth in `sessions/`.
    fn in_layout(&self) -> bool {
        is_rollout_bytes(self.name)
            && match self.top {
                b"sessions" => true,
                b"archived_sessions" => self.middle.is_none(),
                _ => false,
            }
    }

    /// True when a directory on the way to the file, below the top one, is named like a
    /// rollout.
    fn in_rollout_named_dir(&self) -> bool {
        self.middle
            .is_some_and(|dirs| dirs.split(|&b| b == b'/').any(is_rollout_bytes))
    }
}

/// [`Parts::in_layout`] for a whole path.
#[cfg(test)]
fn in_layout(relative: &[u8]) -> bool {
    Parts::of(relative).is_some_and(|p| p.in_layout())
}

/// True for a file name of the rollout form, `rollout-*.jsonl` or `rollout-*.jsonl.zst`.
pub(super) fn is_rollout_name(name: &OsStr) -> bool {
    is_rollout_bytes(name.as_encoded_bytes())
}

fn is_rollout_bytes(name: &[u8]) -> bool {
    name.starts_with(b"rollout-") && (name.ends_with(b".jsonl") || name.ends_with(b".jsonl.zst"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use globset::GlobBuilder;

    /// The layout as globs, as rolldex matched it before the check by hand.
    fn layout_globs() -> GlobSet {
        let mut set = GlobSetBuilder::new();
        for pattern in [
            "sessions/**/rollout-*.jsonl",
            "archived_sessions/rollout-*.jsonl",
            "sessions/**/rollout-*.jsonl.zst",
            "archived_sessions/rollout-*.jsonl.zst",
        ] {
            let glob = GlobBuilder::new(pattern).literal_separator(true).build();
            set.add(glob.expect("glob"));
        }
        set.build().expect("set")
    }

    #[test]
    fn the_layout_check_agrees_with_the_layout_globs() {
        let globs = layout_globs();
        let dirs = [
            "",
            "sessions",
            "sessions/2025",
            "sessions/2025/01/02",
            "sessions/.hidden",
            "sessions/a b/c",
            "archived_sessions",
            "archived_sessions/2025",
            "Sessions",
            "other",
            "other/sessions",
            "sessions/rollout-x.jsonl",
            "archived_sessionsx",
        ];
        let names = [
            "rollout-x.jsonl",
            "rollout-.jsonl",
            "rollout-x.jsonl.zst",
            "rollout-x.json",
            "rollout-x.jsonl.zst.bak",
            "rollout-x.jsonlx",
            "rollout.jsonl",
            "Rollout-x.jsonl",
            "xrollout-x.jsonl",
            "rollout-2025-01-02T03-04-05-0199a2b3.jsonl",
            "rollout-a b.jsonl",
            "rollout-\\x.jsonl",
            "rollout-é.jsonl.zst",
            ".jsonl",
            "rollout-",
            "sessions",
        ];
        let mut checked = 0;
        for dir in dirs {
            for name in names {
                let path = if dir.is_empty() {
                    name.to_owned()
                } else {
                    format!("{dir}/{name}")
                };
                let path = Path::new(&path);
                assert_eq!(
                    in_layout(path.as_os_str().as_encoded_bytes()),
                    globs.is_match(path),
                    "{}",
                    path.display()
                );
                checked += 1;
            }
        }
        assert_eq!(checked, dirs.len() * names.len());
        assert!(in_layout(b"sessions/2025/01/02/rollout-x.jsonl"));
        assert!(!in_layout(b"archived_sessions/2025/rollout-x.jsonl"));
    }

    #[cfg(unix)]
    #[test]
    fn names_that_are_not_unicode_are_matched_by_their_bytes_like_the_globs() {
        use std::os::unix::ffi::OsStrExt;
        let globs = layout_globs();
        for raw in [
            &b"sessions/rollout-\xff\xfe.jsonl"[..],
            b"archived_sessions/rollout-\x80.jsonl.zst",
            b"sessions/\xff/rollout-a.jsonl",
            b"sessions/rollout-a.jsonl\xff",
        ] {
            let path = Path::new(OsStr::from_bytes(raw));
            assert_eq!(
                in_layout(path.as_os_str().as_encoded_bytes()),
                globs.is_match(path),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn paths_joined_by_the_platform_match() {
        let patterns = Patterns::new(&[]).expect("patterns");
        let mut path = std::path::PathBuf::from("sessions");
        for part in ["2025", "01", "02", "rollout-x.jsonl"] {
            path.push(part);
        }
        assert!(patterns.matches(&path));
        let mut archived = std::path::PathBuf::from("archived_sessions");
        archived.push("2025");
        archived.push("rollout-x.jsonl");
        assert!(!patterns.matches(&archived));
    }

    #[test]
    fn excludes_apply_and_a_bad_exclude_is_a_usage_error() {
        let patterns = Patterns::new(&["sessions/2025/**".to_owned()]).expect("patterns");
        assert!(!patterns.matches(Path::new("sessions/2025/01/rollout-a.jsonl")));
        assert!(patterns.matches(Path::new("sessions/2026/01/rollout-a.jsonl")));
        assert!(!patterns.matches(Path::new("sessions/rollout-x.jsonl/rollout-a.jsonl")));
        assert!(Patterns::new(&["a[".to_owned()]).is_err());
    }
}
