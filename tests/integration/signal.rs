//! The freshness signal (`src/scan/signal.rs`, issue 10) through the real binary. With Codex's
//! state database in a home, a query after a quiet walk skips the walk while the database, its
//! log, the thread names and every session folder are as that walk found them. Whatever Codex
//! does changes one of them: an append is followed by a write to the database's log, a new
//! session changes its folder. The real Codex's side of this is `live/run.sh`'s `signal`
//! scenario; here the writes are made by hand, one kind at a time.

use std::path::Path;
use std::time::Duration;

use super::index::{Rx, append, fixture_file, ids, lines, session_totals};

/// Longer than the signal's `QUIET` (2 s): stamps younger than that are not trusted.
fn be_quiet() {
    std::thread::sleep(Duration::from_millis(2_300));
}

/// Codex's write after an append: a frame added to the database's log.
fn codex_writes_its_log(home: &Path) {
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(home.join("state_5.sqlite-wal"))
        .expect("open the log");
    std::io::Write::write_all(&mut log, &[0u8; 4096]).expect("write the log");
}

fn user_turn(ts: &str, text: &str) -> String {
    lines::user(ts, text)
}

#[test]
fn with_a_state_database_a_quiet_home_is_not_walked_and_codex_writes_are_seen() {
    let rx = Rx::fixture_copy();
    // Only ever stat-ed by rolldex: its contents do not matter here.
    std::fs::write(rx.home.join("state_5.sqlite"), b"SQLite format 3\0").expect("db");
    be_quiet();
    rx.index();
    let kept = std::fs::read_dir(rx.homes_dir())
        .expect("homes dir")
        .flatten()
        .any(|e| e.file_name() == "walk-signal.bin");
    assert!(kept, "a quiet walk keeps its signal beside the commit");

    // 1. An append by something other than Codex changes nothing watched: the next query
    //    answers from the last commit (this is the walk being skipped)...
    let s2 = rx.file(fixture_file(ids::S2));
    append(
        &s2,
        &user_turn("2026-03-01T09:30:00.000Z", "now add pomegranate theming"),
    );
    assert!(rx.search_set(&["pomegranate"]).is_empty());
    // ...and `rolldex index` always walks.
    rx.index();
    assert_eq!(rx.search_ids(&["pomegranate"]), vec![ids::S2.to_owned()]);

    // 2. Codex appends to an old session and then writes its log: the next query sees it, and
    //    agrees with a fresh index.
    let s1 = rx.file(fixture_file(ids::S1));
    append(
        &s1,
        &[
            user_turn("2026-03-02T11:00:00.000Z", "also cover the tangerine flags"),
            lines::token_count(
                "2026-03-02T11:00:02.000Z",
                [90_000, 0, 9_000, 0],
                [1_000, 0, 100, 0],
            ),
        ]
        .concat(),
    );
    codex_writes_its_log(&rx.home);
    assert_eq!(rx.search_ids(&["tangerine"]), vec![ids::S1.to_owned()]);
    let fresh = rx.fresh_index();
    assert_eq!(session_totals(&rx), session_totals(&fresh));

    // 3. A new session in a new day's folder, with the log untouched: its folder's parent
    //    changed, so the next query walks and finds it.
    be_quiet();
    assert!(rx.search_set(&["kumquat"]).is_empty());
    let id = "019cd3bb-0000-7000-8000-0000000000bb";
    lines::write(
        &lines::rollout_path(&rx.home, "2026-03-20T10:00:00", id),
        &[
            lines::meta(
                "2026-03-20T10:00:00.000Z",
                id,
                "/home/dev/new",
                "codex_cli_rs",
                "\"cli\"",
                None,
            ),
            user_turn("2026-03-20T10:00:01.000Z", "plan the kumquat launch"),
        ],
    );
    assert_eq!(rx.search_ids(&["kumquat"]), vec![id.to_owned()]);
}

#[test]
fn without_a_state_database_every_query_walks() {
    let rx = Rx::fixture_copy();
    be_quiet();
    rx.index();
    let kept = std::fs::read_dir(rx.homes_dir())
        .expect("homes dir")
        .flatten()
        .any(|e| e.file_name() == "walk-signal.bin");
    assert!(!kept, "no signal without Codex's database");
    let s2 = rx.file(fixture_file(ids::S2));
    append(
        &s2,
        &user_turn("2026-03-01T09:30:00.000Z", "now add pomegranate theming"),
    );
    assert_eq!(rx.search_ids(&["pomegranate"]), vec![ids::S2.to_owned()]);
}
