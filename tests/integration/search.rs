//! `rolldex search` (issue 3) on the planted-facts home `testdata/fixtures-index/home`: planted
//! phrases and identifiers, the query language, filters, hidden non-interactive sessions, the
//! JSON shape and the exit codes.

use std::collections::BTreeSet;

use serde_json::Value;

use super::index::{Rx, ids, set};

/// The only session a query must find (interactive sessions only, the default).
fn assert_only(rx: &Rx, query: &str, id: &str) {
    assert_eq!(
        rx.search_ids(&[query]),
        vec![id.to_owned()],
        "search {query:?} should find exactly {id}"
    );
}

fn assert_none(rx: &Rx, args: &[&str]) {
    let found = rx.search_set(args);
    assert!(
        found.is_empty(),
        "search {args:?} should find nothing, found {found:?}"
    );
}

#[test]
fn planted_identifiers_are_found_whole_and_in_parts() {
    let rx = Rx::fixture();
    rx.index();
    for query in [
        "ERR_QX7731",
        "err_qx7731",
        "qx7731",
        "jwt",
        "refresh_jwt_token_v2",
        "token_v2",
        "refresh jwt",
        "src/import.rs",
        "import.rs",
        "5be0f1c",
        "7d1e9c52-3b4a-4f6e-9a0b-c2d3e4f5a6b7",
        "7d1e9c52",
        "connection reset by peer",
    ] {
        assert_only(&rx, query, ids::S1);
    }
    // A neighbour identifier is a different word.
    assert_only(&rx, "ERR_QX7732", ids::S3);
    // Parts in another order or another path are not the identifier.
    assert_none(&rx, &["import/src.rs"]);
    assert_none(&rx, &["jwt_refresh_token_v2"]);
}

#[test]
fn a_full_commit_hash_is_found() {
    let rx = Rx::fixture();
    assert_only(&rx, "9f3c2ab7e41d5c0b8a6f2e1d3c4b5a6978877665", ids::S1);
}

#[test]
fn phrases_exclusions_and_prefixes() {
    let rx = Rx::fixture();
    rx.index();
    assert_only(&rx, "\"connection reset by peer\"", ids::S1);
    assert_none(&rx, &["\"peer by reset connection\""]);
    assert_eq!(
        rx.search_set(&["\"widget gizmo\""]),
        set(&[ids::S2, ids::S3, ids::S4])
    );
    assert_none(&rx, &["\"gizmo widget\""]);
    // -word excludes sessions whose matching messages contain it.
    assert_eq!(rx.search_set(&["widget -resize"]), set(&[ids::S3, ids::S4]));
    assert_eq!(rx.search_set(&["widget -resize -cached"]), set(&[ids::S4]));
    // The same with the words as separate arguments after `--`.
    let split = rx.json(&["search", "--json", "--", "widget", "-resize"]);
    let split: BTreeSet<String> = split["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["session_id"].as_str().expect("id").to_owned())
        .collect();
    assert_eq!(split, set(&[ids::S3, ids::S4]));
    assert_eq!(rx.search_set(&["widget \"test failed\""]), set(&[ids::S4]));
    // prefix*
    assert_only(&rx, "flick*", ids::S2);
    assert_only(&rx, "zephyr*", ids::S9);
    assert_only(&rx, "refresh_jwt*", ids::S1);
    assert_eq!(rx.search_set(&["qx773*"]), set(&[ids::S1, ids::S3]));
    assert_eq!(rx.search_set(&["gizm*"]), rx.search_set(&["gizmo"]));
    assert_none(&rx, &["flickx*"]);
    // All words must match (in any message of the session's best hit or not at all).
    assert_only(&rx, "widget flickers", ids::S2);
    assert_none(&rx, &["widget zephyrine"]);
}

#[test]
fn archived_and_legacy_sessions_are_found() {
    let rx = Rx::fixture();
    assert_only(&rx, "zephyrine", ids::S9);
    assert_only(&rx, "quokkafied", ids::L);
    let out = rx.json(&["search", "quokkafied", "--json"]);
    let hit = &out["hits"][0];
    assert_eq!(hit["role"], "user");
    assert_eq!(hit["title"], "make the parser quokkafied and robust");
    assert!(hit["cwd"].is_null(), "a legacy file has no cwd: {hit}");
}

#[test]
fn injected_context_is_not_searchable() {
    let rx = Rx::fixture();
    rx.index();
    // <environment_context> items, the IDE preamble before "## My request for Codex:" and a
    // legacy <user_instructions> block are context Codex injected, not what the user typed.
    assert_none(&rx, &["envonlyshellword", "--include-non-interactive"]);
    assert_none(&rx, &["ideonlytabword"]);
    assert_none(&rx, &["brief"]);
}

#[test]
fn thread_names_are_searchable_and_the_last_name_wins() {
    let rx = Rx::fixture();
    rx.index();
    assert_only(&rx, "refactor", ids::S1);
    assert_only(&rx, "\"auth refactor\"", ids::S1);
    assert_none(&rx, &["rework"]);
    let out = rx.json(&["search", "refactor", "--json"]);
    assert_eq!(out["hits"][0]["role"], "name");
    assert_eq!(out["hits"][0]["title"], "auth refactor");
    assert_only(&rx, "\"layout cache\"", ids::S3);
}

#[test]
fn filters_narrow_the_hits() {
    let rx = Rx::fixture();
    rx.index();
    assert_eq!(
        rx.search_set(&["widget"]),
        set(&[ids::S2, ids::S3, ids::S4])
    );
    // --since / --until: inclusive days (UTC here).
    assert_eq!(
        rx.search_set(&["widget", "--since", "2026-03-02", "--until", "2026-03-04"]),
        set(&[ids::S3])
    );
    assert_eq!(
        rx.search_set(&["widget", "--since", "2026-03-03"]),
        set(&[ids::S3, ids::S4])
    );
    assert_eq!(
        rx.search_set(&["widget", "--until", "2026-03-01"]),
        set(&[ids::S2])
    );
    assert_eq!(
        rx.search_set(&["widget", "--since", "2026-03-05", "--until", "2026-03-05"]),
        set(&[ids::S4])
    );
    assert_none(&rx, &["widget", "--since", "2026-03-08"]);
    // --cwd: that directory or below, never a sibling sharing a prefix.
    assert_eq!(
        rx.search_set(&["widget", "--cwd", "/home/dev/proj"]),
        set(&[ids::S2, ids::S3])
    );
    assert_eq!(
        rx.search_set(&["widget", "--cwd", "/home/dev/proj/"]),
        set(&[ids::S2, ids::S3])
    );
    assert_eq!(
        rx.search_set(&["widget", "--cwd", "/home/dev/proj/app"]),
        set(&[ids::S3])
    );
    assert_eq!(
        rx.search_set(&["widget", "--cwd", "/home/dev/proj2"]),
        set(&[ids::S4])
    );
    assert_none(&rx, &["widget", "--cwd", "/home/dev/pro"]);
    assert_eq!(
        rx.search_set(&[
            "widget",
            "--cwd",
            "/home/dev/proj",
            "--include-non-interactive"
        ]),
        set(&[ids::S2, ids::S3, ids::S7, ids::S8])
    );
    // --model
    assert_eq!(
        rx.search_set(&["widget", "--model", "gpt-5-mini"]),
        set(&[ids::S3])
    );
    assert_eq!(
        rx.search_set(&["widget", "--model", "gpt-5.2-codex"]),
        set(&[ids::S2, ids::S4])
    );
    assert_none(&rx, &["widget", "--model", "o3"]);
    // --role: gizmo is typed in S2, said in S3, reasoned in S1, run in S1 and printed in S4.
    assert_eq!(rx.search_set(&["gizmo", "--role", "user"]), set(&[ids::S2]));
    assert_eq!(
        rx.search_set(&["gizmo", "--role", "assistant"]),
        set(&[ids::S3])
    );
    assert_eq!(
        rx.search_set(&["gizmo", "--role", "reasoning"]),
        set(&[ids::S1])
    );
    assert_eq!(
        rx.search_set(&["gizmo", "--role", "tool"]),
        set(&[ids::S1, ids::S4])
    );
    let roles = |args: &[&str]| -> BTreeSet<String> {
        let mut all = vec!["search"];
        all.extend_from_slice(args);
        all.push("--json");
        rx.json(&all)["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["role"].as_str().expect("role").to_owned())
            .collect()
    };
    assert_eq!(
        roles(&["gizmo", "--role", "tool"]),
        set(&["tool_call", "tool_output"])
    );
    assert_eq!(
        roles(&["\"connection reset\"", "--role", "tool"]),
        set(&["tool_output"])
    );
    assert_none(&rx, &["jwt", "--role", "user"]);
    // --limit
    assert_eq!(rx.search_ids(&["widget", "--limit", "2"]).len(), 2);
    assert_eq!(rx.search_ids(&["widget", "--limit", "1"]).len(), 1);
    assert_eq!(
        rx.search_ids(&["widget", "--include-non-interactive", "--limit", "3"])
            .len(),
        3
    );
    // The default limit is 10.
    let default = rx.json(&["search", "widget", "--include-non-interactive", "--json"]);
    assert_eq!(default["hits"].as_array().expect("hits").len(), 5);
}

#[test]
fn a_legacy_session_passes_a_since_filter_before_its_start() {
    let rx = Rx::fixture();
    assert_only(&rx, "quokkafied", ids::L);
    assert_eq!(
        rx.search_ids(&["quokkafied", "--since", "2025-08-01"]),
        vec![ids::L.to_owned()]
    );
}

#[test]
fn non_interactive_sessions_are_hidden_unless_asked_for() {
    let rx = Rx::fixture();
    rx.index();
    assert_none(&rx, &["benchmarks"]);
    assert_none(&rx, &["entries"]);
    // Finding nothing says so, and counts the hidden sessions that would match (S7 is a
    // `codex exec` session, S8 a sub-agent's: testdata/fixtures-index/README.md).
    let out = rx.run(&["search", "benchmarks"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end(),
        "rolldex: no matches for \"benchmarks\"; 1 `codex exec` or sub-agent session matches \
         (--include-non-interactive shows it)"
    );
    // `widget` is typed in S2, S7 and S8; only S7 and S8 are this recent.
    let out = rx.run(&["search", "widget", "--since", "2026-03-06"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end(),
        "rolldex: no matches for \"widget\"; 2 `codex exec` or sub-agent sessions match \
         (--include-non-interactive shows them)"
    );
    let out = rx.run(&["search", "zzqnowhereword"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stderr.trim_end(),
        "rolldex: no matches for \"zzqnowhereword\""
    );
    let out = rx.run(&["-q", "search", "benchmarks"]);
    assert_eq!((out.code, out.stderr.as_str()), (1, ""));
    assert_eq!(
        rx.search_set(&["benchmarks", "--include-non-interactive"]),
        set(&[ids::S7])
    );
    assert_eq!(
        rx.search_set(&["entries", "--include-non-interactive"]),
        set(&[ids::S8])
    );
    assert_eq!(
        rx.search_set(&["widget", "--include-non-interactive"]),
        set(&[ids::S2, ids::S3, ids::S4, ids::S7, ids::S8])
    );
    // The fork's copy of its parent's history is the parent's text, found once, in the parent.
    assert_eq!(
        rx.search_ids(&["flickers", "--include-non-interactive"]),
        vec![ids::S2.to_owned()]
    );
}

#[test]
fn json_hits_have_the_documented_shape() {
    let rx = Rx::fixture();
    let out = rx.run(&["search", "widget", "--include-non-interactive", "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let value: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let object = value.as_object().expect("object");
    assert_eq!(object.keys().collect::<Vec<_>>(), vec!["hits"]);
    let hits = value["hits"].as_array().expect("hits");
    assert_eq!(hits.len(), 5);
    let mut seen = BTreeSet::new();
    let mut last_score = f64::INFINITY;
    for hit in hits {
        let keys: BTreeSet<&str> = hit
            .as_object()
            .expect("hit object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "session_id",
                "score",
                "timestamp",
                "cwd",
                "role",
                "snippet",
                "title"
            ]
            .into_iter()
            .collect(),
            "hit keys: {hit}"
        );
        let id = hit["session_id"].as_str().expect("session_id string");
        assert!(
            seen.insert(id.to_owned()),
            "one hit per session: {id} twice"
        );
        let score = hit["score"].as_f64().expect("score number");
        assert!(
            score > 0.0 && score <= last_score,
            "sorted by score: {hits:?}"
        );
        last_score = score;
        let ts = hit["timestamp"].as_str().expect("timestamp string");
        assert!(
            chrono::DateTime::parse_from_rfc3339(ts).is_ok(),
            "timestamp is RFC 3339: {ts}"
        );
        assert!(
            ts.starts_with("2026-03-0"),
            "timestamp of the message: {ts}"
        );
        assert!(
            hit["cwd"]
                .as_str()
                .expect("cwd")
                .starts_with("/home/dev/proj")
        );
        assert!(
            ["user", "assistant", "tool_output"].contains(&hit["role"].as_str().expect("role")),
            "{hit}"
        );
        let snippet = hit["snippet"].as_str().expect("snippet");
        assert!(
            snippet.to_lowercase().contains("widget"),
            "snippet shows the match: {snippet}"
        );
        assert!(!snippet.contains('\x1b'), "no colour in JSON");
        assert!(hit["title"].is_string(), "{hit}");
    }
    let by_id = |id: &str| hits.iter().find(|h| h["session_id"] == id).expect("hit");
    assert_eq!(by_id(ids::S2)["role"], "user");
    assert_eq!(
        by_id(ids::S2)["title"],
        "the widget gizmo flickers on resize"
    );
    assert_eq!(by_id(ids::S3)["role"], "assistant");
    assert_eq!(by_id(ids::S3)["title"], "layout cache");
    assert_eq!(by_id(ids::S3)["cwd"], "/home/dev/proj/app");
    assert_eq!(by_id(ids::S4)["role"], "tool_output");
    assert_eq!(by_id(ids::S4)["cwd"], "/home/dev/proj2");
    assert!(
        by_id(ids::S3)["timestamp"]
            .as_str()
            .expect("ts")
            .starts_with("2026-03-03T09:00:00")
    );
    let s1 = rx.json(&["search", "jwt", "--json"]);
    assert_eq!(
        s1["hits"][0]["title"], "auth refactor",
        "the thread name is the title"
    );
    assert_eq!(s1["hits"][0]["role"], "assistant");
    assert!(
        s1["hits"][0]["snippet"]
            .as_str()
            .expect("snippet")
            .contains("refresh_jwt_token_v2")
    );
}

#[test]
fn exit_codes_follow_grep() {
    let rx = Rx::fixture();
    let hit = rx.run(&["search", "zephyrine"]);
    assert_eq!(hit.code, 0, "{}", hit.stderr);
    assert!(
        hit.stdout.contains(ids::S9),
        "table names the session: {}",
        hit.stdout
    );
    assert!(
        !hit.stdout.contains('\x1b'),
        "no colour when piped / NO_COLOR"
    );

    let none = rx.run(&["search", "nonexistentwordzz"]);
    assert_eq!(none.code, 1, "no hits: {}", none.stderr);
    assert!(!none.stdout.contains("019c"), "{}", none.stdout);
    let none_json = rx.run(&["search", "nonexistentwordzz", "--json"]);
    assert_eq!(none_json.code, 1);
    if !none_json.stdout.trim().is_empty() {
        let v: Value = serde_json::from_str(&none_json.stdout).expect("JSON when printed");
        assert_eq!(v["hits"].as_array().map(Vec::len), Some(0));
    }

    for (query, about) in [
        ("\"unclosed", "quote"),
        ("-only", "word"),
        ("-", "-"),
        ("", "word"),
    ] {
        let out = rx.run(&["search", "--", query]);
        assert_eq!(
            out.code, 2,
            "bad query {query:?}: {} / {}",
            out.stdout, out.stderr
        );
        assert!(
            out.stdout.is_empty(),
            "nothing on stdout for {query:?}: {}",
            out.stdout
        );
        assert!(
            out.stderr.to_lowercase().contains(about),
            "the message for {query:?} says what is wrong: {}",
            out.stderr
        );
    }
    let bad_flag = rx.run(&["search", "widget", "--role", "wizard"]);
    assert_eq!(bad_flag.code, 2);
    let bad_date = rx.run(&["search", "widget", "--since", "March"]);
    assert_eq!(bad_date.code, 2);
}
