//! Issue 9, "nothing lost, nothing crashes, nothing leaks": hostile data and hostile
//! invocations through the real binary.
//!
//! `ROLLDEX_BIN=/path/to/rolldex` runs these tests against another build (an old release, to
//! see them fail before the fixes); by default they run the binary cargo just built.

#[path = "reliability/index_files.rs"]
mod index_files;
#[path = "reliability/terminal.rs"]
mod terminal;
#[path = "util/mod.rs"]
mod util;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Command;

use util::{Output, assert_no_panic, wait_output};

use util::binary as bin;

/// A Codex home and an index dir in one temporary directory.
struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home/sessions/2026/03/05")).expect("day dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        Sandbox { dir }
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Writes a rollout file for session number `n` with these JSONL lines.
    fn rollout(&self, n: u32, lines: &[String]) -> PathBuf {
        let path = self.home().join(format!(
            "sessions/2026/03/05/rollout-2026-03-05T10-00-00-019cc0a0-0000-7000-8000-{n:012x}.jsonl"
        ));
        std::fs::write(&path, lines.join("\n") + "\n").expect("write rollout");
        path
    }

    /// `rolldex` with this sandbox's home, index and config, a clean environment, stdout and
    /// stderr piped.
    fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut command =
            self.command_without_home(&["--codex-home".as_ref(), self.home().as_os_str()]);
        command.args(args);
        command
    }

    /// [`Sandbox::command`] without `--codex-home`.
    fn command_without_home<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut command =
            util::clean_command(bin(), &self.index(), &self.dir.path().join("config"));
        command.args(args);
        command
    }

    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let child = self.command(args).spawn().expect("spawn rolldex");
        wait_output(child, "in the reliability sandbox")
    }
}

/// The id of session number `n`.
fn id(n: u32) -> String {
    format!("019cc0a0-0000-7000-8000-{n:012x}")
}

/// A `session_meta` line; `extra` is spliced into the payload (e.g. `"cwd":"/p",`).
fn meta(id: &str, extra: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-03-05T10:00:00.000Z","type":"session_meta","payload":{{"id":{id},"timestamp":"2026-03-05T10:00:00.000Z",{extra}"originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}}}"#,
        id = serde_json::Value::from(id)
    )
}

/// A user message line.
fn user(text: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-03-05T10:00:01.000Z","type":"event_msg","payload":{{"type":"user_message","message":{},"images":[],"local_images":[],"text_elements":[]}}}}"#,
        serde_json::Value::from(text)
    )
}

/// A `turn_context` line in `cwd`.
fn turn_context(cwd: &str) -> String {
    format!(
        r#"{{"timestamp":"2026-03-05T10:00:01.100Z","type":"turn_context","payload":{{"cwd":{},"approval_policy":"on-request","sandbox_policy":{{"type":"workspace-write","network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":false}},"model":"gpt-5-mini","effort":"medium","summary":"auto"}}}}"#,
        serde_json::Value::from(cwd)
    )
}

/// A token_count line of 2,200 tokens.
fn token_count() -> String {
    r#"{"timestamp":"2026-03-05T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200},"last_token_usage":{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200},"model_context_window":258400},"rate_limits":null}}"#.to_owned()
}

/// A plain session: meta with a cwd, one user message, one turn, one token count.
fn plain_session(id: &str, text: &str) -> Vec<String> {
    vec![
        meta(id, r#""cwd":"/home/dev/proj","#),
        user(text),
        turn_context("/home/dev/proj"),
        token_count(),
    ]
}

// Item 2: a repository URL without a session_meta cwd must not panic `stats project`.
#[test]
fn stats_project_with_repository_url_but_no_meta_cwd() {
    let sandbox = Sandbox::new();
    let git = r#""git":{"commit_hash":"4c91aa00bb11cc22dd33ee44ff5566778899aabb","branch":"main","repository_url":"git@github.com:dev/proj.git"},"#;
    sandbox.rollout(
        1,
        &[
            meta(&id(1), git),
            user("do the thing"),
            turn_context("/home/dev/proj/sub"),
            token_count(),
        ],
    );
    for extra in [&[][..], &["--no-index"][..]] {
        let mut args = vec!["stats", "project", "--json"];
        args.extend_from_slice(extra);
        let out = sandbox.run(&args);
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        let keys: Vec<&str> = report["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| r["key"].as_str().expect("key"))
            .collect();
        assert_eq!(keys, ["/home/dev/proj/sub"], "{args:?}");
        assert_eq!(report["totals"]["total_tokens"], 2200);
    }
}

// Item 3: --limit is 1..=100000 for every command that has it; no capacity-overflow abort.
#[test]
fn limit_out_of_range_is_a_usage_error() {
    let sandbox = Sandbox::new();
    sandbox.rollout(1, &plain_session(&id(1), "needle in a haystack"));
    let commands: [&[&str]; 3] = [&["search", "needle"], &["resume", "needle"], &["sessions"]];
    for command in commands {
        for bad in ["0", "100001", "1099511627776", "18446744073709551615"] {
            let mut args = command.to_vec();
            args.extend(["--limit", bad]);
            let out = sandbox.run(&args);
            assert_no_panic(&out);
            assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
            assert_eq!(out.stdout, "", "{args:?}");
            assert!(out.stderr.contains("100000"), "{args:?}: {}", out.stderr);
        }
        let mut args = command.to_vec();
        args.extend(["--limit", "100000", "--json"]);
        let out = sandbox.run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        assert!(out.stdout.contains(&id(1)), "{args:?}: {}", out.stdout);
    }
}

// Item 19 (part): `--tz -05:00` is a value, not a flag; `$TZ` as a zoneinfo path, a POSIX
// offset or a POSIX rule is understood, and one rolldex cannot read is said, not silently
// replaced by UTC.
#[test]
fn time_zone_values_with_hyphens_and_tz_variable_forms() {
    let sandbox = Sandbox::new();
    sandbox.rollout(1, &plain_session(&id(1), "words"));
    let report_zone = |args: &[&str], tz: Option<&str>| -> (String, Output) {
        let mut command = sandbox.command(args);
        if let Some(tz) = tz {
            command.env("TZ", tz);
        }
        let out = wait_output(command.spawn().expect("spawn"), "zone");
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{args:?} TZ={tz:?}: {}", out.stderr);
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        (json["tz"].as_str().expect("tz").to_owned(), out)
    };
    let (zone, _) = report_zone(&["--tz", "-05:00", "stats", "--json"], None);
    assert_eq!(zone, "-05:00");
    let (zone, _) = report_zone(&["stats", "--json", "--tz", "-0330"], None);
    assert_eq!(zone, "-03:30");
    let (zone, out) = report_zone(
        &["stats", "--json"],
        Some(":/usr/share/zoneinfo/Asia/Tokyo"),
    );
    assert_eq!(zone, "Asia/Tokyo");
    assert_eq!(out.stderr, "");
    // POSIX: UTC+3 is three hours west of Greenwich.
    let (zone, _) = report_zone(&["stats", "--json"], Some("UTC+3"));
    assert_eq!(zone, "-03:00");
    // A POSIX rule with daylight saving time is the zone, said by its rule.
    let (zone, out) = report_zone(&["stats", "--json"], Some("CET-1CEST,M3.5.0,M10.5.0/3"));
    assert_eq!(zone, "CET-1CEST,M3.5.0,M10.5.0/3");
    assert_eq!(out.stderr, "");
    // One rolldex cannot read is said.
    let (_, out) = report_zone(&["stats", "--json"], Some("Mars/Olympus"));
    assert!(
        out.stderr.contains("warning") && out.stderr.contains("TZ="),
        "{}",
        out.stderr
    );
    // --tz wins, and then $TZ does not matter.
    let (zone, out) = report_zone(&["stats", "--json", "--tz", "UTC"], Some("bogus+zone+x"));
    assert_eq!(zone, "UTC");
    assert_eq!(out.stderr, "");
}
