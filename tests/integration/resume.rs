//! `rolldex resume`, `sessions` and `show` (issue 4): the planted-facts home
//! (`testdata/fixtures-index/home`) and, for "the latest session of this directory", a home
//! written in the test whose sessions live in a real temporary directory.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::index::{Rx, ids, lines, set};

/// True for a lowercase hyphenated UUID.
fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// stdout of a successful `resume` as its lines, asserting every line is a bare UUID.
fn id_lines(out: &crate::util::Output, what: &str) -> Vec<String> {
    assert_eq!(
        out.code, 0,
        "{what}: exit {}; stderr: {}",
        out.code, out.stderr
    );
    assert!(
        out.stdout.ends_with('\n'),
        "{what}: lines end with a newline: {:?}",
        out.stdout
    );
    let ids: Vec<String> = out.stdout.lines().map(str::to_owned).collect();
    for id in &ids {
        assert!(
            is_uuid(id),
            "{what}: stdout holds only ids, got {:?}",
            out.stdout
        );
    }
    ids
}

fn owned(ids: &[&str]) -> Vec<String> {
    ids.iter().map(|s| (*s).to_owned()).collect()
}

// ---------------------------------------------------------------------------------------------
// A home whose sessions live in real directories
// ---------------------------------------------------------------------------------------------

const I1: &str = "019d0000-0000-7000-8000-000000000001";
const I2: &str = "019d0000-0000-7000-8000-000000000002";
const I3: &str = "019d0000-0000-7000-8000-000000000003";
const M: &str = "019d0000-0000-7000-8000-000000000004";
const X: &str = "019d0000-0000-7000-8000-000000000005";
const F: &str = "019d0000-0000-7000-8000-000000000006";
const O: &str = "019d0000-0000-7000-8000-000000000007";

/// A Codex home (in a tempdir) for a project directory `proj` with:
/// - I1: interactive, cwd proj, started 09:00, resumed (appended to) at 11:30 → latest updated;
/// - I2: interactive, cwd proj, 10:00–10:05;
/// - I3: interactive, cwd proj/sub, 10:30–10:31;
/// - M: interactive, created in another dir, its latest `turn_context` in proj, last line 11:00;
/// - X: `codex exec` in proj at 12:00 (newer than every interactive one);
/// - F: a sub-agent fork of I1 in proj at 13:00 (newest in proj);
/// - O: interactive in another directory at 14:00 (newest of all).
struct Project {
    rx: Rx,
    proj: PathBuf,
    sub: PathBuf,
    elsewhere: PathBuf,
    empty: PathBuf,
    _root: tempfile::TempDir,
}

fn project() -> Project {
    let root = tempfile::tempdir().expect("tempdir");
    let base = root.path().canonicalize().expect("canonical tempdir");
    let home = base.join("codex-home");
    let proj = base.join("work").join("proj");
    let sub = proj.join("sub");
    let elsewhere = base.join("work").join("elsewhere");
    let empty = base.join("work").join("empty");
    for dir in [&home, &sub, &elsewhere, &empty] {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    let p = proj.to_str().expect("utf-8 path");
    let s = sub.to_str().expect("utf-8 path");
    let e = elsewhere.to_str().expect("utf-8 path");
    let model = "gpt-5.2-codex";
    let cli = "\"cli\"";
    let t = |hms: &str| format!("2026-04-01T{hms}Z");

    let i1_head = vec![
        lines::meta(&t("09:00:00.000"), I1, p, "codex_cli_rs", cli, None),
        lines::environment(&t("09:00:00.100"), p),
        lines::user(&t("09:00:01.000"), "first plan for the parser"),
        lines::context(&t("09:00:01.100"), p, model),
        lines::assistant(&t("09:00:05.000"), "Here is a plan for the parser."),
        lines::token_count(&t("09:00:06.000"), [1000, 0, 100, 0], [1000, 0, 100, 0]),
    ];
    let mut i1 = i1_head.clone();
    i1.extend([
        lines::user(&t("11:30:00.000"), "continue the parser plan"),
        lines::context(&t("11:30:00.100"), p, model),
        lines::assistant(&t("11:30:04.000"), "Continuing."),
    ]);
    lines::write(&lines::rollout_path(&home, "2026-04-01T09:00:00", I1), &i1);

    lines::write(
        &lines::rollout_path(&home, "2026-04-01T10:00:00", I2),
        &[
            lines::meta(&t("10:00:00.000"), I2, p, "codex_cli_rs", cli, None),
            lines::user(&t("10:00:01.000"), "rename the config struct"),
            lines::context(&t("10:00:01.100"), p, model),
            lines::assistant(&t("10:05:00.000"), "Renamed."),
        ],
    );
    lines::write(
        &lines::rollout_path(&home, "2026-04-01T10:30:00", I3),
        &[
            lines::meta(&t("10:30:00.000"), I3, s, "codex_cli_rs", cli, None),
            lines::user(&t("10:30:01.000"), "tidy the sub crate"),
            lines::context(&t("10:30:01.100"), s, model),
            lines::assistant(&t("10:31:00.000"), "Tidied."),
        ],
    );
    lines::write(
        &lines::rollout_path(&home, "2026-04-01T10:40:00", M),
        &[
            lines::meta(
                &t("10:40:00.000"),
                M,
                "/home/dev/moved-from",
                "codex_cli_rs",
                cli,
                None,
            ),
            lines::user(&t("10:40:01.000"), "move over to the project"),
            lines::context(&t("10:40:01.100"), p, model),
            lines::assistant(&t("11:00:00.000"), "Moved."),
        ],
    );
    lines::write(
        &lines::rollout_path(&home, "2026-04-01T12:00:00", X),
        &[
            lines::meta(&t("12:00:00.000"), X, p, "codex_exec", "\"exec\"", None),
            lines::user(&t("12:00:01.000"), "run the parser benchmarks"),
            lines::context(&t("12:00:01.100"), p, model),
            lines::assistant(&t("12:00:30.000"), "Done."),
        ],
    );
    // The fork: own session_meta, the parent's copied session_meta and items in the same
    // second, then its own lines.
    let spawn = format!(
        "{{\"subagent\":{{\"thread_spawn\":{{\"parent_thread_id\":{},\"depth\":1,\"agent_path\":null,\"agent_nickname\":\"Scout\",\"agent_role\":\"explorer\"}}}}}}",
        lines::q(I1)
    );
    let mut fork = vec![lines::meta(
        &t("13:00:00.000"),
        F,
        p,
        "codex_cli_rs",
        &spawn,
        Some(I1),
    )];
    for (n, line) in i1_head.iter().enumerate() {
        let value: Value = serde_json::from_str(line).expect("own line");
        let old = value["timestamp"].as_str().expect("ts").to_owned();
        fork.push(line.replacen(&old, &t(&format!("13:00:00.{:03}", n + 1)), 1));
    }
    fork.extend([
        lines::user(&t("13:00:05.000"), "look for parser edge cases"),
        lines::context(&t("13:00:05.100"), p, model),
        lines::assistant(&t("13:00:20.000"), "Found two."),
    ]);
    lines::write(&lines::rollout_path(&home, "2026-04-01T13:00:00", F), &fork);
    lines::write(
        &lines::rollout_path(&home, "2026-04-01T14:00:00", O),
        &[
            lines::meta(&t("14:00:00.000"), O, e, "codex_cli_rs", cli, None),
            lines::user(
                &t("14:00:01.000"),
                "write a parser for the elsewhere format",
            ),
            lines::context(&t("14:00:01.100"), e, model),
            lines::assistant(&t("14:00:30.000"), "Written."),
        ],
    );
    let rx = Rx::new(&home);
    Project {
        rx,
        proj,
        sub,
        elsewhere,
        empty,
        _root: root,
    }
}

#[test]
fn resume_without_a_query_picks_the_latest_interactive_session_of_this_directory() {
    let pj = project();
    let rx = &pj.rx;
    rx.index();
    let run = |dir: &Path, args: &[&str]| {
        let mut all = vec!["resume"];
        all.extend_from_slice(args);
        let out = rx.run_in(dir, &all);
        id_lines(&out, &format!("resume {args:?} in {}", dir.display()))
    };
    // Newer exec run (X) and sub-agent fork (F) exist in proj; updated = time of the last line,
    // so I1 (resumed at 11:30) beats I2 (started later, idle since 10:05).
    assert_eq!(run(&pj.proj, &[]), owned(&[I1]));
    assert_eq!(run(&pj.proj, &["--limit", "10"]), owned(&[I1, M, I3, I2]));
    assert_eq!(run(&pj.proj, &["-n", "2"]), owned(&[I1, M]));
    assert_eq!(run(&pj.proj, &["--include-non-interactive"]), owned(&[F]));
    assert_eq!(
        run(&pj.proj, &["--include-non-interactive", "--limit", "3"]),
        owned(&[F, X, I1])
    );
    // Below: only what is in the subdirectory.
    assert_eq!(run(&pj.sub, &["--limit", "10"]), owned(&[I3]));
    // --cwd from somewhere else; --all for every project.
    let p = pj.proj.to_str().expect("utf-8");
    assert_eq!(run(&pj.elsewhere, &["--cwd", p]), owned(&[I1]));
    assert_eq!(
        run(&pj.empty, &["--cwd", p, "--limit", "2"]),
        owned(&[I1, M])
    );
    assert_eq!(run(&pj.proj, &["--all"]), owned(&[O]));
    assert_eq!(run(&pj.elsewhere, &[]), owned(&[O]));
    // A directory without sessions: exit 1, nothing on stdout, a message on stderr.
    let out = rx.run_in(&pj.empty, &["resume"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.is_empty(), "{:?}", out.stdout);
    assert!(!out.stderr.trim().is_empty(), "a message on stderr");
}

#[test]
fn resume_with_a_query_searches_every_project_unless_told_a_directory() {
    let pj = project();
    let rx = &pj.rx;
    let p = pj.proj.to_str().expect("utf-8");
    let found = |dir: &Path, args: &[&str]| -> BTreeSet<String> {
        let mut all = vec!["resume"];
        all.extend_from_slice(args);
        id_lines(&rx.run_in(dir, &all), &format!("{args:?}"))
            .into_iter()
            .collect()
    };
    assert_eq!(found(&pj.proj, &["parser", "--limit", "10"]), set(&[I1, O]));
    assert_eq!(
        found(&pj.empty, &["parser", "--limit", "10"]),
        set(&[I1, O])
    );
    assert_eq!(
        found(&pj.proj, &["parser", "--cwd", p, "--limit", "10"]),
        set(&[I1])
    );
    assert_eq!(
        found(
            &pj.proj,
            &["parser", "--include-non-interactive", "--limit", "10"]
        ),
        set(&[I1, O, X, F])
    );
    assert_eq!(found(&pj.proj, &["tidy"]), set(&[I3]));
    assert_eq!(
        found(&pj.proj, &["parser"]).len(),
        1,
        "--limit defaults to 1"
    );
}

#[test]
fn resume_by_query_within_a_directory_on_the_planted_home() {
    let rx = Rx::fixture();
    rx.index();
    let run = |args: &[&str]| {
        let mut all = vec!["resume"];
        all.extend_from_slice(args);
        id_lines(&rx.run(&all), &format!("resume {args:?}"))
    };
    assert_eq!(run(&["jwt", "--cwd", "/home/dev/proj"]), owned(&[ids::S1]));
    assert_eq!(run(&["refresh_jwt_token_v2"]), owned(&[ids::S1]));
    assert_eq!(run(&["auth", "refactor"]), owned(&[ids::S1]), "thread name");
    assert_eq!(run(&["zephyrine"]), owned(&[ids::S9]));
    // Words in different messages of one session still match that session as a whole
    // (ERR_QX7731 is in S1's user text, refresh_jwt_token_v2 in its assistant reply) …
    assert_eq!(
        run(&["ERR_QX7731", "refresh_jwt_token_v2"]),
        owned(&[ids::S1])
    );
    // … and an excluded word drops every session that has it anywhere (S1 mentions gizmo in
    // its reasoning and jwt in a reply).
    let no_jwt: BTreeSet<String> = run(&["gizmo -jwt", "--limit", "10"]).into_iter().collect();
    assert_eq!(no_jwt, set(&[ids::S2, ids::S3, ids::S4]));
    let widget_proj: BTreeSet<String> = run(&["widget", "--cwd", "/home/dev/proj", "--limit", "5"])
        .into_iter()
        .collect();
    assert_eq!(widget_proj, set(&[ids::S2, ids::S3]));
    let with_headless: BTreeSet<String> = run(&[
        "widget",
        "--cwd",
        "/home/dev/proj",
        "--limit",
        "5",
        "--include-non-interactive",
    ])
    .into_iter()
    .collect();
    assert_eq!(with_headless, set(&[ids::S2, ids::S3, ids::S7, ids::S8]));
    let everywhere: BTreeSet<String> = run(&["widget", "--limit", "10"]).into_iter().collect();
    assert_eq!(everywhere, set(&[ids::S2, ids::S3, ids::S4]));
    assert_eq!(run(&["widget"]).len(), 1);
    assert_eq!(run(&["widget", "--limit", "2"]).len(), 2);
    // Without a query, restricted to the directory: S3 (03-03) is the latest interactive one
    // under /home/dev/proj; the exec run (03-06) and the fork (03-07) are newer.
    assert_eq!(run(&["--cwd", "/home/dev/proj"]), owned(&[ids::S3]));
    assert_eq!(
        run(&[
            "--cwd",
            "/home/dev/proj",
            "--include-non-interactive",
            "--limit",
            "3"
        ]),
        owned(&[ids::S8, ids::S7, ids::S3])
    );
    assert_eq!(run(&["--cwd", "/home/dev/proj2"]), owned(&[ids::S4]));
}

#[test]
fn resume_with_no_match_exits_1_with_nothing_on_stdout() {
    let rx = Rx::fixture();
    for args in [
        &["resume", "jwt", "--cwd", "/home/dev/proj2"][..],
        &["resume", "nonexistentwordzz"],
        &["resume", "benchmarks"],
        &["resume", "--cwd", "/home/dev/nowhere"],
        &["resume", "jwt", "--json", "--cwd", "/home/dev/proj2"],
        &[
            "resume",
            "jwt",
            "--print-command",
            "--cwd",
            "/home/dev/proj2",
        ],
    ] {
        let out = rx.run(args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{args:?}: stdout {:?}", out.stdout);
        assert!(
            !out.stderr.trim().is_empty(),
            "{args:?}: a message on stderr"
        );
    }
    // The message counts the hidden sessions that would match (testdata/fixtures-index/
    // README.md): `benchmarks` is only in S7 (a `codex exec` run); `widget` without `gizmo` only
    // in S7 and S8 (a sub-agent; S2, S3 and S4 say gizmo). Nothing matches `nonexistentwordzz`.
    let message = |args: &[&str]| rx.run(args).stderr.trim_end().to_owned();
    assert_eq!(
        message(&["resume", "benchmarks"]),
        "rolldex: no session matching \"benchmarks\" in any project; 1 `codex exec` or sub-agent \
         session matches (--include-non-interactive shows it)"
    );
    assert_eq!(
        message(&["resume", "widget -gizmo"]),
        "rolldex: no session matching \"widget -gizmo\" in any project; 2 `codex exec` or sub-agent \
         sessions match (--include-non-interactive shows them)"
    );
    assert_eq!(
        message(&["resume", "nonexistentwordzz"]),
        "rolldex: no session matching \"nonexistentwordzz\" in any project"
    );
}

#[test]
fn resume_print_command_json_and_exec() {
    let rx = Rx::fixture();
    let out = rx.run(&["resume", "jwt", "--print-command"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("codex resume {}\n", ids::S1));
    let out = rx.run(&[
        "resume",
        "jwt",
        "--print-command",
        "--codex-bin",
        "/opt/bin/codex",
    ]);
    assert_eq!(out.stdout, format!("/opt/bin/codex resume {}\n", ids::S1));
    let spaced = rx.run(&[
        "resume",
        "jwt",
        "--print-command",
        "--codex-bin",
        "/opt/my tools/codex",
    ]);
    assert_eq!(spaced.code, 0);
    let line = spaced.stdout.trim_end();
    assert!(
        line.ends_with(&format!(" resume {}", ids::S1)) && line.contains("my tools/codex"),
        "{line}"
    );
    assert!(
        line.starts_with('\'') || line.starts_with('"') || line.contains("\\ "),
        "a path with a space is quoted for the shell: {line}"
    );

    let json = rx.json(&["resume", "jwt", "--json"]);
    let sessions = json["sessions"].as_array().expect("sessions array");
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(s["session_id"], ids::S1);
    assert!(
        s["updated_at"]
            .as_str()
            .expect("updated_at")
            .starts_with("2026-03-02T09:10:00")
    );
    assert_eq!(s["cwd"], "/home/dev/proj");
    assert_eq!(s["name"], "auth refactor");
    assert_eq!(
        s["title"],
        "the import fails with ERR_QX7731 when the loader starts"
    );
    assert_eq!(s["models"], serde_json::json!(["gpt-5.2-codex"]));
    assert_eq!(s["originator"], "codex_vscode");
    assert!(
        s["snippet"].as_str().expect("snippet").contains("jwt"),
        "the matching snippet: {s}"
    );
    let latest = rx.json(&[
        "resume",
        "--cwd",
        "/home/dev/proj",
        "--json",
        "--limit",
        "2",
    ]);
    let listed: Vec<&str> = latest["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["session_id"].as_str().expect("id"))
        .collect();
    assert_eq!(listed, vec![ids::S3, ids::S1]);
}

#[cfg(unix)]
#[test]
fn resume_exec_runs_the_codex_binary_with_resume_and_the_id() {
    use std::os::unix::fs::PermissionsExt;
    let rx = Rx::fixture();
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("fake codex");
    std::fs::write(
        &script,
        "#!/bin/sh\nfor a in \"$@\"; do printf 'arg:%s\\n' \"$a\"; done\n",
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let args = |query: &'static str| -> Vec<&std::ffi::OsStr> {
        vec![
            "resume".as_ref(),
            query.as_ref(),
            "--exec".as_ref(),
            "--codex-bin".as_ref(),
            script.as_os_str(),
        ]
    };
    let out = rx.run(&args("jwt"));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("arg:resume\narg:{}\n", ids::S1));
    // No match: nothing is run.
    let out = rx.run(&args("nonexistentwordzz"));
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

// ---------------------------------------------------------------------------------------------
// sessions
// ---------------------------------------------------------------------------------------------

fn session_ids(value: &Value) -> Vec<String> {
    value["sessions"]
        .as_array()
        .expect("sessions array")
        .iter()
        .map(|s| s["session_id"].as_str().expect("session_id").to_owned())
        .collect()
}

#[test]
fn sessions_counts_with_and_without_non_interactive_ones() {
    let rx = Rx::fixture();
    let interactive = rx.json(&["sessions", "--json"]);
    assert_eq!(
        session_ids(&interactive),
        owned(&[ids::S4, ids::S3, ids::S1, ids::S2, ids::S9, ids::L]),
        "newest updated first"
    );
    let all = rx.json(&["sessions", "--include-non-interactive", "--json"]);
    assert_eq!(
        session_ids(&all),
        owned(&[
            ids::S8,
            ids::S7,
            ids::S4,
            ids::S3,
            ids::S1,
            ids::S2,
            ids::S9,
            ids::L
        ])
    );
    assert_eq!(
        session_ids(&rx.json(&["sessions", "--limit", "2", "--json"])),
        owned(&[ids::S4, ids::S3])
    );
    // The table lists the same sessions.
    let table = rx.run(&["sessions"]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    for id in [ids::S4, ids::S3, ids::S1, ids::S2, ids::S9, ids::L] {
        assert!(
            table.stdout.contains(id),
            "table lists {id}: {}",
            table.stdout
        );
    }
    assert!(!table.stdout.contains(ids::S7) && !table.stdout.contains(ids::S8));
    assert!(
        table.stdout.contains("auth refactor"),
        "name shown: {}",
        table.stdout
    );
}

#[test]
fn sessions_json_has_the_documented_shape() {
    let rx = Rx::fixture();
    let all = rx.json(&["sessions", "--include-non-interactive", "--json"]);
    assert_eq!(
        all.as_object().expect("object").keys().collect::<Vec<_>>(),
        vec!["sessions"]
    );
    let list = all["sessions"].as_array().expect("sessions");
    let want_keys: BTreeSet<&str> = [
        "session_id",
        "started_at",
        "updated_at",
        "cwd",
        "models",
        "originator",
        "source",
        "model_provider",
        "agent_role",
        "agent_nickname",
        "interactive",
        "name",
        "title",
        "turns",
        "usage",
    ]
    .into_iter()
    .collect();
    for s in list {
        let keys: BTreeSet<&str> = s
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, want_keys, "{s}");
        let usage: BTreeSet<&str> = s["usage"]
            .as_object()
            .expect("usage object")
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(usage, crate::util::JSON_FIELDS.into_iter().collect(), "{s}");
        assert!(s["models"].is_array() && s["turns"].is_u64() && s["interactive"].is_boolean());
    }
    let get = |id: &str| list.iter().find(|s| s["session_id"] == id).expect("listed");
    let s1 = get(ids::S1);
    assert_eq!(
        s1["started_at"].as_str().map(|t| &t[..19]),
        Some("2026-03-02T09:00:00")
    );
    assert_eq!(
        s1["updated_at"].as_str().map(|t| &t[..19]),
        Some("2026-03-02T09:10:00")
    );
    assert_eq!(s1["cwd"], "/home/dev/proj");
    assert_eq!(s1["models"], serde_json::json!(["gpt-5.2-codex"]));
    assert_eq!(s1["originator"], "codex_vscode");
    assert_eq!(s1["source"], "vscode");
    assert_eq!(s1["interactive"], true);
    assert_eq!(s1["name"], "auth refactor");
    // "hi" is skipped and so is the IDE context before "## My request for Codex:".
    assert_eq!(
        s1["title"],
        "the import fails with ERR_QX7731 when the loader starts"
    );
    assert_eq!(s1["turns"], 3);
    assert_eq!(
        crate::util::usage(&s1["usage"]),
        [3000, 2400, 300, 100, 3300],
        "usage worked out in the fixture README"
    );
    let s3 = get(ids::S3);
    assert_eq!(s3["models"], serde_json::json!(["gpt-5-mini"]));
    assert_eq!(
        crate::util::usage(&s3["usage"]),
        [2000, 1000, 200, 100, 2200]
    );
    assert_eq!(s3["name"], "layout cache");
    let s2 = get(ids::S2);
    assert!(s2["name"].is_null());
    assert_eq!(s2["title"], "the widget gizmo flickers on resize");
    let s7 = get(ids::S7);
    assert_eq!(s7["interactive"], false);
    assert_eq!(s7["originator"], "codex_exec");
    assert_eq!(s7["source"], "exec");
    let s8 = get(ids::S8);
    assert_eq!(s8["interactive"], false);
    assert!(
        s8["source"].as_str().expect("source").contains("subagent"),
        "{s8}"
    );
    assert_eq!(s8["title"], "check the widget cache for stale entries");
    assert_eq!(s8["turns"], 1, "copied parent turns are not the fork's");
    assert_eq!(crate::util::usage(&s8["usage"]), [500, 200, 50, 20, 550]);
    let legacy = get(ids::L);
    assert!(legacy["cwd"].is_null());
    assert_eq!(legacy["title"], "make the parser quokkafied and robust");
    assert_eq!(legacy["interactive"], true);
    assert_eq!(crate::util::usage(&legacy["usage"]), [0, 0, 0, 0, 0]);
    assert_eq!(get(ids::S9)["title"], "rename the zephyrine config loader");
}

#[test]
fn sessions_filters() {
    let rx = Rx::fixture();
    let ids_of = |args: &[&str]| {
        let mut all = vec!["sessions"];
        all.extend_from_slice(args);
        all.push("--json");
        session_ids(&rx.json(&all))
    };
    assert_eq!(
        ids_of(&["--cwd", "/home/dev/proj"]),
        owned(&[ids::S3, ids::S1, ids::S2, ids::S9])
    );
    assert_eq!(ids_of(&["--cwd", "/home/dev/proj/app"]), owned(&[ids::S3]));
    assert_eq!(ids_of(&["--cwd", "/home/dev/proj2"]), owned(&[ids::S4]));
    assert_eq!(
        ids_of(&["--cwd", "/home/dev/proj", "--include-non-interactive"]),
        owned(&[ids::S8, ids::S7, ids::S3, ids::S1, ids::S2, ids::S9])
    );
    assert_eq!(ids_of(&["--model", "gpt-5-mini"]), owned(&[ids::S3]));
    assert_eq!(
        ids_of(&["--since", "2026-03-03"]),
        owned(&[ids::S4, ids::S3])
    );
    assert_eq!(
        ids_of(&["--since", "2026-03-02", "--until", "2026-03-03"]),
        owned(&[ids::S3, ids::S1])
    );
    assert!(ids_of(&["--since", "2026-03-08"]).is_empty());
    let empty = rx.run(&["sessions", "--cwd", "/home/dev/nowhere"]);
    assert_eq!(empty.code, 0, "{}", empty.stderr);
}

// ---------------------------------------------------------------------------------------------
// show
// ---------------------------------------------------------------------------------------------

#[test]
fn show_by_id_prefix_and_thread_name() {
    let rx = Rx::fixture();
    rx.index();
    let by_id = rx.run(&["show", ids::S1]);
    assert_eq!(by_id.code, 0, "{}", by_id.stderr);
    let text = &by_id.stdout;
    assert!(text.contains(ids::S1), "{text}");
    // In order: the greeting, the request, the tool call, the error, the reply, the last ask.
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("show prints {needle:?}:\n{text}"))
    };
    let order = [
        at("Hello! What should we work on?"),
        at("the import fails with ERR_QX7731"),
        at("Looking at the gizmo registry"),
        at("sed -n 1,80p src/import.rs"),
        at("Error: connection reset by peer"),
        at("refresh_jwt_token_v2"),
        at("7d1e9c52-3b4a-4f6e-9a0b-c2d3e4f5a6b7"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "conversation in order: {order:?}"
    );
    for injected in ["envonlyshellword", "ideonlytabword", "My request for Codex"] {
        assert!(
            !text.contains(injected),
            "injected context {injected:?} is not shown"
        );
    }
    assert!(!text.contains('\x1b'), "no colour when piped");
    // A unique prefix and the thread name name the same session.
    let by_prefix = rx.run(&["show", "019cd1a1"]);
    assert_eq!(by_prefix.code, 0, "{}", by_prefix.stderr);
    assert_eq!(by_prefix.stdout, by_id.stdout);
    let by_name = rx.run(&["show", "auth refactor"]);
    assert_eq!(by_name.code, 0, "{}", by_name.stderr);
    assert_eq!(by_name.stdout, by_id.stdout);
    // Archived, legacy and non-interactive sessions can be shown too.
    let legacy = rx.run(&["show", "5e9a1c0d"]);
    assert_eq!(legacy.code, 0, "{}", legacy.stderr);
    assert!(legacy.stdout.contains("quokkafied") && legacy.stdout.contains("Done."));
    assert!(
        !legacy.stdout.contains("be brief"),
        "legacy injected instructions hidden"
    );
    let archived = rx.run(&["show", ids::S9]);
    assert!(archived.stdout.contains("zephyrine"), "{}", archived.stdout);
    let fork = rx.run(&["show", ids::S8]);
    assert_eq!(fork.code, 0);
    assert!(fork.stdout.contains("stale entries"), "{}", fork.stdout);
    assert!(
        !fork.stdout.contains("flickers on resize"),
        "the parent's copied history is not the fork's conversation: {}",
        fork.stdout
    );
}

#[test]
fn show_grep_and_json() {
    let rx = Rx::fixture();
    let grep = rx.run(&["show", ids::S1, "--grep", "jwt"]);
    assert_eq!(grep.code, 0, "{}", grep.stderr);
    assert!(
        grep.stdout.contains("refresh_jwt_token_v2"),
        "{}",
        grep.stdout
    );
    assert!(
        grep.stdout.contains("ERR_QX7731"),
        "the matching turn's context: {}",
        grep.stdout
    );
    assert!(
        !grep.stdout.contains("Hello! What should we work on?"),
        "{}",
        grep.stdout
    );
    assert!(!grep.stdout.contains("7d1e9c52"), "{}", grep.stdout);

    let json = rx.json(&["show", ids::S1, "--json"]);
    let messages = json["messages"].as_array().expect("messages array");
    let first = &messages[0];
    assert_eq!(first["role"], "user");
    assert_eq!(first["text"], "hi");
    assert!(
        first["timestamp"]
            .as_str()
            .expect("timestamp")
            .starts_with("2026-03-02T09:00:00")
    );
    let roles: BTreeSet<&str> = messages
        .iter()
        .map(|m| m["role"].as_str().expect("role"))
        .collect();
    assert_eq!(
        roles,
        ["user", "assistant", "reasoning", "tool_call", "tool_output"]
            .into_iter()
            .collect()
    );
    let call = messages
        .iter()
        .find(|m| {
            m["role"] == "tool_call"
                && m["text"]
                    .as_str()
                    .is_some_and(|t| t.contains("src/import.rs"))
        })
        .expect("the sed call");
    assert_eq!(call["tool"], "shell_command");
    let output = messages
        .iter()
        .find(|m| {
            m["role"] == "tool_output" && m["text"].as_str().is_some_and(|t| t.contains("line 030"))
        })
        .expect("the long output is whole in JSON");
    assert!(
        output["text"]
            .as_str()
            .expect("text")
            .ends_with("connection reset by peer\n")
    );
    let users: Vec<&str> = messages
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["text"].as_str().expect("text"))
        .collect();
    assert_eq!(users.len(), 3);
    assert_eq!(
        users[1],
        "the import fails with ERR_QX7731 when the loader starts"
    );
    let by_name = rx.json(&["show", "auth refactor", "--json"]);
    assert_eq!(by_name, json);
}

#[test]
fn show_unknown_or_ambiguous_id_exits_1_listing_candidates() {
    let rx = Rx::fixture();
    for unknown in [
        "00000000-dead-beef-0000-000000000000",
        "no such thread name",
        "019cd9",
    ] {
        let out = rx.run(&["show", unknown]);
        assert_eq!(out.code, 1, "{unknown}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{unknown}: {}", out.stdout);
        assert!(
            out.stderr.contains(unknown),
            "the message names {unknown:?}: {}",
            out.stderr
        );
    }
    // 019cd1a → S1 (019cd1a1) and S9 (019cd1a9).
    let two = rx.run(&["show", "019cd1a"]);
    assert_eq!(two.code, 1);
    assert!(two.stdout.is_empty());
    assert!(
        two.stderr.contains(ids::S1) && two.stderr.contains(ids::S9),
        "{}",
        two.stderr
    );
    assert!(!two.stderr.contains(ids::S2), "{}", two.stderr);
    // 019cd1 → every v2 session of the fixture, non-interactive ones included.
    let all = rx.run(&["show", "019cd1"]);
    assert_eq!(all.code, 1);
    for id in [
        ids::S1,
        ids::S2,
        ids::S3,
        ids::S4,
        ids::S7,
        ids::S8,
        ids::S9,
    ] {
        assert!(
            all.stderr.contains(id),
            "candidates list {id}: {}",
            all.stderr
        );
    }
}

#[test]
fn stdout_holds_only_ids_when_piped() {
    let rx = Rx::fixture();
    // A first run builds the index: whatever it says goes to stderr, never stdout.
    let out = rx.run(&["resume", "--cwd", "/home/dev/proj", "--limit", "3"]);
    assert_eq!(
        id_lines(&out, "first resume"),
        owned(&[ids::S3, ids::S1, ids::S2])
    );
    let out = rx.run(&[
        "resume",
        "widget",
        "--limit",
        "3",
        "--include-non-interactive",
    ]);
    assert_eq!(id_lines(&out, "resume widget").len(), 3);
}
