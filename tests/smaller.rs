//! Issue 9, the smaller items (19a–19f), each through the real binary: colour under
//! `TERM=dumb`, narrow terminals, the order of equal scores, Windows paths for `--cwd`,
//! directories named like rollouts, and the bound on query size.
//!
//! `ROLLDEX_BIN=/path/to/rolldex` runs these tests against another build (an old release, to
//! see them fail before the fixes); by default they run the binary cargo just built.

#[path = "util/mod.rs"]
mod util;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
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

    /// The path of session `n`'s rollout in the day folder.
    fn rollout_path(&self, n: u32) -> PathBuf {
        self.home().join(format!(
            "sessions/2026/03/05/rollout-2026-03-05T10-00-00-{}.jsonl",
            id(n)
        ))
    }

    /// Writes session `n`: a meta in `cwd`, the user `text`, a turn and a token count, every
    /// line stamped `time` (`2026-03-05T10:00:00`).
    fn session(&self, n: u32, cwd: &str, text: &str, time: &str) -> PathBuf {
        let path = self.rollout_path(n);
        write_session(&path, n, cwd, text, time);
        path
    }

    /// `rolldex args…` with this sandbox's home, index and config, a clean environment.
    fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let mut command = util::clean_command(
            bin(),
            &self.dir.path().join("index"),
            &self.dir.path().join("config"),
        );
        command.arg("--codex-home").arg(self.home()).args(args);
        command
    }

    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let child = self.command(args).spawn().expect("spawn rolldex");
        wait_output(child, "in the smaller-items sandbox")
    }

    /// Like [`Sandbox::run`], expecting success and JSON on stdout.
    fn json<S: AsRef<OsStr> + std::fmt::Debug>(&self, args: &[S]) -> Value {
        let out = self.run(args);
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        serde_json::from_str(&out.stdout).expect("json")
    }
}

/// The id of session number `n`.
fn id(n: u32) -> String {
    format!("019cc0a0-0000-7000-8000-{n:012x}")
}

/// Writes a complete session file (see [`Sandbox::session`]).
fn write_session(path: &Path, n: u32, cwd: &str, text: &str, time: &str) {
    let (id, cwd, text) = (
        Value::from(id(n)),
        Value::from(cwd),
        Value::from(text.to_owned()),
    );
    let lines = [
        format!(
            r#"{{"timestamp":"{time}.000Z","type":"session_meta","payload":{{"id":{id},"timestamp":"{time}.000Z","cwd":{cwd},"originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}}}"#
        ),
        format!(
            r#"{{"timestamp":"{time}.100Z","type":"event_msg","payload":{{"type":"user_message","message":{text},"images":[],"local_images":[],"text_elements":[]}}}}"#
        ),
        format!(
            r#"{{"timestamp":"{time}.200Z","type":"turn_context","payload":{{"cwd":{cwd},"approval_policy":"on-request","sandbox_policy":{{"type":"workspace-write","network_access":false}},"model":"gpt-5-mini","effort":"medium","summary":"auto"}}}}"#
        ),
        format!(
            r#"{{"timestamp":"{time}.300Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200}},"last_token_usage":{{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200}},"model_context_window":258400}},"rate_limits":null}}}}"#
        ),
    ];
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, lines.join("\n") + "\n").expect("write rollout");
}

/// The `session_id`s of a `search --json` answer, in order.
fn hit_ids(report: &Value) -> Vec<String> {
    report["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["session_id"].as_str().expect("session_id").to_owned())
        .collect()
}

/// The `session_id`s of a `sessions --json` / `resume --json` answer, in order.
fn session_ids(report: &Value) -> Vec<String> {
    report["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["session_id"].as_str().expect("session_id").to_owned())
        .collect()
}

/// Quotes one word for `sh -c`.
fn sh_quote(word: &OsStr) -> String {
    format!("'{}'", word.to_string_lossy().replace('\'', r"'\''"))
}

// 19a: with `TERM=dumb` (Emacs shells, some CI logs) search prints no colour codes, even on a
// terminal. The run happens in a real pseudo-terminal (util-linux `script`), where colour is on
// for any other terminal.
#[test]
fn term_dumb_turns_colour_off_on_a_terminal() {
    let found = Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "util-linux `script` is missing: the terminal test cannot run"
        );
        return;
    }
    let sandbox = Sandbox::new();
    sandbox.session(
        1,
        "/home/dev/proj",
        "find the needle here",
        "2026-03-05T10:00:00",
    );
    let out = sandbox.run(&["index"]);
    assert_eq!(out.code, 0, "index: {}", out.stderr);
    let on_terminal = |term: &str| -> String {
        let command = sandbox.command(&["search", "needle"]);
        let line: Vec<String> = std::iter::once(command.get_program())
            .chain(command.get_args())
            .map(sh_quote)
            .collect();
        let mut script = Command::new("script");
        script
            .args(["-q", "-e", "-c", &line.join(" "), "/dev/null"])
            .env("ROLLDEX_INDEX_DIR", sandbox.dir.path().join("index"))
            .env("XDG_CONFIG_HOME", sandbox.dir.path().join("config"))
            .env("COLUMNS", "200")
            .env("TERM", term)
            .env_remove("NO_COLOR")
            .env_remove("CODEX_HOME")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let out = wait_output(script.spawn().expect("spawn script"), "in a pty");
        assert_eq!(out.code, 0, "TERM={term}: {}{}", out.stdout, out.stderr);
        assert!(out.stdout.contains("needle"), "TERM={term}: {}", out.stdout);
        out.stdout
    };
    let bold_red = "\u{1b}[1;31m";
    assert!(
        on_terminal("xterm-256color").contains(bold_red),
        "a colour terminal gets the highlight"
    );
    let dumb = on_terminal("dumb");
    assert!(!dumb.contains(bold_red), "TERM=dumb got colour: {dumb:?}");
}

// 19b: a terminal too narrow for a table (`COLUMNS=20`) gets one `Header: value` block per row
// instead of one-character columns, for sessions, search and stats; a wide one keeps the table.
#[test]
fn narrow_terminal_prints_blocks_not_slivers() {
    let sandbox = Sandbox::new();
    sandbox.session(
        1,
        "/home/dev/proj",
        "find the needle here",
        "2026-03-05T10:00:00",
    );
    sandbox.session(
        2,
        "/home/dev/other",
        "another needle",
        "2026-03-05T11:00:00",
    );
    let cases: [(&[&str], &[String]); 3] = [
        (
            &["sessions"],
            &[format!("Session: {}", id(1)), format!("Session: {}", id(2))],
        ),
        (
            &["search", "needle"],
            &[format!("Session: {}", id(1)), "Cwd: /home/dev/proj".into()],
        ),
        (
            &["stats", "daily", "--tz", "UTC"],
            &["Date: 2026-03-05".into(), "Total: 4,400".into()],
        ),
    ];
    for (args, expected) in cases {
        let mut command = sandbox.command(args);
        command.env("COLUMNS", "20");
        let out = wait_output(command.spawn().expect("spawn"), "narrow");
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        for line in expected {
            assert!(
                out.stdout.lines().any(|l| l == line),
                "{args:?} at 20 columns lacks the line {line:?}:\n{}",
                out.stdout
            );
        }
        assert!(
            !out.stdout.contains('│'),
            "{args:?} at 20 columns still draws a table:\n{}",
            out.stdout
        );
        // Wide: the table, unchanged.
        let wide = sandbox.run(args);
        assert_eq!(wide.code, 0, "{args:?}: {}", wide.stderr);
        assert!(wide.stdout.contains('│'), "{args:?} wide: {}", wide.stdout);
        assert!(
            !wide.stdout.contains("Session: "),
            "{args:?} wide: {}",
            wide.stdout
        );
    }
}

// 19c: equal scores come out newest first, then by session id, whatever order the index holds
// the documents in (which changes with each build of the index).
#[test]
fn equal_scores_rank_newest_first_then_by_id() {
    let sandbox = Sandbox::new();
    // Identical messages score the same. Files sort (and so are indexed) by id; times run the
    // other way for 1–3, and 4–6 share one time.
    let times = [
        (1, "2026-03-05T09:00:00"),
        (2, "2026-03-05T10:00:00"),
        (3, "2026-03-05T11:00:00"),
        (4, "2026-03-04T08:00:00"),
        (5, "2026-03-04T08:00:00"),
        (6, "2026-03-04T08:00:00"),
    ];
    for (n, time) in times {
        sandbox.session(n, "/home/dev/proj", "deploy the tiebreak service", time);
    }
    let expected: Vec<String> = [3, 2, 1, 4, 5, 6].into_iter().map(id).collect();
    let hits = sandbox.json(&["search", "tiebreak", "--json"]);
    assert_eq!(hit_ids(&hits), expected, "search");
    let scores: Vec<f64> = hits["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0].to_bits() == w[1].to_bits()),
        "equal scores: {scores:?}"
    );
    // A limit cuts the same ordered list.
    let top = sandbox.json(&["search", "tiebreak", "--json", "--limit", "4"]);
    assert_eq!(hit_ids(&top), expected[..4], "search --limit 4");
    let resumed = sandbox.json(&["resume", "tiebreak", "--json", "--all", "--limit", "10"]);
    assert_eq!(session_ids(&resumed), expected, "resume");
}

// 19d: `--cwd 'D:\proj'` finds sessions recorded on Windows however they spell the path
// (backslashes or slashes, any case); POSIX paths stay case-sensitive.
#[test]
fn windows_cwd_compares_separator_and_case_insensitively() {
    let sandbox = Sandbox::new();
    sandbox.session(
        1,
        r"D:\Proj\app",
        "windows needle one",
        "2026-03-05T10:00:00",
    );
    sandbox.session(2, "d:/proj", "windows needle two", "2026-03-05T11:00:00");
    sandbox.session(
        3,
        r"D:\projects",
        "windows needle three",
        "2026-03-05T12:00:00",
    );
    sandbox.session(4, "/home/dev/proj", "posix needle", "2026-03-05T13:00:00");
    let ids = |args: &[&str]| -> Vec<String> {
        let mut ids = session_ids(&sandbox.json(args));
        ids.sort();
        ids
    };
    for dir in [r"D:\proj", r"d:\PROJ\", "D:/proj", "d:/proj/"] {
        assert_eq!(
            ids(&["sessions", "--json", "--cwd", dir]),
            [id(1), id(2)],
            "sessions --cwd {dir}"
        );
        let hits = sandbox.json(&["search", "needle", "--json", "--cwd", dir]);
        let mut found = hit_ids(&hits);
        found.sort();
        assert_eq!(found, [id(1), id(2)], "search --cwd {dir}");
    }
    assert_eq!(
        ids(&["sessions", "--json", "--cwd", r"d:\proj\APP"]),
        [id(1)]
    );
    assert_eq!(
        ids(&["sessions", "--json", "--cwd", "/home/dev/proj"]),
        [id(4)]
    );
    let out = sandbox.run(&["sessions", "--json", "--cwd", "/home/dev/PROJ"]);
    assert_no_panic(&out);
    let none: Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(
        session_ids(&none).is_empty(),
        "POSIX is case-sensitive: {none}"
    );
}

// 19e: a directory named like a rollout is not a session, and neither is anything inside it
// (`sessions/…/rollout-x.jsonl/rollout-y.jsonl`).
#[test]
fn files_inside_a_directory_named_like_a_rollout_are_not_sessions() {
    let sandbox = Sandbox::new();
    sandbox.session(1, "/home/dev/proj", "the real one", "2026-03-05T10:00:00");
    let fake_dir = sandbox.home().join(format!(
        "sessions/2026/03/05/rollout-2026-03-05T10-00-00-{}.jsonl",
        id(2)
    ));
    let inside = fake_dir.join(format!("rollout-2026-03-05T10-00-00-{}.jsonl", id(3)));
    write_session(
        &inside,
        3,
        "/home/dev/proj",
        "a copy gone wrong",
        "2026-03-05T11:00:00",
    );
    write_session(
        &fake_dir.join("2026/03/05/notes.jsonl"),
        4,
        "/home/dev/proj",
        "deeper",
        "2026-03-05T12:00:00",
    );
    write_session(
        &sandbox
            .home()
            .join(format!("sessions/2026/rollout-x/{}.jsonl", id(5))),
        5,
        "/home/dev/proj",
        "a star does not cross a slash",
        "2026-03-05T13:00:00",
    );
    let listed = sandbox.json(&["sessions", "--json", "--include-non-interactive"]);
    assert_eq!(session_ids(&listed), [id(1)]);
    for extra in [&[][..], &["--no-index"][..]] {
        let mut args = vec!["stats", "daily", "--json", "--tz", "UTC"];
        args.extend_from_slice(extra);
        let report = sandbox.json(&args);
        assert_eq!(report["totals"]["total_tokens"], 2200, "{args:?}: {report}");
    }
}

// 19f: a query is bounded (64 words, phrases and prefixes; 256 terms in all): a thousand `a*`
// is refused at once as a usage error naming the bound, instead of seconds of work and
// hundreds of MB.
#[test]
fn query_size_is_bounded_with_a_clear_error() {
    let sandbox = Sandbox::new();
    sandbox.session(
        1,
        "/home/dev/proj",
        "alpha beta gamma",
        "2026-03-05T10:00:00",
    );
    let out = sandbox.run(&["index"]);
    assert_eq!(out.code, 0, "index: {}", out.stderr);
    let many_prefixes = vec!["a*"; 1000].join(" ");
    let distinct_65: Vec<String> = (0..65).map(|n| format!("w{n}")).collect();
    let long_phrase = format!("\"{}\"", vec!["alpha"; 300].join(" "));
    let cases: [(&str, &str); 3] = [
        (&many_prefixes, "64"),
        (&distinct_65.join(" "), "64"),
        (&long_phrase, "256"),
    ];
    for command in ["search", "resume"] {
        for (query, bound) in cases {
            let started = Instant::now();
            let out = sandbox.run(&[command, query]);
            assert_no_panic(&out);
            assert_eq!(out.code, 2, "{command} {:.40}: {}", query, out.stderr);
            assert!(out.stderr.contains(bound), "{command}: {}", out.stderr);
            assert!(out.stdout.is_empty(), "{command}: {}", out.stdout);
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "{command} took {:?}",
                started.elapsed()
            );
        }
        // At the bound, still a query: 64 words, the same one many times, all fine.
        let at_bound = vec!["alpha"; 64].join(" ");
        let args = [command, at_bound.as_str(), "--all"];
        let out = sandbox.run(&args[..if command == "search" { 2 } else { 3 }]);
        assert_eq!(out.code, 0, "{command} at the bound: {}", out.stderr);
    }
}
