//! `rolldex export` through the real binary: what it writes, that re-runs are incremental, and
//! (with `tests/export/check_engines.py`) that DuckDB and ClickHouse (`chdb`) loading the files
//! get exactly the figures of `rolldex stats daily --tz UTC --json` — on the generated demo
//! history (whose generator's truth file is a second, independent reference) and on the real
//! corpus (`ROLLDEX_REAL_CORPUS`).
//!
//! The engine checks need python3 with `duckdb` and `chdb` (`.ci/run` installs them): without
//! them they say so and pass, unless `CI` is set, where their absence is a failure.

#[path = "export/messages.rs"]
mod messages;
#[path = "export/refusals.rs"]
mod refusals;
#[path = "export/split.rs"]
mod split;
mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Datelike;
use serde_json::Value;
use split::Split;
use util::{Output, binary, clean_command, repo_path, wait_output};

/// Runs rolldex with this index (and an empty config), extra environment and arguments.
fn rolldex(index: &Path, env: &[(&str, &str)], args: &[&std::ffi::OsStr]) -> Output {
    let config = tempfile::tempdir().expect("config dir");
    let mut command = clean_command(binary(), index, config.path());
    command.env_remove("ROLLDEX_REDACT_KEY");
    for (k, v) in env {
        command.env(k, v);
    }
    let child = command.args(args).spawn().expect("spawn rolldex");
    let out = wait_output(child, &format!("{args:?}"));
    util::assert_no_panic(&out);
    out
}

/// `rolldex --codex-home H… [--format F] export --out OUT EXTRA…`, which must succeed.
fn export(homes: &[PathBuf], index: &Path, out: &Path, format: &str, extra: &[&str]) -> Output {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for home in homes {
        args.push("--codex-home".into());
        args.push(home.into());
    }
    args.extend([
        "--format".into(),
        format.into(),
        "export".into(),
        "--out".into(),
    ]);
    args.push(out.into());
    args.extend(extra.iter().map(Into::into));
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
    let result = rolldex(index, &[], &refs);
    assert_eq!(result.code, 0, "export failed: {}", result.stderr);
    result
}

/// `rolldex stats daily --tz UTC --json` as {(day, model) → six token fields, cost}.
fn stats_daily(homes: &[PathBuf], index: &Path) -> BTreeMap<String, ([i64; 6], Option<f64>)> {
    let mut args: Vec<std::ffi::OsString> = Vec::new();
    for home in homes {
        args.push("--codex-home".into());
        args.push(home.into());
    }
    args.extend(["--tz", "UTC", "stats", "daily", "--json"].map(Into::into));
    let refs: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsString::as_os_str).collect();
    let out = rolldex(index, &[], &refs);
    assert_eq!(out.code, 0, "stats: {}", out.stderr);
    let report: Value = serde_json::from_str(&out.stdout).expect("stats JSON");
    let mut sums = BTreeMap::new();
    for row in report["rows"].as_array().expect("rows") {
        let day = row["key"].as_str().expect("day");
        for (model, amount) in row["models"].as_object().expect("models") {
            let tokens = ENGINE_ORDER.map(|f| amount[f].as_i64().expect("token field"));
            sums.insert(format!("{day}|{model}"), (tokens, util::cost(amount)));
        }
    }
    sums
}

/// The token fields in the order `check_engines.py` prints them.
const ENGINE_ORDER: [&str; 6] = [
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
    "cache_write_input_tokens",
];

/// Whether python3 can import both engines (else the engine checks skip, or fail under CI).
#[allow(clippy::print_stdout)] // the only way to say why a check did nothing
fn engines_ready() -> bool {
    let ready = Command::new("python3")
        .args(["-c", "import duckdb, chdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 cannot import duckdb and chdb (pip install duckdb chdb)"
        );
        println!("engine checks skipped: python3 with `duckdb` and `chdb` is not installed");
    }
    ready
}

/// Runs `check_engines.py COMMAND DIR ARG` and parses its JSON.
fn engines(command: &str, dir: &Path, arg: &str) -> Value {
    let output = Command::new("python3")
        .arg(repo_path("tests/export/check_engines.py"))
        .arg(command)
        .arg(dir)
        .arg(arg)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "check_engines.py {command} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("check_engines.py prints JSON")
}

/// Asserts every engine's per day × model sums (from `usage_events` and from the latest
/// `daily` snapshot) equal the report's: tokens exactly, cost to 1e-6 USD. The export prices
/// each event and the engines add the costs up, where `stats` adds the tokens up and prices the
/// sum: the same arithmetic in another order, so only floating-point rounding may differ.
fn assert_engines_match(
    dir: &Path,
    format: &str,
    want: &BTreeMap<String, ([i64; 6], Option<f64>)>,
) {
    let sums = engines("sums", dir, format);
    for view in ["duckdb", "clickhouse", "duckdb_daily", "clickhouse_daily"] {
        let got = sums[view].as_object().expect("engine sums");
        let got_keys: BTreeSet<&str> = got.keys().map(String::as_str).collect();
        let want_keys: BTreeSet<&str> = want.keys().map(String::as_str).collect();
        assert_eq!(got_keys, want_keys, "{view} ({format}): day|model keys");
        for (key, (tokens, cost)) in want {
            let row = got[key].as_array().expect("row");
            let engine_tokens: Vec<i64> =
                row[..6].iter().map(|v| v.as_i64().expect("int")).collect();
            assert_eq!(engine_tokens, tokens, "{view} ({format}) {key}: tokens");
            match (row[6].as_f64(), cost) {
                (Some(a), Some(b)) => {
                    assert!((a - b).abs() < 1e-6, "{view} {key}: cost {a} vs {b}");
                }
                (None, None) => {}
                (a, b) => panic!("{view} ({format}) {key}: cost {a:?} vs {b:?}"),
            }
        }
    }
}

/// Export files in `dir` (names), sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

/// The generator's truth file: (day|model) → input, cached, output, reasoning, total.
fn truth() -> BTreeMap<String, [i64; 5]> {
    let text = std::fs::read_to_string(repo_path("testdata/demo-home.truth.tsv")).expect("truth");
    let mut want: BTreeMap<String, [i64; 5]> = BTreeMap::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split('\t').collect();
        let cell = want.entry(format!("{}|{}", f[0], f[1])).or_default();
        for (c, v) in cell.iter_mut().zip(&f[2..7]) {
            *c += v.trim().parse::<i64>().expect("number");
        }
    }
    want
}

#[test]
fn generated_history_incremental_exports_equal_a_full_one_in_both_engines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let split = Split::new(&repo_path("testdata/demo-home"), &tmp.path().join("home"));
    let homes = vec![split.home.clone()];
    let incremental = tmp.path().join("incremental");

    // Run 1 on the initial home, run 2 after sessions were added and lines appended.
    let first = export(&homes, &index, &incremental, "parquet", &[]);
    assert_eq!(
        first.stdout.lines().count(),
        3,
        "usage_events, sessions, daily: {}",
        first.stdout
    );
    let after_first = listing(&incremental);
    split.finish();
    let second = export(&homes, &index, &incremental, "parquet", &[]);
    let after_second = listing(&incremental);
    for name in &after_first {
        if name.ends_with(".parquet") {
            assert!(after_second.contains(name), "{name} was removed by run 2");
        }
    }
    let new_files: Vec<&String> = after_second
        .iter()
        .filter(|n| !after_first.contains(n))
        .collect();
    assert_eq!(
        new_files.iter().filter(|n| n.ends_with(".parquet")).count(),
        3,
        "run 2 adds new usage_events, sessions and daily files: {new_files:?}\n{}",
        second.stdout
    );
    // Run 3: nothing new, nothing written.
    let third = export(&homes, &index, &incremental, "parquet", &[]);
    assert_eq!(third.stdout, "", "run 3 printed files");
    assert!(third.stderr.contains("nothing new"), "{}", third.stderr);
    assert_eq!(listing(&incremental), after_second, "run 3 wrote files");

    // One full export of the final home, in each format.
    let full = tmp.path().join("full");
    export(&homes, &index, &full, "parquet", &["--full"]);
    let ndjson = tmp.path().join("ndjson");
    export(&homes, &index, &ndjson, "ndjson", &[]);

    // The reference: stats of the final home, itself checked against the generator's truth.
    let want = stats_daily(&homes, &index);
    let truth = truth();
    let stats_five: BTreeMap<String, [i64; 5]> = want
        .iter()
        .map(|(k, (t, _))| (k.clone(), [t[0], t[1], t[2], t[3], t[4]]))
        .collect();
    assert_eq!(
        stats_five, truth,
        "stats daily differs from the generator's truth"
    );

    if !engines_ready() {
        return;
    }
    assert_engines_match(&incremental, "parquet", &want);
    assert_engines_match(&full, "parquet", &want);
    assert_engines_match(&ndjson, "ndjson", &want);
    // Same event keys, each exactly once, in both engines.
    let union = engines("keys", &incremental, "parquet");
    let whole = engines("keys", &full, "parquet");
    for engine in ["duckdb", "clickhouse"] {
        let keys = union[engine].as_array().expect("keys");
        assert!(!keys.is_empty());
        assert!(
            keys.iter()
                .all(|k| k.as_str().is_some_and(|k| k.ends_with("|1"))),
            "{engine}: an event was exported twice"
        );
        assert_eq!(
            union[engine], whole[engine],
            "{engine}: incremental ≠ full keys"
        );
    }
    // The README's latest-snapshot view over the incremental export is the full export.
    let readme = repo_path("README.md");
    let readme = readme.to_string_lossy();
    let latest = engines("latest", &incremental, &readme);
    let latest_full = engines("latest", &full, &readme);
    assert!(!latest["sessions"].as_array().expect("sessions").is_empty());
    assert_eq!(
        latest["sessions"], latest_full["sessions"],
        "sessions snapshot"
    );
    assert_eq!(latest["daily"], latest_full["daily"], "daily snapshot");

    // The README's ClickHouse and weekly-cost recipes, run as printed on the incremental export.
    let recipes = engines("recipes", &incremental, &readme);
    let total: i64 = truth.values().map(|t| t[4]).sum();
    let events = union["duckdb"].as_array().expect("keys").len() as i64;
    assert_eq!(
        recipes["clickhouse_table"],
        serde_json::json!([events, total]),
        "the README's ClickHouse table, loaded twice, holds each event once"
    );
    let ids = &recipes["latest_session_ids"];
    assert!(
        !ids["clickhouse"].as_array().expect("ids").is_empty(),
        "latest sessions"
    );
    assert_eq!(
        ids["clickhouse"], ids["duckdb"],
        "the README's latest-sessions query (ClickHouse) and view (DuckDB) keep the same sessions"
    );
    // Per week (Monday, UTC): tokens from the generator's truth, cost from `stats`.
    let mut weeks: BTreeMap<String, (i64, f64)> = BTreeMap::new();
    for (key, (tokens, cost)) in &want {
        let day = chrono::NaiveDate::parse_from_str(&key[..10], "%Y-%m-%d").expect("day");
        let monday = day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()));
        let week = weeks.entry(monday.to_string()).or_default();
        week.0 += tokens[4];
        week.1 += cost.unwrap_or(0.0);
    }
    assert_eq!(
        weeks.values().map(|w| w.0).sum::<i64>(),
        total,
        "stats and the truth file agree on the total"
    );
    for engine in ["duckdb", "clickhouse"] {
        let rows = recipes["weekly"][engine].as_array().expect("weekly rows");
        let developers: BTreeSet<&str> = rows.iter().filter_map(|r| r[0].as_str()).collect();
        assert_eq!(developers.len(), 1, "{engine}: one source, one developer");
        let got: BTreeMap<String, (i64, f64)> = rows
            .iter()
            .map(|r| {
                let usd = r[2].as_f64().expect("every event is priced");
                (
                    r[1].as_str().expect("week").to_owned(),
                    (r[3].as_i64().expect("tokens"), usd),
                )
            })
            .collect();
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            weeks.keys().collect::<Vec<_>>(),
            "{engine}: weeks"
        );
        for (week, (tokens, usd)) in &got {
            assert_eq!(*tokens, weeks[week].0, "{engine} {week}: tokens");
            assert!(
                (usd - weeks[week].1).abs() <= 0.005 + 1e-9,
                "{engine} {week}: {usd} USD vs {}",
                weeks[week].1
            );
        }
    }
}

#[test]
#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
fn real_corpus_exports_agree_with_stats_in_both_engines() {
    let Some(corpus) = std::env::var_os("ROLLDEX_REAL_CORPUS") else {
        println!("ROLLDEX_REAL_CORPUS is not set: skipping the real-corpus export check");
        return;
    };
    let mut homes: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("read corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    homes.sort();
    assert!(homes.len() > 5, "the real corpus has its homes");
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let out = tmp.path().join("out");
    let result = export(&homes, &index, &out, "parquet", &[]);
    assert!(result.stdout.contains("usage_events-"), "{}", result.stdout);
    let want = stats_daily(&homes, &index);
    assert!(want.len() > 20, "the corpus has many days");
    if engines_ready() {
        assert_engines_match(&out, "parquet", &want);
    }
}
