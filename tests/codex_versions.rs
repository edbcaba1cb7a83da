//! End-to-end checks of the `rolldex` binary against Codex homes written by the **real** Codex
//! CLI, versions 0.47.0 to 0.171.0 (`testdata/codex-versions/`, made by `live/run.sh`).
//!
//! Why this suite exists: every Codex release moves the rollout format a little (paginated
//! history, `token_usage_record`, `item_completed` messages, `.jsonl.zst` files, archived
//! sessions, forks that carry their parent's totals). Unit tests and hand-made fixtures encode
//! what we *believe* Codex writes; this suite is an independent oracle. Every expected value comes
//! from what the harness itself recorded, never from rolldex's output:
//!
//! - `ledger.jsonl`: every response the stand-in Responses API server sent, with its thread id,
//!   model, time and exact token figures (the ground truth of spend);
//! - `scenarios.json`: what the driver ran (prompts, the threads each scenario created or
//!   continued, which thread `codex exec resume --last` continued, which background threads wrote
//!   no rollout) and which words each scenario made searchable.
//!
//! `ROLLDEX_CODEX_VERSIONS_DIR=DIR` runs the same checks on the versions found in `DIR`
//! instead (what `LIVE_OUT=DIR bash live/run.sh` wrote just now: CI does this with the newest
//! pinned Codex, `just live-latest` with npm's latest).
//!
//! Each `#[test]` is one check run over every version. A failure lists every failing version
//! with its reasons, and the passing ones, so one run prints the whole version × check matrix.
//!
//! Rules taken from the harness (see `testdata/codex-versions/README.md`):
//!
//! - Threads listed in `background_threads` (the TUI's title requests) wrote no rollout: their
//!   spend is left out of the expected figures and their words must not be found.
//! - `codex exec` sessions are hidden by default, so `search`, `sessions` and `resume` run with
//!   `--include-non-interactive`; the sessions driven through the TUI must also match without it.
//! - A turn is one model request that did not follow a tool call (`kind` other than
//!   `message(after-tool)`). A thread's turn count is the number of turns the scenarios sent to
//!   it (resumes included; a fork counts only its own prompts). Prompts map to turns in order;
//!   a prompt the driver re-sent after a failed attempt (same text twice in a row) counts once.

#[path = "util/mod.rs"]
mod util;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

/// Every Codex version with a home under `testdata/codex-versions/`.
const VERSIONS: [&str; 6] = [
    "0.47.0", "0.77.0", "0.100.0", "0.144.0", "0.153.4", "0.171.0",
];

/// Where the version directories are, and which versions to check: the committed fixtures, or
/// every `<version>/scenarios.json` under `ROLLDEX_CODEX_VERSIONS_DIR`.
fn versions() -> (PathBuf, Vec<String>) {
    match std::env::var_os("ROLLDEX_CODEX_VERSIONS_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let mut found: Vec<String> = std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("ROLLDEX_CODEX_VERSIONS_DIR {}: {e}", dir.display()))
                .flatten()
                .filter(|e| e.path().join("scenarios.json").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            found.sort();
            assert!(
                !found.is_empty(),
                "no <version>/scenarios.json in {}",
                dir.display()
            );
            (dir, found)
        }
        None => (
            util::repo_path("testdata/codex-versions"),
            VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
        ),
    }
}

/// Token field names of a ledger line, in the order of [`util::FIELDS`].
const LEDGER_FIELDS: [&str; 5] = util::FIELDS;

/// Kind of the ledger response that answers a tool call inside the same turn.
const AFTER_TOOL: &str = "message(after-tool)";

/// `scenarios.json`.
#[derive(Deserialize)]
struct ScenarioFile {
    scenarios: Vec<Scenario>,
}

/// One scenario the driver ran.
#[derive(Deserialize)]
struct Scenario {
    name: String,
    status: String,
    cwd: String,
    commands: Vec<Vec<String>>,
    prompts: Vec<String>,
    created: Vec<FileRef>,
    threads_created: Vec<String>,
    threads_continued: Vec<String>,
    responses: Vec<ScenarioResponse>,
    expect: Expect,
    background_threads: Vec<String>,
    #[serde(default)]
    resume_last_continued: Option<String>,
}

impl Scenario {
    fn ok(&self) -> bool {
        self.status == "ok"
    }

    /// Run through the TUI (`codex`, `codex fork …`) rather than `codex exec`.
    fn interactive(&self) -> bool {
        self.commands
            .first()
            .and_then(|argv| argv.get(1))
            .is_none_or(|arg| arg != "exec")
    }

    fn threads(&self) -> BTreeSet<&str> {
        self.threads_created
            .iter()
            .chain(&self.threads_continued)
            .map(String::as_str)
            .collect()
    }
}

/// A rollout file a scenario created, relative to the home.
#[derive(Deserialize)]
struct FileRef {
    file: String,
    thread_id: String,
}

/// A ledger line as repeated in `scenarios.json`.
#[derive(Deserialize)]
struct ScenarioResponse {
    thread_id: String,
    kind: String,
    words: Vec<String>,
}

/// The words a scenario made searchable (or must not have).
#[derive(Deserialize)]
struct Expect {
    user_words: Vec<String>,
    cjk_words: Vec<String>,
    assistant_words: Vec<String>,
    tool_words: Vec<String>,
    not_in_rollouts: Vec<String>,
}

/// One line of `ledger.jsonl`.
#[derive(Deserialize)]
struct Response {
    thread_id: String,
    model: String,
    response_id: String,
    time: String,
    #[serde(default)]
    input_tokens: Option<i64>,
    #[serde(default)]
    cached_input_tokens: Option<i64>,
    #[serde(default)]
    output_tokens: Option<i64>,
    #[serde(default)]
    reasoning_output_tokens: Option<i64>,
    #[serde(default)]
    total_tokens: Option<i64>,
}

impl Response {
    /// The five token figures; `None` for a field the ledger lacks.
    fn usage(&self) -> [Option<i64>; 5] {
        [
            self.input_tokens,
            self.cached_input_tokens,
            self.output_tokens,
            self.reasoning_output_tokens,
            self.total_tokens,
        ]
    }

    /// UTC calendar day of the response.
    fn utc_day(&self) -> String {
        chrono::DateTime::parse_from_rfc3339(&self.time)
            .unwrap_or_else(|e| panic!("ledger time {:?} of {}: {e}", self.time, self.response_id))
            .with_timezone(&chrono::Utc)
            .date_naive()
            .to_string()
    }
}

/// One user turn, derived from `scenarios.json`: the prompt and the responses that answered it.
struct Turn {
    scenario: String,
    thread: String,
    prompt: String,
    /// Invented words of every response in the turn (tool command words and reply words).
    words: Vec<String>,
}

/// One version's fixture, with its home copied into a tempdir and a private index.
struct Version {
    home: PathBuf,
    index: PathBuf,
    scenarios: Vec<Scenario>,
    ledger: Vec<Response>,
    /// Threads of background requests (no rollout).
    background: BTreeSet<String>,
    /// Threads that have a rollout file.
    rollouts: BTreeSet<String>,
    turns: Vec<Turn>,
    _dir: TempDir,
}

impl Version {
    fn load(root: &Path, name: &str) -> Self {
        let source = root.join(name);
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        util::copy_tree(&source.join("home"), &home);
        let index = dir.path().join("index");

        let text = std::fs::read_to_string(source.join("scenarios.json")).expect("scenarios.json");
        let scenarios = serde_json::from_str::<ScenarioFile>(&text)
            .unwrap_or_else(|e| panic!("{name}/scenarios.json: {e}"))
            .scenarios;
        let ledger = std::fs::read_to_string(source.join("ledger.jsonl"))
            .expect("ledger.jsonl")
            .lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| {
                serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("{name}/ledger.jsonl line {line}: {e}"))
            })
            .collect();

        let background: BTreeSet<String> = scenarios
            .iter()
            .flat_map(|s| s.background_threads.iter().cloned())
            .collect();
        let rollouts = scenarios
            .iter()
            .filter(|s| s.ok())
            .flat_map(|s| s.created.iter().map(|f| f.thread_id.clone()))
            .collect();
        let turns = scenarios
            .iter()
            .filter(|s| s.ok())
            .flat_map(|s| turns_of(s, &background))
            .collect();
        Self {
            home,
            index,
            scenarios,
            ledger,
            background,
            rollouts,
            turns,
            _dir: dir,
        }
    }

    /// `rolldex --codex-home <copy> ARGS…` with this version's private index.
    fn rolldex(&self, args: &[&str]) -> util::Output {
        self.rolldex_with(args, Some(&self.index))
    }

    /// Like [`Self::rolldex`]; `None` uses a fresh index that is thrown away.
    fn rolldex_with(&self, args: &[&str], index: Option<&Path>) -> util::Output {
        let mut all: Vec<OsString> = vec!["--codex-home".into(), self.home.clone().into()];
        all.extend(args.iter().map(OsString::from));
        let out = util::run_with_index(&all, index);
        util::assert_no_panic(&out);
        out
    }

    /// Parses a JSON stdout, or explains why not.
    fn json(&self, args: &[&str]) -> Result<Value, String> {
        let out = self.rolldex(args);
        if out.code != 0 {
            return Err(format!(
                "`rolldex {}` exited {}: {}",
                args.join(" "),
                out.code,
                out.stderr.trim()
            ));
        }
        serde_json::from_str(&out.stdout)
            .map_err(|e| format!("`rolldex {}` printed no JSON ({e})", args.join(" ")))
    }

    fn scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name && s.ok())
    }

    /// The ledger's responses on threads that have a rollout. Lines of other threads that are
    /// not listed as background threads are a fixture problem and reported.
    fn spend(&self, problems: &mut Vec<String>) -> Vec<&Response> {
        let mut kept = Vec::new();
        for response in &self.ledger {
            if self.rollouts.contains(&response.thread_id) {
                kept.push(response);
            } else if !self.background.contains(&response.thread_id) {
                problems.push(format!(
                    "fixture: ledger {} is on thread {} that has no rollout and is no background \
                     thread",
                    response.response_id, response.thread_id
                ));
            }
        }
        kept
    }

    /// Expected turns per rollout thread.
    fn expected_turns(&self) -> BTreeMap<&str, usize> {
        let mut turns: BTreeMap<&str, usize> =
            self.rollouts.iter().map(|t| (t.as_str(), 0)).collect();
        for turn in &self.turns {
            *turns.entry(turn.thread.as_str()).or_default() += 1;
        }
        turns
    }

    /// The threads where `word` of `scenario` lives: the turns whose prompt or responses hold it,
    /// else every thread of the scenario.
    fn threads_with(&self, scenario: &Scenario, word: &str) -> BTreeSet<String> {
        let found: BTreeSet<String> = self
            .turns
            .iter()
            .filter(|t| t.scenario == scenario.name)
            .filter(|t| t.prompt.contains(word) || t.words.iter().any(|w| w == word))
            .map(|t| t.thread.clone())
            .collect();
        if found.is_empty() {
            scenario.threads().into_iter().map(str::to_owned).collect()
        } else {
            found
        }
    }
}

/// The turns of one scenario, prompts matched to the requests that started a turn.
fn turns_of(scenario: &Scenario, background: &BTreeSet<String>) -> Vec<Turn> {
    let mut turns: Vec<Turn> = Vec::new();
    for response in &scenario.responses {
        if background.contains(&response.thread_id) {
            continue;
        }
        match turns.last_mut() {
            Some(turn) if response.kind == AFTER_TOOL && turn.thread == response.thread_id => {
                turn.words.extend(response.words.iter().cloned());
            }
            _ => turns.push(Turn {
                scenario: scenario.name.clone(),
                thread: response.thread_id.clone(),
                prompt: String::new(),
                words: response.words.clone(),
            }),
        }
    }
    let mut prompts = scenario.prompts.clone();
    prompts.dedup();
    assert_eq!(
        prompts.len(),
        turns.len(),
        "fixture: scenario {} has {} distinct prompts but {} turns in its responses",
        scenario.name,
        prompts.len(),
        turns.len()
    );
    for (turn, prompt) in turns.iter_mut().zip(prompts) {
        turn.prompt = prompt;
    }
    turns
}

/// Whether a check applied to a version.
enum Outcome {
    Checked,
    NotApplicable(&'static str),
}

/// Runs `body` for every version, then fails once with the whole matrix when any version
/// collected a problem (or panicked).
fn for_each_version(check: &str, body: impl Fn(&Version, &mut Vec<String>) -> Outcome) {
    let mut lines = Vec::new();
    let mut failing = Vec::new();
    let (root, names) = versions();
    for name in &names {
        let name = name.as_str();
        let mut problems = Vec::new();
        let result = panic::catch_unwind(AssertUnwindSafe(|| {
            let version = Version::load(&root, name);
            body(&version, &mut problems)
        }));
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(payload) => {
                let text = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                problems.push(format!("panicked: {text}"));
                Outcome::Checked
            }
        };
        if problems.is_empty() {
            match outcome {
                Outcome::Checked => lines.push(format!("  {name:>8}  pass")),
                Outcome::NotApplicable(why) => lines.push(format!("  {name:>8}  n/a ({why})")),
            }
        } else {
            failing.push(name);
            let mut line = format!("  {name:>8}  FAIL");
            for problem in &problems {
                let _ = write!(line, "\n            - {problem}");
            }
            lines.push(line);
        }
    }
    assert!(
        failing.is_empty(),
        "check `{check}`: {} of {} versions fail ({})\n{}",
        failing.len(),
        names.len(),
        failing.join(", "),
        lines.join("\n")
    );
}

/// Adds five token figures.
fn add(sum: &mut [i64; 5], usage: [i64; 5]) {
    for (s, u) in sum.iter_mut().zip(usage) {
        *s += u;
    }
}

/// `field a→b` for each differing token field.
fn diff(got: [i64; 5], want: [i64; 5]) -> String {
    util::FIELDS
        .iter()
        .zip(got.iter().zip(want))
        .filter(|(_, (g, w))| *g != w)
        .map(|(f, (g, w))| format!("{f} {g} (want {w}, {:+})", g - w))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ledger's usage of one response; panics on a missing field (checked before).
fn ledger_usage(response: &Response) -> [i64; 5] {
    response
        .usage()
        .map(|v| v.expect("ledger fields checked for presence"))
}

/// Check 1: tokens per UTC day and model equal the ledger, over threads that have a rollout.
#[test]
fn tokens_per_utc_day_and_model_equal_the_ledger() {
    for_each_version("1 tokens per UTC day × model = ledger", |v, problems| {
        let spend = v.spend(problems);
        for (i, field) in LEDGER_FIELDS.iter().enumerate() {
            let missing = spend.iter().filter(|r| r.usage()[i].is_none()).count();
            if missing > 0 {
                problems.push(format!("ledger lacks `{field}` on {missing} responses"));
            }
        }
        if !problems.is_empty() {
            return Outcome::Checked;
        }
        let mut want: BTreeMap<(String, String), [i64; 5]> = BTreeMap::new();
        let mut want_total = [0; 5];
        for r in &spend {
            add(
                want.entry((r.utc_day(), r.model.clone())).or_default(),
                ledger_usage(r),
            );
            add(&mut want_total, ledger_usage(r));
        }
        let report = match v.json(&["--tz", "UTC", "--json", "stats", "daily", "--breakdown"]) {
            Ok(report) => report,
            Err(e) => {
                problems.push(e);
                return Outcome::Checked;
            }
        };
        let mut got: BTreeMap<(String, String), [i64; 5]> = BTreeMap::new();
        for row in report["rows"].as_array().expect("rows") {
            let day = row["key"].as_str().expect("key").to_owned();
            let models = row["models"].as_object().expect("models of a row");
            for (model, amount) in models {
                got.insert((day.clone(), model.clone()), util::usage(amount));
            }
            let mut row_sum = [0; 5];
            for amount in models.values() {
                add(&mut row_sum, util::usage(amount));
            }
            if row_sum != util::usage(row) {
                problems.push(format!(
                    "row {day}: its models do not add up to the row: {}",
                    diff(util::usage(row), row_sum)
                ));
            }
        }
        for key in want.keys().chain(got.keys()).collect::<BTreeSet<_>>() {
            let (day, model) = key;
            match (got.get(key), want.get(key)) {
                (Some(g), Some(w)) if g == w => {}
                (Some(g), Some(w)) => problems.push(format!("{day} {model}: {}", diff(*g, *w))),
                (Some(g), None) => problems.push(format!(
                    "{day} {model}: rolldex reports total {} but the ledger has no such model/day",
                    g[4]
                )),
                (None, Some(w)) => {
                    problems.push(format!("{day} {model}: missing (ledger total {})", w[4]));
                }
                (None, None) => {}
            }
        }
        let total = util::usage(&report["totals"]);
        if total != want_total {
            problems.push(format!("totals: {}", diff(total, want_total)));
        }
        if !problems.is_empty() {
            explain_by_session(v, &spend, problems);
        }
        Outcome::Checked
    });
}

/// Adds per-session differences (from `stats session`) to a failing check 1, to show which
/// thread's spend is off.
fn explain_by_session(v: &Version, spend: &[&Response], problems: &mut Vec<String>) {
    let mut want: BTreeMap<&str, [i64; 5]> = BTreeMap::new();
    for r in spend {
        add(
            want.entry(r.thread_id.as_str()).or_default(),
            ledger_usage(r),
        );
    }
    let Ok(report) = v.json(&["--tz", "UTC", "--json", "stats", "session"]) else {
        return;
    };
    let mut got: BTreeMap<String, [i64; 5]> = BTreeMap::new();
    for row in report["rows"].as_array().into_iter().flatten() {
        if let Some(key) = row["key"].as_str() {
            add(got.entry(key.to_owned()).or_default(), util::usage(row));
        }
    }
    let threads: BTreeSet<&str> = want
        .keys()
        .copied()
        .chain(got.keys().map(String::as_str))
        .collect();
    for thread in threads {
        let g = got.get(thread).copied().unwrap_or_default();
        let w = want.get(thread).copied().unwrap_or_default();
        if g != w {
            let scenario = v
                .scenarios
                .iter()
                .find(|s| s.threads().contains(thread))
                .map_or("?", |s| s.name.as_str());
            problems.push(format!(
                "  by session {thread} ({scenario}): {}",
                diff(g, w)
            ));
        }
    }
}

/// Runs a search (of one `--role` when given) and returns the session ids of the hits (exit 0),
/// or `Err` with the exit code (1: no hits).
fn search(
    v: &Version,
    word: &str,
    include_exec: bool,
    role: Option<&str>,
) -> Result<Vec<String>, i32> {
    let mut args = vec!["--json", "search", "--limit", "1000"];
    if include_exec {
        args.push("--include-non-interactive");
    }
    if let Some(role) = role {
        args.extend(["--role", role]);
    }
    args.push("--");
    args.push(word);
    let out = v.rolldex(&args);
    match out.code {
        0 => {
            let value: Value = serde_json::from_str(&out.stdout)
                .unwrap_or_else(|e| panic!("search {word:?}: stdout is not JSON ({e})"));
            Ok(value["hits"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|h| h["session_id"].as_str().map(str::to_owned))
                .collect())
        }
        code => Err(code),
    }
}

/// Check 2: user, assistant, tool and CJK words are found in the right session, under the role
/// of the message that holds them (so a user word found only in a thread name does not count);
/// the words of background requests are not found at all.
#[test]
fn search_finds_every_scenario_word_in_its_session() {
    for_each_version("2 search", |v, problems| {
        for s in v.scenarios.iter().filter(|s| s.ok()) {
            // (kind, the `--role` it must be found under, words)
            let kinds = [
                ("user", "user", &s.expect.user_words),
                ("assistant", "assistant", &s.expect.assistant_words),
                ("tool", "tool", &s.expect.tool_words),
                ("cjk", "user", &s.expect.cjk_words),
            ];
            for (kind, role, words) in kinds {
                for word in words {
                    let want = v.threads_with(s, word);
                    match search(v, word, true, Some(role)) {
                        Ok(hits) if want.iter().any(|t| hits.contains(t)) => {}
                        Ok(hits) => problems.push(format!(
                            "{}: {kind} word {word:?} found only in {hits:?}, want one of {want:?}",
                            s.name
                        )),
                        Err(e) => problems.push(format!(
                            "{}: {kind} word {word:?} not found with --role {role} (exit {e})",
                            s.name
                        )),
                    }
                }
            }
            for word in &s.expect.not_in_rollouts {
                match search(v, word, true, None) {
                    Err(1) => {}
                    Ok(hits) => problems.push(format!(
                        "{}: background word {word:?} (no rollout) found in {hits:?}",
                        s.name
                    )),
                    Err(code) => problems.push(format!(
                        "{}: search for background word {word:?} exited {code}, want 1",
                        s.name
                    )),
                }
            }
        }
        Outcome::Checked
    });
}

/// Sessions listed by `sessions --json`, by id (one entry per listing).
fn list_sessions(v: &Version, include_exec: bool) -> Result<Vec<Value>, String> {
    let mut args = vec!["--json", "sessions", "--limit", "100000"];
    if include_exec {
        args.push("--include-non-interactive");
    }
    let value = v.json(&args)?;
    Ok(value["sessions"].as_array().cloned().unwrap_or_default())
}

fn session_id(session: &Value) -> &str {
    session["session_id"].as_str().unwrap_or("")
}

/// Check 3: every rollout thread listed exactly once, with a title and the right turn count.
#[test]
fn sessions_lists_each_thread_once_with_title_and_turns() {
    for_each_version("3 sessions", |v, problems| {
        let sessions = match list_sessions(v, true) {
            Ok(sessions) => sessions,
            Err(e) => {
                problems.push(e);
                return Outcome::Checked;
            }
        };
        for (thread, want_turns) in v.expected_turns() {
            let listed: Vec<&Value> = sessions
                .iter()
                .filter(|s| session_id(s) == thread)
                .collect();
            let scenario = v
                .scenarios
                .iter()
                .find(|s| s.created.iter().any(|f| f.thread_id == thread))
                .map_or("?", |s| s.name.as_str());
            let [session] = listed.as_slice() else {
                problems.push(format!(
                    "{thread} ({scenario}): listed {} times, want once",
                    listed.len()
                ));
                continue;
            };
            let title = [&session["name"], &session["title"]]
                .into_iter()
                .find_map(|t| t.as_str().filter(|t| !t.trim().is_empty()));
            if title.is_none() {
                problems.push(format!("{thread} ({scenario}): no name and no title"));
            }
            let turns = session["turns"].as_u64();
            if turns != Some(want_turns as u64) {
                problems.push(format!(
                    "{thread} ({scenario}): turns {turns:?}, want {want_turns}"
                ));
            }
        }
        for session in &sessions {
            let id = session_id(session);
            if !v.rollouts.contains(id) {
                let what = if v.background.contains(id) {
                    "a background thread without rollout"
                } else {
                    "no scenario created it"
                };
                problems.push(format!("{id}: listed but {what}"));
            }
        }
        Outcome::Checked
    });
}

/// Check 4: `show` prints the plain thread's prompts and replies, user before assistant, in
/// order.
#[test]
fn show_prints_both_sides_in_order() {
    for_each_version("4 show", |v, problems| {
        let Some(plain) = v.scenario("plain") else {
            return Outcome::NotApplicable("no plain scenario");
        };
        let thread = &plain.threads_created[0];
        // (role, text) in the order the thread received them.
        let mut want: Vec<(&str, &str)> = Vec::new();
        for turn in v.turns.iter().filter(|t| &t.thread == thread) {
            want.push(("user", &turn.prompt));
            if let Some(word) = turn.words.last() {
                want.push(("assistant", word));
            }
        }
        match v.json(&["--json", "show", thread]) {
            Ok(value) => {
                let messages = value["messages"].as_array().cloned().unwrap_or_default();
                let mut at = 0;
                for (role, text) in &want {
                    let found = messages[at..].iter().position(|m| {
                        m["role"] == *role && m["text"].as_str().is_some_and(|t| t.contains(text))
                    });
                    if let Some(offset) = found {
                        at += offset + 1;
                    } else {
                        let roles: Vec<&str> =
                            messages.iter().filter_map(|m| m["role"].as_str()).collect();
                        problems.push(format!(
                            "show --json {thread}: no {role} message with {text:?} after \
                             message {at}; roles printed: {roles:?}"
                        ));
                        break;
                    }
                }
            }
            Err(e) => problems.push(e),
        }
        // The table must show the first prompt's words before the first reply's.
        let out = v.rolldex(&["show", thread]);
        let first_prompt = plain.expect.user_words.first().map(String::as_str);
        let first_reply = plain.expect.assistant_words.first().map(String::as_str);
        if let (Some(prompt), Some(reply)) = (first_prompt, first_reply) {
            match (out.stdout.find(prompt), out.stdout.find(reply)) {
                (Some(p), Some(r)) if p < r => {}
                (p, r) => problems.push(format!(
                    "show {thread} (table): user word {prompt:?} at {p:?}, reply word {reply:?} \
                     at {r:?} (exit {})",
                    out.code
                )),
            }
        }
        Outcome::Checked
    });
}

/// Check 5: `resume` with no query in the scenario's cwd names the session that
/// `codex exec resume --last` continued.
#[test]
fn resume_names_the_session_codex_resume_last_continued() {
    for_each_version("5 resume --last", |v, problems| {
        let Some(scenario) = v
            .scenarios
            .iter()
            .find(|s| s.ok() && s.resume_last_continued.is_some())
        else {
            return Outcome::NotApplicable("no resume --last scenario");
        };
        let want = scenario
            .resume_last_continued
            .as_deref()
            .unwrap_or_default();
        let out = v.rolldex(&[
            "resume",
            "--include-non-interactive",
            "--cwd",
            &scenario.cwd,
        ]);
        if out.code != 0 || out.stdout.trim() != want {
            problems.push(format!(
                "resume --include-non-interactive --cwd {}: printed {:?} (exit {}), want {want}",
                scenario.cwd,
                out.stdout.trim(),
                out.code
            ));
        }
        Outcome::Checked
    });
}

/// Check 6: no command reports unknown record types on stderr.
#[test]
fn no_unknown_record_types_on_stderr() {
    for_each_version("6 no unknown record types", |v, problems| {
        let plain = v
            .scenario("plain")
            .map(|s| s.threads_created[0].clone())
            .unwrap_or_default();
        let word = v
            .scenario("plain")
            .and_then(|s| s.expect.user_words.first().cloned())
            .unwrap_or_default();
        let commands: [Vec<&str>; 5] = [
            vec!["index"],
            vec!["--tz", "UTC", "stats", "daily", "--breakdown"],
            vec!["sessions", "--include-non-interactive"],
            vec!["search", "--include-non-interactive", "--", &word],
            vec!["show", &plain],
        ];
        // Each offending stderr line, with the commands that printed it.
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for args in commands {
            // A fresh index each time, so every command reads every file itself.
            let out = v.rolldex_with(&args, None);
            for line in out.stderr.lines() {
                let lower = line.to_lowercase();
                if lower.contains("unknown record type") || lower.contains("unknown type") {
                    seen.entry(line.trim().to_owned())
                        .or_default()
                        .push(format!("`{}`", args.join(" ")));
                }
            }
        }
        for (line, commands) in seen {
            problems.push(format!("{line:?} from {}", commands.join(", ")));
        }
        Outcome::Checked
    });
}

/// Check 7: archived and compressed rollouts are listed once and their spend counted once.
#[test]
fn archived_and_compressed_sessions_count_once() {
    for_each_version("7 archived + .jsonl.zst counted once", |v, problems| {
        let special: Vec<(&Scenario, &FileRef)> = v
            .scenarios
            .iter()
            .filter(|s| s.ok())
            .flat_map(|s| s.created.iter().map(move |f| (s, f)))
            .filter(|(_, f)| {
                f.file.starts_with("archived_sessions/")
                    || Path::new(&f.file).extension().is_some_and(|e| e == "zst")
            })
            .collect();
        if special.is_empty() {
            return Outcome::NotApplicable("no archived or compressed rollout");
        }
        let sessions = list_sessions(v, true).unwrap_or_else(|e| {
            problems.push(e);
            Vec::new()
        });
        let stats = v
            .json(&["--tz", "UTC", "--json", "stats", "session"])
            .unwrap_or_else(|e| {
                problems.push(e);
                Value::Null
            });
        let rows: Vec<&Value> = stats["rows"].as_array().into_iter().flatten().collect();
        let mut ignored = Vec::new();
        let spend = v.spend(&mut ignored);
        for (scenario, file) in special {
            let thread = &file.thread_id;
            let what = format!("{} ({}, {thread})", file.file, scenario.name);
            if !v.home.join(&file.file).is_file() {
                problems.push(format!("fixture: {what} is not in the home"));
            }
            let listed = sessions.iter().filter(|s| session_id(s) == thread).count();
            if listed != 1 {
                problems.push(format!(
                    "{what}: `sessions` lists it {listed} times, want once"
                ));
            }
            let mut want = [0; 5];
            for r in spend.iter().filter(|r| &r.thread_id == thread) {
                add(&mut want, ledger_usage(r));
            }
            let matching: Vec<&&Value> = rows.iter().filter(|r| r["key"] == **thread).collect();
            match matching.as_slice() {
                [row] if util::usage(row) == want => {}
                [row] => problems.push(format!(
                    "{what}: `stats session` {}",
                    diff(util::usage(row), want)
                )),
                rows => problems.push(format!(
                    "{what}: `stats session` has {} rows for it, want 1 (ledger total {})",
                    rows.len(),
                    want[4]
                )),
            }
        }
        Outcome::Checked
    });
}

/// Check 8: sessions driven through the TUI are found without `--include-non-interactive`, and
/// `codex exec` sessions are hidden without it.
#[test]
fn interactive_sessions_match_without_the_flag() {
    for_each_version(
        "8 TUI sessions without --include-non-interactive",
        |v, problems| {
            let tui: Vec<&Scenario> = v
                .scenarios
                .iter()
                .filter(|s| s.ok() && s.interactive() && !s.threads_created.is_empty())
                .collect();
            if tui.is_empty() {
                return Outcome::NotApplicable("no TUI scenario");
            }
            let interactive: BTreeSet<&str> = tui
                .iter()
                .flat_map(|s| s.threads_created.iter().map(String::as_str))
                .collect();
            match list_sessions(v, false) {
                Ok(sessions) => {
                    let listed: BTreeSet<&str> = sessions.iter().map(session_id).collect();
                    for missing in interactive.difference(&listed) {
                        problems.push(format!("`sessions` does not list TUI session {missing}"));
                    }
                    for extra in listed.difference(&interactive) {
                        problems.push(format!(
                            "`sessions` lists exec session {extra} without the flag"
                        ));
                    }
                }
                Err(e) => problems.push(e),
            }
            for s in tui {
                let thread = &s.threads_created[0];
                for word in s.expect.user_words.iter().take(1) {
                    match search(v, word, false, None) {
                        Ok(hits) if hits.contains(thread) => {}
                        Ok(hits) => problems.push(format!(
                            "{}: search {word:?} found {hits:?}, want {thread}",
                            s.name
                        )),
                        Err(code) => {
                            problems.push(format!("{}: search {word:?}: exit {code}", s.name));
                        }
                    }
                }
                let out = v.rolldex(&["resume", "--cwd", &s.cwd]);
                if out.code != 0 || out.stdout.trim() != thread {
                    problems.push(format!(
                        "{}: resume --cwd {} printed {:?} (exit {}), want {thread}",
                        s.name,
                        s.cwd,
                        out.stdout.trim(),
                        out.code
                    ));
                }
            }
            Outcome::Checked
        },
    );
}
