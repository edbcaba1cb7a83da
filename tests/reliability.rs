//! Issue 9, "nothing lost, nothing crashes, nothing leaks": hostile data and hostile
//! invocations through the real binary.
//!
//! `ROLLDEX_BIN=/path/to/rolldex` runs these tests against another build (an old release, to
//! see them fail before the fixes); by default they run the binary cargo just built.

#[path = "util/mod.rs"]
mod util;

use std::ffi::OsStr;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

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

// Item 18: a reader that goes away early (`| head -c 1`) is a normal end in every format.
#[test]
fn closed_pipe_is_a_quiet_success_in_every_format() {
    let sandbox = Sandbox::new();
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    for n in 0..900 {
        sandbox.rollout(n, &plain_session(&id(n), &format!("needle {n} {filler}")));
    }
    // Build the index once, so that each run below only reads it.
    let out = sandbox.run(&["index"]);
    assert_eq!(out.code, 0, "index: {}", out.stderr);
    let commands: [&[&str]; 4] = [
        &["sessions", "--limit", "1000"],
        &["search", "needle", "--limit", "1000"],
        &["resume", "needle", "--all", "--limit", "1000"],
        &["stats", "session"],
    ];
    let formats: [&[&str]; 4] = [
        &["--json"],
        &["--format", "jsonl"],
        &["--format", "csv"],
        &["--format", "table"],
    ];
    for command in commands {
        for format in formats {
            let mut args = command.to_vec();
            args.extend_from_slice(format);
            args.push("--quiet");
            // The whole output must be larger than the pipe buffer (64 KiB), or rolldex finishes
            // writing before the reader leaves and there is no broken pipe to handle.
            let whole = sandbox.run(&args);
            assert_eq!(whole.code, 0, "{args:?}: {}", whole.stderr);
            if whole.stdout.len() < 96 * 1024 {
                // Bare ids (resume) and short CSV rows (stats) may not fill the pipe; every
                // JSON and JSONL output must.
                assert!(
                    format.contains(&"table") || format.contains(&"csv"),
                    "{args:?} output too small for this test"
                );
                continue;
            }
            let mut child = sandbox.command(&args).spawn().expect("spawn");
            let mut stdout = child.stdout.take().expect("stdout");
            let mut byte = [0_u8; 1];
            stdout.read_exact(&mut byte).expect("first byte");
            drop(stdout);
            let out = wait_output_without_stdout(child);
            assert_no_panic(&out);
            assert_eq!(out.stderr, "", "{args:?}: stderr");
            assert_eq!(out.code, 0, "{args:?}: exit code");
        }
    }
}

/// Waits for a child whose stdout was already taken and closed.
fn wait_output_without_stdout(mut child: std::process::Child) -> Output {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    Output {
        stdout: String::new(),
        stderr,
        code: status.code().unwrap_or(-1),
    }
}

/// Writes a crafted session whose `session_meta.id` is `id` and whose only message is `text`.
fn crafted_session(sandbox: &Sandbox, n: u32, id: &str, text: &str) {
    sandbox.rollout(n, &[meta(id, r#""cwd":"/home/dev/proj","#), user(text)]);
}

// Item 17: an id from the data reaches neither the shell nor codex's option parser.
#[cfg(unix)]
#[test]
fn resume_ids_from_the_data_are_quoted_and_never_options() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let marker = sandbox.dir.path().join("pwned");
    let injection = format!("$(touch {})", marker.display());
    crafted_session(&sandbox, 1, &injection, "craftedone");
    crafted_session(&sandbox, 2, "--help", "craftedtwo");
    let script = sandbox.dir.path().join("fake codex");
    std::fs::write(
        &script,
        "#!/bin/sh\nfor a in \"$@\"; do printf 'arg:%s\\n' \"$a\"; done\n",
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    for (query, id, expected) in [
        (
            "craftedone",
            injection.as_str(),
            vec!["resume", injection.as_str()],
        ),
        ("craftedtwo", "--help", vec!["resume", "--", "--help"]),
    ] {
        let expected: String = expected.iter().flat_map(|a| ["arg:", a, "\n"]).collect();
        let base = [
            "resume".as_ref(),
            query.as_ref(),
            "--codex-bin".as_ref(),
            script.as_os_str(),
        ];
        // --print-command: a shell running the printed line runs codex with the id, whole.
        let mut args: Vec<&OsStr> = base.to_vec();
        args.push("--print-command".as_ref());
        let out = sandbox.run(&args);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        let line = out.stdout.trim_end();
        let shell = Command::new("sh").arg("-c").arg(line).output().expect("sh");
        assert!(!marker.exists(), "the shell ran the id: {line}");
        assert_eq!(String::from_utf8_lossy(&shell.stdout), expected, "{line}");
        // --exec: codex gets the id as an id.
        let mut args: Vec<&OsStr> = base.to_vec();
        args.push("--exec".as_ref());
        let out = sandbox.run(&args);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        assert_eq!(out.stdout, expected, "--exec with {id}");
        assert!(!marker.exists());
    }
}

/// The control characters (but newline and tab) in `text`.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect()
}

// Item 16: escape sequences in the data never reach the terminal through a human format.
#[test]
fn control_characters_from_the_data_are_escaped_in_human_output() {
    let sandbox = Sandbox::new();
    let clear = "\u{1b}[2J";
    let title = "\u{1b}]0;pwned\u{7}";
    let id_text = format!("019cc0a0-evil{clear}-id");
    let cwd = format!("/home/dev/{title}proj");
    let meta_extra = format!(
        r#""cwd":{},"originator":{},"#,
        serde_json::Value::from(cwd.as_str()),
        serde_json::Value::from("cli\u{9b}31m\u{7f}"),
    );
    // `meta` already sets an originator: drop it from the template so ours wins.
    let meta_line = meta(&id_text, &meta_extra).replacen(r#""originator":"codex_cli_rs","#, "", 1);
    sandbox.rollout(
        1,
        &[
            meta_line,
            user(&format!("zebraword {clear}screen{title} gone\r\nline two")),
            turn_context(&cwd),
            token_count(),
        ],
    );
    let commands: [&[&str]; 8] = [
        &["sessions"],
        &["show", "019cc0a0-evil"],
        &["search", "zebraword"],
        &["resume", "zebraword"],
        &["resume", "zebraword", "--print-command"],
        &["stats", "session"],
        &["stats", "project"],
        &["stats", "client"],
    ];
    for command in commands {
        let out = sandbox.run(command);
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{command:?}: {}", out.stderr);
        assert_eq!(
            controls(&out.stdout),
            Vec::<char>::new(),
            "{command:?}: {:?}",
            out.stdout
        );
        assert_eq!(controls(&out.stderr), Vec::<char>::new(), "{command:?}");
    }
    // Visible, not dropped: the escape shows as text.
    let out = sandbox.run(&["show", "019cc0a0-evil"]);
    assert!(out.stdout.contains(r"\u{1b}[2J"), "{}", out.stdout);
    // JSON keeps the data exact (serde escapes it).
    let out = sandbox.run(&["show", "019cc0a0-evil", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(
        json["messages"][0]["text"]
            .as_str()
            .expect("text")
            .contains(clear)
    );
}

/// Every entry below `dir` (and `dir` itself) with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, bool, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        found.push((
            path.clone(),
            meta.is_dir(),
            meta.permissions().mode() & 0o777,
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                stack.push(entry.expect("entry").path());
            }
        }
    }
    found
}

// Item 15: the index is private (files 0600, folders 0700) whatever the umask, and an index
// folder left open by an older version is closed again.
#[cfg(unix)]
#[test]
fn index_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, &plain_session(&id(n), &format!("private words {n}")));
    }
    let run_with_umask_000 = |args: &[&str]| {
        let command = sandbox.command(args);
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(command.get_program())
            .args(command.get_args())
            .envs(command.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("CODEX_HOME")
            .env_remove("TZ")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        wait_output(shell.spawn().expect("spawn sh"), "under umask 000")
    };
    let out = run_with_umask_000(&["index"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_with_umask_000(&["search", "private"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let all = modes(&sandbox.index());
    assert!(all.len() > 5, "an index was written: {all:?}");
    for (path, is_dir, mode) in &all {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }
    // A homes folder opened up (by an older version, by hand) is closed on the next run.
    let homes_dir = std::fs::read_dir(sandbox.index())
        .expect("index dir")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("homes-"))
        })
        .expect("a homes- folder");
    std::fs::set_permissions(&homes_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = sandbox.run(&["sessions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mode = std::fs::metadata(&homes_dir)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700, "{} is {mode:o}", homes_dir.display());
}

// Item 14: "never write inside a Codex home" holds through a symlink on either side.
#[cfg(unix)]
#[test]
fn index_inside_a_home_is_refused_through_symlinks() {
    let sandbox = Sandbox::new();
    sandbox.rollout(1, &plain_session(&id(1), "words"));
    let home = sandbox.home();
    let link = sandbox.dir.path().join("link-to-home");
    std::os::unix::fs::symlink(&home, &link).expect("symlink");
    let cases = [
        // The index dir reached through a link into the home.
        (home.clone(), link.join("idx")),
        // The home given through a link; the index dir by its real path.
        (link.clone(), home.join("idx")),
    ];
    for (codex_home, index_dir) in cases {
        let child = sandbox
            .command_without_home(&[
                "--codex-home".as_ref(),
                codex_home.as_os_str(),
                "--index-dir".as_ref(),
                index_dir.as_os_str(),
                "sessions".as_ref(),
            ])
            .spawn()
            .expect("spawn");
        let out = wait_output(child, "with a linked home");
        assert_no_panic(&out);
        assert_eq!(out.code, 2, "{}: {}", index_dir.display(), out.stderr);
        assert!(
            out.stderr.contains("inside the Codex home"),
            "{}",
            out.stderr
        );
        assert!(!home.join("idx").exists(), "wrote inside the home");
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
