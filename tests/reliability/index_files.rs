//! The index's own files: private whatever the umask, and never inside a Codex home, even
//! through a symlink.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::util::{assert_no_panic, wait_output};
use super::{Sandbox, id, plain_session};

/// Every entry below `dir` (and `dir` itself) with its permission bits.
#[cfg(unix)]
fn modes(dir: &Path) -> Vec<(PathBuf, bool, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        found.push((
            path.clone(),
            meta.is_dir(),
            meta.permissions().mode() & 0o777,
        ));
        if meta.is_dir() {
            for entry in std::fs::read_dir(&path).expect("read_dir") {
                stack.push(entry.expect("entry").path());
            }
        }
    }
    found
}

// Item 15: the index is private (files 0600, folders 0700) whatever the umask, and an index
// folder left open by an older version is closed again.
#[cfg(unix)]
#[test]
fn index_files_are_private_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    for n in 0..3 {
        sandbox.rollout(n, &plain_session(&id(n), &format!("private words {n}")));
    }
    let run_with_umask_000 = |args: &[&str]| {
        let command = sandbox.command(args);
        let mut shell = Command::new("sh");
        shell
            .arg("-c")
            .arg("umask 000; exec \"$0\" \"$@\"")
            .arg(command.get_program())
            .args(command.get_args())
            .envs(command.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
            .env_remove("CODEX_HOME")
            .env_remove("TZ")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        wait_output(shell.spawn().expect("spawn sh"), "under umask 000")
    };
    let out = run_with_umask_000(&["index"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let out = run_with_umask_000(&["search", "private"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let all = modes(&sandbox.index());
    assert!(all.len() > 5, "an index was written: {all:?}");
    for (path, is_dir, mode) in &all {
        let want = if *is_dir { 0o700 } else { 0o600 };
        assert_eq!(*mode, want, "{} is {mode:o}", path.display());
    }
    // A homes folder opened up (by an older version, by hand) is closed on the next run.
    let homes_dir = std::fs::read_dir(sandbox.index())
        .expect("index dir")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("homes-"))
        })
        .expect("a homes- folder");
    std::fs::set_permissions(&homes_dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = sandbox.run(&["sessions"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let mode = std::fs::metadata(&homes_dir)
        .expect("meta")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o700, "{} is {mode:o}", homes_dir.display());
}

// Item 14: "never write inside a Codex home" holds through a symlink on either side.
#[cfg(unix)]
#[test]
fn index_inside_a_home_is_refused_through_symlinks() {
    let sandbox = Sandbox::new();
    sandbox.rollout(1, &plain_session(&id(1), "words"));
    let home = sandbox.home();
    let link = sandbox.dir.path().join("link-to-home");
    std::os::unix::fs::symlink(&home, &link).expect("symlink");
    let cases = [
        // The index dir reached through a link into the home.
        (home.clone(), link.join("idx")),
        // The home given through a link; the index dir by its real path.
        (link.clone(), home.join("idx")),
    ];
    for (codex_home, index_dir) in cases {
        let child = sandbox
            .command_without_home(&[
                "--codex-home".as_ref(),
                codex_home.as_os_str(),
                "--index-dir".as_ref(),
                index_dir.as_os_str(),
                "sessions".as_ref(),
            ])
            .spawn()
            .expect("spawn");
        let out = wait_output(child, "with a linked home");
        assert_no_panic(&out);
        assert_eq!(out.code, 2, "{}: {}", index_dir.display(), out.stderr);
        assert!(
            out.stderr.contains("inside the Codex home"),
            "{}",
            out.stderr
        );
        assert!(!home.join("idx").exists(), "wrote inside the home");
    }
}
