//! The index keeps a message's line instead of its text, and reads the text back from that
//! line alone when a hit is shown. This checks, on every rollout of the real corpus and the
//! demo home, that each message the indexer reads is found again from its line by itself.

use std::path::{Path, PathBuf};

use rolldex::index::schema::indexed_text;
use rolldex::model::stable_hash;
use rolldex::parse::{Depth, messages_of_line, parse_path};

fn rollouts(root: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name.starts_with("rollout-") && name.ends_with(".jsonl")
        })
        .map(walkdir::DirEntry::into_path)
        .collect()
}

/// (messages, those not found again) over the rollouts under `root`.
fn check(root: &Path) -> (usize, Vec<String>) {
    let mut total = 0;
    let mut missing = Vec::new();
    for path in rollouts(root) {
        let bytes = std::fs::read(&path).expect("read rollout");
        let (_, parsed) = parse_path(&path, false, Depth::Index, &mut Vec::new());
        assert_eq!(
            parsed.lines.len(),
            parsed.messages.len(),
            "{}",
            path.display()
        );
        for (message, span) in parsed.messages.iter().zip(&parsed.lines) {
            total += 1;
            let start = usize::try_from(span.offset).expect("offset");
            let line = &bytes[start..start + usize::try_from(span.len).expect("len")];
            let want = stable_hash(&indexed_text(message));
            let found = messages_of_line(&path, line)
                .iter()
                .any(|m| m.role == message.role && stable_hash(&indexed_text(m)) == want);
            if !found {
                missing.push(format!(
                    "{}@{}: {:?} {:.80}",
                    path.display(),
                    span.offset,
                    message.role,
                    message.text
                ));
            }
        }
    }
    (total, missing)
}

#[test]
#[allow(clippy::print_stdout)] // the only way to say what the test left out
fn every_message_is_found_again_from_its_line() {
    let mut roots = vec![PathBuf::from("testdata")];
    match std::env::var_os("ROLLDEX_REAL_CORPUS").filter(|v| !v.is_empty()) {
        Some(real) => roots.push(PathBuf::from(real)),
        None => println!("ROLLDEX_REAL_CORPUS is not set: checking testdata only"),
    }
    for root in roots {
        let (total, missing) = check(&root);
        assert!(total > 100, "{}: only {total} messages", root.display());
        assert!(
            missing.is_empty(),
            "{} of {total} messages under {} not found from their line alone, e.g.:\n{}",
            missing.len(),
            root.display(),
            missing[..missing.len().min(8)].join("\n")
        );
    }
}

#[path = "util/mod.rs"]
mod util;

/// A home with one session whose user asked `prompt`; returns the rollout's path.
fn home_with(home: &Path, prompt: &str) -> PathBuf {
    let id = "019cc0a0-0000-7000-8000-00000000051e";
    let dir = home.join("sessions/2026/03/05");
    std::fs::create_dir_all(&dir).expect("sessions dir");
    let lines = [
        serde_json::json!({"timestamp": "2026-03-05T10:00:00.000Z", "type": "session_meta",
            "payload": {"id": id, "timestamp": "2026-03-05T10:00:00.000Z", "cwd": "/p",
                "originator": "codex_cli_rs", "cli_version": "0.77.0", "source": "cli"}}),
        serde_json::json!({"timestamp": "2026-03-05T10:00:01.000Z", "type": "event_msg",
            "payload": {"type": "user_message", "message": prompt}}),
    ];
    let path = dir.join(format!("rollout-2026-03-05T10-00-00-{id}.jsonl"));
    let text = lines.map(|l| l.to_string() + "\n").concat();
    std::fs::write(&path, text).expect("write rollout");
    path
}

/// The snippets `search WORD --json` prints (and its exit code).
fn snippets(home: &Path, index: &Path, word: &str, no_update: bool) -> (Vec<String>, i32) {
    let home = home.to_str().expect("utf-8 path");
    let mut args = vec!["--codex-home", home, "search", word, "--json"];
    if no_update {
        args.push("--no-update");
    }
    let out = util::run_with_index(&args, Some(index));
    util::assert_no_panic(&out);
    let code = out.code;
    if code != 0 {
        return (Vec::new(), code);
    }
    let value: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let hits = value["hits"].as_array().expect("hits").iter();
    let texts = hits.map(|h| h["snippet"].as_str().unwrap_or_default().to_owned());
    (texts.collect(), code)
}

#[test]
fn a_snippet_is_read_from_the_rollout_and_a_changed_one_says_so() {
    let home = tempfile::tempdir().expect("home");
    let index = tempfile::tempdir().expect("index");
    let path = home_with(home.path(), "please rotate the zephyrine credentials");
    let (hits, _) = snippets(home.path(), index.path(), "zephyrine", false);
    assert_eq!(hits, ["please rotate the zephyrine credentials"]);

    // Rewritten in place, same length: an index not updated still finds the old word, and says
    // the text is gone rather than showing the new one or failing.
    home_with(home.path(), "please rotate the xylophone credentials");
    let (hits, _) = snippets(home.path(), index.path(), "zephyrine", true);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].starts_with("[text unavailable"), "{hits:?}");
    // Updated, the index follows the file.
    let (hits, code) = snippets(home.path(), index.path(), "zephyrine", false);
    assert_eq!((hits.len(), code), (0, 1));
    let (hits, _) = snippets(home.path(), index.path(), "xylophone", false);
    assert_eq!(hits, ["please rotate the xylophone credentials"]);

    // Deleted: the same, from the last commit.
    std::fs::remove_file(&path).expect("remove");
    let (hits, _) = snippets(home.path(), index.path(), "xylophone", true);
    assert_eq!(hits.len(), 1);
    assert!(hits[0].starts_with("[text unavailable"), "{hits:?}");
}
