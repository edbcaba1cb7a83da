//! The real-data corpus (opt-in): set `ROLLDEX_REAL_CORPUS` to a directory holding one Codex home
//! per subdirectory. rolldex's per-(home, day, model) numbers must equal the reviewed snapshot
//! `testdata/reference/real-corpus-usage.tsv`, written by an independent Python implementation
//! (`testdata/reference/usage_reference.py`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{assert_no_panic, assert_same_amount, repo_path, run_with_index, usage};

/// (home, day, model) → the five token fields.
type Cells = BTreeMap<(String, String, String), [i64; 5]>;

#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
fn corpus_homes() -> Option<Vec<PathBuf>> {
    let Some(root) = std::env::var_os("ROLLDEX_REAL_CORPUS").filter(|v| !v.is_empty()) else {
        println!("ROLLDEX_REAL_CORPUS is not set: skipping the real-corpus test");
        return None;
    };
    let root = PathBuf::from(root);
    assert!(
        root.is_dir(),
        "ROLLDEX_REAL_CORPUS={} is not a directory",
        root.display()
    );
    let mut homes: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("read corpus dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    homes.sort();
    assert!(!homes.is_empty(), "no homes in {}", root.display());
    Some(homes)
}

fn home_name(home: &Path) -> String {
    home.file_name()
        .expect("home name")
        .to_string_lossy()
        .into_owned()
}

fn reference() -> Cells {
    let path = repo_path("testdata/reference/real-corpus-usage.tsv");
    let text = std::fs::read_to_string(&path).expect("reference TSV");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    assert_eq!(
        header,
        [
            "home",
            "day",
            "model",
            "input_tokens",
            "cached_input_tokens",
            "output_tokens",
            "reasoning_output_tokens",
            "total_tokens",
            "events"
        ]
    );
    let mut cells = Cells::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 9, "{line}");
        let n = |i: usize| f[i].parse::<i64>().expect("number");
        let old = cells.insert(
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned()),
            [n(3), n(4), n(5), n(6), n(7)],
        );
        assert!(old.is_none(), "duplicate reference row {line}");
    }
    cells
}

/// `stats GROUP --json` over `homes`, using (and keeping) the index in `index`; with
/// `index == None`, a direct scan (`--no-index`).
fn stats(homes: &[PathBuf], tz: &str, group: &str, index: Option<&Path>) -> Value {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for home in homes {
        args.push("--codex-home".into());
        args.push(home.into());
    }
    args.extend(["--tz", tz, "stats", group, "--json"].map(Into::into));
    if index.is_none() {
        args.push("--no-index".into());
    }
    let out = run_with_index(&args, index);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    assert_no_panic(&out);
    assert!(
        out.stderr.lines().count() <= 2,
        "at most a skip summary and a price hint: {}",
        out.stderr
    );
    serde_json::from_str(&out.stdout).expect("JSON report")
}

fn check_invariants(what: &str, amount: &Value) {
    let [input, cached, output, reasoning, total] = usage(amount);
    assert!(
        input >= 0 && output >= 0,
        "{what}: negative tokens {amount}"
    );
    assert!(
        cached >= 0 && reasoning >= 0,
        "{what}: negative tokens {amount}"
    );
    assert!(cached <= input, "{what}: cached > input: {amount}");
    assert!(reasoning <= output, "{what}: reasoning > output: {amount}");
    assert_eq!(total, input + output, "{what}: total != input + output");
}

#[test]
fn real_corpus_matches_reviewed_snapshot() {
    let Some(homes) = corpus_homes() else { return };
    let want = reference();
    let names: Vec<String> = homes.iter().map(|h| home_name(h)).collect();
    for (home, _, _) in want.keys() {
        assert!(
            names.contains(home),
            "reference home {home} is not in the corpus"
        );
    }
    let index = tempfile::tempdir().expect("index dir");
    let mut got = Cells::new();
    for home in &homes {
        let name = home_name(home);
        let report = stats(
            std::slice::from_ref(home),
            "UTC",
            "daily",
            Some(index.path()),
        );
        let direct = stats(std::slice::from_ref(home), "UTC", "daily", None);
        assert_eq!(direct, report, "{name}: --no-index differs from the index");
        let mut sum = [0i64; 5];
        for row in report["rows"].as_array().expect("rows") {
            let day = row["key"].as_str().expect("key");
            check_invariants(&format!("{name} {day}"), row);
            let mut row_sum = [0i64; 5];
            for (model, amount) in row["models"].as_object().expect("models") {
                check_invariants(&format!("{name} {day} {model}"), amount);
                let u = usage(amount);
                for (s, v) in row_sum.iter_mut().zip(u) {
                    *s += v;
                }
                got.insert((name.clone(), day.to_owned(), model.clone()), u);
            }
            assert_eq!(
                row_sum,
                usage(row),
                "{name} {day}: models do not add up to the row"
            );
            for (s, v) in sum.iter_mut().zip(usage(row)) {
                *s += v;
            }
        }
        assert_eq!(
            sum,
            usage(&report["totals"]),
            "{name}: rows do not add up to totals"
        );
    }
    let mut diffs = Vec::new();
    for key in want.keys().chain(got.keys()) {
        if want.get(key) != got.get(key) && !diffs.iter().any(|(k, _, _)| k == key) {
            diffs.push((key.clone(), want.get(key).copied(), got.get(key).copied()));
        }
    }
    assert!(
        diffs.is_empty(),
        "{} (home, day, model) cells differ from the snapshot (reference, rolldex):\n{}",
        diffs.len(),
        diffs
            .iter()
            .map(|(k, w, g)| format!("{k:?}: {w:?} vs {g:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn real_corpus_totals_agree_across_zones_and_groupings() {
    let Some(homes) = corpus_homes() else { return };
    let index = tempfile::tempdir().expect("index dir");
    let index = Some(index.path());
    for home in &homes {
        let name = home_name(home);
        let utc = stats(std::slice::from_ref(home), "UTC", "daily", index);
        for tz in ["Asia/Kathmandu", "America/Los_Angeles"] {
            let other = stats(std::slice::from_ref(home), tz, "daily", index);
            assert_same_amount(
                &other["totals"],
                &utc["totals"],
                &format!("{name}: --tz {tz}"),
            );
        }
    }
    // All homes at once, every grouping.
    let daily = stats(&homes, "UTC", "daily", index);
    for group in ["weekly", "monthly", "session", "model", "project", "client"] {
        let r = stats(&homes, "UTC", group, index);
        assert_same_amount(&r["totals"], &daily["totals"], group);
        let mut sum = [0i64; 5];
        for row in r["rows"].as_array().expect("rows") {
            check_invariants(&format!("{group} {}", row["key"]), row);
            for (s, v) in sum.iter_mut().zip(usage(row)) {
                *s += v;
            }
        }
        assert_eq!(sum, usage(&daily["totals"]), "{group} rows");
    }
    for tz in ["Asia/Kathmandu", "America/Los_Angeles"] {
        for group in ["daily", "weekly", "monthly"] {
            let r = stats(&homes, tz, group, index);
            assert_same_amount(
                &r["totals"],
                &daily["totals"],
                &format!("--tz {tz} {group}"),
            );
        }
    }
    // Weekly keys are Mondays, monthly keys are YYYY-MM.
    let weekly = stats(&homes, "America/Los_Angeles", "weekly", index);
    for row in weekly["rows"].as_array().expect("rows") {
        let key = row["key"].as_str().expect("key");
        let date = chrono::NaiveDate::parse_from_str(key, "%Y-%m-%d").expect("date");
        assert_eq!(
            chrono::Datelike::weekday(&date),
            chrono::Weekday::Mon,
            "{key}"
        );
    }
    let monthly = stats(&homes, "Asia/Kathmandu", "monthly", index);
    for row in monthly["rows"].as_array().expect("rows") {
        let key = row["key"].as_str().expect("key");
        assert!(
            key.len() == 7
                && chrono::NaiveDate::parse_from_str(&format!("{key}-01"), "%Y-%m-%d").is_ok(),
            "{key}"
        );
    }
}

/// `stats` on an index that is up to date answers from usage summed by quarter-hour; on every
/// real home at once, in zones with half- and quarter-hour offsets and one with an odd offset
/// (whose midnight splits a quarter-hour, so the events are read instead), every grouping must
/// be exactly the report of a direct scan of the files (`--no-index`).
#[test]
fn real_corpus_reports_from_the_index_equal_a_direct_scan_in_every_zone() {
    let Some(homes) = corpus_homes() else { return };
    let index = tempfile::tempdir().expect("index dir");
    // The first query builds the index; the ones after it read the committed sums.
    stats(&homes, "UTC", "daily", Some(index.path()));
    for tz in [
        "UTC",
        "Asia/Kathmandu",
        "America/St_Johns",
        "Pacific/Chatham",
        "+05:17",
    ] {
        for group in [
            "daily", "weekly", "monthly", "session", "model", "project", "client",
        ] {
            let indexed = stats(&homes, tz, group, Some(index.path()));
            let direct = stats(&homes, tz, group, None);
            assert_eq!(indexed, direct, "--tz {tz} {group}: the index differs");
        }
    }
}
