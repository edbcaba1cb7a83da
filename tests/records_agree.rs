//! `token_usage_record` and `token_count` carry the same spend (issue 8): rolldex counts the
//! records where a file has them and the `token_count` rules (§9.3) elsewhere, never both, so
//! the two sources must agree wherever a file has both. This checks it on every rollout the
//! real Codex CLI wrote in `testdata/codex-versions/` (0.153.4 and 0.171.0 write both), per
//! file and per model, by feeding each source to its own accountant.
//!
//! The one expected difference is a paginated fork (`history_base` in its `session_meta`): Codex
//! 0.171 starts the fork's `token_count` totals from its parent's, which is exactly why records
//! come first. For those files the test checks that the difference is the parent's total.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use rolldex::accounting::{Accountant, TokenCount};
use rolldex::model::TokenUsage;
use serde_json::Value;

fn usage_of(v: &Value) -> TokenUsage {
    let field = |name: &str| v.get(name).and_then(Value::as_i64).unwrap_or(0);
    TokenUsage {
        input_tokens: field("input_tokens"),
        cached_input_tokens: field("cached_input_tokens"),
        output_tokens: field("output_tokens"),
        reasoning_output_tokens: field("reasoning_output_tokens"),
        total_tokens: field("total_tokens"),
        cache_write_input_tokens: field("cache_write_input_tokens"),
    }
}

fn read_rollout(path: &Path) -> String {
    let mut bytes = Vec::new();
    let file = std::fs::File::open(path).expect("open rollout");
    if path.extension().is_some_and(|e| e == "zst") {
        zstd::stream::read::Decoder::new(file)
            .expect("zstd")
            .read_to_end(&mut bytes)
            .expect("decode");
    } else {
        std::io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .expect("read");
    }
    String::from_utf8(bytes).expect("utf-8")
}

fn rollouts(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rollouts(&path, out);
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("rollout-"))
        {
            out.push(path);
        }
    }
}

/// Per model: (sum from records, sum from `token_count`), whether the file is a paginated fork,
/// and the thread it inherits from.
struct Sums {
    by_model: BTreeMap<String, (TokenUsage, TokenUsage)>,
    records: usize,
    fork_of: Option<String>,
    last_total: TokenUsage,
}

fn sums(text: &str) -> Sums {
    let mut from_records = Accountant::default();
    let mut from_counts = Accountant::default();
    let mut sums = Sums {
        by_model: BTreeMap::new(),
        records: 0,
        fork_of: None,
        last_total: TokenUsage::default(),
    };
    let mut thread = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("json line");
        let payload = &v["payload"];
        let ts = chrono::DateTime::parse_from_rfc3339(v["timestamp"].as_str().unwrap_or(""))
            .map_or(0, |t| t.timestamp_millis());
        match (v["type"].as_str(), payload["type"].as_str()) {
            (Some("session_meta"), _) if thread.is_empty() => {
                payload["id"].as_str().unwrap_or("").clone_into(&mut thread);
                sums.fork_of = payload["history_base"]["thread_id"]
                    .as_str()
                    .map(str::to_owned);
            }
            (Some("turn_context"), _) => {
                if let Some(model) = payload["model"].as_str() {
                    from_records.on_model(model);
                    from_counts.on_model(model);
                }
            }
            (Some("token_usage_record"), _) => {
                if payload["thread_id"].as_str().is_some_and(|t| t != thread) {
                    continue;
                }
                sums.records += 1;
                let id = payload["response_id"].as_str().unwrap_or("");
                if let (_, Some(e)) =
                    from_records.on_usage_record(ts, id, usage_of(&payload["usage"]))
                {
                    sums.by_model
                        .entry(e.model.to_string())
                        .or_default()
                        .0
                        .add(&e.usage);
                }
            }
            (Some("event_msg"), Some("token_count")) => {
                let info = &payload["info"];
                if info.is_null() {
                    continue;
                }
                let total = usage_of(&info["total_token_usage"]);
                sums.last_total = total;
                let count = TokenCount {
                    total,
                    last: usage_of(&info["last_token_usage"]),
                };
                if let (_, Some(e)) = from_counts.on_token_count(ts, &count) {
                    sums.by_model
                        .entry(e.model.to_string())
                        .or_default()
                        .1
                        .add(&e.usage);
                }
            }
            _ => {}
        }
    }
    sums
}

#[test]
fn records_and_token_counts_agree_on_every_real_codex_file_that_has_both() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/codex-versions");
    let mut files = Vec::new();
    rollouts(&root, &mut files);
    files.sort();
    let mut last_totals: BTreeMap<String, TokenUsage> = BTreeMap::new();
    let mut checked = 0;
    let mut forks = Vec::new();
    for path in &files {
        let text = read_rollout(path);
        let s = sums(&text);
        let thread = text
            .lines()
            .next()
            .and_then(|l| serde_json::from_str::<Value>(l).ok())
            .and_then(|v| v["payload"]["id"].as_str().map(str::to_owned))
            .unwrap_or_default();
        last_totals.insert(thread, s.last_total);
        if s.records == 0 {
            continue;
        }
        if let Some(parent) = s.fork_of.clone() {
            forks.push((path.clone(), parent, s));
            continue;
        }
        checked += 1;
        for (model, (records, counts)) in &s.by_model {
            assert_eq!(
                records,
                counts,
                "{}: model {model}: records and token_count disagree",
                path.display()
            );
        }
    }
    assert!(
        checked >= 10,
        "only {checked} files with records were checked"
    );
    assert!(!forks.is_empty(), "the fixtures have paginated forks");
    for (path, parent, s) in forks {
        let parent_total = last_totals
            .get(&parent)
            .unwrap_or_else(|| panic!("{}: parent {parent} not found", path.display()));
        let (records, counts) = s.by_model.values().fold(
            (TokenUsage::default(), TokenUsage::default()),
            |(mut r, mut c), (a, b)| {
                r.add(a);
                c.add(b);
                (r, c)
            },
        );
        // 0.171 counts the parent's totals into the fork's token_count; 0.153 does not.
        let extra = counts.minus(&records);
        assert!(
            extra.is_zero() || extra.total_tokens <= parent_total.total_tokens,
            "{}: token_count exceeds the records by {} tokens, more than the parent's {}",
            path.display(),
            extra.total_tokens,
            parent_total.total_tokens
        );
    }
}
