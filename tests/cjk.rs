//! Search in every language: Chinese, Japanese and Korean words are found inside sentences
//! written without spaces, and an identifier written against CJK characters is found whole.

#[path = "util/mod.rs"]
mod util;

use std::fs;
use std::path::Path;

use serde_json::Value;

const CHINESE: &str = "019cc0a0-0000-7000-8000-0000000000c1";
const JAPANESE: &str = "019cc0a0-0000-7000-8000-0000000000c2";
const KOREAN: &str = "019cc0a0-0000-7000-8000-0000000000c3";
const ENGLISH: &str = "019cc0a0-0000-7000-8000-0000000000c4";
const TURKISH: &str = "019cc0a0-0000-7000-8000-0000000000c5";

/// Writes one interactive session whose user wrote `messages`.
fn write_session(home: &Path, id: &str, hour: u32, messages: &[&str]) {
    let dir = home.join("sessions/2026/03/05");
    fs::create_dir_all(&dir).expect("sessions dir");
    let at = |second: usize| format!("2026-03-05T{hour:02}:00:{second:02}.000Z");
    let mut lines = vec![
        serde_json::json!({
            "timestamp": at(0),
            "type": "session_meta",
            "payload": {
                "id": id,
                "timestamp": at(0),
                "cwd": "/home/dev/proj",
                "originator": "codex_cli_rs",
                "cli_version": "0.77.0",
                "instructions": null,
                "source": "cli",
                "model_provider": "openai",
            },
        })
        .to_string(),
    ];
    for (i, message) in messages.iter().enumerate() {
        lines.push(
            serde_json::json!({
                "timestamp": at(i + 1),
                "type": "event_msg",
                "payload": {
                    "type": "user_message",
                    "message": message,
                    "images": [],
                    "local_images": [],
                    "text_elements": [],
                },
            })
            .to_string(),
        );
    }
    let name = format!("rollout-2026-03-05T{hour:02}-00-00-{id}.jsonl");
    fs::write(dir.join(name), lines.join("\n") + "\n").expect("write rollout");
}

struct Home {
    home: tempfile::TempDir,
    index: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let home = tempfile::tempdir().expect("home");
        write_session(
            home.path(),
            CHINESE,
            10,
            &["我要做一个平台", "jobs失败了，请看一下日志"],
        );
        write_session(
            home.path(),
            JAPANESE,
            11,
            &["データベースの移行を手伝ってください"],
        );
        write_session(
            home.path(),
            KOREAN,
            12,
            &["데이터베이스 마이그레이션을 도와주세요"],
        );
        write_session(
            home.path(),
            ENGLISH,
            13,
            &["Build the platform API for the billing jobs"],
        );
        write_session(home.path(), TURKISH, 14, &["İstanbul旅行の計画"]);
        let rx = Home {
            home,
            index: tempfile::tempdir().expect("index"),
        };
        let out = rx.run(&["index"]);
        assert_eq!(out.code, 0, "rolldex index: {}", out.stderr);
        rx
    }

    fn run(&self, args: &[&str]) -> util::Output {
        let mut all = vec!["--codex-home", self.home.path().to_str().expect("utf-8")];
        all.extend_from_slice(args);
        util::run_with_index(&all, Some(self.index.path()))
    }

    /// The sessions `search QUERY` finds, in output order; exit 0 exactly when some are.
    fn found(&self, query: &str) -> Vec<String> {
        let out = self.run(&["search", query, "--json", "--limit", "100"]);
        util::assert_no_panic(&out);
        assert!(
            out.code == 0 || out.code == 1,
            "search {query:?}: exit {}; stderr: {}",
            out.code,
            out.stderr
        );
        if out.code == 1 && out.stdout.trim().is_empty() {
            return Vec::new();
        }
        let value: Value = serde_json::from_str(&out.stdout)
            .unwrap_or_else(|e| panic!("search {query:?}: not JSON ({e}): {}", out.stdout));
        let hits = value["hits"].as_array().expect("hits array");
        assert_eq!(
            hits.is_empty(),
            out.code == 1,
            "{query:?}: exit code vs hits"
        );
        hits.iter()
            .map(|h| h["session_id"].as_str().expect("session_id").to_owned())
            .collect()
    }

    fn assert_only(&self, query: &str, id: &str) {
        assert_eq!(self.found(query), [id], "search {query:?}");
    }

    fn assert_none(&self, query: &str) {
        let out = self.run(&["search", query]);
        util::assert_no_panic(&out);
        assert_eq!(
            out.code, 1,
            "search {query:?} should find nothing: {}",
            out.stdout
        );
    }
}

#[test]
fn cjk_words_are_found_inside_sentences() {
    let rx = Home::new();
    for query in [
        "平台",
        "做一个",
        "我要做一个平台",
        "\"一个平台\"",
        "失败",
        "失败了",
        "jobs失败了",
        "jobs失败",
        "日志",
        "失败 日志",
        // One character: alone, at the end of a run, after an identifier.
        "平",
        "台",
        "jobs失",
        "了",
    ] {
        rx.assert_only(query, CHINESE);
    }
    // One Katakana, one Han character of a Japanese run (each inside bigrams on both sides).
    for query in [
        "移行",
        "データベース",
        "手伝って",
        "データ*",
        "の移行",
        "タ",
        "移",
    ] {
        rx.assert_only(query, JAPANESE);
    }
    for query in [
        "마이그레이션",
        "데이터베이스",
        "도와주세요",
        "마이그레이션을",
        // One Hangul syllable inside a run.
        "션",
    ] {
        rx.assert_only(query, KOREAN);
    }
    // An identifier against CJK text is a word of its own, and English still works.
    assert_eq!(
        rx.found("jobs")
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        [CHINESE.to_owned(), ENGLISH.to_owned()].into()
    );
    rx.assert_only("platform", ENGLISH);
    rx.assert_only("billing jobs", ENGLISH);
    rx.assert_only("\"platform API\"", ENGLISH);
    // Excluding a CJK word.
    rx.assert_only("jobs -失败", ENGLISH);
    // A word whose lowercase holds a combining mark (İ → i + U+0307) against a lone CJK
    // character: the word goes into a regular expression as it is (escaped, it was an error).
    for query in ["İstanbul旅", "İstanbul旅行", "İstan*", "旅"] {
        rx.assert_only(query, TURKISH);
    }
}

#[test]
fn absent_cjk_words_are_not_found() {
    let rx = Home::new();
    for query in [
        "猫狗",
        "猫",
        "平台做",
        "台平",
        "移行データ",
        "jobs了",
        "失jobs",
    ] {
        rx.assert_none(query);
    }
    let out = rx.run(&["search", "平台"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(out.stdout.contains("平台"), "{}", out.stdout);
}
