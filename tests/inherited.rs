//! `show` of a session that inherits history by reference (issue 8): a Codex 0.171 `exec fork`
//! copies none of its parent's lines, only a `history_base` pointing into the parent's file.
//! `show` reads the parent up to that point first, marks it as inherited, then the fork's own
//! turns; with the parent gone it shows what there is and says so. Uses the home the real
//! Codex 0.171.0 wrote (`testdata/codex-versions/0.171.0`, scenario `fork`).

#[path = "util/mod.rs"]
mod util;

use serde_json::Value;

const FORK: &str = "01a2318c-c27b-7150-ada9-9b6cce8283bb";
const PARENT: &str = "01a2318c-b1d6-78b3-9666-02b6c5dc4b92";

fn home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    util::copy_tree(
        &util::repo_path("testdata/codex-versions/0.171.0/home"),
        &dir.path().join("home"),
    );
    dir
}

fn records(out: &util::Output) -> Vec<Value> {
    assert_eq!(out.code, 0, "{}", out.stderr);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    v["messages"].as_array().expect("messages").clone()
}

#[test]
fn show_reads_inherited_history_first_and_marks_it() {
    let dir = home();
    let h = dir.path().join("home");
    // The parent goes on after the fork (as a resumed parent does): a turn past the fork point
    // that the fork must not show.
    let parent = walk(&h)
        .into_iter()
        .find(|p| p.to_string_lossy().ends_with(&format!("{PARENT}.jsonl")))
        .expect("the parent's rollout");
    let later = format!(
        r#"{{"timestamp":"2026-12-01T13:00:00.000Z","ordinal":99,"type":"event_msg","payload":{{"type":"item_completed","thread_id":"{PARENT}","turn_id":"later","item":{{"type":"UserMessage","id":"u99","content":[{{"type":"text","text":"parentlaterword after the fork","text_elements":[]}}]}}}}}}"#
    );
    let mut text = std::fs::read_to_string(&parent).expect("read parent");
    text.push_str(&later);
    text.push('\n');
    std::fs::write(&parent, text).expect("append to parent");
    let h = h.to_str().expect("utf-8");
    let out = util::run(&["--codex-home", h, "--json", "show", FORK]);
    let all = records(&out);
    let text = |r: &Value| r["text"].as_str().unwrap_or("").to_owned();
    // The parent's first prompt (scenarios.json, scenario "plain") comes first, inherited.
    let first = all.first().expect("a message");
    assert!(text(first).contains("zanzibarquokka"), "{first}");
    assert_eq!(first["inherited_from"], PARENT);
    // The fork's own prompt (scenario "fork") comes after every inherited message, unmarked.
    let own = all
        .iter()
        .position(|r| text(r).contains("tangerinevault"))
        .expect("the fork's own prompt");
    assert!(all[own].get("inherited_from").is_none(), "{}", all[own]);
    assert!(all[..own].iter().all(|r| r["inherited_from"] == PARENT));
    // The parent's later turns (after the fork point) are not inherited.
    assert!(
        !all.iter().any(|r| text(r).contains("parentlaterword")),
        "{all:?}"
    );
    let parent_show = util::run(&["--codex-home", h, "--json", "show", PARENT]);
    assert!(
        parent_show.stdout.contains("parentlaterword"),
        "the parent has the turn"
    );
    let table = util::run(&["--codex-home", h, "show", FORK]);
    assert!(
        table.stdout.contains(&format!("inherited from {PARENT}")),
        "{}",
        table.stdout
    );
}

#[test]
fn show_without_the_base_file_shows_the_session_and_says_so() {
    let dir = home();
    let h = dir.path().join("home");
    for entry in walk(&h) {
        if entry.to_string_lossy().contains(PARENT) {
            std::fs::remove_file(&entry).expect("remove the parent's file");
        }
    }
    let h = h.to_str().expect("utf-8");
    let out = util::run(&["--codex-home", h, "--json", "show", FORK]);
    let all = records(&out);
    assert!(all.iter().all(|r| r.get("inherited_from").is_none()));
    assert!(
        all.iter()
            .any(|r| r["text"].as_str().unwrap_or("").contains("tangerinevault"))
    );
    assert!(out.stderr.contains("not on disk"), "{}", out.stderr);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// A hand-written pair (no Codex the harness drives writes `rollout_reference` yet; the shape
/// is the one in `rollout-format-2026.md` §2): a frozen segment with two turns and a live file
/// that references it, then goes on with a turn of its own.
fn referencing_home(nth_user_message: &str) -> tempfile::TempDir {
    const THREAD: &str = "01a2318c-dddd-7bbb-8ccc-000000000001";
    const SEGMENT: &str = "01a2318c-eeee-7bbb-8ccc-000000000002";
    let dir = tempfile::tempdir().expect("tempdir");
    let day = dir.path().join("home/sessions/2026/12/01");
    std::fs::create_dir_all(&day).expect("mkdir");
    let meta = |id: &str, ts: &str| {
        format!(
            r#"{{"timestamp":"{ts}","ordinal":0,"type":"session_meta","payload":{{"session_id":"{THREAD}","id":"{id}","timestamp":"{ts}","cwd":"/w","originator":"codex-tui","cli_version":"0.171.0","source":"cli","thread_source":"user","model_provider":"openai","history_mode":"paginated"}}}}"#
        )
    };
    let prompt = |ts: &str, n: u32, text: &str| {
        format!(
            r#"{{"timestamp":"{ts}","ordinal":{n},"type":"event_msg","payload":{{"type":"item_completed","thread_id":"{THREAD}","turn_id":"t{n}","item":{{"type":"UserMessage","id":"u{n}","content":[{{"type":"text","text":"{text}","text_elements":[]}}]}}}}}}"#
        )
    };
    let record = |ts: &str, n: u32, id: &str, input: u32| {
        format!(
            r#"{{"timestamp":"{ts}","ordinal":{n},"type":"token_usage_record","payload":{{"thread_id":"{THREAD}","response_id":"{id}","usage":{{"input_tokens":{input},"cached_input_tokens":0,"output_tokens":10,"reasoning_output_tokens":0,"total_tokens":{}}}}}}}"#,
            input + 10
        )
    };
    let segment = day.join(format!("rollout-2026-12-01T09-00-00-{SEGMENT}.jsonl"));
    std::fs::write(
        &segment,
        [
            // A segment holds its thread's history: its session is the thread.
            meta(THREAD, "2026-12-01T09:00:00.000Z"),
            prompt("2026-12-01T09:00:01.000Z", 1, "segmentfirst question"),
            record("2026-12-01T09:00:02.000Z", 2, "resp_s1", 1000),
            prompt("2026-12-01T09:01:01.000Z", 3, "segmentsecond question"),
            record("2026-12-01T09:01:02.000Z", 4, "resp_s2", 2000),
        ]
        .join("\n")
            + "\n",
    )
    .expect("segment");
    let reference = format!(
        r#"{{"timestamp":"2026-12-01T10:00:00.001Z","ordinal":1,"type":"rollout_reference","payload":{{"rollout_id":"{SEGMENT}","rollout_path":"{}","thread_id":"{THREAD}","rollout_timestamp":"2026-12-01T09-00-00","segment_id":null,"max_depth":8,"nth_user_message":{nth_user_message},"compacted_replacement_history_filter_texts":null}}}}"#,
        segment.display()
    );
    std::fs::write(
        day.join(format!("rollout-2026-12-01T10-00-00-{THREAD}.jsonl")),
        [
            meta(THREAD, "2026-12-01T10:00:00.000Z"),
            reference,
            prompt("2026-12-01T10:00:05.000Z", 2, "livefile own question"),
            record("2026-12-01T10:00:06.000Z", 3, "resp_l1", 4000),
        ]
        .join("\n")
            + "\n",
    )
    .expect("live file");
    dir
}

#[test]
fn show_splices_a_rollout_reference_where_it_stands() {
    const THREAD: &str = "01a2318c-dddd-7bbb-8ccc-000000000001";
    const SEGMENT: &str = "01a2318c-eeee-7bbb-8ccc-000000000002";
    for (nth, want) in [
        ("null", &["segmentfirst", "segmentsecond", "livefile"][..]),
        ("1", &["segmentfirst", "livefile"][..]),
        (
            "18446744073709551615",
            &["segmentfirst", "segmentsecond", "livefile"][..],
        ),
    ] {
        let dir = referencing_home(nth);
        let h = dir.path().join("home");
        let h = h.to_str().expect("utf-8");
        let out = util::run(&["--codex-home", h, "--json", "show", THREAD]);
        let all = records(&out);
        let users: Vec<(String, Option<String>)> = all
            .iter()
            .filter(|r| r["role"] == "user")
            .map(|r| {
                (
                    r["text"]
                        .as_str()
                        .unwrap_or("")
                        .split(' ')
                        .next()
                        .unwrap_or("")
                        .to_owned(),
                    r["inherited_from"].as_str().map(str::to_owned),
                )
            })
            .collect();
        let words: Vec<&str> = users.iter().map(|(w, _)| w.as_str()).collect();
        assert_eq!(words, want, "nth_user_message {nth}");
        for (word, from) in &users {
            let inherited = word.starts_with("segment");
            assert_eq!(from.as_deref(), inherited.then_some(SEGMENT), "{word}");
        }
    }
    // A reference adds no spend: the thread counts each response once over its two files,
    // the segment's two (1010 + 2010) and the live file's own (4010).
    let dir = referencing_home("null");
    let h = dir.path().join("home");
    let h = h.to_str().expect("utf-8");
    let out = util::run(&["--codex-home", h, "--json", "stats", "session"]);
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        util::usage(&v["totals"]),
        [7000, 0, 30, 0, 7030],
        "{}",
        out.stdout
    );
}
