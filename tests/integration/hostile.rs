//! Hostile files beside good ones, and the promise that rolldex never writes inside a Codex home.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::util::{
    Output, assert_cost, assert_no_panic, copy_tree, fixture, run, stats_json, usage,
};

const DAY_DIR: &str = "sessions/2026/03/05";

/// A rollout path in the fixture's day folder with a throwaway id ending in `tag`.
fn rollout(home: &Path, time: &str, tag: &str) -> PathBuf {
    home.join(DAY_DIR).join(format!(
        "rollout-2026-03-05T{time}-019cc0a0-0000-7000-8000-0000000000{tag}.jsonl"
    ))
}

/// Deterministic pseudo-random bytes (no newline-free guarantee, no JSON by construction:
/// every byte is in 0x80..=0xFF or a newline).
fn garbage(len: usize) -> Vec<u8> {
    let mut state: u32 = 0x2545_f491;
    (0..len)
        .map(|i| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            if i % 97 == 96 {
                b'\n'
            } else {
                0x80 | (state as u8)
            }
        })
        .collect()
}

/// Adds every kind of hostile entry to `home`; returns whether an unreadable file could be made
/// (false when running as root, which reads anything).
fn add_hostile_entries(home: &Path) -> bool {
    let day = home.join(DAY_DIR);
    // An empty file.
    std::fs::write(rollout(home, "11-00-00", "e1"), b"").expect("empty file");
    // Binary garbage.
    std::fs::write(rollout(home, "11-10-00", "e2"), garbage(4096)).expect("garbage file");
    // A directory named like a rollout.
    std::fs::create_dir(rollout(home, "11-20-00", "e3")).expect("dir named like a rollout");
    // A file of a valid-looking name holding only a session_meta and info:null rows: no usage
    // even if it can be read, so it may be made unreadable below without changing the numbers.
    let unreadable = rollout(home, "11-30-00", "e7");
    std::fs::write(
        &unreadable,
        concat!(
            r#"{"timestamp":"2026-03-05T11:30:00.000Z","type":"session_meta","payload":{"id":"019cc0a0-0000-7000-8000-0000000000e7","timestamp":"2026-03-05T11:30:00.000Z","cwd":"/home/dev/proj","originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-05T11:30:01.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":null}}"#,
            "\n"
        ),
    )
    .expect("unreadable file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::{PermissionsExt, symlink};
        // A FIFO: opening it would block forever.
        let fifo = rollout(home, "11-40-00", "e4");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        assert!(made, "mkfifo failed");
        // A symlink loop between two rollout names.
        symlink(
            rollout(home, "11-50-00", "e6"),
            rollout(home, "11-50-00", "e5"),
        )
        .expect("link");
        symlink(
            rollout(home, "11-50-00", "e5"),
            rollout(home, "11-50-00", "e6"),
        )
        .expect("link");
        // A directory symlink pointing back up (a walk loop).
        symlink("..", day.join("loop")).expect("dir loop");
        // A dangling symlink.
        symlink(home.join("nowhere.jsonl"), rollout(home, "11-55-00", "e8"))
            .expect("dangling link");
        // chmod 000.
        std::fs::set_permissions(&unreadable, std::fs::Permissions::from_mode(0o000))
            .expect("chmod 000");
        // Root (or CAP_DAC_OVERRIDE) can still read it; then the assertion is skipped.
        std::fs::File::open(&unreadable).is_err()
    }
    #[cfg(not(unix))]
    {
        let _ = day;
        false
    }
}

fn stats_args(home: &Path, extra: &[&str]) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        "UTC".into(),
        "stats".into(),
    ];
    args.extend(extra.iter().map(Into::into));
    args
}

#[test]
fn hostile_files_beside_a_good_fixture_change_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    copy_tree(&fixture("model-switch"), &home);
    let unreadable_made = add_hostile_entries(&home);

    for extra in [
        &["daily", "--json"][..],
        &["session", "--json"],
        &["model", "--format", "csv"],
        &["daily"],
        &["daily", "--json", "--no-index"],
    ] {
        let alone = run(&stats_args(&fixture("model-switch"), extra));
        let hostile = run(&stats_args(&home, extra));
        assert_eq!(alone.code, 0);
        assert_eq!(hostile.code, 0, "{extra:?}: {}", hostile.stderr);
        assert_no_panic(&hostile);
        assert_eq!(hostile.stdout, alone.stdout, "{extra:?}: stdout differs");
        assert_eq!(alone.stderr, "");
        assert_summary_line(&hostile, unreadable_made);
    }

    // And the numbers are the hand-worked ones of model-switch.
    let (report, _) = stats_json(&home, "UTC", &["daily"]);
    assert_eq!(usage(&report["totals"]), [6000, 3000, 600, 200, 6600]);
    assert_cost(&report["totals"], Some(0.007_425), "totals");
    assert_eq!(
        usage(&report["rows"][0]["models"]["gpt-5-mini"]),
        [2000, 1000, 200, 100, 2200]
    );

    // --quiet: nothing at all on stderr.
    let mut args = stats_args(&home, &["daily", "--json"]);
    args.insert(0, "-q".into());
    let quiet = run(&args);
    assert_eq!(quiet.code, 0);
    assert_eq!(quiet.stderr, "");
}

/// At most one stderr line, and it is the skip summary.
fn assert_summary_line(out: &Output, unreadable_made: bool) {
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines.len() <= 1,
        "more than one stderr line: {}",
        out.stderr
    );
    let line = lines.first().copied().unwrap_or("");
    assert!(
        line.starts_with("rolldex: skipped "),
        "stderr: {}",
        out.stderr
    );
    assert!(
        line.contains("malformed"),
        "garbage file not reported: {line}"
    );
    if unreadable_made {
        assert!(
            line.contains("unreadable"),
            "unreadable file not reported: {line}"
        );
    }
}

/// Path → (kind, length, mtime, content hash) for everything under `root`, symlinks not followed.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (String, u64, Option<SystemTime>, u64)> {
    fn walk(
        root: &Path,
        dir: &Path,
        out: &mut BTreeMap<PathBuf, (String, u64, Option<SystemTime>, u64)>,
    ) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let entry = entry.expect("entry");
            let path = entry.path();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            let kind = if meta.is_dir() {
                "dir"
            } else if meta.file_type().is_symlink() {
                "symlink"
            } else if meta.is_file() {
                "file"
            } else {
                "other"
            };
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            if meta.is_file() {
                std::fs::read(&path).expect("read file").hash(&mut hasher);
            } else if meta.file_type().is_symlink() {
                std::fs::read_link(&path)
                    .expect("read_link")
                    .hash(&mut hasher);
            }
            out.insert(
                path.strip_prefix(root).expect("under root").to_path_buf(),
                (
                    kind.to_owned(),
                    meta.len(),
                    meta.modified().ok(),
                    hasher.finish(),
                ),
            );
            if meta.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn stats_never_writes_inside_the_codex_home() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    for name in ["torn-tail", "fork", "model-switch", "legacy"] {
        copy_tree(&fixture(name), &home);
    }
    // An index file Codex itself may have, to be sure it is left alone too.
    std::fs::write(
        home.join("session_index.jsonl"),
        "{\"id\":\"019cc0a0-0000-7000-8000-000000000003\",\"thread_name\":\"forked try\",\"updated_at\":\"2026-03-05T10:01:00Z\"}\n",
    )
    .expect("session index");
    let root_mtime = std::fs::metadata(&home).expect("home").modified().ok();
    let before = snapshot(&home);
    assert!(before.len() > 8);
    for extra in [
        &["daily", "--json"][..],
        &["weekly"],
        &["monthly", "--format", "csv", "--breakdown"],
        &["session", "--format", "jsonl"],
        &["model"],
        &["project", "--json"],
        &["client", "--json"],
    ] {
        let out = run(&stats_args(&home, extra));
        assert_eq!(out.code, 0, "{extra:?}: {}", out.stderr);
        assert_no_panic(&out);
    }
    let after = snapshot(&home);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "files created or removed in the home"
    );
    assert_eq!(before, after, "a file in the home changed");
    assert_eq!(
        std::fs::metadata(&home).expect("home").modified().ok(),
        root_mtime,
        "home directory modified"
    );
}
