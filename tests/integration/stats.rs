//! `rolldex stats` over the hand-made fixtures. Every number asserted here is worked out by hand
//! in `testdata/fixtures/README.md` (section named after the fixture).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::util::{
    Output, assert_cost, assert_no_panic, assert_same_amount, copy_tree, fixture, keys, row, run,
    run_with_index, stats_json, stats_json_with_index, usage,
};

/// `U(in, cached, out, reasoning, total)`.
type U = [i64; 5];

const DAY: &str = "2026-03-05";

/// Fixtures whose stderr must be completely empty (nothing skipped, every model priced).
const CLEAN: [&str; 9] = [
    "reemit",
    "reset",
    "fork",
    "estimate",
    "null-info",
    "legacy",
    "model-switch",
    "midnight",
    "filters",
];

/// Asserts a report with exactly one row `key` holding one model `model` with `expected` usage and
/// cost, and totals equal to that row.
fn assert_single(report: &Value, key: &str, model: &str, expected: U, cost: Option<f64>) {
    assert_eq!(keys(report), [key], "row keys");
    let row = row(report, key).expect("row");
    assert_eq!(usage(row), expected, "row {key}");
    assert_cost(row, cost, "row");
    let models = row["models"].as_object().expect("models object");
    assert_eq!(
        models.keys().collect::<Vec<_>>(),
        [model],
        "models of row {key}"
    );
    assert_eq!(usage(&models[model]), expected, "model {model}");
    assert_cost(&models[model], cost, "model");
    assert_eq!(usage(&report["totals"]), expected, "totals");
    assert_cost(&report["totals"], cost, "totals");
}

/// `--tz UTC stats daily --json` on a fixture, with the stderr check for clean fixtures.
fn daily(name: &str) -> (Value, Output) {
    let (report, out) = stats_json(&fixture(name), "UTC", &["daily"]);
    assert_eq!(report["group_by"], "day");
    assert_eq!(report["tz"], "UTC");
    if CLEAN.contains(&name) {
        assert_eq!(out.stderr, "", "stderr of clean fixture {name}");
    }
    (report, out)
}

#[test]
fn reemit_rows_and_null_info_are_counted_once() {
    let (report, _) = daily("reemit");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [6000, 4400, 600, 300, 6600],
        Some(0.008_55),
    );
}

#[test]
fn reset_counter_uses_last_token_usage() {
    let (report, _) = daily("reset");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [4500, 1500, 450, 150, 4950],
        Some(0.008_437_5),
    );
}

#[test]
fn fork_copied_parent_block_is_not_counted_again() {
    let (report, _) = daily("fork");
    assert_single(
        &report,
        DAY,
        "gpt-5-codex",
        [8000, 5000, 800, 300, 8800],
        Some(0.012_375),
    );
    let (sessions, out) = stats_json(&fixture("fork"), "UTC", &["session"]);
    assert_eq!(out.stderr, "");
    assert_eq!(sessions["group_by"], "session");
    let parent = "019cc0a0-0000-7000-8000-000000000031";
    let child = "019cc0a0-0000-7000-8000-000000000003";
    let mut got = keys(&sessions);
    got.sort();
    assert_eq!(got, [child, parent]);
    let p = row(&sessions, parent).expect("parent row");
    assert_eq!(usage(p), [5000, 3000, 500, 200, 5500]);
    assert_cost(p, Some(0.007_875), "parent");
    let c = row(&sessions, child).expect("child row");
    assert_eq!(usage(c), [3000, 2000, 300, 100, 3300]);
    assert_cost(c, Some(0.0045), "child");
    assert_eq!(usage(&sessions["totals"]), [8000, 5000, 800, 300, 8800]);
}

#[test]
fn estimate_only_rows_and_window_fill_are_not_spend() {
    let (report, _) = daily("estimate");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [6000, 3000, 600, 100, 6600],
        Some(0.010_125),
    );
}

#[test]
fn null_info_rows_are_ignored() {
    let (report, _) = daily("null-info");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [1000, 500, 100, 0, 1100],
        Some(0.001_687_5),
    );
    // The session with only info:null rows has no usage, so no row.
    let (sessions, _) = stats_json(&fixture("null-info"), "UTC", &["session"]);
    assert_single(
        &sessions,
        "019cc0a0-0000-7000-8000-000000000005",
        "gpt-5",
        [1000, 500, 100, 0, 1100],
        Some(0.001_687_5),
    );
}

#[test]
fn missing_model_is_unknown_and_unpriced() {
    let (report, out) = daily("missing-model");
    assert_single(&report, DAY, "unknown", [5000, 3000, 500, 200, 5500], None);
    // No skip summary; exactly one hint that this usage is unpriced.
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "stderr: {}", out.stderr);
    assert!(
        lines[0].starts_with("rolldex: ") && !lines[0].contains("skipped"),
        "stderr: {}",
        out.stderr
    );
    assert!(
        lines[0].contains("unpriced") || lines[0].contains("no price"),
        "stderr: {}",
        out.stderr
    );
    let (by_model, _) = stats_json(&fixture("missing-model"), "UTC", &["model"]);
    assert_single(
        &by_model,
        "unknown",
        "unknown",
        [5000, 3000, 500, 200, 5500],
        None,
    );
    // --quiet silences the hint too.
    let quiet = run(&[
        "--codex-home".as_ref(),
        fixture("missing-model").as_os_str(),
        "--tz".as_ref(),
        "UTC".as_ref(),
        "-q".as_ref(),
        "stats".as_ref(),
        "--json".as_ref(),
    ]);
    assert_eq!(quiet.code, 0);
    assert_eq!(quiet.stderr, "");
}

#[test]
fn legacy_v1_file_has_no_usage() {
    let (report, _) = daily("legacy");
    assert_eq!(keys(&report), Vec::<String>::new());
    assert_eq!(usage(&report["totals"]), [0; 5]);
    assert_cost(&report["totals"], Some(0.0), "totals");
}

#[test]
fn unknown_record_types_are_skipped_and_reported() {
    let (report, out) = daily("unknown-type");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [3000, 1000, 300, 100, 3300],
        Some(0.005_625),
    );
    assert_eq!(
        out.stderr,
        "rolldex: skipped 1 line of an unknown record type (7 lines read)\n"
    );
}

#[test]
fn torn_tail_nul_run_bad_utf8_and_crlf() {
    let (report, out) = daily("torn-tail");
    assert_single(
        &report,
        DAY,
        "gpt-5",
        [3000, 1000, 300, 100, 3300],
        Some(0.005_625),
    );
    assert_eq!(
        out.stderr,
        "rolldex: skipped 1 malformed line, 2 lines with invalid UTF-8 (read lossily), \
         1 unfinished last line (left for later) (8 lines read)\n"
    );
}

#[test]
fn model_switch_attributes_usage_to_latest_turn_context() {
    let (report, _) = daily("model-switch");
    assert_eq!(keys(&report), [DAY]);
    let day = row(&report, DAY).expect("row");
    assert_eq!(usage(day), [6000, 3000, 600, 200, 6600]);
    assert_cost(day, Some(0.007_425), "day");
    let models = day["models"].as_object().expect("models");
    assert_eq!(models.keys().collect::<Vec<_>>(), ["gpt-5", "gpt-5-mini"]);
    assert_eq!(usage(&models["gpt-5"]), [4000, 2000, 400, 100, 4400]);
    assert_cost(&models["gpt-5"], Some(0.006_75), "gpt-5");
    assert_eq!(usage(&models["gpt-5-mini"]), [2000, 1000, 200, 100, 2200]);
    assert_cost(&models["gpt-5-mini"], Some(0.000_675), "gpt-5-mini");

    let (by_model, _) = stats_json(&fixture("model-switch"), "UTC", &["model"]);
    assert_eq!(by_model["group_by"], "model");
    assert_eq!(keys(&by_model), ["gpt-5", "gpt-5-mini"]);
    assert_eq!(
        usage(row(&by_model, "gpt-5").expect("gpt-5")),
        [4000, 2000, 400, 100, 4400]
    );
    assert_eq!(
        usage(row(&by_model, "gpt-5-mini").expect("gpt-5-mini")),
        [2000, 1000, 200, 100, 2200]
    );
    assert_eq!(usage(&by_model["totals"]), [6000, 3000, 600, 200, 6600]);
}

/// The midnight fixture's expected day rows per zone (README, "midnight").
fn midnight_expected(tz: &str) -> Vec<(&'static str, U, f64)> {
    let a_b = ("2026-03-05", [3000, 1000, 300, 100, 3300], 0.005_625);
    let c_d = ("2026-03-06", [7000, 5000, 700, 300, 7700], 0.010_125);
    match tz {
        "UTC" => vec![a_b, c_d],
        "Asia/Kolkata" => vec![
            ("2026-03-05", [1000, 0, 100, 0, 1100], 0.002_25),
            ("2026-03-06", [9000, 6000, 900, 400, 9900], 0.0135),
        ],
        "Asia/Kathmandu" => vec![("2026-03-06", [10000, 6000, 1000, 400, 11000], 0.015_75)],
        "America/New_York" => vec![
            ("2026-03-05", [6000, 3000, 600, 200, 6600], 0.010_125),
            ("2026-03-06", [4000, 3000, 400, 200, 4400], 0.005_625),
        ],
        _ => unreachable!(),
    }
}

#[test]
fn midnight_days_follow_the_time_zone() {
    for tz in ["UTC", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York"] {
        let (report, out) = stats_json(&fixture("midnight"), tz, &["daily"]);
        assert_eq!(out.stderr, "", "{tz}");
        assert_eq!(report["tz"], tz);
        let expected = midnight_expected(tz);
        let want_keys: Vec<&str> = expected.iter().map(|(k, _, _)| *k).collect();
        assert_eq!(keys(&report), want_keys, "{tz}");
        for (key, u, cost) in expected {
            let r = row(&report, key).expect("row");
            assert_eq!(usage(r), u, "{tz} {key}");
            assert_cost(r, Some(cost), &format!("{tz} {key}"));
            assert_eq!(usage(&r["models"]["gpt-5"]), u, "{tz} {key} gpt-5");
        }
        assert_eq!(
            usage(&report["totals"]),
            [10000, 6000, 1000, 400, 11000],
            "{tz}"
        );
        assert_cost(&report["totals"], Some(0.015_75), tz);
    }
}

#[test]
fn since_and_until_are_inclusive_days_in_the_zone() {
    let home = fixture("midnight");
    let (r, _) = stats_json(&home, "UTC", &["daily", "--since", "2026-03-06"]);
    assert_eq!(keys(&r), ["2026-03-06"]);
    assert_eq!(usage(&r["totals"]), [7000, 5000, 700, 300, 7700]);
    let (r, _) = stats_json(&home, "UTC", &["daily", "--until", "2026-03-05"]);
    assert_eq!(keys(&r), ["2026-03-05"]);
    assert_eq!(usage(&r["totals"]), [3000, 1000, 300, 100, 3300]);
    let (r, _) = stats_json(
        &home,
        "UTC",
        &["daily", "--since", "2026-03-05", "--until", "2026-03-05"],
    );
    assert_eq!(keys(&r), ["2026-03-05"]);
    let (r, _) = stats_json(
        &home,
        "UTC",
        &["daily", "--since", "2026-03-05", "--until", "2026-03-06"],
    );
    assert_eq!(keys(&r), ["2026-03-05", "2026-03-06"]);
    // The bounds are days of --tz: in Kolkata, 03-05 holds only event A.
    let (r, _) = stats_json(&home, "Asia/Kolkata", &["daily", "--until", "2026-03-05"]);
    assert_eq!(keys(&r), ["2026-03-05"]);
    assert_eq!(usage(&r["totals"]), [1000, 0, 100, 0, 1100]);
    // Filters apply to session grouping too.
    let (r, _) = stats_json(&home, "UTC", &["session", "--since", "2026-03-06"]);
    assert_eq!(usage(&r["totals"]), [7000, 5000, 700, 300, 7700]);
    // Nothing in range: no rows, zero totals.
    let (r, _) = stats_json(&home, "UTC", &["daily", "--since", "2026-03-07"]);
    assert_eq!(keys(&r), Vec::<String>::new());
    assert_eq!(usage(&r["totals"]), [0; 5]);
}

#[test]
fn weekly_keys_are_mondays_and_monthly_keys_are_months() {
    let (weekly, _) = stats_json(&fixture("filters"), "UTC", &["weekly"]);
    assert_eq!(weekly["group_by"], "week");
    assert_eq!(keys(&weekly), ["2026-02-23", "2026-03-02"]);
    for key in keys(&weekly) {
        let date = chrono::NaiveDate::parse_from_str(&key, "%Y-%m-%d").expect("date key");
        assert_eq!(
            chrono::Datelike::weekday(&date),
            chrono::Weekday::Mon,
            "{key}"
        );
    }
    assert_eq!(
        usage(row(&weekly, "2026-02-23").expect("week")),
        [4000, 2000, 400, 100, 4400]
    );
    assert_eq!(
        usage(row(&weekly, "2026-03-02").expect("week")),
        [2000, 1000, 200, 100, 2200]
    );

    let (monthly, _) = stats_json(&fixture("filters"), "UTC", &["monthly"]);
    assert_eq!(monthly["group_by"], "month");
    assert_eq!(keys(&monthly), ["2026-02", "2026-03"]);
    assert_eq!(
        usage(row(&monthly, "2026-02").expect("month")),
        [3000, 2000, 300, 100, 3300]
    );
    assert_eq!(
        usage(row(&monthly, "2026-03").expect("month")),
        [3000, 1000, 300, 100, 3300]
    );
    assert_eq!(usage(&monthly["totals"]), [6000, 3000, 600, 200, 6600]);

    // midnight: Thursday 03-05 and Friday 03-06 share the week of Monday 03-02.
    let (weekly, _) = stats_json(&fixture("midnight"), "UTC", &["weekly"]);
    assert_eq!(keys(&weekly), ["2026-03-02"]);
    assert_eq!(usage(&weekly["totals"]), [10000, 6000, 1000, 400, 11000]);
    let (monthly, _) = stats_json(&fixture("midnight"), "UTC", &["monthly"]);
    assert_eq!(keys(&monthly), ["2026-03"]);
}

#[test]
fn daily_rows_of_the_filters_fixture() {
    let (report, out) = daily("filters");
    assert_eq!(out.stderr, "");
    assert_eq!(keys(&report), ["2026-02-28", "2026-03-01", "2026-03-02"]);
    let expect: [(&str, &str, U, f64); 3] = [
        ("2026-02-28", "gpt-5", [3000, 2000, 300, 100, 3300], 0.0045),
        ("2026-03-01", "gpt-5", [1000, 0, 100, 0, 1100], 0.002_25),
        (
            "2026-03-02",
            "gpt-5-mini",
            [2000, 1000, 200, 100, 2200],
            0.000_675,
        ),
    ];
    for (key, model, u, cost) in expect {
        let r = row(&report, key).expect("row");
        assert_eq!(usage(r), u, "{key}");
        assert_cost(r, Some(cost), key);
        assert_eq!(usage(&r["models"][model]), u, "{key} {model}");
        assert_eq!(r["models"].as_object().expect("models").len(), 1);
    }
    assert_eq!(usage(&report["totals"]), [6000, 3000, 600, 200, 6600]);
    assert_cost(&report["totals"], Some(0.007_425), "totals");
}

#[test]
fn model_filter_keeps_only_that_model() {
    let (r, _) = stats_json(&fixture("filters"), "UTC", &["daily", "--model", "gpt-5"]);
    assert_eq!(keys(&r), ["2026-02-28", "2026-03-01"]);
    assert_eq!(usage(&r["totals"]), [4000, 2000, 400, 100, 4400]);
    assert_cost(&r["totals"], Some(0.006_75), "gpt-5 totals");
    let (r, _) = stats_json(
        &fixture("model-switch"),
        "UTC",
        &["daily", "--model", "gpt-5-mini"],
    );
    assert_single(
        &r,
        DAY,
        "gpt-5-mini",
        [2000, 1000, 200, 100, 2200],
        Some(0.000_675),
    );
    let (r, _) = stats_json(&fixture("filters"), "UTC", &["daily", "--model", "o3"]);
    assert_eq!(keys(&r), Vec::<String>::new());
}

#[test]
fn cwd_filter_takes_the_dir_and_below_but_not_a_sibling_prefix() {
    let home = fixture("filters");
    let (r, _) = stats_json(&home, "UTC", &["session", "--cwd", "/home/dev/proj"]);
    let mut got = keys(&r);
    got.sort();
    assert_eq!(
        got,
        [
            "019cc0a0-0000-7000-8000-000000000021",
            "019cc0a0-0000-7000-8000-000000000022"
        ]
    );
    assert_eq!(usage(&r["totals"]), [3000, 1000, 300, 100, 3300]);
    // A trailing slash means the same directory.
    let (r2, _) = stats_json(&home, "UTC", &["session", "--cwd", "/home/dev/proj/"]);
    assert_eq!(r2["rows"], r["rows"]);
    let (r, _) = stats_json(&home, "UTC", &["session", "--cwd", "/home/dev/proj2"]);
    assert_eq!(keys(&r), ["019cc0a0-0000-7000-8000-000000000023"]);
    let (r, _) = stats_json(&home, "UTC", &["session", "--cwd", "/home/dev/proj/sub"]);
    assert_eq!(keys(&r), ["019cc0a0-0000-7000-8000-000000000022"]);
    let (r, _) = stats_json(&home, "UTC", &["session", "--cwd", "/home/dev/pro"]);
    assert_eq!(keys(&r), Vec::<String>::new());
}

#[test]
fn project_and_client_groupings() {
    let (r, _) = stats_json(&fixture("filters"), "UTC", &["project"]);
    assert_eq!(r["group_by"], "project");
    assert_eq!(keys(&r), ["/home/dev/proj", "/home/dev/proj2"]);
    assert_eq!(
        usage(row(&r, "/home/dev/proj").expect("proj")),
        [3000, 1000, 300, 100, 3300]
    );
    assert_eq!(
        usage(row(&r, "/home/dev/proj2").expect("proj2")),
        [3000, 2000, 300, 100, 3300]
    );
    let (r, _) = stats_json(&fixture("filters"), "UTC", &["client"]);
    assert_eq!(r["group_by"], "client");
    assert_eq!(keys(&r), ["codex_cli_rs", "codex_exec", "codex_vscode"]);
    assert_eq!(
        usage(row(&r, "codex_cli_rs").expect("cli")),
        [1000, 0, 100, 0, 1100]
    );
    assert_eq!(
        usage(row(&r, "codex_exec").expect("exec")),
        [2000, 1000, 200, 100, 2200]
    );
    assert_eq!(
        usage(row(&r, "codex_vscode").expect("vscode")),
        [3000, 2000, 300, 100, 3300]
    );
}

#[test]
fn json_shape_is_exact() {
    let (report, _) = stats_json(&fixture("model-switch"), "UTC", &["daily"]);
    let mut top: Vec<&str> = report
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    top.sort_unstable();
    assert_eq!(top, ["group_by", "rows", "totals", "tz"]);
    let amount_keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let mut want_amount: Vec<String> = crate::util::JSON_FIELDS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    want_amount.extend([
        "cost_usd".to_owned(),
        "cost_complete".to_owned(),
        "unpriced_models".to_owned(),
    ]);
    want_amount.sort();
    let mut want_row = want_amount.clone();
    want_row.extend(["key".to_owned(), "models".to_owned()]);
    want_row.sort();
    // Every amount is priced here: complete, nothing listed as unpriced.
    let priced = |a: &Value| {
        assert_eq!(a["cost_complete"], Value::Bool(true), "{a}");
        assert_eq!(a["unpriced_models"], Value::Array(Vec::new()), "{a}");
    };
    for r in report["rows"].as_array().expect("rows") {
        assert_eq!(amount_keys(r), want_row);
        assert!(r["key"].is_string());
        priced(r);
        for m in r["models"].as_object().expect("models").values() {
            assert_eq!(amount_keys(m), want_amount);
            priced(m);
        }
    }
    assert_eq!(amount_keys(&report["totals"]), want_amount);
    priced(&report["totals"]);
    // Field order in the document: group_by, tz, rows, totals; one line.
    let raw = run_raw(&fixture("model-switch"), &["daily", "--json"]);
    let pos = |k: &str| raw.find(k).unwrap_or_else(|| panic!("{k} missing"));
    assert_eq!(pos("\"group_by\""), 1);
    assert!(pos("\"group_by\"") < pos("\"tz\""));
    assert!(pos("\"tz\"") < pos("\"rows\""));
    assert!(pos("\"rows\"") < pos("\"totals\""));
    assert!(raw.ends_with('\n') && raw.lines().count() == 1, "one line");
}

/// Raw stdout of `--codex-home HOME --tz UTC stats EXTRA…` (exit code 0 asserted).
fn run_raw(home: &std::path::Path, extra: &[&str]) -> String {
    let mut args: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        "UTC".into(),
        "stats".into(),
    ];
    args.extend(extra.iter().map(Into::into));
    let out = run(&args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out.stdout
}

#[test]
fn jsonl_is_one_row_per_line() {
    let home = fixture("filters");
    let (report, _) = stats_json(&home, "UTC", &["daily"]);
    let text = run_raw(&home, &["daily", "--format", "jsonl"]);
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        Value::Array(lines),
        report["rows"],
        "JSONL rows equal the JSON rows"
    );
    // No rows: no lines.
    let empty = run_raw(&fixture("legacy"), &["daily", "--format", "jsonl"]);
    assert_eq!(empty, "");
}

#[test]
fn csv_has_a_header_and_one_line_per_row() {
    let home = fixture("filters");
    let text = run_raw(&home, &["daily", "--format", "csv"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "key,model,input_tokens,cached_input_tokens,cache_write_input_tokens,output_tokens,reasoning_output_tokens,total_tokens,cost_usd,cost_complete"
    );
    assert_eq!(lines.len(), 4, "{text}");
    let fields: Vec<&str> = lines[1].split(',').collect();
    assert_eq!(
        &fields[..8],
        ["2026-02-28", "", "3000", "2000", "0", "300", "100", "3300"]
    );
    let cost: f64 = fields[8].parse().expect("cost");
    assert!((cost - 0.0045).abs() < 1e-6);
    assert_eq!(fields[9], "true");
    // Unpriced: empty cost cell, and not complete.
    let text = run_raw(&fixture("missing-model"), &["daily", "--format", "csv"]);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1], "2026-03-05,,5000,3000,0,500,200,5500,,false");
    // Empty report: header only.
    let text = run_raw(&fixture("legacy"), &["daily", "--format", "csv"]);
    assert_eq!(text.lines().count(), 1);
}

#[test]
fn breakdown_adds_a_line_per_model() {
    let home = fixture("filters");
    let text = run_raw(&home, &["monthly", "--breakdown", "--format", "csv"]);
    let body: Vec<Vec<String>> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect();
    let pairs: Vec<(String, String, i64)> = body
        .iter()
        .map(|f| (f[0].clone(), f[1].clone(), f[7].parse().expect("total")))
        .collect();
    assert_eq!(
        pairs,
        [
            ("2026-02".to_owned(), "gpt-5".to_owned(), 3300),
            ("2026-03".to_owned(), "gpt-5".to_owned(), 1100),
            ("2026-03".to_owned(), "gpt-5-mini".to_owned(), 2200),
        ]
    );
    // The table shows a "└ model" line under a row with several models.
    let table = run_raw(&fixture("model-switch"), &["daily", "--breakdown"]);
    assert!(table.contains("└ gpt-5-mini"), "{table}");
    assert!(table.contains("└ gpt-5 "), "{table}");
    assert!(table.contains("6,600"), "{table}");
    let plain = run_raw(&fixture("model-switch"), &["daily"]);
    assert!(!plain.contains("└ gpt"), "{plain}");
    // JSON always carries the per-model split; --breakdown does not change it.
    let (with, _) = stats_json(&fixture("model-switch"), "UTC", &["daily", "--breakdown"]);
    let (without, _) = stats_json(&fixture("model-switch"), "UTC", &["daily"]);
    assert_eq!(with, without);
}

#[test]
fn table_output_for_people() {
    let text = run_raw(&fixture("reemit"), &["daily"]);
    assert!(text.contains("2026-03-05"), "{text}");
    assert!(text.contains("6,600"), "{text}");
    assert!(text.contains("$0.01"), "{text}");
    assert!(text.contains("Times in UTC"), "{text}");
    let text = run_raw(&fixture("missing-model"), &["daily"]);
    assert!(text.contains("unpriced"), "{text}");
    let text = run_raw(&fixture("legacy"), &["daily"]);
    assert!(text.contains("No usage found"), "{text}");
}

#[test]
fn clean_fixtures_have_empty_stderr_and_exit_zero() {
    for name in CLEAN {
        for group in [
            "daily", "weekly", "monthly", "session", "model", "project", "client",
        ] {
            let (_, out) = stats_json(&fixture(name), "UTC", &[group]);
            assert_eq!(out.stderr, "", "{name} {group}");
        }
    }
}

#[test]
fn every_grouping_sums_to_the_same_totals() {
    let all = [
        "reemit",
        "reset",
        "fork",
        "estimate",
        "null-info",
        "missing-model",
        "legacy",
        "unknown-type",
        "torn-tail",
        "model-switch",
        "midnight",
        "filters",
    ];
    for name in all {
        let (daily, _) = stats_json(&fixture(name), "UTC", &["daily"]);
        for group in ["weekly", "monthly", "session", "model", "project", "client"] {
            let (r, _) = stats_json(&fixture(name), "UTC", &[group]);
            assert_same_amount(&r["totals"], &daily["totals"], &format!("{name} {group}"));
            let mut sum = [0i64; 5];
            for row in r["rows"].as_array().expect("rows") {
                for (s, v) in sum.iter_mut().zip(usage(row)) {
                    *s += v;
                }
            }
            assert_eq!(sum, usage(&daily["totals"]), "{name} {group} rows");
        }
    }
}

#[test]
fn all_fixtures_in_one_home_add_up() {
    // Every fixture has its own session ids, so one home holding all of them reports the sum of
    // the per-fixture (day, model) numbers.
    let names = [
        "reemit",
        "reset",
        "fork",
        "estimate",
        "null-info",
        "missing-model",
        "legacy",
        "unknown-type",
        "torn-tail",
        "model-switch",
        "midnight",
        "filters",
    ];
    let home = tempfile::tempdir().expect("tempdir");
    let mut want: BTreeMap<(String, String), U> = BTreeMap::new();
    for name in names {
        copy_tree(&fixture(name), home.path());
        let (r, _) = stats_json(&fixture(name), "UTC", &["daily"]);
        add_cells(&mut want, &r);
    }
    let (r, _) = stats_json(home.path(), "UTC", &["daily"]);
    let mut got = BTreeMap::new();
    add_cells(&mut got, &r);
    assert_eq!(got, want);
    // Hand-worked grand total: sum of the fixture totals in the README.
    let grand = usage(&r["totals"]);
    assert_eq!(
        grand,
        [
            6000 + 4500 + 8000 + 6000 + 1000 + 5000 + 3000 + 3000 + 6000 + 10000 + 6000,
            4400 + 1500 + 5000 + 3000 + 500 + 3000 + 1000 + 1000 + 3000 + 6000 + 3000,
            600 + 450 + 800 + 600 + 100 + 500 + 300 + 300 + 600 + 1000 + 600,
            300 + 150 + 300 + 100 + 200 + 100 + 100 + 200 + 400 + 200,
            6600 + 4950 + 8800 + 6600 + 1100 + 5500 + 3300 + 3300 + 6600 + 11000 + 6600,
        ]
    );
    // One model (missing-model's `unknown`) is unpriced, so the grand total is the priced part,
    // marked incomplete: the README's fixture costs (1e-6 USD) reemit 8550 + reset 8437.5 +
    // fork 12375 + estimate 10125 + null-info 1687.5 + legacy 0 + unknown-type 5625 +
    // torn-tail 5625 + model-switch 7425 + midnight 15750 + filters 7425 = 83025.
    assert_cost(&r["totals"], Some(0.083_025), "totals");
    assert_eq!(r["totals"]["cost_complete"], Value::Bool(false));
    assert_eq!(
        r["totals"]["unpriced_models"],
        serde_json::json!(["unknown"])
    );
}

fn add_cells(into: &mut BTreeMap<(String, String), U>, report: &Value) {
    for r in report["rows"].as_array().expect("rows") {
        let key = r["key"].as_str().expect("key").to_owned();
        for (model, amount) in r["models"].as_object().expect("models") {
            let cell = into.entry((key.clone(), model.clone())).or_default();
            for (c, v) in cell.iter_mut().zip(usage(amount)) {
                *c += v;
            }
        }
    }
}

const ALL: [&str; 12] = [
    "reemit",
    "reset",
    "fork",
    "estimate",
    "null-info",
    "missing-model",
    "legacy",
    "unknown-type",
    "torn-tail",
    "model-switch",
    "midnight",
    "filters",
];

#[test]
fn index_and_direct_scan_give_the_same_output() {
    for name in ALL {
        for extra in [
            &["daily", "--json"][..],
            &["session", "--json"],
            &["model", "--format", "csv", "--breakdown"],
        ] {
            let mut args: Vec<std::ffi::OsString> = vec![
                "--codex-home".into(),
                fixture(name).into(),
                "--tz".into(),
                "UTC".into(),
                "stats".into(),
            ];
            args.extend(extra.iter().map(Into::into));
            let index = tempfile::tempdir().expect("index dir");
            let cold = run_with_index(&args, Some(index.path()));
            let warm = run_with_index(&args, Some(index.path()));
            args.push("--no-index".into());
            let direct = run(&args);
            for out in [&cold, &warm, &direct] {
                assert_eq!(out.code, 0, "{name} {extra:?}: {}", out.stderr);
                assert_no_panic(out);
                assert!(out.stderr.lines().count() <= 1, "{name}: {}", out.stderr);
            }
            assert_eq!(
                cold.stdout, direct.stdout,
                "{name} {extra:?}: index vs --no-index"
            );
            assert_eq!(
                warm.stdout, cold.stdout,
                "{name} {extra:?}: warm vs cold index"
            );
            // The direct scan reports exactly what the fresh index build reports.
            assert_eq!(direct.stderr, cold.stderr, "{name} {extra:?}: stderr");
        }
    }
}

#[test]
fn a_completed_torn_tail_is_counted_on_the_next_run() {
    // README, torn-tail: the unfinished line 10 is a token_count with total U(6000,2000,600,200)
    // and last U(3000,1000,300,100). Once Codex finishes writing it, d = U(3000,1000,300,100,3300)
    // counts, and the day becomes U(6000,2000,600,200,6600).
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    copy_tree(&fixture("torn-tail"), &home);
    let index = dir.path().join("index");
    let (before, _) = stats_json_with_index(&home, "UTC", &["daily"], Some(&index));
    assert_eq!(usage(&before["totals"]), [3000, 1000, 300, 100, 3300]);

    let file = home
        .join("sessions/2026/03/05")
        .join("rollout-2026-03-05T10-00-00-019cc0a0-0000-7000-8000-000000000009.jsonl");
    let full_line = concat!(
        r#"{"timestamp":"2026-03-05T10:01:30.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":6000,"cached_input_tokens":2000,"output_tokens":600,"reasoning_output_tokens":200,"total_tokens":6600},"last_token_usage":{"input_tokens":3000,"cached_input_tokens":1000,"output_tokens":300,"reasoning_output_tokens":100,"total_tokens":3300},"model_context_window":258400},"rate_limits":null}}"#,
        "\r\n"
    );
    let mut bytes = std::fs::read(&file).expect("read");
    let tail_start = bytes.iter().rposition(|b| *b == b'\n').expect("a newline") + 1;
    let tail = bytes[tail_start..].to_vec();
    assert!(
        full_line.as_bytes().starts_with(&tail),
        "the fixture's torn tail is a prefix of the completed line"
    );
    bytes.truncate(tail_start);
    bytes.extend_from_slice(full_line.as_bytes());
    // Append only (as Codex does): write the missing bytes at the end.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&file)
            .expect("open for append");
        f.write_all(&full_line.as_bytes()[tail.len()..])
            .expect("append");
    }
    assert_eq!(std::fs::read(&file).expect("re-read"), bytes);

    let (after, out) = stats_json_with_index(&home, "UTC", &["daily"], Some(&index));
    assert_eq!(usage(&after["totals"]), [6000, 2000, 600, 200, 6600]);
    assert_cost(&after["totals"], Some(0.005_625 + 0.005_625), "totals");
    assert!(!out.stderr.contains("unfinished"), "{}", out.stderr);
    let (direct, _) = stats_json(&home, "UTC", &["daily", "--no-index"]);
    assert_eq!(direct, after);
}

#[test]
fn token_count_with_payload_type_not_first_is_still_counted() {
    // Same envelope order as Codex, but the payload's "type" comes after "info". The rules of §9.3
    // do not depend on key order: this call spent U(1000,0,100,0,1100).
    let dir = tempfile::tempdir().expect("tempdir");
    let day = dir.path().join("sessions/2026/03/05");
    std::fs::create_dir_all(&day).expect("mkdir");
    std::fs::write(
        day.join("rollout-2026-03-05T10-00-00-019cc0a0-0000-7000-8000-0000000000f1.jsonl"),
        concat!(
            r#"{"timestamp":"2026-03-05T10:00:00.000Z","type":"session_meta","payload":{"id":"019cc0a0-0000-7000-8000-0000000000f1","timestamp":"2026-03-05T10:00:00.000Z","cwd":"/home/dev/proj","originator":"codex_cli_rs","cli_version":"0.77.0","source":"cli"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-05T10:00:01.000Z","type":"turn_context","payload":{"cwd":"/home/dev/proj","model":"gpt-5"}}"#,
            "\n",
            r#"{"timestamp":"2026-03-05T10:00:05.000Z","type":"event_msg","payload":{"info":{"total_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":100,"reasoning_output_tokens":0,"total_tokens":1100},"last_token_usage":{"input_tokens":1000,"cached_input_tokens":0,"output_tokens":100,"reasoning_output_tokens":0,"total_tokens":1100}},"type":"token_count"}}"#,
            "\n",
        ),
    )
    .expect("write");
    for extra in [&["daily"][..], &["daily", "--no-index"]] {
        let (report, _) = stats_json(dir.path(), "UTC", extra);
        assert_single(
            &report,
            DAY,
            "gpt-5",
            [1000, 0, 100, 0, 1100],
            Some(0.002_25),
        );
    }
}
