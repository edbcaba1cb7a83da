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
mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::Datelike;
use serde_json::Value;
use util::{Output, binary, clean_command, copy_tree, repo_path, wait_output};

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

/// The demo home split in two: `initial` lacks some sessions and has others cut at a line in
/// the middle; `finish` adds the sessions and appends the cut lines, giving the whole home.
/// Forks and their parents are left whole (a fork's events are judged against its parent's).
struct Split {
    home: PathBuf,
    withheld: Vec<(PathBuf, Vec<u8>)>,
    cut: Vec<(PathBuf, Vec<u8>)>,
}

impl Split {
    fn new(source: &Path, home: &Path) -> Split {
        copy_tree(source, home);
        let mut files: Vec<PathBuf> = Vec::new();
        collect_rollouts(&home.join("sessions"), &mut files);
        files.sort();
        let texts: Vec<Vec<u8>> = files
            .iter()
            .map(|f| std::fs::read(f).expect("read"))
            .collect();
        let mut related: BTreeSet<String> = BTreeSet::new();
        for text in &texts {
            let text = String::from_utf8_lossy(text);
            for part in text.split("\"forked_from_id\":\"").skip(1) {
                related.insert(part.chars().take(36).collect());
            }
        }
        let mut split = Split {
            home: home.to_path_buf(),
            withheld: Vec::new(),
            cut: Vec::new(),
        };
        for (i, (file, text)) in files.iter().zip(&texts).enumerate() {
            let name = file
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            let lossy = String::from_utf8_lossy(text);
            if related.iter().any(|id| name.contains(id.as_str()))
                || lossy.contains("forked_from_id")
            {
                continue;
            }
            if i % 7 == 3 {
                std::fs::remove_file(file).expect("withhold");
                split.withheld.push((file.clone(), text.clone()));
            } else if i % 5 == 1 {
                let newlines: Vec<usize> = text
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .map(|(i, _)| i)
                    .collect();
                if newlines.len() < 4 {
                    continue;
                }
                let end = newlines[newlines.len() / 2] + 1;
                std::fs::write(file, &text[..end]).expect("cut");
                split.cut.push((file.clone(), text[end..].to_vec()));
            }
        }
        assert!(
            split.withheld.len() >= 2 && split.cut.len() >= 2,
            "the demo home should give sessions to add and to grow"
        );
        split
    }

    fn finish(&self) {
        use std::io::Write;
        for (file, text) in &self.withheld {
            std::fs::write(file, text).expect("add session");
        }
        for (file, rest) in &self.cut {
            let mut handle = std::fs::OpenOptions::new()
                .append(true)
                .open(file)
                .expect("open to append");
            handle.write_all(rest).expect("append lines");
        }
    }
}

fn collect_rollouts(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect_rollouts(&path, out);
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
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

#[test]
fn refusals_redaction_and_permissions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let home = tmp.path().join("home");
    copy_tree(&repo_path("testdata/demo-home"), &home);
    let homes = vec![home.clone()];
    let out = tmp.path().join("out");
    export(
        &homes,
        &index,
        &out,
        "ndjson",
        &["--source-id", "alice@laptop"],
    );
    // Another source, another format: refused, nothing written.
    let before = listing(&out);
    for (format, id) in [("ndjson", "bob"), ("parquet", "alice@laptop")] {
        let args = [
            "--codex-home".as_ref(),
            home.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "export".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--source-id".as_ref(),
            id.as_ref(),
        ];
        let refused = rolldex(&index, &[], &args);
        assert_eq!(refused.code, 2, "{format} {id}: {}", refused.stderr);
        assert!(refused.stderr.contains("--full"), "{}", refused.stderr);
    }
    assert_eq!(listing(&out), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        for name in &before {
            assert_eq!(mode(&out.join(name)), 0o600, "{name}");
        }
    }
    // A stray export file (a run cut short) is set aside on the next run.
    std::fs::write(out.join("usage_events-20000101T000000000Z.ndjson"), "{}\n").expect("stray");
    let again = export(
        &homes,
        &index,
        &out,
        "ndjson",
        &["--source-id", "alice@laptop"],
    );
    assert!(again.stderr.contains(".incomplete"), "{}", again.stderr);
    assert!(
        out.join("usage_events-20000101T000000000Z.ndjson.incomplete")
            .exists()
    );

    // --redact-paths with a team key: cwd is HMAC-SHA256(key, path), first 32 hex digits,
    // computed here by Python's hmac module.
    let plain_sessions = read_rows(&out, "sessions");
    let redacted = tmp.path().join("redacted");
    let args = [
        "--codex-home".as_ref(),
        home.as_os_str(),
        "--format".as_ref(),
        "ndjson".as_ref(),
        "export".as_ref(),
        "--out".as_ref(),
        redacted.as_os_str(),
        "--redact-paths".as_ref(),
    ];
    let run = rolldex(&index, &[("ROLLDEX_REDACT_KEY", "team-secret")], &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hashed = read_rows(&redacted, "sessions");
    let by_id = |rows: &[Value]| -> BTreeMap<String, Value> {
        rows.iter()
            .map(|r| (r["session_id"].as_str().expect("id").to_owned(), r.clone()))
            .collect()
    };
    let (plain, hashed) = (by_id(&plain_sessions), by_id(&hashed));
    assert_eq!(plain.len(), hashed.len());
    let cwds: Vec<&str> = plain.values().filter_map(|r| r["cwd"].as_str()).collect();
    assert!(!cwds.is_empty());
    let expected = python_hmac("team-secret", &cwds);
    for (id, row) in &plain {
        if let Some(cwd) = row["cwd"].as_str() {
            assert_eq!(
                hashed[id]["cwd"].as_str(),
                Some(expected[cwd].as_str()),
                "{id}"
            );
            assert_eq!(
                hashed[id]["repository"], row["repository"],
                "repositories stay readable"
            );
        }
    }
}

/// Every row of `table`'s ndjson files in `dir`.
fn read_rows(dir: &Path, table: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for name in listing(dir) {
        if name.starts_with(&format!("{table}-")) && name.ends_with(".ndjson") {
            let text = std::fs::read_to_string(dir.join(name)).expect("read");
            rows.extend(
                text.lines()
                    .map(|l| serde_json::from_str::<Value>(l).expect("JSON row")),
            );
        }
    }
    rows
}

/// HMAC-SHA256 hex (first 32 digits) of each text, by Python's standard library.
fn python_hmac(key: &str, texts: &[&str]) -> BTreeMap<String, String> {
    let script = "import hmac, hashlib, json, sys\nkey, texts = sys.argv[1], json.loads(sys.argv[2])\n\
                  print(json.dumps({t: hmac.new(key.encode(), t.encode(), hashlib.sha256).hexdigest()[:32] for t in texts}))";
    let output = Command::new("python3")
        .args([
            "-c",
            script,
            key,
            &serde_json::to_string(texts).expect("json"),
        ])
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("hmac JSON")
}
