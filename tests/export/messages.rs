//! The `messages` table (`export --include-text`): a session written here by hand, its texts
//! known without rolldex, must come back row for row from both engines' readers.

use std::path::Path;

use serde_json::Value;

use super::{engines, engines_ready, export};

/// A session written here by hand, in Codex's shape: its messages' texts are known without
/// rolldex (accents, CJK, quotes, backslashes, control characters, a 100 KB reply).
fn write_conversation(path: &Path, id: &str, messages: &[(&str, &str)]) {
    use std::fmt::Write as _;
    let mut text = String::new();
    let meta = serde_json::json!({
        "timestamp": "2026-03-02T12:00:00.000Z", "type": "session_meta",
        "payload": {"id": id, "timestamp": "2026-03-02T12:00:00.000Z", "cwd": "/home/dev/proj",
                    "originator": "codex_cli_rs", "cli_version": "0.171.0", "source": "cli",
                    "model_provider": "openai"}
    });
    let _ = writeln!(text, "{meta}");
    // A user turn is written twice, as Codex writes it: the model's input item and the
    // `user_message` event.
    for (i, (role, body)) in messages.iter().enumerate() {
        let at = format!("2026-03-02T12:00:{:02}.000Z", i + 1);
        let kind = if *role == "user" {
            "input_text"
        } else {
            "output_text"
        };
        let item = serde_json::json!({
            "timestamp": at, "type": "response_item",
            "payload": {"type": "message", "role": role, "content": [{"type": kind, "text": body}]}
        });
        let _ = writeln!(text, "{item}");
        if *role == "user" {
            let event = serde_json::json!({
                "timestamp": at, "type": "event_msg",
                "payload": {"type": "user_message", "message": body, "images": []}
            });
            let _ = writeln!(text, "{event}");
        }
    }
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write rollout");
}

/// Asserts two lists of message rows are equal, showing only a short digest of each row (a
/// 100 KB text would bury the difference).
fn assert_same_rows(got: &Value, want: &Value, what: &str) {
    let digest = |rows: &Value| -> Vec<String> {
        rows.as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        let text = r[3].as_str().unwrap_or_default();
                        let head: String = text.chars().take(24).collect();
                        format!("#{} {} {} bytes {head:?}", r[1], r[2], text.len())
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    assert!(
        got == want,
        "{what}: got {:#?}\nwant {:#?}",
        digest(got),
        digest(want)
    );
}

#[test]
fn include_text_exports_each_message_once_with_its_exact_text_in_both_engines() {
    if !engines_ready() {
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("home");
    let index = tmp.path().join("index");
    let id = "019cc0a0-0000-7000-8000-0000000000e1";
    let path = home.join(format!(
        "sessions/2026/03/02/rollout-2026-03-02T12-00-00-{id}.jsonl"
    ));
    let long = format!("{}END", "a long line of tool talk, ".repeat(4000));
    let mut messages = vec![
        ("user", "héllo wörld: 世界 ✓ \"quoted\" back\\slash"),
        ("assistant", long.as_str()),
        ("user", "second\nline\ttab"),
    ];
    write_conversation(&path, id, &messages);
    let expected = |messages: &[(&str, &str)]| -> Value {
        let rows: Vec<Value> = messages
            .iter()
            .enumerate()
            .map(|(i, (role, text))| serde_json::json!([id, i, role, text]))
            .collect();
        Value::Array(rows)
    };
    let homes = vec![home.clone()];
    let out = tmp.path().join("out");
    for format in ["parquet", "ndjson"] {
        let dir = tmp.path().join(format);
        export(&homes, &index, &dir, format, &["--include-text"]);
        let got = engines("messages", &dir, format);
        for engine in ["duckdb", "clickhouse"] {
            assert_same_rows(
                &got[engine],
                &expected(&messages),
                &format!("{format}, {engine}"),
            );
        }
    }
    // An appended reply is exported by the next run, and nothing twice.
    export(&homes, &index, &out, "parquet", &["--include-text"]);
    messages.push(("assistant", "and one more"));
    write_conversation(&path, id, &messages);
    let second = export(&homes, &index, &out, "parquet", &["--include-text"]);
    assert!(second.stdout.contains("messages-"), "{}", second.stdout);
    let got = engines("messages", &out, "parquet");
    for engine in ["duckdb", "clickhouse"] {
        assert_same_rows(
            &got[engine],
            &expected(&messages),
            &format!("incremental, {engine}"),
        );
    }
}
