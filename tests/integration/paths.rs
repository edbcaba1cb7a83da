//! Paths as users type them: relative homes, `..` in `--cwd`, and an index directory placed
//! inside a Codex home (refused: rolldex never writes there).

use std::process::{Command, Stdio};

use super::index::{Rx, ids};

fn rolldex(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let config = tempfile::tempdir().expect("config tempdir");
    Command::new(env!("CARGO_BIN_EXE_rolldex"))
        .args(args)
        .current_dir(dir)
        .env("XDG_CONFIG_HOME", config.path())
        .env_remove("CODEX_HOME")
        .env_remove("ROLLDEX_INDEX_DIR")
        .stdin(Stdio::null())
        .output()
        .expect("run rolldex")
}

#[test]
fn a_relative_home_names_the_same_index_as_its_absolute_path() {
    let rx = Rx::fixture_copy();
    let parent = rx.home.parent().expect("home has a parent").to_path_buf();
    let index = rx.index.to_string_lossy().into_owned();
    let first = rolldex(
        &parent,
        &["--codex-home", "codex-home", "--index-dir", &index, "index"],
    );
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let home = rx.home.to_string_lossy().into_owned();
    let again = rolldex(
        std::path::Path::new("/"),
        &["--codex-home", &home, "--index-dir", &index, "index"],
    );
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("up to date"),
        "the absolute path re-read the home: {stderr}"
    );
    // `show` from another directory still finds the rollout file.
    let show = rolldex(
        std::path::Path::new("/"),
        &[
            "--codex-home",
            &home,
            "--index-dir",
            &index,
            "show",
            ids::S2,
        ],
    );
    assert_eq!(show.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&show.stdout).contains("flickers on resize"));
}

#[test]
fn cwd_filters_resolve_dot_dot() {
    let rx = Rx::fixture();
    let plain = rx.json(&["sessions", "--cwd", "/home/dev/proj", "--json"]);
    let dotted = rx.json(&["sessions", "--cwd", "/home/dev/proj/app/../", "--json"]);
    assert_eq!(plain, dotted);
    assert!(!plain["sessions"].as_array().expect("sessions").is_empty());
}

#[test]
fn an_index_dir_inside_a_codex_home_is_refused() {
    let rx = Rx::fixture_copy();
    let inside = rx.home.join("rolldex-index");
    let home = rx.home.to_string_lossy().into_owned();
    let out = rolldex(
        &rx.home,
        &[
            "--codex-home",
            &home,
            "--index-dir",
            &inside.to_string_lossy(),
            "stats",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("inside the Codex home"));
    assert!(!inside.exists(), "nothing may be created inside the home");
}
