//! A process that may start no thread (a user at their process limit, a container at its
//! pids limit) through the real binary: a built index still answers, on one thread, with the
//! same output; what needs threads of its own (a first build, `mcp`) says why in one line;
//! nothing panics. Kept apart from `reliability.rs` because it runs rolldex as another user.
//!
//! `ROLLDEX_BIN=/path/to/rolldex` runs it against another build (56e39f3 panics here).

#[path = "util/mod.rs"]
mod util;

use std::ffi::OsStr;
use std::path::Path;
use std::process::Command;

use util::binary as bin;
use util::{Output, assert_no_panic, wait_output};

/// `rolldex ARGS` run as `nobody` (uid 65534), under `prlimit --nproc=N` when given: with 1 a
/// process of a user with that limit may start no thread, as a user at their process limit
/// or a container at its pids limit. The limit binds only unprivileged users, hence `setpriv`.
fn nobody_command(dir: &Path, index: &Path, nproc: Option<u32>) -> Command {
    let mut command = util::clean_command("setpriv", index, &dir.join("config"));
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
    if let Some(n) = nproc {
        command.args([
            "prlimit".to_owned(),
            format!("--nproc={n}:{n}"),
            "--".into(),
        ]);
    }
    command
        .arg(bin())
        .args(["--codex-home".as_ref(), dir.join("home").as_os_str()]);
    command
}

/// `rolldex ARGS` as nobody with the folder's index, under `prlimit --nproc=N` when given.
fn as_nobody(dir: &Path, nproc: Option<u32>, args: &[&OsStr]) -> Output {
    let mut command = nobody_command(dir, &dir.join("index"), nproc);
    command.args(args);
    wait_output(command.spawn().expect("spawn setpriv"), "as nobody")
}

/// The tests here run one at a time: a process limit counts every process and thread of the
/// user, so one test's rolldex would take the threads another's is allowed.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A folder nobody can use (the demo history, readable; the index and config, theirs), and
/// the turn to use it ([`ONE_AT_A_TIME`]). `None` (after saying why) where nobody cannot be
/// limited here; CI must be able to.
#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
fn folder_for_nobody() -> Option<(std::sync::MutexGuard<'static, ()>, tempfile::TempDir)> {
    use std::os::unix::fs::PermissionsExt;
    let alone = ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let tools = ["setpriv", "prlimit"].iter().all(|t| {
        Command::new(t)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !rustix::process::geteuid().is_root() || !tools {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI runs as root with util-linux's setpriv and prlimit"
        );
        println!("skipped: needs root and util-linux's setpriv and prlimit (to limit nobody)");
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let open = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    };
    open(dir.path(), 0o777);
    util::copy_tree(
        &util::repo_path("testdata/demo-home"),
        &dir.path().join("home"),
    );
    let status = Command::new("chmod")
        .args(["-R", "a+rX"])
        .arg(dir.path().join("home"))
        .status()
        .expect("chmod");
    assert!(status.success());
    std::fs::create_dir(dir.path().join("config")).expect("config dir");
    open(&dir.path().join("config"), 0o777);
    let binary_runs = as_nobody(dir.path(), None, &["--version".as_ref()]);
    if binary_runs.code != 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "nobody cannot run {}: {}",
            bin().display(),
            binary_runs.stderr
        );
        println!(
            "skipped: nobody cannot run {}: {}",
            bin().display(),
            binary_runs.stderr
        );
        return None;
    }
    Some((alone, dir))
}

#[test]
fn a_process_that_may_start_no_thread_answers_on_one_or_says_why() {
    let Some((_alone, dir)) = folder_for_nobody() else {
        return;
    };
    // No index yet: building one needs tantivy's threads, so it says why in one line.
    let json = ["stats".as_ref(), "daily".as_ref(), "--json".as_ref()];
    let first = as_nobody(dir.path(), Some(1), &json);
    assert_no_panic(&first);
    assert_eq!(first.code, 2, "{}", first.stderr);
    assert_eq!(first.stderr.lines().count(), 1, "{}", first.stderr);
    assert!(first.stderr.starts_with("rolldex: "), "{}", first.stderr);
    assert!(
        first.stderr.contains("thread"),
        "says why: {}",
        first.stderr
    );

    // Built without the limit, the index answers under it: the walk, the load and the query
    // run on the one thread there is, and give what they give on many.
    let built = as_nobody(dir.path(), None, &["-q".as_ref(), "index".as_ref()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    for args in [
        &json[..],
        &["search".as_ref(), "migration".as_ref(), "--json".as_ref()],
        &["sessions".as_ref(), "--json".as_ref()],
    ] {
        let many = as_nobody(dir.path(), None, args);
        let one = as_nobody(dir.path(), Some(1), args);
        assert_no_panic(&one);
        assert_eq!(one.code, 0, "{args:?} under the limit: {}", one.stderr);
        assert!(!many.stdout.is_empty(), "{args:?}: {}", many.stderr);
        assert_eq!(
            one.stdout, many.stdout,
            "{args:?}: one thread and many differ"
        );
    }
    // The MCP server runs threads of its own (tokio's, an updater): it refuses in one line.
    let mcp = as_nobody(dir.path(), Some(1), &["mcp".as_ref()]);
    assert_no_panic(&mcp);
    assert_eq!(mcp.code, 2, "{}", mcp.stderr);
    assert_eq!(mcp.stderr.lines().count(), 1, "{}", mcp.stderr);
    assert!(mcp.stderr.contains("needs threads"), "{}", mcp.stderr);
}

/// What every MCP exchange here opens with.
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;

/// An MCP server run as nobody under `prlimit --nproc=N` with `index`, rayon held to one
/// thread, stdin piped.
fn mcp_as_nobody(dir: &Path, index: &Path, nproc: u32) -> std::process::Child {
    let mut command = nobody_command(dir, index, Some(nproc));
    command
        .env("RAYON_NUM_THREADS", "1")
        .arg("mcp")
        .stdin(std::process::Stdio::piped());
    command.spawn().expect("spawn setpriv")
}

/// The answer to one `search_sessions` call of an MCP server run as nobody under
/// `prlimit --nproc=N`, with no index yet, or `None` when the server refused to start.
fn mcp_search_as_nobody(dir: &Path, nproc: u32) -> Option<serde_json::Value> {
    use std::io::{BufRead, Write};
    let mut child = mcp_as_nobody(dir, &dir.join(format!("index-{nproc}")), nproc);
    let mut stdin = child.stdin.take().expect("stdin");
    let messages = [
        INITIALIZE,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"search_sessions","arguments":{"query":"migration"}}}"#,
    ];
    for message in messages {
        // A server that refused to start has closed its end.
        let _ = writeln!(stdin, "{message}");
    }
    let stdout = child.stdout.take().expect("stdout");
    // Reads until the call's answer, then closes stdin, which ends the server.
    let reader = std::thread::spawn(move || {
        let answer = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(&line).ok())
            .find(|v| v["id"] == 3);
        drop(stdin);
        answer
    });
    let out = wait_output(child, "mcp as nobody");
    assert_no_panic(&out);
    reader.join().expect("reader").map(|v| v["result"].clone())
}

/// With no index yet and threads enough for the server but not for a first build, a call is
/// an error that says so, not an empty answer ("nothing matches"): from 5 to 7 processes
/// (rayon held to one thread) the server starts and the build cannot, here; with more the
/// build runs and the call finds the demo history's sessions.
#[test]
fn mcp_without_an_index_it_cannot_build_answers_with_an_error() {
    let Some((_alone, dir)) = folder_for_nobody() else {
        return;
    };
    let mut failed_builds = 0;
    for nproc in 4..=10 {
        let Some(result) = mcp_search_as_nobody(dir.path(), nproc) else {
            continue; // refused to start, in one line (the test above)
        };
        let text = result["content"][0]["text"].as_str().unwrap_or_default();
        if result["isError"] == true {
            assert!(
                text.contains("no index to answer from yet"),
                "{nproc}: {text}"
            );
            failed_builds += 1;
        } else {
            assert!(
                text.contains("019c"),
                "{nproc}: an answer without sessions: {text}"
            );
        }
    }
    assert!(
        failed_builds > 0,
        "no limit let the server start and stopped the build"
    );
}

/// A limit reached while the MCP server runs (another process of the user took the last
/// slots) after the client was quiet for a while: a call still gets its answer. tokio had let
/// its idle blocking threads end, and queued the call's work behind the one left, reading
/// stdin, which waited for the client's next message.
#[test]
fn mcp_answers_when_the_limit_is_reached_while_it_runs() {
    use std::io::{BufRead, Write};
    use std::time::Duration;
    let Some((_alone, dir)) = folder_for_nobody() else {
        return;
    };
    let built = as_nobody(dir.path(), None, &["-q".as_ref(), "index".as_ref()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    let nproc = 12;
    let mut server = mcp_as_nobody(dir.path(), &dir.path().join("index"), nproc);
    let mut stdin = server.stdin.take().expect("stdin");
    let stdout = server.stdout.take().expect("stdout");
    let (lines, answers) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = lines.send(line);
        }
    });
    let wait_for = |id: &str| {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
            match answers.recv_timeout(left) {
                Ok(line) if line.contains(&format!("\"id\":{id}")) => return Some(line),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
        None
    };
    writeln!(stdin, "{INITIALIZE}").expect("write");
    assert!(wait_for("1").is_some(), "the server did not start");
    // An agent that thinks for a while: tokio let an idle blocking thread end after 10 s.
    std::thread::sleep(Duration::from_secs(11));
    // Another process of nobody's takes every slot the limit leaves.
    let hog_script = "import threading, sys\nn = 0\nwhile True:\n    try:\n        threading.Thread(target=sys.stdin.read, daemon=True).start(); n += 1\n    except RuntimeError:\n        break\nprint(n, flush=True)\nsys.stdin.read()\n";
    let mut hog = Command::new("setpriv");
    hog.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg("prlimit")
        .arg(format!("--nproc={nproc}:{nproc}"))
        .args(["--", "python3", "-c", hog_script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut hog = hog.spawn().expect("python3");
    let mut count = String::new();
    std::io::BufReader::new(hog.stdout.take().expect("hog stdout"))
        .read_line(&mut count)
        .expect("hog's count");
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )
    .expect("write");
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{{"name":"list_sessions","arguments":{{}}}}}}"#
    )
    .expect("write");
    let answer = wait_for("3");
    drop(hog.stdin.take());
    let _ = hog.wait();
    drop(stdin);
    if answer.is_none() {
        let _ = server.kill();
    }
    let _ = server.wait();
    let answer = answer.expect("no answer to the call within 20 s");
    assert!(answer.contains("019c"), "{count} threads taken: {answer}");
}
