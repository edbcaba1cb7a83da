//! Shared helpers for the integration tests: run the `rolldex` binary in a clean environment,
//! locate fixtures, copy Codex homes and read JSON reports.

#![allow(dead_code)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Output {
    /// Standard output, decoded lossily.
    pub stdout: String,
    /// Standard error, decoded lossily.
    pub stderr: String,
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
}

/// A run that takes longer than this is killed and fails the test (a FIFO opened by mistake,
/// for instance, would otherwise block forever).
const TIMEOUT: Duration = Duration::from_mins(5);

/// Runs `rolldex args…` with a fresh private index dir, an empty config dir, `NO_COLOR=1` and
/// no `CODEX_HOME`.
pub fn run<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    run_with_index(args, None)
}

/// The binary under test: `ROLLDEX_BIN` when set (to run a suite against another build, e.g.
/// an old one to see its tests fail), else the one cargo just built.
pub fn binary() -> std::path::PathBuf {
    std::env::var_os("ROLLDEX_BIN").map_or_else(
        || std::path::PathBuf::from(env!("CARGO_BIN_EXE_rolldex")),
        std::path::PathBuf::from,
    )
}

/// `program` (rolldex, or a wrapper that runs it) in the environment every test uses: this
/// index dir and config dir, `NO_COLOR`, a wide `COLUMNS`, no `CODEX_HOME` or `TZ`, stdin
/// closed, stdout and stderr piped.
pub fn clean_command(program: impl AsRef<std::ffi::OsStr>, index: &Path, config: &Path) -> Command {
    let mut command = Command::new(program);
    command
        .env("ROLLDEX_INDEX_DIR", index)
        .env("XDG_CONFIG_HOME", config)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "200")
        .env_remove("CODEX_HOME")
        .env_remove("TZ")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Like [`run`], but with `ROLLDEX_INDEX_DIR=index` when given (to reuse an index across runs).
pub fn run_with_index<S: AsRef<std::ffi::OsStr>>(args: &[S], index: Option<&Path>) -> Output {
    let fresh = tempfile::tempdir().expect("index tempdir");
    let index = index.unwrap_or(fresh.path());
    let config = tempfile::tempdir().expect("config tempdir");
    let child = clean_command(binary(), index, config.path())
        .args(args)
        .spawn()
        .expect("spawn rolldex");
    wait_output(
        child,
        &format!(
            "{:?}",
            args.iter()
                .map(|a| a.as_ref().to_owned())
                .collect::<Vec<_>>()
        ),
    )
}

/// Collects a spawned child's output, killing it (and failing the test) after [`TIMEOUT`].
pub fn wait_output(mut child: std::process::Child, what: &str) -> Output {
    // A caller reading stdout itself has taken it: its output here is empty.
    let stdout = child.stdout.take();
    let mut stderr = child.stderr.take().expect("stderr piped");
    let out_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut stdout) = stdout {
            let _ = stdout.read_to_end(&mut buf);
        }
        buf
    });
    let err_thread = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        buf
    });
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait rolldex") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("rolldex {what} did not finish within {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out_thread.join().expect("stdout thread");
    let stderr = err_thread.join().expect("stderr thread");
    Output {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

/// `testdata/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join("fixtures")
        .join(name)
}

/// A path under the crate root.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Runs `rolldex --codex-home HOME --tz TZ stats ARGS… --json`, asserts exit 0 and no panic,
/// and returns the parsed report with the whole output.
pub fn stats_json(home: &Path, tz: &str, args: &[&str]) -> (Value, Output) {
    stats_json_with_index(home, tz, args, None)
}

/// [`stats_json`] with a given index dir (see [`run_with_index`]).
pub fn stats_json_with_index(
    home: &Path,
    tz: &str,
    args: &[&str],
    index: Option<&Path>,
) -> (Value, Output) {
    let mut all: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        tz.into(),
        "stats".into(),
    ];
    all.extend(args.iter().map(Into::into));
    all.push("--json".into());
    let out = run_with_index(&all, index);
    assert_eq!(out.code, 0, "exit code of {all:?}; stderr: {}", out.stderr);
    assert_no_panic(&out);
    let value: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout of {all:?} is not JSON ({e}): {}", out.stdout));
    (value, out)
}

/// Fails when stderr looks like a Rust panic.
pub fn assert_no_panic(out: &Output) {
    assert!(
        !out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"),
        "panic on stderr: {}",
        out.stderr
    );
}

/// The five token fields, in the order of the JSON output.
pub const FIELDS: [&str; 5] = [
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
];

/// Every token field of a JSON amount: the five above plus `cache_write_input_tokens`
/// (Codex ≥ 0.150; 0 when a file does not record it).
pub const JSON_FIELDS: [&str; 6] = [
    "input_tokens",
    "cached_input_tokens",
    "cache_write_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
];

/// The five token fields of a JSON amount.
pub fn usage(value: &Value) -> [i64; 5] {
    FIELDS.map(|f| {
        value[f]
            .as_i64()
            .unwrap_or_else(|| panic!("{f} is not an integer in {value}"))
    })
}

/// `cost_usd` of a JSON amount (`None` for null; panics when the key is missing).
pub fn cost(value: &Value) -> Option<f64> {
    let object = value.as_object().expect("an amount is an object");
    let cost = object.get("cost_usd").expect("cost_usd key present");
    if cost.is_null() {
        None
    } else {
        Some(cost.as_f64().expect("cost_usd is a number"))
    }
}

/// Asserts a cost equal to `expected` (to 1e-12 USD), or null.
pub fn assert_cost(value: &Value, expected: Option<f64>, what: &str) {
    match (cost(value), expected) {
        (None, None) => {}
        (Some(got), Some(want)) => assert!(
            (got - want).abs() < 1e-12,
            "{what}: cost_usd {got} != {want}"
        ),
        (got, want) => panic!("{what}: cost_usd {got:?} != {want:?}"),
    }
}

/// The row with `key`, if any.
pub fn row<'a>(report: &'a Value, key: &str) -> Option<&'a Value> {
    report["rows"]
        .as_array()
        .expect("rows array")
        .iter()
        .find(|r| r["key"] == key)
}

/// The keys of all rows, in output order.
pub fn keys(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .expect("rows array")
        .iter()
        .map(|r| r["key"].as_str().expect("key is a string").to_owned())
        .collect()
}

/// Copies a directory tree (files, directories; symlinks are recreated as symlinks).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create target dir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("dir entry");
        let kind = entry.file_type().expect("file type");
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy file");
        } else {
            #[cfg(unix)]
            if kind.is_symlink() {
                let link = std::fs::read_link(entry.path()).expect("read_link");
                std::os::unix::fs::symlink(link, &target).expect("symlink");
            }
        }
    }
}

/// Asserts two JSON amounts have the same five token fields and the same cost (both null, or
/// equal up to floating-point summation order).
pub fn assert_same_amount(a: &Value, b: &Value, what: &str) {
    assert_eq!(usage(a), usage(b), "{what}: tokens");
    match (cost(a), cost(b)) {
        (None, None) => {}
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 1e-9 * x.abs().max(1.0),
            "{what}: cost_usd {x} != {y}"
        ),
        (x, y) => panic!("{what}: cost_usd {x:?} != {y:?}"),
    }
}
