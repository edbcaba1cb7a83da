//! Several files of one thread that are not copies (issue 8): a revert file
//! `rollout-<ts>-<thread>_<rollout>.jsonl` beside the file it replaced (its `history_base`
//! points at the old one, whose lines it does not copy), and a segment that holds a byte-copy
//! of a prefix. Each model response must count once over all of them, the thread is listed
//! once, and its id comes from `session_meta`, not from the file name.
//!
//! The files are hand-written (Codex makes revert files only through the app server's
//! `thread/revert`, which the live harness does not drive yet), in the exact line shapes of the
//! Codex 0.171 rollouts in `testdata/codex-versions/0.171.0`. Expected totals are summed by hand
//! below.

#[path = "util/mod.rs"]
mod util;

use std::fs;
use std::path::Path;

const THREAD: &str = "01a2318c-aaaa-7bbb-8ccc-000000000001";
const REVERT_ROLLOUT: &str = "01a2318c-bbbb-7bbb-8ccc-000000000002";

fn meta(ts: &str, ordinal: u32, history_base: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","ordinal":{ordinal},"type":"session_meta","payload":{{"session_id":"{THREAD}","id":"{THREAD}","timestamp":"{ts}","cwd":"/w/revert","originator":"codex-tui","cli_version":"0.171.0","source":"cli","thread_source":"user","model_provider":"openai","history_mode":"paginated"{history_base}}}}}"#
    )
}

fn turn(ts: &str, ordinal: u32) -> String {
    format!(
        r#"{{"timestamp":"{ts}","ordinal":{ordinal},"type":"turn_context","payload":{{"cwd":"/w/revert","model":"gpt-5.2-codex"}}}}"#
    )
}

fn prompt(ts: &str, ordinal: u32, text: &str) -> String {
    format!(
        r#"{{"timestamp":"{ts}","ordinal":{ordinal},"type":"event_msg","payload":{{"type":"item_completed","thread_id":"{THREAD}","turn_id":"t{ordinal}","item":{{"type":"UserMessage","id":"u{ordinal}","content":[{{"type":"text","text":"{text}","text_elements":[]}}]}}}}}}"#
    )
}

/// A response's record and the `token_count` Codex writes after it (cumulative `total`).
fn response(
    ts: &str,
    ordinal: u32,
    id: &str,
    input: i64,
    output: i64,
    total: (i64, i64),
) -> String {
    let usage = |i: i64, o: i64| {
        format!(
            r#"{{"input_tokens":{i},"cached_input_tokens":0,"cache_write_input_tokens":0,"output_tokens":{o},"reasoning_output_tokens":0,"total_tokens":{}}}"#,
            i + o
        )
    };
    format!(
        "{}\n{}",
        format_args!(
            r#"{{"timestamp":"{ts}","ordinal":{ordinal},"type":"token_usage_record","payload":{{"thread_id":"{THREAD}","turn_id":"t","session_id":"{THREAD}","response_id":"{id}","usage":{},"turn_token_usage":{},"thread_token_usage":{}}}}}"#,
            usage(input, output),
            usage(input, output),
            usage(total.0, total.1)
        ),
        format_args!(
            r#"{{"timestamp":"{ts}","ordinal":{},"type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{},"last_token_usage":{},"model_context_window":272000}},"rate_limits":null}}}}"#,
            ordinal + 1,
            usage(total.0, total.1),
            usage(input, output)
        )
    )
}

fn write(home: &Path, name: &str, lines: &[String]) {
    let dir = home.join("sessions/2026/12/01");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join(name), lines.join("\n") + "\n").expect("write rollout");
}

/// The original file: responses r1 (1000 in, 100 out) and r2 (2000 in, 200 out).
fn original() -> Vec<String> {
    vec![
        meta("2026-12-01T10:00:00.000Z", 0, ""),
        turn("2026-12-01T10:00:00.100Z", 1),
        prompt(
            "2026-12-01T10:00:00.200Z",
            2,
            "first question about quokkas",
        ),
        response(
            "2026-12-01T10:00:01.000Z",
            3,
            "resp_r1",
            1000,
            100,
            (1000, 100),
        ),
        prompt(
            "2026-12-01T10:01:00.000Z",
            5,
            "second question about wombats",
        ),
        response(
            "2026-12-01T10:01:01.000Z",
            6,
            "resp_r2",
            2000,
            200,
            (3000, 300),
        ),
    ]
}

fn home_with_revert_and_segment() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path();
    let old = original();
    write(
        home,
        &format!("rollout-2026-12-01T10-00-00-{THREAD}.jsonl"),
        &old,
    );
    // The revert replaces the thread after r1: it inherits ordinals 0..5 by reference (no
    // copies), then its own turn with r3 (4000 in, 400 out).
    let base = format!(
        r#","history_base":{{"thread_id":"{THREAD}","end_ordinal_exclusive":5,"end_byte_offset":100}}"#
    );
    write(
        home,
        &format!("rollout-2026-12-01T10-05-00-{THREAD}_{REVERT_ROLLOUT}.jsonl"),
        &[
            meta("2026-12-01T10:05:00.000Z", 5, &base),
            turn("2026-12-01T10:05:00.100Z", 6),
            prompt(
                "2026-12-01T10:05:00.200Z",
                7,
                "a different second question about numbats",
            ),
            response(
                "2026-12-01T10:05:01.000Z",
                8,
                "resp_r3",
                4000,
                400,
                (5000, 500),
            ),
        ],
    );
    // A frozen segment: a byte-copy of the original's first five lines (r1 again).
    write(
        home,
        &format!("rollout-2026-12-01T10-00-00-{THREAD}_01a2318c-cccc-7bbb-8ccc-000000000003.jsonl"),
        &old[..4],
    );
    dir
}

#[test]
fn each_response_counts_once_over_the_files_of_one_thread() {
    let dir = home_with_revert_and_segment();
    let home = dir.path().to_str().expect("utf-8 path").to_owned();
    // By hand: r1 + r2 + r3 = (1000 + 2000 + 4000) in, (100 + 200 + 400) out.
    let want = [7000, 0, 700, 0, 7700];
    for extra in [&[][..], &["--no-index"][..]] {
        let mut args = vec![
            "--codex-home",
            &home,
            "--tz",
            "UTC",
            "--json",
            "stats",
            "daily",
        ];
        args.extend_from_slice(extra);
        let out = util::run(&args);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let report: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
        assert_eq!(
            util::usage(&report["totals"]),
            want,
            "{args:?}: {}",
            out.stdout
        );
    }
    let out = util::run(&[
        "--codex-home",
        &home,
        "--json",
        "sessions",
        "--include-non-interactive",
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let list: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let sessions = list["sessions"].as_array().expect("sessions");
    assert_eq!(sessions.len(), 1, "one thread: {}", out.stdout);
    assert_eq!(sessions[0]["session_id"], THREAD);
    assert_eq!(util::usage(&sessions[0]["usage"]), want);
}
