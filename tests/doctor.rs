//! End-to-end checks of `rolldex doctor` through the real binary, on copies of the Codex homes
//! the real Codex CLI wrote (`testdata/codex-versions/<version>/home`).
//!
//! Why this suite exists: `doctor` is the one command that opens a database inside a Codex
//! home, so besides its findings it must prove that it leaves the home exactly as it found it
//! (no `-wal`/`-shm` file, no changed byte or mtime, even in a read-only directory). Expected
//! numbers come from the state DB itself (read here with rusqlite, read-only) or from the lines
//! a test appends, never from rolldex's output.

#[path = "util/mod.rs"]
mod util;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use tempfile::TempDir;

/// Versions whose home holds `state_5.sqlite`.
const WITH_STATE_DB: [&str; 3] = ["0.144.0", "0.153.4", "0.171.0"];

/// A `cli` session of the 0.171.0 home (the one the TUI wrote).
const TUI_SESSION: &str = "01a2318c-d1b8-7b53-88ef-3200cb282ffd";

/// A copy of `<version>/home` in a fresh tempdir; returns (guard, home).
fn copy_home(version: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    util::copy_tree(
        &util::repo_path(&format!("testdata/codex-versions/{version}/home")),
        &home,
    );
    (dir, home)
}

/// `rolldex --codex-home HOME doctor ARGS…`.
fn doctor(homes: &[&Path], args: &[&str]) -> util::Output {
    let mut all: Vec<std::ffi::OsString> = Vec::new();
    for home in homes {
        all.push("--codex-home".into());
        all.push(home.into());
    }
    all.push("doctor".into());
    all.extend(args.iter().map(Into::into));
    let out = util::run(&all);
    util::assert_no_panic(&out);
    out
}

/// `doctor --json` on one home: the parsed document and the run.
fn doctor_json(home: &Path) -> (Value, util::Output) {
    let out = doctor(&[home], &["--json"]);
    let value: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("doctor --json is not JSON ({e}): {}", out.stdout));
    (value, out)
}

/// `threads` of a home's state DB: id → (tokens_used, model_provider), read-only and immutable.
fn threads(home: &Path) -> BTreeMap<String, (i64, String)> {
    use rusqlite::{Connection, OpenFlags};
    let uri = format!(
        "file:{}?mode=ro&immutable=1",
        home.join("state_5.sqlite").display()
    );
    let db = Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    )
    .expect("open state DB");
    let mut statement = db
        .prepare("SELECT id, tokens_used, model_provider FROM threads")
        .expect("prepare");
    statement
        .query_map([], |row| Ok((row.get(0)?, (row.get(1)?, row.get(2)?))))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

/// Turns the copy's state DB back into WAL mode, as Codex's own file is (the fixture was
/// converted to `journal_mode=DELETE`). A plain `mode=ro` open of a WAL database creates
/// `-wal` and `-shm` files and leaves them behind; only an immutable open does not, so this
/// makes the "unchanged" tests able to fail.
fn to_wal_mode(home: &Path) {
    let db = rusqlite::Connection::open(home.join("state_5.sqlite")).expect("open copy");
    let mode: String = db
        .query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    drop(db);
    // Closing the last connection checkpoints and removes both files.
    assert!(!home.join("state_5.sqlite-wal").exists());
    assert!(!home.join("state_5.sqlite-shm").exists());
}

/// The rollout of `id` in `home` (plain or compressed).
fn rollout_of(home: &Path, id: &str) -> PathBuf {
    let mut stack = vec![home.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(&format!("{id}.jsonl")))
            {
                return path;
            }
        }
    }
    panic!("no rollout of {id} in {}", home.display());
}

fn append(path: &Path, line: &str) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open rollout for append");
    writeln!(file, "{line}").expect("append");
}

/// Every entry below `root`: relative path → (is dir, mode, mtime, bytes of a file).
type Snapshot = BTreeMap<PathBuf, (bool, u32, std::time::SystemTime, Vec<u8>)>;

fn snapshot(root: &Path) -> Snapshot {
    use std::os::unix::fs::PermissionsExt;
    let mut out = Snapshot::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let meta = std::fs::metadata(&dir).expect("stat dir");
        out.insert(
            dir.strip_prefix(root).expect("below root").to_path_buf(),
            (
                true,
                meta.permissions().mode(),
                meta.modified().expect("mtime"),
                Vec::new(),
            ),
        );
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("stat");
            if meta.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.insert(
                    path.strip_prefix(root).expect("below root").to_path_buf(),
                    (
                        false,
                        meta.permissions().mode(),
                        meta.modified().expect("mtime"),
                        bytes,
                    ),
                );
            }
        }
    }
    out
}

/// Sets every directory below (and including) `root` to `mode`.
fn chmod_dirs(root: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    let mut dirs = vec![root.to_path_buf()];
    let mut all = Vec::new();
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
        all.push(dir);
    }
    // Deepest first when locking, so each directory is still writable when its children change.
    for dir in all.iter().rev() {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
    }
}

#[test]
fn totals_match_the_state_db_of_every_version_that_has_one() {
    for version in WITH_STATE_DB {
        let (_guard, home) = copy_home(version);
        let rows = threads(&home);
        let (report, out) = doctor_json(&home);
        assert_eq!(out.code, 0, "{version}: exit code; stdout: {}", out.stdout);
        assert_eq!(report["findings"], 0, "{version}");
        let home_report = &report["homes"][0];
        assert_eq!(home_report["state_db"]["status"], "read", "{version}");
        assert_eq!(home_report["state_db"]["threads"], rows.len(), "{version}");
        // Every thread has its rollout in the home (one of them compressed), so every one is
        // compared, and Codex's tokens_used is exactly the last token_count total.
        assert_eq!(home_report["compared"], rows.len(), "{version}");
        assert_eq!(home_report["matching"], rows.len(), "{version}");
        assert_eq!(home_report["mismatches"], Value::Array(vec![]), "{version}");
        assert_eq!(home_report["unreadable"], Value::Array(vec![]), "{version}");
        assert_eq!(
            home_report["unknown_types"],
            Value::Array(vec![]),
            "{version}"
        );

        let table = doctor(&[&home], &[]);
        assert_eq!(table.code, 0, "{version}: {}", table.stdout);
        let n = rows.len();
        assert!(
            table
                .stdout
                .contains(&format!("{n} sessions compared, {n} match")),
            "{version}: {}",
            table.stdout
        );
        assert!(table.stdout.contains("No problems found."), "{version}");
    }
}

#[test]
fn the_home_is_left_byte_for_byte_unchanged() {
    let (_guard, home) = copy_home("0.171.0");
    to_wal_mode(&home);
    let before = snapshot(&home);
    assert_eq!(doctor(&[&home], &[]).code, 0);
    assert_eq!(doctor(&[&home], &["--json"]).code, 0);
    let after = snapshot(&home);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "file list changed"
    );
    assert!(before == after, "a file's bytes, mode or mtime changed");
    assert!(!home.join("state_5.sqlite-wal").exists());
    assert!(!home.join("state_5.sqlite-shm").exists());
}

#[test]
fn a_read_only_home_works_and_is_left_unchanged() {
    let (_guard, home) = copy_home("0.171.0");
    to_wal_mode(&home);
    chmod_dirs(&home, 0o555);
    let before = snapshot(&home);
    let (report, out) = doctor_json(&home);
    let after = snapshot(&home);
    chmod_dirs(&home, 0o755);
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    assert_eq!(report["homes"][0]["state_db"]["status"], "read");
    assert_eq!(
        report["homes"][0]["compared"],
        report["homes"][0]["matching"]
    );
    assert!(before == after, "the read-only home changed");
    assert!(!home.join("state_5.sqlite-wal").exists());
    assert!(!home.join("state_5.sqlite-shm").exists());
}

#[test]
fn an_appended_bigger_total_is_reported_as_a_mismatch() {
    let (_guard, home) = copy_home("0.171.0");
    let tokens_used = threads(&home)[TUI_SESSION].0;
    let rollout = rollout_of(&home, TUI_SESSION);
    let total = tokens_used + 1234;
    append(
        &rollout,
        &format!(
            r#"{{"timestamp":"2026-12-01T13:00:00.000Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{input},"cached_input_tokens":0,"output_tokens":34,"reasoning_output_tokens":0,"total_tokens":{total}}},"last_token_usage":{{"input_tokens":1200,"cached_input_tokens":0,"output_tokens":34,"reasoning_output_tokens":0,"total_tokens":1234}},"model_context_window":258400}},"rate_limits":null}}}}"#,
            input = total - 34,
        ),
    );
    // A later token_count without info changes nothing (Codex skips it too).
    append(
        &rollout,
        r#"{"timestamp":"2026-12-01T13:00:01.000Z","type":"event_msg","payload":{"type":"token_count","info":null,"rate_limits":null}}"#,
    );
    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 1, "a mismatch is a finding");
    assert_eq!(report["findings"], 1);
    let mismatches = report["homes"][0]["mismatches"]
        .as_array()
        .expect("mismatches");
    assert_eq!(mismatches.len(), 1, "{mismatches:?}");
    let m = &mismatches[0];
    assert_eq!(m["session_id"], TUI_SESSION);
    assert_eq!(m["rollout_total"], total);
    assert_eq!(m["tokens_used"], tokens_used);
    assert_eq!(m["difference"], 1234);
    assert_eq!(m["path"], rollout.to_string_lossy().as_ref());

    let table = doctor(&[&home], &[]);
    assert_eq!(table.code, 1);
    assert!(table.stdout.contains(TUI_SESSION), "{}", table.stdout);
    assert!(table.stdout.contains("+1,234"), "{}", table.stdout);
    assert!(
        table.stdout.contains("Found 1 token total mismatch."),
        "{}",
        table.stdout
    );
}

#[test]
fn sessions_of_another_provider_are_listed_as_hidden() {
    let (_guard, home) = copy_home("0.171.0");
    let config = home.join("config.toml");
    let text = std::fs::read_to_string(&config).expect("config.toml");
    assert!(text.contains("model_provider = \"mock\"\n"));
    std::fs::write(
        &config,
        text.replace(
            "model_provider = \"mock\"\n",
            "model_provider = \"other\"\n",
        ),
    )
    .expect("write config.toml");
    let mock: Vec<String> = threads(&home)
        .into_iter()
        .filter(|(_, (_, provider))| provider == "mock")
        .map(|(id, _)| id)
        .collect();
    assert!(!mock.is_empty());

    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 0, "hidden sessions are not a finding");
    let home_report = &report["homes"][0];
    assert_eq!(home_report["current_provider"], "other");
    let groups = home_report["hidden"]["other_provider"]
        .as_array()
        .expect("other_provider");
    assert_eq!(groups.len(), 1, "{groups:?}");
    assert_eq!(groups[0]["name"], "mock");
    assert_eq!(groups[0]["sessions"], serde_json::json!(mock));

    let table = doctor(&[&home], &[]);
    assert!(
        table
            .stdout
            .contains("Hidden from `codex resume` (current provider: other)"),
        "{}",
        table.stdout
    );
    assert!(
        table
            .stdout
            .contains(&format!("provider mock: {} sessions", mock.len())),
        "{}",
        table.stdout
    );

    // No model_provider at all: Codex's default, openai.
    std::fs::write(&config, "model = \"gpt-5.2-codex\"\n").expect("write config.toml");
    let (report, _) = doctor_json(&home);
    assert_eq!(report["homes"][0]["current_provider"], "openai");
    assert_eq!(
        report["homes"][0]["hidden"]["other_provider"][0]["name"],
        "mock"
    );
}

#[test]
fn archived_and_exec_sessions_are_listed_as_hidden() {
    let (_guard, home) = copy_home("0.171.0");
    let (report, _) = doctor_json(&home);
    let hidden = &report["homes"][0]["hidden"];
    // `codex archive` moved this one (README of the fixture; archived=1 in the DB).
    assert_eq!(
        hidden["archived"],
        serde_json::json!(["01a2318c-cb58-70a2-a584-b5c81a7e08e2"])
    );
    let exec = hidden["non_interactive"]
        .as_array()
        .expect("non_interactive")
        .iter()
        .find(|g| g["name"] == "exec")
        .expect("an exec group");
    assert_eq!(exec["shown_with_include_non_interactive"], true);
    let sessions = exec["sessions"].as_array().expect("sessions");
    assert!(!sessions.iter().any(|s| s == TUI_SESSION));
}

#[test]
fn a_missing_or_corrupt_state_db_skips_the_comparison() {
    let (_guard, home) = copy_home("0.171.0");
    let db = home.join("state_5.sqlite");
    std::fs::write(
        &db,
        b"this is not a database, just some bytes\n".repeat(200),
    )
    .expect("corrupt DB");
    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 1, "an unreadable state DB is a finding");
    assert_eq!(report["homes"][0]["state_db"]["status"], "error");
    assert_eq!(report["homes"][0]["compared"], 0);
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "one line on stderr: {}",
        out.stderr
    );
    let table = doctor(&[&home], &[]);
    assert!(
        table.stdout.contains("skipped the comparison"),
        "{}",
        table.stdout
    );

    std::fs::remove_file(&db).expect("remove DB");
    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 0);
    assert_eq!(report["homes"][0]["state_db"]["status"], "missing");
    let table = doctor(&[&home], &[]);
    assert!(
        table
            .stdout
            .contains("no state_5.sqlite: skipped the comparison"),
        "{}",
        table.stdout
    );
}

#[test]
fn unknown_record_types_are_listed_with_their_versions() {
    let (_guard, home) = copy_home("0.171.0");
    let rollout = rollout_of(&home, TUI_SESSION);
    for _ in 0..2 {
        append(
            &rollout,
            r#"{"timestamp":"2026-12-01T13:00:00.000Z","type":"hologram_item","payload":{"type":"x"}}"#,
        );
    }
    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 1);
    assert_eq!(
        report["homes"][0]["unknown_types"],
        serde_json::json!([{
            "record_type": "hologram_item",
            "lines": 2,
            "files": 1,
            "cli_versions": ["0.171.0"],
            "sessions": [TUI_SESSION],
        }])
    );
    let table = doctor(&[&home], &[]);
    assert!(
        table
            .stdout
            .contains("hologram_item: 2 lines in 1 file, written by Codex 0.171.0"),
        "{}",
        table.stdout
    );
}

#[test]
fn unreadable_files_are_listed() {
    let (_guard, home) = copy_home("0.171.0");
    let day = home.join("sessions/2026/12/01");
    let empty = day.join("rollout-2026-12-01T13-00-00-01a2318d-0000-7000-8000-000000000001.jsonl");
    std::fs::write(&empty, b"").expect("empty rollout");
    let broken =
        day.join("rollout-2026-12-01T13-00-01-01a2318d-0000-7000-8000-000000000002.jsonl.zst");
    std::fs::write(&broken, b"not zstd at all").expect("broken zst");
    let (report, out) = doctor_json(&home);
    assert_eq!(out.code, 1);
    let unreadable = report["homes"][0]["unreadable"]
        .as_array()
        .expect("unreadable");
    let paths: Vec<&str> = unreadable
        .iter()
        .map(|u| u["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        paths,
        [
            empty.to_string_lossy().as_ref(),
            broken.to_string_lossy().as_ref()
        ]
    );
    assert_eq!(unreadable[0]["reason"], "empty");
    // The real sessions are still all compared.
    assert_eq!(
        report["homes"][0]["compared"],
        report["homes"][0]["matching"]
    );
    assert_eq!(report["homes"][0]["mismatches"], Value::Array(vec![]));
}

#[test]
fn every_home_is_checked() {
    let (_a, first) = copy_home("0.171.0");
    let (_b, second) = copy_home("0.47.0");
    let out = doctor(&[&first, &second], &["--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("json");
    let homes = report["homes"].as_array().expect("homes");
    assert_eq!(homes.len(), 2);
    assert_eq!(homes[0]["state_db"]["status"], "read");
    assert_eq!(homes[1]["state_db"]["status"], "missing");
    let table = doctor(&[&first, &second], &[]);
    assert_eq!(
        table
            .stdout
            .matches("Token totals vs Codex's state DB")
            .count(),
        2
    );
}

#[test]
fn formats_without_a_meaning_are_refused() {
    let (_guard, home) = copy_home("0.171.0");
    let out = doctor(&[&home], &["--format", "csv"]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let missing = doctor(&[Path::new("/nonexistent/codex/home")], &[]);
    assert_eq!(missing.code, 2);
}
