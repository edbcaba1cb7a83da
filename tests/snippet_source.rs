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
