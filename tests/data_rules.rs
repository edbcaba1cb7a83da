//! What rolldex does with awkward data (issue 9 items 5, 6, 7, 11) and with sessions of another
//! model provider (issue 8), through the real binary. Every expected number is worked out by
//! hand from the lines written here.
//!
//! Run against another build with `ROLLDEX_BIN=path` (an old build fails each of these).

#[path = "util/mod.rs"]
mod util;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use util::binary;

/// Runs rolldex with `index` as its index dir; `as_nobody` drops root privileges first (root
/// reads a mode-000 file, so permission cases would pass for the wrong reason).
fn run(index: &Path, args: &[&str], as_nobody: bool) -> util::Output {
    let config = tempfile::tempdir().expect("config dir");
    let mut cmd = if as_nobody {
        let mut c = util::clean_command("runuser", index, config.path());
        c.args(["-u", "nobody", "--"]).arg(binary());
        c
    } else {
        util::clean_command(binary(), index, config.path())
    };
    let child = cmd.args(args).spawn().expect("spawn rolldex");
    util::wait_output(child, &format!("{args:?}"))
}

fn meta(id: &str, ts: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","type":"session_meta","payload":{{"id":"{id}","timestamp":"{ts}","cwd":"/w","originator":"codex_cli_rs","cli_version":"0.80.0","source":"cli","model_provider":"openai"}}}}"#
    )
}

fn no_id_meta(ts: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","type":"session_meta","payload":{{"timestamp":"{ts}","cwd":"/w","originator":"codex_cli_rs","cli_version":"0.80.0","source":"cli"}}}}"#
    )
}

fn turn(ts: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","type":"turn_context","payload":{{"cwd":"/w","model":"gpt-5"}}}}"#
    )
}

fn prompt(ts: &str, text: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"user_message","message":"{text}","images":[]}}}}"#
    )
}

/// A `token_count` with cumulative totals (input, output) and the same last usage.
fn count(ts: &str, input: i64, output: i64) -> String {
    let u = format!(
        r#"{{"input_tokens":{input},"cached_input_tokens":0,"output_tokens":{output},"reasoning_output_tokens":0,"total_tokens":{}}}"#,
        input + output
    );
    format!(
        r#"{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{u},"last_token_usage":{u}}},"rate_limits":null}}}}"#
    )
}

/// A later call: cumulative `total` (input, output) and this call's own `last` usage, as Codex
/// writes them.
fn call(ts: &str, total: (i64, i64), last: (i64, i64)) -> String {
    let usage = |(input, output): (i64, i64)| {
        format!(
            r#"{{"input_tokens":{input},"cached_input_tokens":0,"output_tokens":{output},"reasoning_output_tokens":0,"total_tokens":{}}}"#,
            input + output
        )
    };
    format!(
        r#"{{"timestamp":"{ts}","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{},"last_token_usage":{}}},"rate_limits":null}}}}"#,
        usage(total),
        usage(last)
    )
}

fn write(home: &Path, name: &str, lines: &[String]) -> PathBuf {
    let dir = home.join("sessions/2026/03/01");
    fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join(name);
    fs::write(&path, lines.join("\n") + "\n").expect("write rollout");
    path
}

fn totals(out: &util::Output) -> [i64; 5] {
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("stats json");
    util::usage(&v["totals"])
}

fn days(out: &util::Output) -> Vec<(String, i64)> {
    let v: Value = serde_json::from_str(&out.stdout).expect("stats json");
    v["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                r["key"].as_str().expect("key").to_owned(),
                r["total_tokens"].as_i64().expect("total"),
            )
        })
        .collect()
}

const ID: &str = "019cd1f8-0000-7000-8000-00000000aaaa";

#[test]
fn a_file_rewritten_in_place_with_its_old_size_and_mtime_is_read_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    let name = format!("rollout-2026-03-01T10-00-00-{ID}.jsonl");
    let lines = |input: i64, output: i64| {
        vec![
            meta(ID, "2026-03-01T10:00:00.000Z"),
            turn("2026-03-01T10:00:01.000Z"),
            count("2026-03-01T10:00:02.000Z", input, output),
        ]
    };
    let path = write(&home, &name, &lines(1000, 100));
    let h = home.to_str().expect("utf-8");
    let args = ["--codex-home", h, "--json", "--tz", "UTC", "stats", "daily"];
    assert_eq!(totals(&run(&index, &args, false)), [1000, 0, 100, 0, 1100]);
    // Same length, other figures, and the old mtime put back (`touch -r`).
    let reference = dir.path().join("reference");
    let touch_r = |from: &Path, to: &Path| {
        let status = Command::new("touch")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .expect("touch");
        assert!(status.success());
    };
    fs::write(&reference, "").expect("reference");
    touch_r(&path, &reference);
    std::thread::sleep(std::time::Duration::from_millis(20));
    write(&home, &name, &lines(2000, 300));
    touch_r(&reference, &path);
    assert_eq!(
        fs::metadata(&path)
            .expect("meta")
            .modified()
            .expect("mtime"),
        fs::metadata(&reference)
            .expect("meta")
            .modified()
            .expect("mtime")
    );
    assert_eq!(totals(&run(&index, &args, false)), [2000, 0, 300, 0, 2300]);
}

#[test]
fn a_file_made_readable_again_is_read() {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let has_runuser = Command::new("runuser").arg("--help").output().is_ok();
    if is_root && !has_runuser {
        assert!(
            std::env::var_os("CI").is_none(),
            "running as root without runuser: cannot test permissions"
        );
        return;
    }
    let dir = tempfile::Builder::new()
        .prefix("rolldex-perm")
        .tempdir_in("/tmp")
        .expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    let path = write(
        &home,
        &format!("rollout-2026-03-01T10-00-00-{ID}.jsonl"),
        &[
            meta(ID, "2026-03-01T10:00:00.000Z"),
            turn("2026-03-01T10:00:01.000Z"),
            count("2026-03-01T10:00:02.000Z", 1000, 100),
        ],
    );
    // Everything readable by `nobody` except the rollout; the index dir is theirs.
    let chmod = |mode: &str, p: &Path| {
        let status = Command::new("chmod")
            .args(["-R", mode])
            .arg(p)
            .status()
            .expect("chmod");
        assert!(status.success());
    };
    chmod("a+rwX", dir.path());
    fs::create_dir_all(&index).expect("index dir");
    chmod("a+rwX", &index);
    chmod("000", &path);
    let h = home.to_str().expect("utf-8");
    let args = ["--codex-home", h, "--json", "--tz", "UTC", "stats", "daily"];
    let first = run(&index, &args, is_root);
    assert_eq!(totals(&first), [0, 0, 0, 0, 0], "{}", first.stdout);
    assert!(first.stderr.contains("unreadable file"), "{}", first.stderr);
    chmod("644", &path);
    let second = run(&index, &args, is_root);
    assert_eq!(
        totals(&second),
        [1000, 0, 100, 0, 1100],
        "{}",
        second.stderr
    );
}

#[test]
fn files_without_ids_are_sessions_of_their_own_and_empty_files_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    for (n, (input, output)) in [(1000, 100), (2000, 150), (3000, 200)]
        .into_iter()
        .enumerate()
    {
        write(
            &home,
            &format!("rollout-2026-03-01T10-00-0{n}-no-id-here.jsonl"),
            &[
                no_id_meta("2026-03-01T10:00:00.000Z"),
                turn("2026-03-01T10:00:01.000Z"),
                prompt("2026-03-01T10:00:01.500Z", "question without an id"),
                count("2026-03-01T10:00:02.000Z", input, output),
            ],
        );
    }
    write(
        &home,
        &format!("rollout-2026-03-01T11-00-00-{ID}.jsonl"),
        &[],
    );
    fs::write(
        home.join(format!(
            "sessions/2026/03/01/rollout-2026-03-01T11-00-00-{ID}.jsonl"
        )),
        "",
    )
    .expect("empty rollout");
    let h = home.to_str().expect("utf-8");
    // 1000 + 2000 + 3000 in, 100 + 150 + 200 out: nothing lost.
    let stats = run(
        &index,
        &["--codex-home", h, "--json", "stats", "daily"],
        false,
    );
    assert_eq!(totals(&stats), [6000, 0, 450, 0, 6450]);
    let listed = run(
        &index,
        &[
            "--codex-home",
            h,
            "--json",
            "sessions",
            "--include-non-interactive",
        ],
        false,
    );
    let v: Value = serde_json::from_str(&listed.stdout).expect("json");
    let ids: Vec<&str> = v["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["session_id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids.len(), 3, "three sessions, the empty file none: {ids:?}");
    assert!(
        ids.iter()
            .all(|id| id.starts_with("path-") && id.len() > 10),
        "{ids:?}"
    );
    // Codex cannot resume a file without an id: resume prints none, and never an empty line.
    let resume = run(
        &index,
        &[
            "--codex-home",
            h,
            "resume",
            "--all",
            "--include-non-interactive",
            "--limit",
            "10",
        ],
        false,
    );
    assert_eq!(resume.code, 1, "{resume:?}");
    assert_eq!(resume.stdout, "");
}

#[test]
fn impossible_figures_are_skipped_and_named_and_total_is_input_plus_output() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    let only_input = r#"{"timestamp":"2026-03-01T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":1500},"last_token_usage":{"input_tokens":500}},"rate_limits":null}}"#;
    write(
        &home,
        &format!("rollout-2026-03-01T10-00-00-{ID}.jsonl"),
        &[
            meta(ID, "2026-03-01T10:00:00.000Z"),
            turn("2026-03-01T10:00:01.000Z"),
            count("2026-03-01T10:00:02.000Z", 1000, 100),
            count("2026-03-01T10:00:03.000Z", -5000, 10),
            only_input.to_owned(),
        ],
    );
    let h = home.to_str().expect("utf-8");
    let out = run(
        &index,
        &["--codex-home", h, "--json", "stats", "daily"],
        false,
    );
    // First call 1000 + 100; the negative line is skipped (the baseline stays); the last line
    // raises input to 1500 with output missing (0), which goes down from 100: a counter that
    // went down counts its last usage, 500 in and 0 out. Total = input + output.
    assert_eq!(totals(&out), [1500, 0, 100, 0, 1600]);
    assert!(
        out.stderr
            .contains("1 usage line with impossible (negative) token figures"),
        "{}",
        out.stderr
    );
}

/// Before Codex 0.78, `codex exec resume` appended to the same file with its counters started
/// again from zero. When the first call after the resume is bigger than the whole session
/// before it in every field, the total still restarted: that call's own usage counts, not the
/// difference (seen live with 0.77: the difference was 5,227 input tokens short).
#[test]
fn a_resume_that_restarts_the_counters_counts_the_whole_first_call() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    write(
        &home,
        &format!("rollout-2026-03-01T10-00-00-{ID}.jsonl"),
        &[
            meta(ID, "2026-03-01T10:00:00.000Z"),
            turn("2026-03-01T10:00:01.000Z"),
            count("2026-03-01T10:00:02.000Z", 1000, 100),
            // The resume: a new turn, and a total equal to its own call's usage.
            turn("2026-03-01T11:00:00.000Z"),
            count("2026-03-01T11:00:02.000Z", 6227, 300),
            call("2026-03-01T11:00:09.000Z", (6400, 350), (173, 50)),
        ],
    );
    let h = home.to_str().expect("utf-8");
    for extra in [&[][..], &["--no-index"][..]] {
        let mut args = vec!["--codex-home", h, "--json", "--tz", "UTC", "stats", "daily"];
        args.extend_from_slice(extra);
        let out = run(&index, &args, false);
        // By hand: 1000 + 100, then 6227 + 300, then 173 + 50.
        assert_eq!(totals(&out), [7400, 0, 450, 0, 7850], "{args:?}");
    }
}

/// An index that is up to date answers `stats` from usage summed by UTC quarter-hour. In a
/// zone whose midnight falls inside a quarter-hour (+05:17: midnight is 18:43 UTC), the sums
/// cannot tell the two days apart, and the events must be read instead.
#[test]
fn a_midnight_inside_a_quarter_hour_still_splits_the_days() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    write(
        &home,
        &format!("rollout-2026-03-01T18-00-00-{ID}.jsonl"),
        &[
            meta(ID, "2026-03-01T18:00:00.000Z"),
            turn("2026-03-01T18:00:01.000Z"),
            // 18:31 UTC is 23:48 on March 1st at +05:17; 18:44 UTC is 00:01 on March 2nd.
            count("2026-03-01T18:31:00.000Z", 1000, 100),
            call("2026-03-01T18:44:00.000Z", (3000, 300), (2000, 200)),
        ],
    );
    let h = home.to_str().expect("utf-8");
    let want = [
        ("2026-03-01".to_owned(), 1100),
        ("2026-03-02".to_owned(), 2200),
    ];
    for tz in ["+05:17", "+05:17", "UTC"] {
        for extra in [&[][..], &["--no-index"][..]] {
            let mut args = vec!["--codex-home", h, "--json", "--tz", tz, "stats", "daily"];
            args.extend_from_slice(extra);
            let out = run(&index, &args, false);
            assert_eq!(out.code, 0, "{}", out.stderr);
            if tz == "UTC" {
                // Both in the 18:30 quarter-hour of one UTC day.
                assert_eq!(days(&out), [("2026-03-01".to_owned(), 3300)], "{args:?}");
            } else {
                assert_eq!(days(&out), want, "{args:?}");
            }
        }
    }
}

#[test]
fn a_usage_line_with_an_impossible_date_counts_at_the_time_before_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    write(
        &home,
        &format!("rollout-2026-02-28T10-00-00-{ID}.jsonl"),
        &[
            meta(ID, "2026-02-28T10:00:00.000Z"),
            turn("2026-02-28T10:00:01.000Z"),
            count("2026-02-28T10:00:02.000Z", 1000, 100),
            call("2026-02-30T10:00:00.000Z", (3000, 300), (2000, 200)),
        ],
    );
    let h = home.to_str().expect("utf-8");
    let out = run(
        &index,
        &["--codex-home", h, "--json", "--tz", "UTC", "stats", "daily"],
        false,
    );
    // 2026-02-30 does not exist: its 2000 + 200 count on the 28th with the line before it,
    // never on March 2nd.
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(days(&out), [("2026-02-28".to_owned(), 3300)]);
    assert!(
        out.stderr.contains("without a valid time"),
        "{}",
        out.stderr
    );
}

#[test]
fn resume_names_the_provider_when_it_is_not_the_configured_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    util::copy_tree(
        &util::repo_path("testdata/codex-versions/0.171.0/home"),
        &home,
    );
    let index = dir.path().join("index");
    let h = home.to_str().expect("utf-8");
    let args = [
        "--codex-home",
        h,
        "resume",
        "--all",
        "--include-non-interactive",
        "--print-command",
    ];
    // The fixture's config.toml names the provider its sessions were written with ("mock").
    let same = run(&index, &args, false);
    assert_eq!(same.code, 0, "{}", same.stderr);
    assert!(
        same.stdout.starts_with("codex resume 01"),
        "{}",
        same.stdout
    );
    let config = home.join("config.toml");
    let text = fs::read_to_string(&config).expect("config");
    fs::write(
        &config,
        text.replace("model_provider = \"mock\"", "model_provider = \"openai\""),
    )
    .expect("config");
    let other = run(&index, &args, false);
    assert_eq!(other.code, 0, "{}", other.stderr);
    assert!(
        other
            .stdout
            .starts_with("codex resume -c model_provider=mock 01"),
        "{}",
        other.stdout
    );
}

#[test]
fn a_legacy_fork_copy_across_a_second_boundary_is_not_counted_again() {
    const PARENT: &str = "019cd1f8-0000-7000-8000-00000000bbbb";
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let index = dir.path().join("index");
    // The parent: three calls, cumulative 1100, 3300, 6600 tokens.
    write(
        &home,
        &format!("rollout-2026-03-01T09-00-00-{PARENT}.jsonl"),
        &[
            meta(PARENT, "2026-03-01T09:00:00.000Z"),
            turn("2026-03-01T09:00:01.000Z"),
            count("2026-03-01T09:00:02.000Z", 1000, 100),
            call("2026-03-01T09:10:02.000Z", (3000, 300), (2000, 200)),
            call("2026-03-01T09:20:02.000Z", (6000, 600), (3000, 300)),
        ],
    );
    // The fork: its own meta (with forked_from_id), the parent's meta, the copied history
    // stamped as Codex writes it (the time of writing, here crossing from second :00 to
    // :01), then one call of its own (cumulative 6000 + 500 in, 600 + 50 out).
    let child_meta = format!(
        r#"{{"timestamp":"2026-03-01T10:00:00.990Z","type":"session_meta","payload":{{"id":"{ID}","forked_from_id":"{PARENT}","timestamp":"2026-03-01T10:00:00.990Z","cwd":"/w","originator":"codex_cli_rs","cli_version":"0.80.0","source":"cli","model_provider":"openai"}}}}"#
    );
    write(
        &home,
        &format!("rollout-2026-03-01T10-00-00-{ID}.jsonl"),
        &[
            child_meta,
            meta(PARENT, "2026-03-01T10:00:00.991Z"),
            turn("2026-03-01T10:00:00.992Z"),
            count("2026-03-01T10:00:00.995Z", 1000, 100),
            call("2026-03-01T10:00:01.001Z", (3000, 300), (2000, 200)),
            call("2026-03-01T10:00:01.002Z", (6000, 600), (3000, 300)),
            turn("2026-03-01T10:05:00.000Z"),
            call("2026-03-01T10:05:01.000Z", (6500, 650), (500, 50)),
        ],
    );
    let h = home.to_str().expect("utf-8");
    // By hand: the parent 6000 + 600; the fork only its own call, 500 + 50.
    for extra in [&[][..], &["--no-index"][..]] {
        let mut args = vec![
            "--codex-home",
            h,
            "--json",
            "--tz",
            "UTC",
            "stats",
            "session",
        ];
        args.extend_from_slice(extra);
        let out = run(&index, &args, false);
        assert_eq!(
            totals(&out),
            [6500, 0, 650, 0, 7150],
            "{args:?}: {}",
            out.stdout
        );
        let v: Value = serde_json::from_str(&out.stdout).expect("json");
        let child = v["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["key"].as_str().is_some_and(|k| k.contains(ID)))
            .unwrap_or_else(|| panic!("the fork's row in {}", out.stdout));
        assert_eq!(child["total_tokens"], 550, "{args:?}");
    }
}

/// Issue 9 item 1: a rollout cut short while rolldex reads it (another program truncating it)
/// killed a memory-mapping reader with SIGBUS in 7 of 12 runs. Files are read with `read()`
/// now, so a shrinking file is only an early end. Each command here reads a 40 MB rollout
/// while a thread truncates it over and over; every run must end by itself, not by a signal.
#[test]
fn a_file_shrinking_while_it_is_read_is_no_crash() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    let name = format!("rollout-2026-03-01T10-00-00-{ID}.jsonl");
    let mut lines = vec![
        meta(ID, "2026-03-01T10:00:00.000Z"),
        turn("2026-03-01T10:00:01.000Z"),
    ];
    let filler = "x".repeat(2000);
    for n in 0..20_000 {
        lines.push(prompt("2026-03-01T10:00:02.000Z", &format!("{n} {filler}")));
    }
    let path = write(&home, &name, &lines);
    let full = fs::read(&path).expect("read");
    let h = home.to_str().expect("utf-8").to_owned();
    let commands: [&[&str]; 3] = [
        &["stats", "daily", "--no-index"],
        &["index", "--rebuild"],
        &["show", ID, "--full"],
    ];
    for round in 0..4 {
        for args in commands {
            fs::write(&path, &full).expect("restore");
            let index = dir.path().join(format!("index-{round}"));
            let config = dir.path().join("config");
            let mut cmd = util::clean_command(binary(), &index, &config);
            cmd.arg("--codex-home").arg(&h).args(args);
            cmd.stdout(Stdio::null());
            let mut child = cmd.spawn().expect("spawn rolldex");
            // Cut the file shorter and shorter while it is read.
            for len in [30_000_000u64, 20_000_000, 10_000_000, 1_000_000, 0] {
                std::thread::sleep(std::time::Duration::from_millis(15));
                let file = fs::OpenOptions::new()
                    .write(true)
                    .open(&path)
                    .expect("open");
                file.set_len(len).expect("truncate");
            }
            let status = child.wait().expect("wait");
            assert!(
                status.signal().is_none(),
                "{args:?} round {round}: killed by signal {:?}",
                status.signal()
            );
        }
    }
}
