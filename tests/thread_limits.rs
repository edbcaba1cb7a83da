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

/// `rolldex ARGS` run as `nobody` (uid 65534) under `prlimit --nproc=1`: a process of a user
/// with that limit may start no thread, as a user at their process limit or a container at its
/// pids limit. The limit binds only unprivileged users, hence `setpriv`.
fn as_nobody_without_threads(dir: &Path, limit: bool, args: &[&OsStr]) -> Output {
    let mut command = util::clean_command("setpriv", &dir.join("index"), &dir.join("config"));
    command.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"]);
    if limit {
        command.args(["prlimit", "--nproc=1:1", "--"]);
    }
    command
        .arg(bin())
        .args(["--codex-home".as_ref(), dir.join("home").as_os_str()]);
    command.args(args);
    wait_output(command.spawn().expect("spawn setpriv"), "as nobody")
}

#[test]
#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
fn a_process_that_may_start_no_thread_answers_on_one_or_says_why() {
    use std::os::unix::fs::PermissionsExt;
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
        return;
    }
    // A folder nobody can use: the demo history, readable; the index and config, theirs.
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
    let binary_runs = as_nobody_without_threads(dir.path(), false, &["--version".as_ref()]);
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
        return;
    }

    // No index yet: building one needs tantivy's threads, so it says why in one line.
    let json = ["stats".as_ref(), "daily".as_ref(), "--json".as_ref()];
    let first = as_nobody_without_threads(dir.path(), true, &json);
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
    let built = as_nobody_without_threads(dir.path(), false, &["-q".as_ref(), "index".as_ref()]);
    assert_eq!(built.code, 0, "{}", built.stderr);
    for args in [
        &json[..],
        &["search".as_ref(), "migration".as_ref(), "--json".as_ref()],
        &["sessions".as_ref(), "--json".as_ref()],
    ] {
        let many = as_nobody_without_threads(dir.path(), false, args);
        let one = as_nobody_without_threads(dir.path(), true, args);
        assert_no_panic(&one);
        assert_eq!(one.code, 0, "{args:?} under the limit: {}", one.stderr);
        assert!(!many.stdout.is_empty(), "{args:?}: {}", many.stderr);
        assert_eq!(
            one.stdout, many.stdout,
            "{args:?}: one thread and many differ"
        );
    }
    // The MCP server runs threads of its own (tokio's, an updater): it refuses in one line.
    let mcp = as_nobody_without_threads(dir.path(), true, &["mcp".as_ref()]);
    assert_no_panic(&mcp);
    assert_eq!(mcp.code, 2, "{}", mcp.stderr);
    assert_eq!(mcp.stderr.lines().count(), 1, "{}", mcp.stderr);
    assert!(mcp.stderr.contains("needs threads"), "{}", mcp.stderr);
}
