//! Cost through the real binary: service tiers (`thread_settings_applied.service_tier`), partial
//! costs when some usage has no price, and implausible prices in the config file.
//!
//! Every expected figure is worked out by hand in the comments, from the prices the test writes
//! into its own config file or from the bundled `prices.toml` figures quoted beside them.

#[path = "util/mod.rs"]
mod util;

use std::path::{Path, PathBuf};

use serde_json::Value;
use util::{Output, assert_cost, assert_no_panic, row, run, stats_json, usage};

/// One rollout's lines, written under `home/sessions/YYYY/MM/DD/`.
struct Rollout {
    /// `2026-03-05T10:00:00` (UTC); also names the file and the day directory.
    start: &'static str,
    id: &'static str,
    lines: Vec<String>,
    /// Running totals (input, cached, output, reasoning) for the next `token_count`.
    totals: [i64; 4],
}

impl Rollout {
    fn new(start: &'static str, id: &'static str) -> Rollout {
        let mut rollout = Rollout {
            start,
            id,
            lines: Vec::new(),
            totals: [0; 4],
        };
        rollout.lines.push(format!(
            r#"{{"timestamp":"{start}.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"{start}.000Z","cwd":"/home/dev/proj","originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}}}"#
        ));
        rollout
    }

    fn model(mut self, at: &str, model: &str) -> Rollout {
        self.lines.push(format!(
            r#"{{"timestamp":"{at}Z","type":"turn_context","payload":{{"cwd":"/home/dev/proj","approval_policy":"on-request","sandbox_policy":{{"type":"workspace-write","network_access":false}},"model":"{model}","effort":"medium","summary":"auto"}}}}"#
        ));
        self
    }

    /// A `thread_settings_applied` line: with `Some(tier)` it carries `"service_tier"`, with
    /// `None` it has no such key (the standard tier).
    fn settings(mut self, at: &str, model: &str, tier: Option<&str>) -> Rollout {
        let tier = tier.map_or(String::new(), |t| format!(r#","service_tier":"{t}""#));
        self.lines.push(format!(
            r#"{{"timestamp":"{at}Z","type":"event_msg","payload":{{"type":"thread_settings_applied","thread_settings":{{"model":"{model}","model_provider_id":"openai","approval_policy":"on-request","cwd":"/home/dev/proj"{tier},"personality":"pragmatic"}}}}}}"#
        ));
        self
    }

    /// A `token_count` whose `last_token_usage` is this turn's (input, cached, output).
    fn turn(mut self, at: &str, input: i64, cached: i64, output: i64) -> Rollout {
        let t = &mut self.totals;
        t[0] += input;
        t[1] += cached;
        t[2] += output;
        let [ti, tc, to, tr] = *t;
        self.lines.push(format!(
            r#"{{"timestamp":"{at}Z","type":"event_msg","payload":{{"type":"token_count","info":{{"total_token_usage":{{"input_tokens":{ti},"cached_input_tokens":{tc},"output_tokens":{to},"reasoning_output_tokens":{tr},"total_tokens":{}}},"last_token_usage":{{"input_tokens":{input},"cached_input_tokens":{cached},"output_tokens":{output},"reasoning_output_tokens":0,"total_tokens":{}}},"model_context_window":258400}},"rate_limits":null}}}}"#,
            ti + to,
            input + output
        ));
        self
    }

    fn write(self, home: &Path) {
        let (date, time) = self.start.split_once('T').expect("start has a T");
        let dir = home.join("sessions").join(date.replace('-', "/"));
        std::fs::create_dir_all(&dir).expect("session dir");
        let name = format!(
            "rollout-{date}T{}-{}.jsonl",
            time.replace(':', "-"),
            self.id
        );
        std::fs::write(dir.join(name), self.lines.join("\n") + "\n").expect("write rollout");
    }
}

/// `--codex-home home --tz UTC [--config file] stats ARGS…`.
fn stats(home: &Path, config: Option<&Path>, args: &[&str]) -> Output {
    let mut all: Vec<std::ffi::OsString> = vec![
        "--codex-home".into(),
        home.into(),
        "--tz".into(),
        "UTC".into(),
    ];
    if let Some(config) = config {
        all.extend(["--config".into(), config.into()]);
    }
    all.push("stats".into());
    all.extend(args.iter().map(Into::into));
    let out = run(&all);
    assert_no_panic(&out);
    out
}

fn json(out: &Output) -> Value {
    assert_eq!(out.code, 0, "stderr: {}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

fn complete(amount: &Value) -> bool {
    amount["cost_complete"]
        .as_bool()
        .unwrap_or_else(|| panic!("cost_complete is not a bool in {amount}"))
}

fn unpriced(amount: &Value) -> Vec<String> {
    amount["unpriced_models"]
        .as_array()
        .unwrap_or_else(|| panic!("unpriced_models is not an array in {amount}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// One gpt-5 session on 2026-03-05 that switches to priority for its second turn and back to
/// standard for its third:
///
/// | turn | tier     | input | cached | output |
/// |------|----------|-------|--------|--------|
/// | 1    | standard | 1000  | 0      | 100    |
/// | 2    | priority | 2000  | 1000   | 200    |
/// | 3    | standard | 3000  | 2000   | 300    |
///
/// Totals: input 6000, cached 3000, output 600, reasoning 0, total 6600.
fn priority_switch_home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    Rollout::new(
        "2026-03-05T10:00:00",
        "019cc0a0-0000-7000-8000-0000000000a1",
    )
    .model("2026-03-05T10:00:01.000", "gpt-5")
    .settings("2026-03-05T10:00:01.100", "gpt-5", None)
    .turn("2026-03-05T10:00:05.000", 1000, 0, 100)
    .settings("2026-03-05T10:01:00.000", "gpt-5", Some("priority"))
    .turn("2026-03-05T10:01:05.000", 2000, 1000, 200)
    .settings("2026-03-05T10:02:00.000", "gpt-5", None)
    .turn("2026-03-05T10:02:05.000", 3000, 2000, 300)
    .write(&home);
    (dir, home)
}

#[test]
fn priority_turns_are_priced_at_the_configured_priority_price() {
    let (dir, home) = priority_switch_home();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "[prices.\"gpt-5\"]\ninput = 2.0\ncached_input = 0.5\noutput = 10.0\n\n\
         [prices.\"gpt-5\".priority]\ninput = 4.0\ncached_input = 1.0\noutput = 20.0\n",
    )
    .expect("config");
    // Standard, turn 1: 1000 × 2 + 100 × 10                  = 3000  → $0.003
    // Standard, turn 3: (3000 − 2000) × 2 + 2000 × 0.5 + 300 × 10
    //                 = 2000 + 1000 + 3000                   = 6000  → $0.006
    // Priority, turn 2: (2000 − 1000) × 4 + 1000 × 1 + 200 × 20
    //                 = 4000 + 1000 + 4000                   = 9000  → $0.009
    // Day: 3000 + 6000 + 9000 = 18000 per million            → $0.018
    // (All standard would have been 3000 + 6000 + 2000 + 500 + 2000 = 13500 → $0.0135.)
    for extra in [&[][..], &["--no-index"]] {
        let mut args = vec!["daily", "--json"];
        args.extend(extra);
        let report = json(&stats(&home, Some(&config), &args));
        let day = row(&report, "2026-03-05").expect("the day");
        assert_eq!(usage(day), [6000, 3000, 600, 0, 6600]);
        assert_cost(day, Some(0.018), "day");
        assert!(complete(day));
        assert!(unpriced(day).is_empty());
        assert_cost(&report["rows"][0]["models"]["gpt-5"], Some(0.018), "gpt-5");
        assert_cost(&report["totals"], Some(0.018), "totals");
        assert!(complete(&report["totals"]));
    }
    // Grouped by model the row is still keyed by the model alone.
    let report = json(&stats(&home, Some(&config), &["model", "--json"]));
    let gpt5 = row(&report, "gpt-5").expect("gpt-5 row");
    assert_cost(gpt5, Some(0.018), "model row");
}

#[test]
fn priority_turns_use_the_bundled_priority_price() {
    let (_dir, home) = priority_switch_home();
    // prices.toml: gpt-5 standard 1.25 / 0.125 / 10; priority 2.50 / 0.25 / 20
    // (openai.com/api-priority-processing).
    // Standard, turn 1: 1000 × 1.25 + 100 × 10                      = 2250
    // Standard, turn 3: 1000 × 1.25 + 2000 × 0.125 + 300 × 10       = 1250 + 250 + 3000 = 4500
    // Priority, turn 2: 1000 × 2.5 + 1000 × 0.25 + 200 × 20         = 2500 + 250 + 4000 = 6750
    // Day: 2250 + 4500 + 6750 = 13500 per million                   → $0.0135
    let report = json(&stats(&home, None, &["daily", "--json"]));
    assert_cost(&report["totals"], Some(0.0135), "totals");
    assert!(complete(&report["totals"]));
}

/// 2026-03-05: a gpt-5 session (priced) and a `guardian-x` sub-agent session (no price);
/// 2026-03-06: a gpt-5.3-codex session on priority (the bundled table has no priority price for
/// it: OpenAI's priority page does not list it).
fn partial_home() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("home");
    Rollout::new(
        "2026-03-05T09:00:00",
        "019cc0a0-0000-7000-8000-0000000000b1",
    )
    .model("2026-03-05T09:00:01.000", "gpt-5")
    .turn("2026-03-05T09:00:05.000", 1_000_000, 0, 100_000)
    .write(&home);
    Rollout::new(
        "2026-03-05T11:00:00",
        "019cc0a0-0000-7000-8000-0000000000b2",
    )
    .model("2026-03-05T11:00:01.000", "guardian-x")
    .turn("2026-03-05T11:00:05.000", 500, 0, 50)
    .write(&home);
    Rollout::new(
        "2026-03-06T08:00:00",
        "019cc0a0-0000-7000-8000-0000000000b3",
    )
    .model("2026-03-06T08:00:01.000", "gpt-5.3-codex")
    .settings("2026-03-06T08:00:01.100", "gpt-5.3-codex", Some("priority"))
    .turn("2026-03-06T08:00:05.000", 2000, 0, 100)
    .write(&home);
    (dir, home)
}

#[test]
fn an_unpriced_model_leaves_the_priced_part_and_says_what_is_missing() {
    let (_dir, home) = partial_home();
    // gpt-5 at the bundled 1.25 / 10: 1,000,000 × 1.25 + 100,000 × 10 = 1.25 + 1.00 = $2.25.
    let (report, out) = stats_json(&home, "UTC", &["daily"]);
    let day1 = row(&report, "2026-03-05").expect("day 1");
    assert_eq!(usage(day1), [1_000_500, 0, 100_050, 0, 1_100_550]);
    assert_cost(day1, Some(2.25), "day 1");
    assert!(!complete(day1));
    assert_eq!(unpriced(day1), ["guardian-x"]);
    let models = &day1["models"];
    assert_cost(&models["gpt-5"], Some(2.25), "gpt-5");
    assert!(complete(&models["gpt-5"]));
    assert!(unpriced(&models["gpt-5"]).is_empty());
    assert_cost(&models["guardian-x"], None, "guardian-x: null, never $0");
    assert!(!complete(&models["guardian-x"]));
    assert_eq!(unpriced(&models["guardian-x"]), ["guardian-x"]);
    // Day 2 is wholly unpriced: null, not $0.
    let day2 = row(&report, "2026-03-06").expect("day 2");
    assert_cost(day2, None, "day 2");
    assert!(!complete(day2));
    assert_eq!(unpriced(day2), ["gpt-5.3-codex (priority)"]);
    // Totals: the priced part, and both gaps, sorted.
    assert_cost(&report["totals"], Some(2.25), "totals");
    assert!(!complete(&report["totals"]));
    assert_eq!(
        unpriced(&report["totals"]),
        ["gpt-5.3-codex (priority)", "guardian-x"]
    );
    // stderr names both and shows the table to add for the first.
    assert!(
        out.stderr.contains("gpt-5.3-codex (priority), guardian-x"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("[prices.\"gpt-5.3-codex\".priority]"),
        "{}",
        out.stderr
    );

    // JSONL rows carry the same fields.
    let jsonl = stats(&home, None, &["daily", "--format", "jsonl"]);
    assert_eq!(jsonl.code, 0);
    let first: Value =
        serde_json::from_str(jsonl.stdout.lines().next().expect("a line")).expect("JSON line");
    assert_eq!(first, *day1);
}

#[test]
fn the_table_marks_a_partial_cost_and_explains_it() {
    let (_dir, home) = partial_home();
    let out = stats(&home, None, &["daily"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let text = &out.stdout;
    let line = |key: &str| {
        text.lines()
            .find(|l| l.contains(key))
            .unwrap_or_else(|| panic!("no {key} line in {text}"))
    };
    assert!(line("2026-03-05").contains("≥ $2.25*"), "{text}");
    assert!(line("2026-03-06").contains("unpriced"), "{text}");
    assert!(line("│ Total").contains("≥ $2.25*"), "{text}");
    let footnote = text
        .lines()
        .find(|l| l.starts_with('*'))
        .unwrap_or_else(|| panic!("no footnote in {text}"));
    assert!(
        footnote.contains("gpt-5.3-codex (priority)") && footnote.contains("guardian-x"),
        "{footnote}"
    );
}

#[test]
fn csv_ends_with_cost_complete() {
    let (_dir, home) = partial_home();
    let out = stats(&home, None, &["daily", "--format", "csv"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "key,model,input_tokens,cached_input_tokens,cache_write_input_tokens,output_tokens,reasoning_output_tokens,total_tokens,cost_usd,cost_complete",
            "2026-03-05,,1000500,0,0,100050,0,1100550,2.250000,false",
            "2026-03-06,,2000,0,0,100,0,2100,,false",
        ]
    );
    let out = stats(&home, None, &["daily", "--format", "csv", "--breakdown"]);
    let lines: Vec<&str> = out.stdout.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "2026-03-05,gpt-5,1000000,0,0,100000,0,1100000,2.250000,true",
            "2026-03-05,guardian-x,500,0,0,50,0,550,,false",
            "2026-03-06,gpt-5.3-codex,2000,0,0,100,0,2100,,false",
        ]
    );
}

#[test]
fn implausible_prices_in_the_config_are_refused() {
    let (dir, home) = priority_switch_home();
    for (body, model, field) in [
        (
            "[prices.\"gpt-5\"]\ninput = -1\noutput = 10.0\n",
            "gpt-5",
            "input",
        ),
        (
            "[prices.\"my-model\"]\ninput = 1.0\ncached_input = nan\noutput = 10.0\n",
            "my-model",
            "cached_input",
        ),
        (
            "[prices.\"gpt-5\"]\ninput = 1.0\noutput = 1e308\n",
            "gpt-5",
            "output",
        ),
        (
            "[prices.\"gpt-5\"]\ninput = 1.0\noutput = 10.0\n[prices.\"gpt-5\".priority]\ninput = inf\noutput = 20.0\n",
            "gpt-5",
            "priority.input",
        ),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, body).expect("config");
        let out = stats(&home, Some(&config), &["daily", "--json"]);
        assert_eq!(out.code, 2, "{body}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{body}");
        let file = config.display().to_string();
        for part in [file.as_str(), model, field] {
            assert!(
                out.stderr.contains(part),
                "{body}: {part} not in {}",
                out.stderr
            );
        }
    }
}
