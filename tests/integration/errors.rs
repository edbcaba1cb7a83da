//! Usage errors: exit code 2, a message on stderr that says what is wrong, nothing on stdout.

use crate::util::{Output, assert_no_panic, fixture, run};

fn assert_usage_error(out: &Output, needle: &str) {
    assert_eq!(out.code, 2, "exit code; stderr: {}", out.stderr);
    assert_no_panic(out);
    assert_eq!(out.stdout, "", "nothing on stdout");
    assert!(
        out.stderr.contains(needle),
        "stderr should mention {needle:?}: {}",
        out.stderr
    );
}

#[test]
fn missing_codex_home_names_the_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = dir.path().join("no-such-codex-home");
    let out = run(&[
        "--codex-home".as_ref(),
        missing.as_os_str(),
        "stats".as_ref(),
        "--json".as_ref(),
    ]);
    assert_usage_error(&out, &missing.display().to_string());
    // A file is not a home either.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "x").expect("write");
    let out = run(&["--codex-home".as_ref(), file.as_os_str(), "stats".as_ref()]);
    assert_usage_error(&out, &file.display().to_string());
    // One good home and one missing one: still an error naming the missing one.
    let out = run(&[
        "--codex-home".as_ref(),
        fixture("reemit").as_os_str(),
        "--codex-home".as_ref(),
        missing.as_os_str(),
        "stats".as_ref(),
    ]);
    assert_usage_error(&out, &missing.display().to_string());
}

#[test]
fn bad_time_zone_is_a_usage_error() {
    for tz in ["Mars/Olympus_Mons", "+25:00", "utc+5x", ""] {
        let out = run(&[
            "--codex-home".as_ref(),
            fixture("reemit").as_os_str(),
            "--tz".as_ref(),
            tz.as_ref(),
            "stats".as_ref(),
        ]);
        assert_eq!(out.code, 2, "--tz {tz:?}: {}", out.stderr);
        assert_no_panic(&out);
        assert_eq!(out.stdout, "");
    }
    let out = run(&[
        "--codex-home".as_ref(),
        fixture("reemit").as_os_str(),
        "--tz".as_ref(),
        "Mars/Olympus_Mons".as_ref(),
        "stats".as_ref(),
    ]);
    assert_usage_error(&out, "Mars/Olympus_Mons");
}

#[test]
fn bad_dates_are_usage_errors() {
    for (flag, value) in [
        ("--since", "yesterday"),
        ("--since", "2026-13-01"),
        ("--since", "2026-02-30"),
        ("--until", "05/03/2026"),
    ] {
        let out = run(&[
            "--codex-home".as_ref(),
            fixture("reemit").as_os_str(),
            "stats".as_ref(),
            flag.as_ref(),
            value.as_ref(),
        ]);
        assert_usage_error(&out, flag);
        assert!(out.stderr.contains(value), "{flag} {value}: {}", out.stderr);
    }
    // --since after --until.
    let out = run(&[
        "--codex-home".as_ref(),
        fixture("reemit").as_os_str(),
        "stats".as_ref(),
        "--since".as_ref(),
        "2026-03-06".as_ref(),
        "--until".as_ref(),
        "2026-03-05".as_ref(),
    ]);
    assert_usage_error(&out, "--since");
}

#[test]
fn unknown_grouping_or_format_is_rejected_by_the_parser() {
    let home = fixture("reemit");
    for args in [
        vec!["stats", "hourly"],
        vec!["--format", "xml", "stats"],
        vec!["--json", "--format", "csv", "stats"],
    ] {
        let mut all: Vec<std::ffi::OsString> = vec!["--codex-home".into(), home.clone().into()];
        all.extend(args.iter().map(Into::into));
        let out = run(&all);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "");
    }
}
