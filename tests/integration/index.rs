//! The persistent index (issue 3): appends, truncations, rewrites, deletions and schema bumps
//! leave it right; a killed build and two concurrent builds end with the answers of a clean
//! build; the index dir is private and the Codex home is never written.
//!
//! Also holds the helpers `search.rs` and `resume.rs` share: a runner with a persistent index
//! dir, the planted-facts home (`testdata/fixtures-index`, described in its README) and writers
//! of rollout lines in Codex's field order.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

use crate::util::{Output, assert_no_panic, copy_tree, repo_path, wait_output};

// ---------------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------------

/// Session ids planted in `testdata/fixtures-index/home` (see its README).
pub(crate) mod ids {
    /// /home/dev/proj, VS Code, `ERR_QX7731`, `refresh_jwt_token_v2`, `src/import.rs`, thread name
    /// "auth refactor", 2026-03-02.
    pub const S1: &str = "019cd1a1-0000-7000-8000-000000000001";
    /// /home/dev/proj, "the widget gizmo flickers on resize", 2026-03-01.
    pub const S2: &str = "019cd1b2-0000-7000-8000-000000000002";
    /// /home/dev/proj/app, gpt-5-mini, assistant "widget gizmo", name "layout cache", 2026-03-03.
    pub const S3: &str = "019cd1c3-0000-7000-8000-000000000003";
    /// /home/dev/proj2, tool output "widget gizmo test failed", 2026-03-05.
    pub const S4: &str = "019cd1d4-0000-7000-8000-000000000004";
    /// `codex exec` in /home/dev/proj, 2026-03-06.
    pub const S7: &str = "019cd1e7-0000-7000-8000-000000000007";
    /// Sub-agent fork of S2 in /home/dev/proj, 2026-03-07.
    pub const S8: &str = "019cd1f8-0000-7000-8000-000000000008";
    /// Archived, /home/dev/proj, "zephyrine", 2026-02-20.
    pub const S9: &str = "019cd1a9-0000-7000-8000-000000000009";
    /// Legacy v1 file, "quokkafied", 2025-08-25.
    pub const L: &str = "5e9a1c0d-7b2f-4c1e-9d3a-0000000000a1";
}

/// `testdata/fixtures-index/home`.
pub(crate) fn fixture_home() -> PathBuf {
    repo_path("testdata/fixtures-index/home")
}

/// The rollout file of a planted session, relative to the home.
pub(crate) fn fixture_file(id: &str) -> &'static str {
    match id {
        ids::S1 => {
            "sessions/2026/03/02/rollout-2026-03-02T09-00-00-019cd1a1-0000-7000-8000-000000000001.jsonl"
        }
        ids::S2 => {
            "sessions/2026/03/01/rollout-2026-03-01T09-00-00-019cd1b2-0000-7000-8000-000000000002.jsonl"
        }
        ids::S3 => {
            "sessions/2026/03/03/rollout-2026-03-03T09-00-00-019cd1c3-0000-7000-8000-000000000003.jsonl"
        }
        ids::S4 => {
            "sessions/2026/03/05/rollout-2026-03-05T09-00-00-019cd1d4-0000-7000-8000-000000000004.jsonl"
        }
        ids::S9 => {
            "archived_sessions/rollout-2026-02-20T10-00-00-019cd1a9-0000-7000-8000-000000000009.jsonl"
        }
        other => panic!("no file recorded for {other}"),
    }
}

/// A Codex home plus a private index dir and an empty config dir that live as long as this.
pub(crate) struct Rx {
    /// The Codex home every run reads.
    pub home: PathBuf,
    /// `--index-dir`.
    pub index: PathBuf,
    config: PathBuf,
    dirs: Vec<tempfile::TempDir>,
}

impl Rx {
    /// Reads `home` as it is (the test must not modify it).
    pub fn new(home: &Path) -> Rx {
        let index = tempfile::tempdir().expect("index tempdir");
        let config = tempfile::tempdir().expect("config tempdir");
        Rx {
            home: home.to_path_buf(),
            index: index.path().join("idx"),
            config: config.path().to_path_buf(),
            dirs: vec![index, config],
        }
    }

    /// The planted-facts fixture, read in place.
    pub fn fixture() -> Rx {
        Rx::new(&fixture_home())
    }

    /// A private copy of `source` (for tests that change files).
    pub fn copy_of(source: &Path) -> Rx {
        let dir = tempfile::tempdir().expect("home tempdir");
        let home = dir.path().join("codex-home");
        copy_tree(source, &home);
        let mut rx = Rx::new(&home);
        rx.dirs.push(dir);
        rx
    }

    /// A private copy of the planted-facts fixture.
    pub fn fixture_copy() -> Rx {
        Rx::copy_of(&fixture_home())
    }

    /// Same home, a fresh (empty) index dir.
    pub fn fresh_index(&self) -> Rx {
        Rx::new(&self.home)
    }

    /// A configured command: `rolldex --codex-home H --index-dir I --tz UTC ARGS…` (no default
    /// `--tz` when ARGS name one).
    pub fn command<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_rolldex"));
        command
            .arg("--codex-home")
            .arg(&self.home)
            .arg("--index-dir")
            .arg(&self.index);
        if !args.iter().any(|a| a.as_ref() == "--tz") {
            command.arg("--tz").arg("UTC");
        }
        command
            .args(args)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("NO_COLOR", "1")
            .env("COLUMNS", "200")
            .env_remove("CODEX_HOME")
            .env_remove("ROLLDEX_INDEX_DIR")
            .env_remove("TZ")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs and waits (with a timeout); fails on a panic.
    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Output {
        let what = describe(args);
        let out = wait_output(self.command(args).spawn().expect("spawn rolldex"), &what);
        assert_no_panic(&out);
        out
    }

    /// Runs with `dir` as the current directory.
    pub fn run_in<S: AsRef<std::ffi::OsStr>>(&self, dir: &Path, args: &[S]) -> Output {
        let what = describe(args);
        let mut command = self.command(args);
        command.current_dir(dir);
        let out = wait_output(command.spawn().expect("spawn rolldex"), &what);
        assert_no_panic(&out);
        out
    }

    /// Runs, asserts exit 0, parses stdout as JSON.
    pub fn json<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Value {
        let out = self.run(args);
        assert_eq!(
            out.code,
            0,
            "rolldex {}: exit {}; stderr: {}",
            describe(args),
            out.code,
            out.stderr
        );
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "rolldex {}: stdout is not JSON ({e}): {}",
                describe(args),
                out.stdout
            )
        })
    }

    /// `rolldex index`, asserting success.
    pub fn index(&self) -> Output {
        let out = self.run(&["index"]);
        assert_eq!(out.code, 0, "rolldex index: {}", out.stderr);
        out
    }

    /// Session ids of `search ARGS… --json --limit 100`, in output order (exit 0 or 1 only).
    pub fn search_ids(&self, args: &[&str]) -> Vec<String> {
        let mut all: Vec<&str> = vec!["search"];
        all.extend_from_slice(args);
        if !args.contains(&"--limit") {
            all.extend_from_slice(&["--limit", "100"]);
        }
        all.push("--json");
        let out = self.run(&all);
        assert!(
            out.code == 0 || out.code == 1,
            "rolldex {all:?}: exit {}; stderr: {}",
            out.code,
            out.stderr
        );
        if out.code == 1 && out.stdout.trim().is_empty() {
            return Vec::new();
        }
        let value: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("{all:?}: not JSON ({e}): {}", out.stdout));
        let hits = value["hits"].as_array().expect("hits array");
        assert_eq!(hits.is_empty(), out.code == 1, "{all:?}: exit code vs hits");
        hits.iter()
            .map(|h| h["session_id"].as_str().expect("session_id").to_owned())
            .collect()
    }

    /// The same as [`Rx::search_ids`], as a set.
    pub fn search_set(&self, args: &[&str]) -> BTreeSet<String> {
        self.search_ids(args).into_iter().collect()
    }

    /// The `homes-*` folder inside the index dir (exactly one is expected).
    pub fn homes_dir(&self) -> PathBuf {
        let dirs: Vec<PathBuf> = std::fs::read_dir(&self.index)
            .expect("index dir exists")
            .map(|e| e.expect("entry").path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("homes-"))
            })
            .collect();
        assert_eq!(dirs.len(), 1, "homes-* folders: {dirs:?}");
        dirs.into_iter().next().expect("one homes dir")
    }

    /// A file of the home.
    pub fn file(&self, relative: &str) -> PathBuf {
        self.home.join(relative)
    }
}

/// A set of ids from string slices.
pub(crate) fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn describe<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> String {
    args.iter()
        .map(|a| a.as_ref().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writers of v2 rollout lines in Codex's field order (`{"timestamp","type","payload"}` with the
/// payload's `type` first), so tests can build homes whose cwd is a real temporary directory.
pub(crate) mod lines {
    use std::path::{Path, PathBuf};

    /// A JSON string literal.
    pub fn q(text: &str) -> String {
        serde_json::to_string(text).expect("string")
    }

    fn envelope(ts: &str, kind: &str, payload: &str) -> String {
        format!("{{\"timestamp\":\"{ts}\",\"type\":\"{kind}\",\"payload\":{payload}}}\n")
    }

    /// `session_meta`; `source` is raw JSON (`"cli"`, `{"subagent":…}`).
    pub fn meta(
        ts: &str,
        id: &str,
        cwd: &str,
        originator: &str,
        source: &str,
        forked_from: Option<&str>,
    ) -> String {
        let forked =
            forked_from.map_or_else(String::new, |p| format!("\"forked_from_id\":{},", q(p)));
        envelope(
            ts,
            "session_meta",
            &format!(
                "{{\"id\":{},{forked}\"timestamp\":\"{ts}\",\"cwd\":{},\"originator\":{},\"cli_version\":\"0.118.0\",\"instructions\":null,\"source\":{source},\"model_provider\":\"openai\"}}",
                q(id),
                q(cwd),
                q(originator)
            ),
        )
    }

    /// The injected `<environment_context>` user item (not typed by the user).
    pub fn environment(ts: &str, cwd: &str) -> String {
        let text = format!("<environment_context>\n  <cwd>{cwd}</cwd>\n</environment_context>");
        envelope(
            ts,
            "response_item",
            &format!(
                "{{\"type\":\"message\",\"role\":\"user\",\"content\":[{{\"type\":\"input_text\",\"text\":{}}}]}}",
                q(&text)
            ),
        )
    }

    /// A `user_message` event (what the user typed).
    pub fn user(ts: &str, text: &str) -> String {
        envelope(
            ts,
            "event_msg",
            &format!(
                "{{\"type\":\"user_message\",\"message\":{},\"images\":[],\"local_images\":[],\"text_elements\":[]}}",
                q(text)
            ),
        )
    }

    /// A `turn_context` naming the cwd and model.
    pub fn context(ts: &str, cwd: &str, model: &str) -> String {
        envelope(
            ts,
            "turn_context",
            &format!(
                "{{\"cwd\":{},\"approval_policy\":\"on-request\",\"sandbox_policy\":{{\"type\":\"workspace-write\",\"network_access\":false,\"exclude_tmpdir_env_var\":false,\"exclude_slash_tmp\":false}},\"model\":{},\"effort\":\"medium\",\"summary\":\"auto\"}}",
                q(cwd),
                q(model)
            ),
        )
    }

    /// An assistant `response_item` message.
    pub fn assistant(ts: &str, text: &str) -> String {
        envelope(
            ts,
            "response_item",
            &format!(
                "{{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{{\"type\":\"output_text\",\"text\":{}}}]}}",
                q(text)
            ),
        )
    }

    /// A `function_call` of `shell_command` running `command`.
    pub fn shell_call(ts: &str, call_id: &str, command: &str) -> String {
        let arguments = format!("{{\"command\":{},\"workdir\":\"/tmp\"}}", q(command));
        envelope(
            ts,
            "response_item",
            &format!(
                "{{\"type\":\"function_call\",\"name\":\"shell_command\",\"arguments\":{},\"call_id\":{}}}",
                q(&arguments),
                q(call_id)
            ),
        )
    }

    /// A `function_call_output`.
    pub fn call_output(ts: &str, call_id: &str, output: &str) -> String {
        envelope(
            ts,
            "response_item",
            &format!(
                "{{\"type\":\"function_call_output\",\"call_id\":{},\"output\":{}}}",
                q(call_id),
                q(output)
            ),
        )
    }

    fn usage(u: [u64; 4]) -> String {
        format!(
            "{{\"input_tokens\":{},\"cached_input_tokens\":{},\"output_tokens\":{},\"reasoning_output_tokens\":{},\"total_tokens\":{}}}",
            u[0],
            u[1],
            u[2],
            u[3],
            u[0] + u[2]
        )
    }

    /// A `token_count` event: `[input, cached, output, reasoning]` totals and last.
    pub fn token_count(ts: &str, total: [u64; 4], last: [u64; 4]) -> String {
        envelope(
            ts,
            "event_msg",
            &format!(
                "{{\"type\":\"token_count\",\"info\":{{\"total_token_usage\":{},\"last_token_usage\":{},\"model_context_window\":258400}},\"rate_limits\":null}}",
                usage(total),
                usage(last)
            ),
        )
    }

    /// `HOME/sessions/YYYY/MM/DD/rollout-<ts with dashes>-<id>.jsonl` for a `YYYY-MM-DDThh:mm:ss…`
    /// start time.
    pub fn rollout_path(home: &Path, start: &str, id: &str) -> PathBuf {
        let (date, time) = start.split_at(10);
        let time = time[1..9].replace(':', "-");
        home.join("sessions")
            .join(&date[0..4])
            .join(&date[5..7])
            .join(&date[8..10])
            .join(format!("rollout-{date}T{time}-{id}.jsonl"))
    }

    /// Writes `lines` as a new rollout file (creating folders).
    pub fn write(path: &Path, lines: &[String]) {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, lines.concat()).expect("write rollout");
    }
}

/// Appends raw bytes to a file.
pub(crate) fn append(path: &Path, bytes: &str) {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .unwrap_or_else(|e| panic!("open {} for append: {e}", path.display()));
    file.write_all(bytes.as_bytes()).expect("append");
}

/// Asserts two JSON documents are equal, numbers compared to a relative 1e-9 (costs are sums
/// of floats whose order may differ).
pub(crate) fn assert_json_close(a: &Value, b: &Value, what: &str) {
    fn walk(a: &Value, b: &Value, path: &str, what: &str) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let kx: Vec<&String> = x.keys().collect();
                let ky: Vec<&String> = y.keys().collect();
                assert_eq!(kx, ky, "{what}: keys differ at {path}");
                for (k, v) in x {
                    walk(v, &y[k], &format!("{path}.{k}"), what);
                }
            }
            (Value::Array(x), Value::Array(y)) => {
                assert_eq!(x.len(), y.len(), "{what}: array length differs at {path}");
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, &format!("{path}[{i}]"), what);
                }
            }
            (Value::Number(x), Value::Number(y)) => {
                if x.is_f64() || y.is_f64() {
                    let (x, y) = (x.as_f64().expect("f64"), y.as_f64().expect("f64"));
                    assert!(
                        (x - y).abs() <= 1e-9 * x.abs().max(1.0),
                        "{what}: {x} != {y} at {path}"
                    );
                } else {
                    assert_eq!(x, y, "{what}: number differs at {path}");
                }
            }
            _ => assert_eq!(a, b, "{what}: value differs at {path}"),
        }
    }
    walk(a, b, "$", what);
}

/// `stats GROUP --json` from the index must equal `stats GROUP --no-index --json`.
pub(crate) fn assert_index_matches_scan(rx: &Rx, group: &str, tz: &str) -> Value {
    let indexed = rx.json(&["--tz", tz, "stats", group, "--json"]);
    let scanned = rx.json(&["--tz", tz, "stats", group, "--no-index", "--json"]);
    assert_json_close(
        &indexed,
        &scanned,
        &format!("stats {group} --tz {tz}: index vs --no-index"),
    );
    indexed
}

/// `stats session --json` as id → `total_tokens`.
pub(crate) fn session_totals(rx: &Rx) -> BTreeMap<String, i64> {
    let report = rx.json(&["stats", "session", "--json"]);
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("key").to_owned(),
                r["total_tokens"].as_i64().expect("total_tokens"),
            )
        })
        .collect()
}

/// Path → (length, mtime, content hash) of everything under `root`.
pub(crate) fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u64, Option<SystemTime>, u64)> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, (u64, Option<SystemTime>, u64)>) {
        for entry in std::fs::read_dir(dir).expect("read_dir") {
            let path = entry.expect("entry").path();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            if meta.is_file() {
                std::fs::read(&path).expect("read").hash(&mut hasher);
            }
            out.insert(
                path.strip_prefix(root).expect("under root").to_path_buf(),
                (meta.len(), meta.modified().ok(), hasher.finish()),
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

/// Builds a bigger home: `copies` copies of `testdata/demo-home`, every session id (and every
/// mention of it, thread names included) rewritten so that no two copies share an id.
pub(crate) fn multiplied_demo_home(dest: &Path, copies: usize) {
    let demo = repo_path("testdata/demo-home");
    let mut files = Vec::new();
    collect_files(&demo, &mut files);
    let id_of = |p: &Path| -> Option<String> {
        let name = p.file_name()?.to_str()?.strip_suffix(".jsonl")?;
        (name.len() > 36).then(|| name[name.len() - 36..].to_owned())
    };
    let ids: Vec<String> = files.iter().filter_map(|p| id_of(p)).collect();
    assert!(ids.len() > 10, "demo home has rollout files");
    let mut index_lines = String::new();
    for copy in 0..copies {
        let rename = |text: &str| -> String {
            let mut text = text.to_owned();
            for id in &ids {
                text = text.replace(id.as_str(), &format!("{copy:08x}{}", &id[8..]));
            }
            text
        };
        for file in &files {
            let relative = file.strip_prefix(&demo).expect("under demo");
            let bytes = std::fs::read(file).expect("read demo file");
            if relative == Path::new("session_index.jsonl") {
                index_lines.push_str(&rename(&String::from_utf8_lossy(&bytes)));
                continue;
            }
            let Some(id) = id_of(file) else { continue };
            let new_id = format!("{copy:08x}{}", &id[8..]);
            // Rewrite the ids textually; invalid UTF-8 in hostile lines stays as it was.
            let mut out = Vec::with_capacity(bytes.len());
            for line in bytes.split_inclusive(|b| *b == b'\n') {
                match std::str::from_utf8(line) {
                    Ok(text) => out.extend_from_slice(rename(text).as_bytes()),
                    Err(_) => out.extend_from_slice(line),
                }
            }
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .replace(&id, &new_id);
            let target = dest.join(relative.parent().expect("parent")).join(name);
            std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
            std::fs::write(&target, out).expect("write copy");
        }
    }
    std::fs::write(dest.join("session_index.jsonl"), index_lines).expect("session index");
}

fn collect_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let entry = entry.expect("entry");
        let kind = entry.file_type().expect("type");
        if kind.is_dir() {
            collect_files(&entry.path(), out);
        } else if kind.is_file() {
            out.push(entry.path());
        }
    }
    out.sort();
}

/// Everything a user would ask of an index, for comparing two indexes of the same home.
#[derive(Debug, PartialEq)]
pub(crate) struct Answers {
    stats: Vec<(String, Value)>,
    sessions: Value,
    searches: Vec<(String, BTreeSet<String>)>,
}

/// Queries used by [`answers`]: words the demo generator writes, plus a miss.
const PROBE_QUERIES: &[&str] = &[
    "widget",
    "parser",
    "cargo test",
    "error",
    "migrate",
    "zzqqxxnothing",
];

/// Asks `rx` (with `--no-update`, so nothing changes while asking) the probe questions.
pub(crate) fn answers(rx: &Rx) -> Answers {
    let mut stats = Vec::new();
    for group in ["daily", "session", "model", "project"] {
        stats.push((
            group.to_owned(),
            rx.json(&["stats", group, "--no-update", "--json"]),
        ));
    }
    let mut sessions = rx.json(&[
        "sessions",
        "--include-non-interactive",
        "--limit",
        "100000",
        "--no-update",
        "--json",
    ]);
    sort_sessions(&mut sessions);
    let searches = PROBE_QUERIES
        .iter()
        .map(|q| {
            (
                (*q).to_owned(),
                rx.search_set(&[
                    q,
                    "--include-non-interactive",
                    "--no-update",
                    "--limit",
                    "100000",
                ]),
            )
        })
        .collect();
    Answers {
        stats,
        sessions,
        searches,
    }
}

/// Sessions with equal `updated_at` may come in either order; sort by id for comparison.
fn sort_sessions(value: &mut Value) {
    if let Some(list) = value["sessions"].as_array_mut() {
        list.sort_by(|a, b| {
            a["session_id"]
                .as_str()
                .unwrap_or("")
                .cmp(b["session_id"].as_str().unwrap_or(""))
        });
    }
}

/// Asserts the answers of two indexes agree (costs to 1e-9).
pub(crate) fn assert_same_answers(got: &Answers, want: &Answers, what: &str) {
    for ((g, gv), (w, wv)) in got.stats.iter().zip(&want.stats) {
        assert_eq!(g, w);
        assert_json_close(gv, wv, &format!("{what}: stats {g}"));
    }
    assert_json_close(&got.sessions, &want.sessions, &format!("{what}: sessions"));
    assert_eq!(got.searches, want.searches, "{what}: search results");
}

fn touch_later(path: &Path) {
    // Make sure the new mtime differs from the recorded one even on coarse clocks.
    let later = SystemTime::now() + Duration::from_secs(5);
    let file = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open for set_modified");
    file.set_modified(later).expect("set mtime");
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn index_dir_is_created_private() {
    use std::os::unix::fs::PermissionsExt;
    let rx = Rx::fixture();
    assert!(!rx.index.exists());
    rx.index();
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode(&rx.index), 0o700, "index dir mode");
    assert_eq!(mode(&rx.homes_dir()), 0o700, "homes-* dir mode");
    // Nothing of the index is inside the Codex home.
    assert!(!rx.index.starts_with(&rx.home));
}

#[test]
fn codex_home_is_never_written() {
    let rx = Rx::fixture_copy();
    let home_meta = std::fs::metadata(&rx.home).expect("home").modified().ok();
    let before = snapshot(&rx.home);
    assert!(before.len() >= 10, "fixture copied: {before:?}");
    let runs: &[&[&str]] = &[
        &["index"],
        &["search", "widget", "--json"],
        &["search", "jwt"],
        &["stats", "--json"],
        &["stats", "session"],
        &["stats", "--no-index"],
        &["sessions", "--include-non-interactive"],
        &["show", ids::S1],
        &["show", "auth refactor", "--json"],
        &["resume", "--cwd", "/home/dev/proj"],
        &["resume", "jwt", "--json"],
        &["index", "--rebuild"],
    ];
    for args in runs {
        let out = rx.run(args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    }
    let after = snapshot(&rx.home);
    assert_eq!(
        before, after,
        "the Codex home changed (names, sizes, mtimes or contents)"
    );
    assert_eq!(
        home_meta,
        std::fs::metadata(&rx.home).expect("home").modified().ok(),
        "the home directory itself was modified"
    );
}

#[test]
fn appended_lines_are_picked_up_by_the_next_query() {
    let rx = Rx::fixture_copy();
    rx.index();
    assert_eq!(session_totals(&rx)[ids::S2], 1100);
    assert!(rx.search_set(&["pomegranate"]).is_empty());
    // A resumed session appends to its own file (format §8).
    let file = rx.file(fixture_file(ids::S2));
    append(
        &file,
        &[
            lines::user("2026-03-01T09:30:00.000Z", "now add pomegranate theming"),
            lines::context(
                "2026-03-01T09:30:00.100Z",
                "/home/dev/proj",
                "gpt-5.2-codex",
            ),
            lines::assistant("2026-03-01T09:30:01.000Z", "Added the theme."),
            // totals U(1000,0,100,0) → U(2500,500,250,50): delta U(1500,500,150,50), 1650.
            lines::token_count(
                "2026-03-01T09:30:02.000Z",
                [2500, 500, 250, 50],
                [1500, 500, 150, 50],
            ),
        ]
        .concat(),
    );
    // `stats` (which updates the index first) sees the new usage, and agrees with a scan.
    assert_eq!(session_totals(&rx)[ids::S2], 1100 + 1650);
    let daily = assert_index_matches_scan(&rx, "daily", "UTC");
    let day = daily["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["key"] == "2026-03-01")
        .expect("2026-03-01 row");
    assert_eq!(day["input_tokens"], 1000 + 1500);
    assert_eq!(day["cached_input_tokens"], 500);
    assert_eq!(day["total_tokens"], 1100 + 1650);
    assert_eq!(rx.search_ids(&["pomegranate"]), vec![ids::S2.to_owned()]);
    // The old text is still there once, not twice.
    assert_eq!(rx.search_ids(&["flickers"]), vec![ids::S2.to_owned()]);
    let sessions = rx.json(&["sessions", "--json"]);
    let s2 = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["session_id"] == ids::S2)
        .expect("S2 listed");
    assert_eq!(s2["turns"], 2);
    assert!(
        s2["updated_at"]
            .as_str()
            .expect("updated_at")
            .starts_with("2026-03-01T09:30:02"),
        "updated_at is the last line's time: {s2}"
    );
    assert_index_matches_scan(&rx, "session", "UTC");
    // A fresh build of the grown file says the same.
    assert_same_answers(
        &answers(&rx),
        &answers(&{
            let fresh = rx.fresh_index();
            fresh.index();
            fresh
        }),
        "appended vs clean",
    );
}

/// `search` and `resume` begin answering from the last commit while the homes are walked;
/// when the walk finds a file grown, the answer must come from the update, not from that
/// start. Here each is the first command to see the appended words.
#[test]
fn a_search_or_resume_that_finds_the_index_stale_answers_from_the_update() {
    let rx = Rx::fixture_copy();
    rx.index();
    let file = rx.file(fixture_file(ids::S2));
    append(
        &file,
        &lines::user("2026-03-01T09:30:00.000Z", "now add pomegranate theming"),
    );
    assert_eq!(rx.search_ids(&["pomegranate"]), vec![ids::S2.to_owned()]);
    append(
        &file,
        &lines::user("2026-03-01T09:31:00.000Z", "and a quince accent"),
    );
    let out = rx.run(&["resume", "--all", "quince"]);
    assert_eq!(out.code, 0, "resume quince: {}", out.stderr);
    assert_eq!(out.stdout.trim(), ids::S2, "stderr: {}", out.stderr);
    // Up to date now: the same answers again, from the commit as it is.
    assert_eq!(rx.search_ids(&["quince"]), vec![ids::S2.to_owned()]);
    assert!(rx.search_set(&["persimmon"]).is_empty());
}

#[test]
fn a_torn_last_line_waits_for_its_newline() {
    let rx = Rx::fixture_copy();
    rx.index();
    let file = rx.file(fixture_file(ids::S2));
    let whole = lines::user(
        "2026-03-01T09:40:00.000Z",
        "please also fix the tangerine button",
    );
    let (head, tail) = whole.split_at(whole.len() / 2);
    append(&file, head);
    assert!(rx.search_set(&["tangerine"]).is_empty());
    let out = rx.run(&["search", "flickers", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Codex finishes writing the line.
    append(&file, tail);
    assert_eq!(rx.search_ids(&["tangerine"]), vec![ids::S2.to_owned()]);
    let sessions = rx.json(&["sessions", "--json"]);
    let s2 = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .find(|s| s["session_id"] == ids::S2)
        .expect("S2");
    assert_eq!(s2["turns"], 2, "the completed line counts once: {s2}");
}

#[test]
fn a_grown_file_is_read_from_where_it_stopped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let id = "019cd2aa-0000-7000-8000-0000000000aa";
    let path = lines::rollout_path(&home, "2026-03-10T08:00:00", id);
    // A 3 MB tool output makes a whole re-read visible in the byte count `index` reports.
    let big = "filler line of a very long build log\n".repeat(3_000_000 / 37);
    lines::write(
        &path,
        &[
            lines::meta(
                "2026-03-10T08:00:00.000Z",
                id,
                "/home/dev/big",
                "codex_cli_rs",
                "\"cli\"",
                None,
            ),
            lines::user("2026-03-10T08:00:01.000Z", "build the mango release"),
            lines::context("2026-03-10T08:00:01.100Z", "/home/dev/big", "gpt-5.2-codex"),
            lines::shell_call("2026-03-10T08:00:02.000Z", "c1", "make release"),
            lines::call_output("2026-03-10T08:00:30.000Z", "c1", &big),
            lines::token_count(
                "2026-03-10T08:00:31.000Z",
                [1000, 0, 100, 0],
                [1000, 0, 100, 0],
            ),
        ],
    );
    assert!(std::fs::metadata(&path).expect("stat").len() > 3_000_000);
    let rx = Rx::new(&home);
    rx.index();
    append(
        &path,
        &[
            lines::user("2026-03-10T09:00:00.000Z", "now the papaya notes"),
            lines::token_count(
                "2026-03-10T09:00:05.000Z",
                [1500, 0, 150, 0],
                [500, 0, 50, 0],
            ),
        ]
        .concat(),
    );
    let out = rx.index();
    let read_mb = out
        .stderr
        .split("indexed ")
        .nth(1)
        .and_then(|rest| rest.split('(').nth(1))
        .and_then(|rest| rest.split(" MB").next())
        .and_then(|n| n.trim().parse::<f64>().ok())
        .unwrap_or_else(|| panic!("no \"indexed N files (X MB)\" on stderr: {}", out.stderr));
    assert!(
        read_mb < 1.0,
        "an append re-read {read_mb} MB of a 3 MB file: {}",
        out.stderr
    );
    assert_eq!(rx.search_ids(&["papaya"]), vec![id.to_owned()]);
    assert_eq!(rx.search_ids(&["mango"]), vec![id.to_owned()]);
    assert_eq!(session_totals(&rx)[id], 1650);
    assert_index_matches_scan(&rx, "daily", "UTC");
}

#[test]
fn a_truncated_file_is_read_again() {
    let rx = Rx::fixture_copy();
    rx.index();
    assert!(rx.search_set(&["widget"]).contains(ids::S4));
    assert_eq!(session_totals(&rx)[ids::S4], 1100);
    // Keep S4's first five lines: meta, environment, user, turn_context, the tool call.
    let file = rx.file(fixture_file(ids::S4));
    let text = std::fs::read_to_string(&file).expect("read");
    let kept: String = text.split_inclusive('\n').take(5).collect();
    std::fs::write(&file, kept).expect("truncate");
    assert_eq!(rx.search_set(&["widget"]), set(&[ids::S2, ids::S3]));
    assert_eq!(rx.search_ids(&["proj2"]), vec![ids::S4.to_owned()]);
    assert!(
        !session_totals(&rx).contains_key(ids::S4),
        "S4's usage is gone"
    );
    assert_index_matches_scan(&rx, "daily", "UTC");
    assert_index_matches_scan(&rx, "session", "UTC");
}

#[test]
fn a_file_replaced_by_a_new_one_is_read_again() {
    let rx = Rx::fixture_copy();
    rx.index();
    // An editor-style rewrite: a new file renamed over the old one (new inode, longer text).
    let file = rx.file(fixture_file(ids::S3));
    let text = std::fs::read_to_string(&file).expect("read");
    let tmp = file.with_extension("tmp");
    std::fs::write(&tmp, text.replace("widget", "sprocket")).expect("write");
    std::fs::rename(&tmp, &file).expect("rename");
    assert_eq!(rx.search_set(&["widget"]), set(&[ids::S2, ids::S4]));
    assert_eq!(rx.search_ids(&["sprocket"]), vec![ids::S3.to_owned()]);
    assert_eq!(session_totals(&rx)[ids::S3], 2200);
    assert_index_matches_scan(&rx, "session", "UTC");
}

#[test]
fn a_file_rewritten_in_place_with_the_same_size_is_read_again() {
    let rx = Rx::fixture_copy();
    rx.index();
    let file = rx.file(fixture_file(ids::S3));
    let text = std::fs::read_to_string(&file).expect("read");
    let rewritten = text.replace("widget", "wodget");
    assert_eq!(rewritten.len(), text.len());
    std::fs::write(&file, rewritten).expect("rewrite in place");
    touch_later(&file);
    assert_eq!(rx.search_ids(&["wodget"]), vec![ids::S3.to_owned()]);
    assert_eq!(rx.search_set(&["widget"]), set(&[ids::S2, ids::S4]));
}

#[test]
fn a_deleted_file_takes_its_documents_and_usage_along() {
    let rx = Rx::fixture_copy();
    rx.index();
    assert_eq!(session_totals(&rx)[ids::S1], 3300);
    std::fs::remove_file(rx.file(fixture_file(ids::S1))).expect("delete S1");
    for word in [
        "jwt",
        "ERR_QX7731",
        "\"connection reset by peer\"",
        "refactor",
    ] {
        assert!(rx.search_set(&[word]).is_empty(), "{word} still found");
    }
    let out = rx.run(&["search", "jwt"]);
    assert_eq!(out.code, 1);
    let totals = session_totals(&rx);
    assert!(
        !totals.contains_key(ids::S1),
        "S1 usage still counted: {totals:?}"
    );
    assert_eq!(
        totals.values().sum::<i64>(),
        1100 + 2200 + 1100 + 550 + 550 + 880
    );
    assert_index_matches_scan(&rx, "daily", "UTC");
    let sessions = rx.json(&["sessions", "--include-non-interactive", "--json"]);
    let listed: BTreeSet<&str> = sessions["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["session_id"].as_str().expect("id"))
        .collect();
    assert!(!listed.contains(ids::S1));
    assert_eq!(listed.len(), 7);
    assert_eq!(rx.run(&["show", ids::S1]).code, 1);
}

#[test]
fn archiving_a_session_neither_loses_nor_duplicates_it() {
    let rx = Rx::fixture_copy();
    rx.index();
    let from = rx.file(fixture_file(ids::S2));
    let to = rx
        .home
        .join("archived_sessions")
        .join(from.file_name().expect("name"));
    std::fs::rename(&from, &to).expect("archive S2");
    assert_eq!(rx.search_ids(&["flickers"]), vec![ids::S2.to_owned()]);
    assert_eq!(session_totals(&rx)[ids::S2], 1100);
    assert_index_matches_scan(&rx, "daily", "UTC");
    let sessions = rx.json(&["sessions", "--json"]);
    assert_eq!(sessions["sessions"].as_array().expect("list").len(), 6);
}

#[test]
fn a_schema_bump_rebuilds_by_itself_with_the_same_answers() {
    let rx = Rx::fixture();
    rx.index();
    let before = (
        rx.json(&["search", "widget", "--include-non-interactive", "--json"]),
        rx.json(&["stats", "session", "--json"]),
        rx.json(&["sessions", "--include-non-interactive", "--json"]),
    );
    let version = rx.homes_dir().join("VERSION");
    assert!(
        version.is_file(),
        "VERSION file in {}",
        rx.homes_dir().display()
    );
    std::fs::write(&version, "0").expect("write VERSION");
    let out = rx.run(&["search", "widget", "--include-non-interactive", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stderr.to_lowercase().contains("rebuild"),
        "says it rebuilds: {:?}",
        out.stderr
    );
    let hits: Value = serde_json::from_str(&out.stdout).expect("json");
    let ids_of = |v: &Value| -> BTreeSet<String> {
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["session_id"].as_str().expect("id").to_owned())
            .collect()
    };
    assert_eq!(ids_of(&hits), ids_of(&before.0));
    assert_eq!(ids_of(&hits).len(), 5);
    assert_json_close(
        &rx.json(&["stats", "session", "--json"]),
        &before.1,
        "stats after bump",
    );
    assert_json_close(
        &rx.json(&["sessions", "--include-non-interactive", "--json"]),
        &before.2,
        "sessions after bump",
    );
    assert_ne!(
        std::fs::read_to_string(&version).expect("VERSION").trim(),
        "0"
    );
    // The next run does not rebuild again.
    let again = rx.run(&["search", "widget"]);
    assert!(
        !again.stderr.to_lowercase().contains("rebuild"),
        "{}",
        again.stderr
    );
}

#[test]
fn index_rebuild_starts_over_with_the_same_answers() {
    let rx = Rx::fixture();
    rx.index();
    let before = answers(&rx);
    let out = rx.run(&["index", "--rebuild"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_same_answers(&answers(&rx), &before, "after --rebuild");
    assert_eq!(
        rx.search_set(&["widget"]),
        set(&[ids::S2, ids::S3, ids::S4])
    );
}

#[test]
fn stats_from_the_index_equal_a_direct_scan_of_the_demo_home() {
    let rx = Rx::new(&repo_path("testdata/demo-home"));
    rx.index();
    for tz in ["UTC", "+05:45", "+05:30", "America/New_York"] {
        for group in [
            "daily", "weekly", "monthly", "session", "model", "project", "client",
        ] {
            let report = assert_index_matches_scan(&rx, group, tz);
            assert!(
                !report["rows"].as_array().expect("rows").is_empty(),
                "{group} {tz}: no rows"
            );
        }
    }
    // Filters too.
    let filtered = |extra: &[&str]| {
        let mut a = vec!["stats", "daily", "--json"];
        a.extend_from_slice(extra);
        let mut b = a.clone();
        b.push("--no-index");
        assert_json_close(&rx.json(&a), &rx.json(&b), &format!("stats {extra:?}"));
    };
    filtered(&["--since", "2026-03-03", "--until", "2026-03-06"]);
    filtered(&["--cwd", "/home/dev/proj"]);
    filtered(&["--model", "gpt-5-codex", "--breakdown"]);
}

/// Kills a child `rolldex index` as soon as tantivy has written segment files (mid-build), or
/// after `at_most`; returns whether it was still running when killed.
fn kill_mid_build(rx: &Rx, at_most: Duration) -> bool {
    let mut child = rx.command(&["index"]).spawn().expect("spawn index");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("try_wait").is_some() {
            return false;
        }
        let writing = std::fs::read_dir(&rx.index)
            .ok()
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|homes| std::fs::read_dir(homes.path().join("tantivy")).ok())
            .flatten()
            .flatten()
            .any(|f| {
                let name = f.file_name().to_string_lossy().into_owned();
                !name.starts_with("meta") && !name.starts_with('.')
            });
        if writing || started.elapsed() >= at_most {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let running = child.try_wait().expect("try_wait").is_none();
    child.kill().expect("SIGKILL rolldex index");
    let _ = child.wait();
    running
}

#[test]
fn a_build_killed_midway_recovers_to_the_answers_of_a_clean_build() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    multiplied_demo_home(&home, 6);
    let clean = Rx::new(&home);
    let started = Instant::now();
    clean.index();
    let clean_time = started.elapsed();
    let want = answers(&clean);

    let rx = Rx::new(&home);
    let mut killed = 0;
    // First kill: as soon as segment files appear. Then at fractions of a clean build's time.
    if kill_mid_build(&rx, clean_time) {
        killed += 1;
    }
    for fraction in [0.5, 0.9] {
        if kill_mid_build(&rx, clean_time.mul_f64(fraction)) {
            killed += 1;
        }
    }
    // The next run opens what the kills left and completes it.
    rx.index();
    assert_same_answers(&answers(&rx), &want, "after SIGKILLed builds");
    assert!(killed > 0, "no build was still running when killed");

    // An incremental update killed midway: every file grows, the update dies.
    let mut grown = Vec::new();
    collect_files(&home.join("sessions"), &mut grown);
    for (n, file) in grown.iter().enumerate() {
        append(
            file,
            &lines::user(
                &format!("2026-03-20T10:00:{:02}.000Z", n % 60),
                &format!("appended note kiwifruit{n}"),
            ),
        );
    }
    let fresh = Rx::new(&home);
    fresh.index();
    let want = answers(&fresh);
    kill_mid_build(&rx, Duration::from_millis(150));
    rx.index();
    assert_same_answers(&answers(&rx), &want, "after a SIGKILLed update");
    assert_eq!(rx.search_set(&["kiwifruit0"]).len(), 1);
}

#[test]
fn two_concurrent_builds_end_with_a_correct_index() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    multiplied_demo_home(&home, 3);
    let reference = Rx::new(&home);
    reference.index();
    let want = answers(&reference);
    let full_total = want.stats[0].1["totals"]["total_tokens"].clone();

    let rx = Rx::new(&home);
    let a = rx.command(&["index"]).spawn().expect("spawn a");
    let b = rx.command(&["index"]).spawn().expect("spawn b");
    // A reader at the same time sees either nothing yet or a whole update, never half of one.
    let reader = rx
        .command(&["stats", "--json"])
        .spawn()
        .expect("spawn reader");
    let (a, b, reader) = (
        wait_output(a, "index (a)"),
        wait_output(b, "index (b)"),
        wait_output(reader, "stats (reader)"),
    );
    for out in [&a, &b, &reader] {
        assert_no_panic(out);
        assert_eq!(out.code, 0, "concurrent run failed: {}", out.stderr);
    }
    let seen: Value = serde_json::from_str(&reader.stdout).expect("reader JSON");
    let seen_total = &seen["totals"]["total_tokens"];
    assert!(
        *seen_total == full_total || seen_total.as_i64() == Some(0),
        "reader saw a partial index: {seen_total} (full {full_total})"
    );
    assert_same_answers(&answers(&rx), &want, "after two concurrent builds");
    let state_files = std::fs::read_dir(rx.homes_dir())
        .expect("homes dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        })
        .count();
    assert_eq!(state_files, 0, "temporary state files left behind");
}

#[test]
fn index_reports_what_it_did_on_stderr_only() {
    let rx = Rx::fixture();
    let out = rx.index();
    assert!(
        out.stdout.is_empty(),
        "index prints nothing on stdout: {}",
        out.stdout
    );
    assert!(out.stderr.contains("indexed"), "{}", out.stderr);
    let again = rx.index();
    assert!(again.stdout.is_empty(), "{}", again.stdout);
}

#[test]
fn renaming_a_thread_in_the_session_index_is_picked_up() {
    let rx = Rx::fixture_copy();
    rx.index();
    let name_of = |rx: &Rx, id: &str| -> Value {
        let listed = rx.json(&["sessions", "--json"]);
        listed["sessions"]
            .as_array()
            .expect("sessions")
            .iter()
            .find(|s| s["session_id"] == id)
            .map(|s| s["name"].clone())
            .expect("session listed")
    };
    assert_eq!(name_of(&rx, ids::S3), "layout cache");
    assert_eq!(name_of(&rx, ids::S1), "auth refactor");
    // Codex renames S3 and forgets S1's name; no rollout file changes.
    std::fs::write(
        rx.home.join("session_index.jsonl"),
        format!(
            "{{\"id\":\"{}\",\"thread_name\":\"tiled grid\",\"updated_at\":\"2026-03-04T09:00:00Z\"}}\n",
            ids::S3
        ),
    )
    .expect("rewrite session_index.jsonl");
    assert_eq!(name_of(&rx, ids::S3), "tiled grid");
    assert_eq!(name_of(&rx, ids::S1), Value::Null);
    assert_eq!(rx.search_ids(&["tiled"]), vec![ids::S3.to_owned()]);
    assert_eq!(rx.run(&["search", "\"layout cache\""]).code, 1);
    assert_eq!(rx.run(&["search", "refactor"]).code, 1);
}

/// A small update whose sessions gain no name lets tantivy finish its segment while the next
/// catalog is derived, with no name document to add; these are the appends that do gain one.
#[test]
fn a_name_given_before_its_file_or_inside_it_is_picked_up_by_an_append() {
    let rx = Rx::fixture_copy();
    rx.index();
    let name_of = |id: &str| -> Value {
        let listed = rx.json(&["sessions", "--json"]);
        let sessions = listed["sessions"].as_array().expect("sessions");
        let session = sessions.iter().find(|s| s["session_id"] == id);
        session.map_or(Value::Null, |s| s["name"].clone())
    };
    // Codex names a thread whose rollout the index has not seen yet; a query commits that.
    let new_id = "019cffff-0000-7000-8000-00000000abcd";
    let before = std::fs::read_to_string(rx.home.join("session_index.jsonl"))
        .expect("read session_index.jsonl");
    let line = format!(
        "{{\"id\":\"{new_id}\",\"thread_name\":\"okapi lantern\",\"updated_at\":\"2026-03-20T10:00:00Z\"}}\n"
    );
    std::fs::write(rx.home.join("session_index.jsonl"), before + &line).expect("write");
    assert_eq!(name_of(new_id), Value::Null);
    // Then its rollout appears (S4's lines under the new id): named at once.
    let s4 = rx.file(fixture_file(ids::S4));
    let copy = std::fs::read_to_string(&s4)
        .expect("read S4")
        .replace(ids::S4, new_id);
    let dest = s4.with_file_name(format!("rollout-2026-03-20T10-00-00-{new_id}.jsonl"));
    std::fs::write(&dest, copy).expect("write the new rollout");
    assert_eq!(name_of(new_id), "okapi lantern");
    assert_eq!(rx.search_ids(&["okapi"]), vec![new_id.to_owned()]);
    // An unnamed session names itself in a line it appends.
    assert_eq!(name_of(ids::S2), Value::Null);
    append(
        &rx.file(fixture_file(ids::S2)),
        "{\"timestamp\":\"2026-03-20T11:00:00.000Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"thread_name_updated\",\"thread_name\":\"quokka ledger\"}}\n",
    );
    assert_eq!(name_of(ids::S2), "quokka ledger");
    assert_eq!(rx.search_ids(&["quokka"]), vec![ids::S2.to_owned()]);
    let clean = rx.fresh_index();
    clean.index();
    assert_same_answers(&answers(&rx), &answers(&clean), "after the names");
}

#[test]
fn many_small_updates_end_with_the_answers_of_a_clean_build() {
    // Each step is one query-triggered update that re-reads only what changed; the session
    // facts and usage of untouched sessions are carried over from the previous commit. After
    // all of them, every answer must equal a build from scratch.
    let rx = Rx::fixture_copy();
    rx.index();
    let s1 = rx.file(fixture_file(ids::S1));
    append(
        &s1,
        &[
            lines::user("2026-03-09T10:00:00.000Z", "and the guava importer"),
            lines::token_count(
                "2026-03-09T10:00:05.000Z",
                [4000, 2400, 400, 100],
                [1000, 0, 100, 0],
            ),
        ]
        .concat(),
    );
    assert_eq!(session_totals(&rx)[ids::S1], 4400);
    // S2 copied to a second place (two files, one session), then S3 archived.
    let s2 = rx.file(fixture_file(ids::S2));
    let copy = rx
        .home
        .join("sessions/2026/03/11")
        .join(s2.file_name().expect("name"));
    std::fs::create_dir_all(copy.parent().expect("parent")).expect("mkdir");
    std::fs::copy(&s2, &copy).expect("copy S2");
    assert_eq!(session_totals(&rx)[ids::S2], 1100);
    let s3 = rx.file(fixture_file(ids::S3));
    std::fs::rename(
        &s3,
        rx.home
            .join("archived_sessions")
            .join(s3.file_name().expect("name")),
    )
    .expect("archive S3");
    assert_eq!(rx.search_ids(&["ERR_QX7732"]), vec![ids::S3.to_owned()]);
    // The original S2 grows past its copy; S4 disappears.
    append(
        &s2,
        &lines::user("2026-03-12T10:00:00.000Z", "the flicker is back"),
    );
    std::fs::remove_file(rx.file(fixture_file(ids::S4))).expect("delete S4");
    assert!(rx.search_set(&["flicker"]).contains(ids::S2));
    let clean = rx.fresh_index();
    clean.index();
    assert_same_answers(&answers(&rx), &answers(&clean), "after many small updates");
}
