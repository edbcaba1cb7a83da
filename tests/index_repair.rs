//! Issue 9, "nothing lost, nothing crashes", for the index itself (items 4, 12 and 13): a
//! rebuild keeps the last index answering until the new one is in, a query waits for a first
//! build running in another process, every damaged index file is rebuilt (by a query, with one
//! line, and by `index --rebuild`), and a read-only or full disk leaves queries answering from
//! the last commit. Nothing outside rolldex's own folder is ever deleted.
//!
//! `ROLLDEX_BIN=/path/to/rolldex` runs these tests against another build (an old release, to
//! see them fail before the fixes); by default they run the binary cargo just built.

#[path = "util/mod.rs"]
mod util;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use util::{Output, assert_no_panic, wait_output};

use util::binary as bin;

/// Tokens of one session written by [`Sandbox::rollout`].
const SESSION_TOKENS: i64 = 2200;

/// A Codex home, an index dir and a config dir in one temporary directory, plus two files
/// that are not rolldex's (beside the index dir, and inside it beside rolldex's folder).
struct Sandbox {
    dir: tempfile::TempDir,
    /// Runs rolldex through this command first (`setpriv …`, `sh -c …`).
    wrapper: Vec<OsString>,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("home/sessions/2026/03/05")).expect("day dir");
        std::fs::create_dir_all(dir.path().join("config")).expect("config dir");
        std::fs::create_dir_all(dir.path().join("index")).expect("index dir");
        let sandbox = Sandbox {
            dir,
            wrapper: Vec::new(),
        };
        for file in sandbox.not_ours() {
            std::fs::write(&file, "not rolldex's").expect("sibling file");
        }
        sandbox
    }

    fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    fn index(&self) -> PathBuf {
        self.dir.path().join("index")
    }

    /// Files rolldex must never delete.
    fn not_ours(&self) -> [PathBuf; 2] {
        [
            self.dir.path().join("beside-the-index.txt"),
            self.index().join("inside-the-index-dir.txt"),
        ]
    }

    fn assert_not_ours_intact(&self, what: &str) {
        for file in self.not_ours() {
            assert_eq!(
                std::fs::read_to_string(&file).ok().as_deref(),
                Some("not rolldex's"),
                "{what}: {} was touched",
                file.display()
            );
        }
    }

    /// Writes session number `n`: a user message (with `filler` after it) and one token count
    /// of [`SESSION_TOKENS`].
    fn rollout(&self, n: u32, filler: &str) {
        let id = format!("019cc0a0-0000-7000-8000-{n:012x}");
        let path = self.home().join(format!(
            "sessions/2026/03/05/rollout-2026-03-05T10-00-00-{id}.jsonl"
        ));
        let lines = [
            format!(
                r#"{{"timestamp":"2026-03-05T10:00:00.000Z","type":"session_meta","payload":{{"id":"{id}","timestamp":"2026-03-05T10:00:00.000Z","cwd":"/home/dev/proj","originator":"codex_cli_rs","cli_version":"0.77.0","instructions":null,"source":"cli","model_provider":"openai"}}}}"#
            ),
            format!(
                r#"{{"timestamp":"2026-03-05T10:00:01.000Z","type":"event_msg","payload":{{"type":"user_message","message":"needle {n} {filler}","images":[],"local_images":[],"text_elements":[]}}}}"#
            ),
            r#"{"timestamp":"2026-03-05T10:00:01.100Z","type":"turn_context","payload":{"cwd":"/home/dev/proj","approval_policy":"on-request","sandbox_policy":{"type":"workspace-write","network_access":false,"exclude_tmpdir_env_var":false,"exclude_slash_tmp":false},"model":"gpt-5-mini","effort":"medium","summary":"auto"}}"#.to_owned(),
            r#"{"timestamp":"2026-03-05T10:00:05.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200},"last_token_usage":{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200},"model_context_window":258400},"rate_limits":null}}"#.to_owned(),
        ];
        std::fs::write(&path, lines.join("\n") + "\n").expect("write rollout");
    }

    /// A home large enough that building its index takes a while (~15 MB).
    fn large_home(&self) -> u32 {
        let filler = "lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(160);
        let sessions = 1500;
        for n in 0..sessions {
            self.rollout(n, &filler);
        }
        sessions
    }

    /// `rolldex --codex-home HOME args…` in a clean environment, stdout and stderr piped.
    fn command<S: AsRef<OsStr>>(&self, args: &[S]) -> Command {
        let config = self.dir.path().join("config");
        let mut command = match self.wrapper.split_first() {
            Some((program, rest)) => {
                let mut command = util::clean_command(program, &self.index(), &config);
                command.args(rest).arg(bin());
                command
            }
            None => util::clean_command(bin(), &self.index(), &config),
        };
        command.arg("--codex-home").arg(self.home()).args(args);
        command
    }

    fn run<S: AsRef<OsStr>>(&self, args: &[S]) -> Output {
        let child = self.command(args).spawn().expect("spawn rolldex");
        let out = wait_output(child, "in the index sandbox");
        assert_no_panic(&out);
        out
    }

    /// `stats --json` + `extra`: the total tokens, or why there is none.
    fn total(&self, extra: &[&str]) -> (Result<i64, String>, Output) {
        let mut args = vec!["stats", "--json"];
        args.extend_from_slice(extra);
        let out = self.run(&args);
        let total = if out.code == 0 {
            serde_json::from_str::<serde_json::Value>(&out.stdout)
                .ok()
                .and_then(|v| v["totals"]["total_tokens"].as_i64())
                .ok_or_else(|| format!("no JSON totals: {:?}", out.stdout))
        } else {
            Err(format!("exit {}", out.code))
        };
        (total, out)
    }

    /// The `homes-*` folder rolldex keeps this home's index in.
    fn homes_dir(&self) -> PathBuf {
        std::fs::read_dir(self.index())
            .expect("index dir")
            .map(|e| e.expect("entry").path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("homes-"))
            })
            .expect("a homes-* folder")
    }

    fn build(&self) {
        let out = self.run(&["index"]);
        assert_eq!(out.code, 0, "index: {}", out.stderr);
    }
}

/// Stderr lines.
fn lines(out: &Output) -> Vec<&str> {
    out.stderr.lines().collect()
}

// ---------------------------------------------------------------------------------------------
// Item 4: a rebuild, or another process's first build, never leaves a query without answers.
// ---------------------------------------------------------------------------------------------

#[test]
fn queries_during_index_rebuild_answer_from_the_previous_index() {
    let sandbox = Sandbox::new();
    let sessions = sandbox.large_home();
    sandbox.build();
    let want = i64::from(sessions) * SESSION_TOKENS;
    assert_eq!(sandbox.total(&[]).0, Ok(want));
    let mut rebuild = sandbox
        .command(&["index", "--rebuild"])
        .spawn()
        .expect("spawn index --rebuild");
    let mut during = 0;
    let mut wrong = Vec::new();
    while rebuild.try_wait().expect("try_wait").is_none() {
        // Usage from the catalog, and text from tantivy's segments.
        let (total, out) = sandbox.total(&[]);
        if total != Ok(want) {
            wrong.push(format!("stats: {total:?}, stderr {:?}", out.stderr));
        }
        let out = sandbox.run(&["search", "needle", "--json", "--limit", "5"]);
        let hits = serde_json::from_str::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|v| v["hits"].as_array().map(Vec::len));
        if out.code != 0 || hits != Some(5) {
            wrong.push(format!(
                "search: exit {}, {hits:?} hits, stderr {:?}",
                out.code, out.stderr
            ));
        }
        if rebuild.try_wait().expect("try_wait").is_none() {
            during += 1;
        }
    }
    let rebuilt = wait_output(rebuild, "index --rebuild");
    assert_eq!(rebuilt.code, 0, "index --rebuild: {}", rebuilt.stderr);
    assert!(
        during > 0,
        "no query ran while the rebuild did: make the home larger"
    );
    assert_eq!(
        wrong,
        Vec::<String>::new(),
        "queries during the rebuild ({during} of them) answered wrong"
    );
    assert_eq!(sandbox.total(&["--no-update"]).0, Ok(want), "after");
    sandbox.assert_not_ours_intact("index --rebuild");
    let left: Vec<String> = std::fs::read_dir(sandbox.homes_dir())
        .expect("homes dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("rebuild") || Path::new(n).extension() == Some(OsStr::new("tmp")))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "left behind by the rebuild");
}

#[test]
fn a_query_during_another_process_first_build_waits_for_it() {
    let sandbox = Sandbox::new();
    let sessions = sandbox.large_home();
    let want = i64::from(sessions) * SESSION_TOKENS;
    let mut build = sandbox.command(&["index"]).spawn().expect("spawn index");
    // The build has begun once its empty index exists.
    let started = Instant::now();
    while std::fs::read_dir(sandbox.index())
        .into_iter()
        .flatten()
        .flatten()
        .all(|homes| !homes.path().join("tantivy/meta.json").exists())
    {
        assert!(
            build.try_wait().expect("try_wait").is_none(),
            "the build ended before it could be watched"
        );
        assert!(
            started.elapsed() < Duration::from_mins(1),
            "no index appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(100));
    let queries = [&[][..], &["--no-update"][..]].map(|extra| {
        let mut args = vec!["stats", "--json"];
        args.extend_from_slice(extra);
        (
            args.clone(),
            sandbox.command(&args).spawn().expect("spawn query"),
        )
    });
    let overlapped = build.try_wait().expect("try_wait").is_none();
    for (args, child) in queries {
        let out = wait_output(child, "query during a first build");
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        let total = serde_json::from_str::<serde_json::Value>(&out.stdout)
            .ok()
            .and_then(|v| v["totals"]["total_tokens"].as_i64());
        assert_eq!(
            total,
            Some(want),
            "{args:?} answered before the first build ended; stderr {:?}",
            out.stderr
        );
    }
    let built = wait_output(build, "index");
    assert_eq!(built.code, 0, "index: {}", built.stderr);
    assert!(overlapped, "the build ended before the queries started");
}

// ---------------------------------------------------------------------------------------------
// Item 12: damaged index files.
// ---------------------------------------------------------------------------------------------

/// The index files the test damages, relative to the homes folder (`N`: the last generation).
const DAMAGED_FILES: [&str; 7] = [
    "catalog-N.bin",
    "state-N.bin",
    "usage-N.bin",
    "pack-N.bin",
    "tantivy/meta.json",
    "tantivy/.managed.json",
    "VERSION",
];

/// What happens to the file.
#[derive(Debug, Clone, Copy)]
enum Damage {
    Missing,
    Empty,
    Cut,
    Garbage,
}

const DAMAGES: [Damage; 4] = [Damage::Missing, Damage::Empty, Damage::Cut, Damage::Garbage];

/// The path of `file` (with `N` resolved to the last generation present) in `homes`.
fn index_file(homes: &Path, file: &str) -> PathBuf {
    let Some(prefix) = file.strip_suffix("N.bin") else {
        return homes.join(file);
    };
    let last = std::fs::read_dir(homes)
        .expect("homes dir")
        .filter_map(|e| {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            name.strip_prefix(prefix)?
                .strip_suffix(".bin")?
                .parse::<u64>()
                .ok()
        })
        .max()
        .unwrap_or_else(|| panic!("no {file} in {}", homes.display()));
    homes.join(format!("{prefix}{last}.bin"))
}

fn damage(path: &Path, how: Damage) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match how {
        Damage::Missing => std::fs::remove_file(path).expect("remove"),
        Damage::Empty => std::fs::write(path, b"").expect("empty"),
        Damage::Cut => std::fs::write(path, &bytes[..bytes.len() / 2]).expect("cut"),
        Damage::Garbage => {
            // Deterministic noise of the same length.
            let mut x: u32 = 0x9e37_79b9;
            let noise: Vec<u8> = bytes
                .iter()
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x.to_le_bytes()[0]
                })
                .collect();
            std::fs::write(path, noise).expect("garbage");
        }
    }
}

/// A sandbox with three sessions, indexed, then one of its index files damaged.
fn damaged_sandbox(file: &str, how: Damage) -> Sandbox {
    let sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, "");
    }
    sandbox.build();
    damage(&index_file(&sandbox.homes_dir(), file), how);
    sandbox
}

#[test]
fn a_query_rebuilds_a_damaged_index_by_itself_and_says_so_in_one_line() {
    let mut failures = Vec::new();
    for file in DAMAGED_FILES {
        for how in DAMAGES {
            let sandbox = damaged_sandbox(file, how);
            // A new session, so that the query also has to update (and read the state file).
            sandbox.rollout(3, "");
            let case = format!("{file} {how:?}");
            let (total, out) = sandbox.total(&[]);
            let said = lines(&out);
            if total != Ok(4 * SESSION_TOKENS) {
                failures.push(format!("{case}: {total:?}, stderr {:?}", out.stderr));
                continue;
            }
            if said.len() != 1 || !said[0].contains("rebuil") {
                failures.push(format!(
                    "{case}: stderr is not one line on rebuilding: {said:?}"
                ));
            }
            // Repaired for good: the next query reads it without a word.
            let (again, out) = sandbox.total(&["--no-update"]);
            if again != Ok(4 * SESSION_TOKENS) || !out.stderr.is_empty() {
                failures.push(format!("{case}: then {again:?}, stderr {:?}", out.stderr));
            }
            sandbox.assert_not_ours_intact(&case);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn index_rebuild_works_from_any_damaged_index() {
    let mut failures = Vec::new();
    for file in DAMAGED_FILES {
        for how in DAMAGES {
            let sandbox = damaged_sandbox(file, how);
            let case = format!("{file} {how:?}");
            let out = sandbox.run(&["index", "--rebuild"]);
            if out.code != 0 {
                failures.push(format!("{case}: index --rebuild: {}", out.stderr));
                continue;
            }
            let (total, out) = sandbox.total(&["--no-update"]);
            if total != Ok(3 * SESSION_TOKENS) || !out.stderr.is_empty() {
                failures.push(format!("{case}: then {total:?}, stderr {:?}", out.stderr));
            }
            sandbox.assert_not_ours_intact(&case);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Item 13: an index that cannot be written answers from its last commit.
// ---------------------------------------------------------------------------------------------

/// Every entry below `dir` (and `dir`) set to read-only (`true`) or back to writable.
#[cfg(unix)]
fn set_read_only(dir: &Path, read_only: bool) {
    use std::os::unix::fs::PermissionsExt;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        let mode = match (meta.is_dir(), read_only) {
            (true, true) => 0o555,
            (true, false) => 0o755,
            (false, true) => 0o444,
            (false, false) => 0o644,
        };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                stack.push(entry.expect("entry").path());
            }
        }
    }
}

/// Hands the sandbox to `nobody` when the tests run as root (root ignores permissions), so
/// that every run is a run as `nobody`.
#[cfg(unix)]
fn drop_root(sandbox: &mut Sandbox) {
    use std::os::unix::fs::PermissionsExt;
    if rustix::process::geteuid().is_root() {
        let mut stack = vec![sandbox.dir.path().to_path_buf()];
        while let Some(path) = stack.pop() {
            std::os::unix::fs::lchown(&path, Some(65534), Some(65534)).expect("chown");
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).expect("read_dir") {
                    stack.push(entry.expect("entry").path());
                }
            }
        }
        // The temporary directory's parent is /tmp; the binary must be reachable too.
        std::fs::set_permissions(sandbox.dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod sandbox");
        sandbox.wrapper = [
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ]
        .map(OsString::from)
        .to_vec();
    }
}

#[cfg(unix)]
#[test]
fn a_read_only_index_answers_from_its_last_commit() {
    let mut sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, "");
    }
    drop_root(&mut sandbox);
    sandbox.build();
    // The home changes; the index cannot follow.
    sandbox.rollout(3, "");
    let homes = sandbox.homes_dir();
    set_read_only(&homes, true);
    let (total, out) = sandbox.total(&[]);
    let said = lines(&out);
    let (as_is, _) = sandbox.total(&["--no-update"]);
    set_read_only(&homes, false);
    assert_eq!(total, Ok(3 * SESSION_TOKENS), "stderr: {}", out.stderr);
    assert!(
        said.len() == 1 && said[0].contains("last update"),
        "one line saying the answer is the last update's: {said:?}"
    );
    assert_eq!(as_is, Ok(3 * SESSION_TOKENS), "--no-update");
    // Writable again: the next query catches up.
    let (total, out) = sandbox.total(&[]);
    assert_eq!(total, Ok(4 * SESSION_TOKENS), "stderr: {}", out.stderr);
}

#[cfg(unix)]
#[test]
fn a_full_disk_answers_from_the_last_commit() {
    let mut sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, "");
    }
    sandbox.build();
    sandbox.rollout(3, "");
    // No byte more may be written (EFBIG stands in for ENOSPC); SIGXFSZ ignored, as a full
    // disk sends no signal.
    sandbox.wrapper = ["sh", "-c", r#"trap '' XFSZ; ulimit -f 0; exec "$@""#, "sh"]
        .map(OsString::from)
        .to_vec();
    let (total, out) = sandbox.total(&[]);
    let said = lines(&out);
    assert_eq!(total, Ok(3 * SESSION_TOKENS), "stderr: {}", out.stderr);
    assert!(
        said.len() == 1 && said[0].contains("last update"),
        "one line saying the answer is the last update's: {said:?}"
    );
    // `index` says it failed.
    let out = sandbox.run(&["index"]);
    assert_eq!(out.code, 2, "index on a full disk: {}", out.stderr);
    // Space again: the next query catches up, from an index the failures left whole.
    sandbox.wrapper.clear();
    let (total, out) = sandbox.total(&[]);
    assert_eq!(total, Ok(4 * SESSION_TOKENS), "stderr: {}", out.stderr);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

/// A usage file that is whole but belongs to another commit (here the last one's: a session
/// fewer than the catalog) is damage, not a report that silently leaves a session out.
#[test]
fn a_usage_file_of_another_commit_is_found_and_rebuilt() {
    let sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, "");
    }
    sandbox.build();
    let older = std::fs::read(index_file(&sandbox.homes_dir(), "usage-N.bin")).expect("usage");
    sandbox.rollout(3, "");
    let (total, out) = sandbox.total(&[]);
    assert_eq!(total, Ok(4 * SESSION_TOKENS), "stderr: {}", out.stderr);
    std::fs::write(index_file(&sandbox.homes_dir(), "usage-N.bin"), older).expect("swap");

    let (total, out) = sandbox.total(&["--no-update"]);
    assert_eq!(total, Ok(4 * SESSION_TOKENS), "stderr: {}", out.stderr);
    let said = lines(&out);
    assert!(
        said.len() == 1 && said[0].contains("rebuil"),
        "one line on rebuilding: {said:?}"
    );
    sandbox.assert_not_ours_intact("usage of another commit");
}

// ---------------------------------------------------------------------------------------------
// The per-file state's segments: each update writes one holding only the entries it read.
// ---------------------------------------------------------------------------------------------

/// Appends to session `n` a second call: cumulative 4000 + 400 tokens, this call 2000 + 200.
fn grow(sandbox: &Sandbox, n: u32) {
    use std::io::Write;
    let id = format!("019cc0a0-0000-7000-8000-{n:012x}");
    let path = sandbox.home().join(format!(
        "sessions/2026/03/05/rollout-2026-03-05T10-00-00-{id}.jsonl"
    ));
    let line = r#"{"timestamp":"2026-03-05T10:05:00.000Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":4000,"cached_input_tokens":2000,"output_tokens":400,"reasoning_output_tokens":200,"total_tokens":4400},"last_token_usage":{"input_tokens":2000,"cached_input_tokens":1000,"output_tokens":200,"reasoning_output_tokens":100,"total_tokens":2200},"model_context_window":258400},"rate_limits":null}}"#;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .expect("open rollout");
    writeln!(file, "{line}").expect("append");
}

/// The `segment-*.bin` files in the index folder.
fn segments(sandbox: &Sandbox) -> usize {
    files_named(sandbox, "segment-")
}

/// The `<prefix>*.bin` files in the index folder.
fn files_named(sandbox: &Sandbox, prefix: &str) -> usize {
    std::fs::read_dir(sandbox.homes_dir())
        .expect("homes dir")
        .filter(|e| {
            let name = e.as_ref().expect("entry").file_name();
            let name = name.to_string_lossy();
            name.starts_with(prefix) && name.ends_with(".bin")
        })
        .count()
}

/// A segment missing or cut short is a damaged index: rebuilt, said in one line. One filled
/// with garbage is found when an entry in it is used: that file is read again from the start,
/// and the answer stays exact.
#[test]
fn a_damaged_state_segment_never_costs_a_session() {
    for how in [Damage::Missing, Damage::Empty, Damage::Cut] {
        let sandbox = damaged_sandbox("segment-N.bin", how);
        grow(&sandbox, 0);
        let (total, out) = sandbox.total(&[]);
        assert_eq!(total, Ok(4 * SESSION_TOKENS), "{how:?}: {}", out.stderr);
        let said = lines(&out);
        assert!(
            said.len() == 1 && said[0].contains("rebuil"),
            "{how:?}: {said:?}"
        );
        sandbox.assert_not_ours_intact(&format!("segment {how:?}"));
    }
    let sandbox = damaged_sandbox("segment-N.bin", Damage::Garbage);
    grow(&sandbox, 0);
    // Session 0 grew by one call (2200): its entry no longer decodes, so its file is read
    // again whole, and counted once.
    let (total, out) = sandbox.total(&[]);
    assert_eq!(total, Ok(4 * SESSION_TOKENS), "{}", out.stderr);
    let (again, _) = sandbox.total(&["--no-update"]);
    assert_eq!(again, Ok(4 * SESSION_TOKENS));
}

/// Thirty updates in a row, each adding a session and growing an older one: every answer is
/// exact, and the segments no commit uses any more are removed (they never pile up).
#[test]
fn many_updates_keep_the_state_exact_and_its_segments_few() {
    let sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, "");
    }
    sandbox.build();
    let mut want = 3 * SESSION_TOKENS;
    for n in 3..33 {
        sandbox.rollout(n, "");
        grow(&sandbox, n - 3);
        want += 2 * SESSION_TOKENS;
        let (total, out) = sandbox.total(&[]);
        assert_eq!(total, Ok(want), "after session {n}: {}", out.stderr);
        assert!(out.stderr.is_empty(), "{}", out.stderr);
    }
    // Removal runs beside the query; the next commit removes what an early exit left.
    let (total, _) = sandbox.total(&[]);
    assert_eq!(total, Ok(want));
    let kept = segments(&sandbox);
    assert!((1..=16).contains(&kept), "{kept} segments");
    // Thirty commits appended to one pack of sessions' and usage bytes.
    assert_eq!(files_named(&sandbox, "pack-"), 1);
    // And a full rebuild starts from one segment and a new pack (the one the commit before
    // used stays for a reader that may be loading it, until the next commit).
    let out = sandbox.run(&["index", "--rebuild"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(segments(&sandbox), 1);
    assert_eq!(files_named(&sandbox, "pack-"), 2);
    // The next commits append to the new pack and remove the old one (beside the query,
    // which may exit first: then the commit after it removes it).
    for n in 33..38 {
        sandbox.rollout(n, "");
        want += SESSION_TOKENS;
        assert_eq!(sandbox.total(&[]).0, Ok(want));
        if files_named(&sandbox, "pack-") == 1 {
            break;
        }
    }
    assert_eq!(files_named(&sandbox, "pack-"), 1);
    assert_eq!(sandbox.total(&["--no-update"]).0, Ok(want));
}
