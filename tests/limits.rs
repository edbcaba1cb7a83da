//! `rolldex limits` and `rolldex statusline` end to end, through the real binary.
//!
//! Three sources of truth, none of them rolldex's own output:
//!
//! - `testdata/fixtures/limits/`: hand-written `rate_limits` sequences (see its README for the
//!   worked figures): window resets, a missing secondary window, a weekly-only period, the
//!   0.40 flat and 0.47 relative shapes, two limit ids;
//! - `testdata/codex-versions/<version>/home`: written by the real Codex CLI against the
//!   stand-in, whose rate-limit headers are a function of the response number (`live/standin`
//!   `x-codex-*`): `3 + 7n mod 60` % used of a 300-minute window resetting `18000 − 977n mod
//!   18000` s later, `1 + 3n mod 60` % of a 10080-minute one resetting `604800 − 7919n mod
//!   604800` s later; the ledger gives each response's number and time;
//! - the real corpus (`ROLLDEX_REAL_CORPUS`, skipped with a message when unset): invariants.

#[path = "util/mod.rs"]
mod util;

use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use util::{assert_no_panic, fixture, repo_path, run, run_with_index};

/// The instant the fixture's figures were worked out for.
const NOW: &str = "2026-03-05T13:10:00Z";

fn limits_json(home: &Path, args: &[&str]) -> Value {
    let mut all: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        "UTC".into(),
        "limits".into(),
        "--json".into(),
    ];
    all.extend(args.iter().map(Into::into));
    let out = run(&all);
    assert_eq!(out.code, 0, "{all:?}: {}", out.stderr);
    assert_no_panic(&out);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn statusline(home: &Path, args: &[&str]) -> util::Output {
    let mut all: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        "UTC".into(),
        "statusline".into(),
        "--update".into(),
    ];
    all.extend(args.iter().map(Into::into));
    run(&all)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

fn limit<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["limits"]
        .as_array()
        .expect("limits")
        .iter()
        .find(|l| l["limit_id"] == id)
        .unwrap_or_else(|| panic!("no limit {id}: {report}"))
}

fn window(limit: &Value, minutes: u64) -> &Value {
    limit["windows"]
        .as_array()
        .expect("windows")
        .iter()
        .find(|w| w["window_minutes"] == minutes)
        .unwrap_or_else(|| panic!("no {minutes}-minute window: {limit}"))
}

#[test]
fn now_per_limit_and_window() {
    let report = limits_json(&fixture("limits"), &["--now", NOW]);
    let ids: Vec<&str> = report["limits"]
        .as_array()
        .expect("limits")
        .iter()
        .map(|l| l["limit_id"].as_str().expect("id"))
        .collect();
    // Newest snapshot first: bengalfox at 13:05, codex at 13:00.
    assert_eq!(ids, ["codex_bengalfox", "codex"]);

    let codex = limit(&report, "codex");
    assert_eq!(codex["plan_type"], "plus");
    assert_eq!(codex["credits"]["balance"], "48.5");
    assert_eq!(codex["as_of"], "2026-03-05T13:00:00.000Z");
    assert_eq!(codex["age_seconds"], 600);
    let five = window(codex, 300);
    assert_eq!(five["label"], "5h");
    assert!(close(five["used_percent"].as_f64().expect("used"), 20.0));
    assert_eq!(five["resets_at"], "2026-03-05T17:30:01.000Z");
    assert_eq!(five["resets_in_seconds"], 4 * 3600 + 20 * 60 + 1);
    // 5 % at 12:30 → 20 % at 13:00: 30 %/h, 80 points left → 2 h 40 min after 13:00.
    assert_eq!(five["projection"]["status"], "full_before_reset");
    assert!(close(
        five["projection"]["percent_per_hour"]
            .as_f64()
            .expect("rate"),
        30.0
    ));
    assert_eq!(five["projection"]["full_at"], "2026-03-05T15:40:00.000Z");
    // The secondary window went missing at 12:30; the weekly one still runs (09:30, 8 %).
    let week = window(codex, 10080);
    assert_eq!(week["label"], "weekly");
    assert!(close(week["used_percent"].as_f64().expect("used"), 8.0));
    assert_eq!(week["as_of"], "2026-03-05T09:30:00.000Z");
    assert_eq!(week["resets_at"], "2026-03-09T00:00:00.000Z");
    // 2 % (03-02 10:00) → 8 % (03-05 09:30): 6 points in 71.5 h, far slower than the reset.
    assert_eq!(week["projection"]["status"], "resets_first");
    assert!(close(
        week["projection"]["percent_per_hour"]
            .as_f64()
            .expect("rate"),
        6.0 / 71.5
    ));

    let spark = limit(&report, "codex_bengalfox");
    assert_eq!(spark["windows"].as_array().expect("windows").len(), 1);
    let five = window(spark, 300);
    assert!(close(five["used_percent"].as_f64().expect("used"), 55.0));
    assert_eq!(five["resets_in_seconds"], 50 * 60);
    // 50 % at 12:40:10 → 55 % at 13:05:00 (24 min 50 s): 12.08 %/h, full after 14:00.
    assert_eq!(five["projection"]["status"], "resets_first");
    assert!(close(
        five["projection"]["percent_per_hour"]
            .as_f64()
            .expect("rate"),
        5.0 / (1490.0 / 3600.0)
    ));
}

#[test]
fn projection_needs_ten_minutes_and_resets_zero_the_window() {
    // At 18:00 both 5-hour windows have reset: 0 % now, the reported figure kept.
    let report = limits_json(&fixture("limits"), &["--now", "2026-03-05T18:00:00Z"]);
    let five = window(limit(&report, "codex"), 300);
    assert_eq!(five["reset_since"], true);
    assert!(close(five["used_percent"].as_f64().expect("used"), 0.0));
    assert!(close(
        five["reported_used_percent"].as_f64().expect("used"),
        20.0
    ));
    assert_eq!(five["projection"]["status"], "not_enough_data");
}

#[test]
fn history_instances_with_spend() {
    let report = limits_json(&fixture("limits"), &["--history", "--now", NOW]);
    let history = report["history"].as_array().expect("history");
    let rows: Vec<(String, u64, String, String, f64, i64, bool)> = history
        .iter()
        .map(|i| {
            (
                i["limit_id"].as_str().expect("id").to_owned(),
                i["window_minutes"].as_u64().expect("minutes"),
                i["start"].as_str().expect("start").to_owned(),
                i["resets_at"].as_str().expect("resets").to_owned(),
                i["peak_used_percent"].as_f64().expect("peak"),
                i["usage"]["total_tokens"].as_i64().expect("tokens"),
                i["current"].as_bool().expect("current"),
            )
        })
        .collect();
    let row = |id: &str, m: u64, s: &str, r: &str, peak: f64, tokens: i64, current: bool| {
        (
            id.to_owned(),
            m,
            s.to_owned(),
            r.to_owned(),
            peak,
            tokens,
            current,
        )
    };
    assert_eq!(
        rows,
        [
            // Weekly: the 0.47 relative resets (03-02) and the absolute ones (03-05) agree.
            row(
                "codex",
                10080,
                "2026-03-02T00:00:00.000Z",
                "2026-03-09T00:00:00.000Z",
                8.0,
                7700,
                true
            ),
            row(
                "codex",
                300,
                "2026-03-05T07:00:00.000Z",
                "2026-03-05T12:00:00.000Z",
                40.0,
                2200,
                false
            ),
            row(
                "codex_bengalfox",
                300,
                "2026-03-05T09:00:00.000Z",
                "2026-03-05T14:00:00.000Z",
                55.0,
                6600,
                true
            ),
            // 17:30:00 and 17:30:01 are one instance, to the minute.
            row(
                "codex",
                300,
                "2026-03-05T12:30:00.000Z",
                "2026-03-05T17:30:00.000Z",
                20.0,
                4400,
                true
            ),
        ]
    );
    let cost = |i: usize| history[i]["usage"]["cost_usd"].as_f64().expect("cost");
    assert!((cost(0) - 0.014_625).abs() < 1e-12);
    assert!((cost(1) - 0.004_5).abs() < 1e-12);
    assert!((cost(2) - 0.012_375).abs() < 1e-12);
    assert!((cost(3) - 0.007_875).abs() < 1e-12);
    let top: Vec<&str> = history[0]["top_sessions"]
        .as_array()
        .expect("top")
        .iter()
        .map(|s| s["session_id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        top,
        [
            "019cc0a0-0000-7000-8000-0000000000a1",
            "019cc0a0-0000-7000-8000-0000000000a2",
            "019cc0a0-0000-7000-8000-0000000000a3"
        ]
    );
    // The 0.40 flat snapshot has no reset time: it makes no instance.
    assert_eq!(history.len(), 4);

    // --until 2026-03-04: only instances that start before 03-05.
    let report = limits_json(
        &fixture("limits"),
        &["--history", "--until", "2026-03-04", "--now", NOW],
    );
    assert_eq!(report["history"].as_array().expect("history").len(), 1);
    // --since 2026-03-05: the weekly one still ends after it.
    let report = limits_json(
        &fixture("limits"),
        &["--history", "--since", "2026-03-05", "--now", NOW],
    );
    assert_eq!(report["history"].as_array().expect("history").len(), 4);
}

#[test]
fn statusline_default_template_and_no_data() {
    let home = fixture("limits");
    let out = statusline(&home, &["--now", NOW]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    // Today (UTC): 4 × $0.00225 + $0.003375 = $0.012375.
    assert_eq!(out.stdout, "5h 20% ↻4h20m · wk 8% · today $0.01\n");
    let out = statusline(
        &home,
        &[
            "--now",
            NOW,
            "--template",
            "{5h}|{5h_reset}|{wk}|{wk_reset}|{today_tokens}|{age}|{plan}|{limit}",
        ],
    );
    assert_eq!(out.stdout, "20%|4h20m|8%|3d10h|6600|10m|plus|codex\n");
    let out = statusline(&home, &["--now", "2026-03-05T18:00:00Z"]);
    assert_eq!(out.stdout, "5h 0% · wk 8% · today $0.01\n");
    // `--format TEMPLATE` is the same as `--template` for statusline, and refused elsewhere.
    let by_format = statusline(&home, &["--now", NOW, "--format", "{5h} {wk}"]);
    let by_template = statusline(&home, &["--now", NOW, "--template", "{5h} {wk}"]);
    assert_eq!(by_format.code, 0, "{}", by_format.stderr);
    assert_eq!(by_format.stdout, by_template.stdout);
    assert!(!by_format.stdout.is_empty());
    let elsewhere = util::run(&[
        "--codex-home".as_ref(),
        home.as_os_str(),
        "--format".as_ref(),
        "{5h}".as_ref(),
        "stats".as_ref(),
    ]);
    assert_eq!(elsewhere.code, 2, "{}", elsewhere.stderr);
    assert!(
        elsewhere.stderr.contains("statusline"),
        "{}",
        elsewhere.stderr
    );
    let out = statusline(&home, &["--template", "{nope}"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown field {nope}"),
        "{}",
        out.stderr
    );

    let empty = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(empty.path().join("sessions")).expect("mkdir");
    let out = statusline(empty.path(), &[]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.stderr);
}

#[test]
fn statusline_answers_from_the_last_commit() {
    let home = tempfile::tempdir().expect("home");
    util::copy_tree(&fixture("limits"), home.path());
    let index = tempfile::tempdir().expect("index");
    let args = |extra: &[&str]| -> Vec<std::ffi::OsString> {
        let mut all: Vec<std::ffi::OsString> = vec![
            "--codex-home".into(),
            home.path().into(),
            "--tz".into(),
            "UTC".into(),
        ];
        all.extend(extra.iter().map(Into::into));
        all
    };
    // No index yet: nothing to say.
    let out = run_with_index(&args(&["statusline", "--now", NOW]), Some(index.path()));
    assert_eq!((out.code, out.stdout.as_str()), (0, ""));
    let out = run_with_index(&args(&["index"]), Some(index.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_with_index(&args(&["statusline", "--now", NOW]), Some(index.path()));
    assert_eq!(out.stdout, "5h 20% ↻4h20m · wk 8% · today $0.01\n");
    // The second answer comes from the small cache of that commit: the same line.
    let out = run_with_index(&args(&["statusline", "--now", NOW]), Some(index.path()));
    assert_eq!(out.stdout, "5h 20% ↻4h20m · wk 8% · today $0.01\n");
    // A new commit (any query updates the index) makes the cache stale: the new snapshot shows.
    append_snapshot(home.path(), 35.0);
    let out = run_with_index(&args(&["stats"]), Some(index.path()));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_with_index(&args(&["statusline", "--now", NOW]), Some(index.path()));
    assert!(out.stdout.starts_with("5h 35% "), "{}", out.stdout);
}

/// Appends a 5-hour snapshot at `used` % to session A of a copy of the fixture.
fn append_snapshot(home: &Path, used: f64) {
    let path = home.join(
        "sessions/2026/03/05/rollout-2026-03-05T09-00-00-019cc0a0-0000-7000-8000-0000000000a1.jsonl",
    );
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(path)
        .expect("open rollout");
    writeln!(
        file,
        r#"{{"timestamp":"2026-03-05T13:05:00.000Z","type":"event_msg","payload":{{"type":"token_count","info":null,"rate_limits":{{"primary":{{"used_percent":{used},"window_minutes":300,"resets_at":1772731801}},"secondary":null,"credits":null,"plan_type":"plus"}}}}}}"#
    )
    .expect("append");
}

#[test]
fn watch_redraws_on_change_and_ctrl_c_exits_zero() {
    let home = tempfile::tempdir().expect("home");
    util::copy_tree(&fixture("limits"), home.path());
    let index = tempfile::tempdir().expect("index");
    let config = tempfile::tempdir().expect("config");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rolldex"))
        .args(["--codex-home"])
        .arg(home.path())
        .args(["--tz", "UTC", "--json", "limits", "--watch", "--now", NOW])
        .env("ROLLDEX_INDEX_DIR", index.path())
        .env("XDG_CONFIG_HOME", config.path())
        .env_remove("CODEX_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let (send, frames) = mpsc::channel::<Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Ok(value) = serde_json::from_str::<Value>(&line) {
                let _ = send.send(value);
            }
        }
    });
    let used_now = |frame: &Value| {
        window(limit(frame, "codex"), 300)["used_percent"]
            .as_f64()
            .expect("used")
    };
    let next = |what: &str| {
        frames
            .recv_timeout(Duration::from_mins(1))
            .unwrap_or_else(|_| panic!("no frame {what}"))
    };
    assert!(close(used_now(&next("at start")), 20.0));
    append_snapshot(home.path(), 33.0);
    assert!(close(used_now(&next("after a change")), 33.0));
    // Nothing changes: no new frame (no busy redraw).
    assert!(frames.recv_timeout(Duration::from_millis(2500)).is_err());
    let pid = child.id().to_string();
    let killed = Command::new("kill").args(["-INT", &pid]).status();
    assert!(killed.is_ok_and(|s| s.success()));
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "--watch did not stop on SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(0));
}

/// The stand-in's figures for response `n`: (5 h used, 5 h reset-after, week used, week
/// reset-after), as in `live/standin/main.rs`.
fn standin(n: i64) -> (f64, i64, f64, i64) {
    (
        (3 + (n * 7) % 60) as f64,
        18_000 - (n * 977) % 18_000,
        (1 + (n * 3) % 60) as f64,
        604_800 - (n * 7_919) % 604_800,
    )
}

#[test]
fn codex_versions_match_the_standin_headers() {
    let root = repo_path("testdata/codex-versions");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("codex-versions")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("ledger.jsonl").is_file())
        .collect();
    versions.sort();
    assert!(!versions.is_empty());
    for dir in versions {
        let version = dir
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let ledger: Vec<(i64, i64)> = std::fs::read_to_string(dir.join("ledger.jsonl"))
            .expect("ledger")
            .lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).expect("ledger line");
                let n: i64 = v["response_id"]
                    .as_str()
                    .and_then(|r| r.rsplit('_').next())
                    .and_then(|n| n.parse().ok())
                    .expect("response number");
                let t = chrono::DateTime::parse_from_rfc3339(v["time"].as_str().expect("time"))
                    .expect("time")
                    .timestamp();
                (n, t)
            })
            .collect();
        let last = ledger.iter().map(|(_, t)| *t).max().expect("ledger time");
        let now = chrono::DateTime::from_timestamp(last + 60, 0)
            .expect("now")
            .to_rfc3339();
        let home = dir.join("home");
        let report = limits_json(&home, &["--history", "--now", &now]);
        let codex = limit(&report, "codex");
        // The current windows are one response's headers, with resets a few seconds apart at
        // most from that response's time plus the reset-after (0.47 wrote them relative).
        let (five, week) = (window(codex, 300), window(codex, 10080));
        let resets = |w: &Value| {
            chrono::DateTime::parse_from_rfc3339(w["resets_at"].as_str().expect("resets"))
                .expect("time")
                .timestamp()
        };
        let matching = ledger.iter().any(|(n, t)| {
            let (p, p_after, s, s_after) = standin(*n);
            close(five["used_percent"].as_f64().expect("used"), p)
                && close(week["used_percent"].as_f64().expect("used"), s)
                && (resets(five) - (t + p_after)).abs() <= 5
                && (resets(week) - (t + s_after)).abs() <= 5
        });
        assert!(matching, "{version}: no ledger response matches {codex}");
        // Every request came within minutes: one instance per window, its peak a figure the
        // stand-in sent, and every token of the home inside the 5-hour one.
        let history = report["history"].as_array().expect("history");
        for minutes in [300, 10080] {
            let of: Vec<&Value> = history
                .iter()
                .filter(|i| i["window_minutes"] == minutes)
                .collect();
            assert_eq!(of.len(), 1, "{version}: {minutes}-minute instances {of:?}");
            let peak = of[0]["peak_used_percent"].as_f64().expect("peak");
            assert!(
                ledger.iter().any(|(n, _)| {
                    let (p, _, s, _) = standin(*n);
                    close(peak, if minutes == 300 { p } else { s })
                }),
                "{version}: peak {peak}"
            );
        }
        let (stats, _) = util::stats_json(&home, "UTC", &[]);
        let five_hours = history
            .iter()
            .find(|i| i["window_minutes"] == 300)
            .expect("5h instance");
        assert_eq!(
            five_hours["usage"]["total_tokens"], stats["totals"]["total_tokens"],
            "{version}: tokens in the 5-hour window"
        );
    }
}

#[test]
fn real_corpus_invariants() {
    let Some(root) = std::env::var_os("ROLLDEX_REAL_CORPUS").filter(|v| !v.is_empty()) else {
        #[allow(clippy::print_stdout)] // the skip message the test harness shows
        {
            println!("ROLLDEX_REAL_CORPUS is not set: skipping the real-corpus limits test");
        }
        return;
    };
    let mut homes: Vec<PathBuf> = std::fs::read_dir(PathBuf::from(root))
        .expect("corpus")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir() && carries_rate_limits(&p.join("sessions")))
        .collect();
    homes.sort();
    assert!(!homes.is_empty(), "no home with rate_limits");
    for home in homes {
        let name = home.display().to_string();
        let report = limits_json(&home, &["--history", "--now", "2030-01-01T00:00:00Z"]);
        let limits = report["limits"].as_array().expect("limits");
        assert!(!limits.is_empty(), "{name}: no limits");
        for l in limits {
            for w in l["windows"].as_array().expect("windows") {
                let used = w["reported_used_percent"].as_f64().expect("used");
                assert!((0.0..=100.0).contains(&used), "{name}: {w}");
            }
        }
        let history = report["history"].as_array().expect("history");
        let mut last_start = String::new();
        let mut ends: std::collections::BTreeMap<(String, u64), String> =
            std::collections::BTreeMap::new();
        for i in history {
            let start = i["start"].as_str().expect("start").to_owned();
            let end = i["resets_at"].as_str().expect("end").to_owned();
            assert!(start >= last_start, "{name}: instances out of order");
            assert!(start < end, "{name}: {i}");
            let peak = i["peak_used_percent"].as_f64().expect("peak");
            assert!((0.0..=100.0).contains(&peak), "{name}: {i}");
            let key = (
                i["limit_id"].as_str().expect("id").to_owned(),
                i["window_minutes"].as_u64().expect("minutes"),
            );
            if let Some(previous_end) = ends.get(&key) {
                assert!(*previous_end <= start, "{name}: overlap {key:?} at {start}");
            }
            ends.insert(key, end);
            last_start = start;
        }
    }
}

/// True when some rollout under `dir` has a `rate_limits` object.
fn carries_rate_limits(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let path = e.path();
        if path.is_dir() {
            carries_rate_limits(&path)
        } else {
            std::fs::read(&path)
                .is_ok_and(|bytes| bytes.windows(15).any(|w| w == br#""rate_limits":{"#))
        }
    })
}
