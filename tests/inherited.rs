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
