//! `rolldex pick` driven in a real pseudo-terminal (tmux): keys go in with `send-keys`, the
//! screen comes back with `capture-pane`, and the picker's stdout and exit status go to files
//! (stdout captured, as in `codex resume "$(rolldex pick)"`). Every wait has a deadline and a
//! timeout fails with the screen it left; nothing here is a timing assertion.
//!
//! tmux must be installed (`.ci/run` installs it); without it the tests say so and pass,
//! unless `CI` is set.

#[path = "util/mod.rs"]
mod util;

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const DEADLINE: Duration = Duration::from_mins(1);

/// One picker running in a private tmux server, on a copy of the demo home.
struct Picker {
    dir: tempfile::TempDir,
}

impl Picker {
    /// Starts `rolldex pick ARGS` (or returns `None` when tmux is missing).
    #[allow(clippy::print_stdout)]
    fn start(args: &str) -> Option<Picker> {
        if !Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            assert!(std::env::var_os("CI").is_none(), "tmux is not installed");
            println!("skipped: tmux is not installed");
            return None;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        util::copy_tree(
            &util::repo_path("testdata/demo-home"),
            &dir.path().join("home"),
        );
        fs::write(dir.path().join("tmux.conf"), "set -g remain-on-exit on\n").expect("conf");
        // A stand-in codex that records its arguments.
        let codex = dir.path().join("codex");
        fs::write(
            &codex,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{}'\n",
                dir.path().join("codex-args").display()
            ),
        )
        .expect("stand-in codex");
        make_executable(&codex);
        let d = dir.path().display().to_string();
        let script = format!(
            "cd '{d}' && NO_COLOR=1 '{bin}' --codex-home '{d}/home' --index-dir '{d}/index' \
             pick --codex-bin '{d}/codex' {args} > '{d}/out'; echo $? > '{d}/status'\n",
            bin = env!("CARGO_BIN_EXE_rolldex"),
        );
        fs::write(dir.path().join("case.sh"), script).expect("script");
        // The index is built (and its segments merged) first: scores then cannot move between
        // the picker's answer and `resume`'s, and near-ties stay in one order.
        let built = Command::new(env!("CARGO_BIN_EXE_rolldex"))
            .arg("--codex-home")
            .arg(dir.path().join("home"))
            .arg("--index-dir")
            .arg(dir.path().join("index"))
            .args(["--quiet", "index"])
            .status()
            .expect("index");
        assert!(built.success());
        let picker = Picker { dir };
        let started = picker
            .tmux()
            .args(["new-session", "-d", "-s", "case", "-x", "150", "-y", "40"])
            .arg(format!("sh {d}/case.sh"))
            .output()
            .expect("start tmux");
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
        Some(picker)
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(self.dir.path().join("sock"))
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"));
        cmd
    }

    fn keys(&self, keys: &[&str]) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", "case"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "case"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `ok`; returns it.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// Waits for the picker to end; returns (status, stdout).
    fn finished(&self) -> (i32, String) {
        let started = Instant::now();
        loop {
            if let Ok(text) = fs::read_to_string(self.dir.path().join("status"))
                && let Ok(code) = text.trim().parse()
            {
                let out = fs::read_to_string(self.dir.path().join("out")).unwrap_or_default();
                return (code, out);
            }
            assert!(
                started.elapsed() < DEADLINE,
                "the picker did not end; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }

    /// The first list row's title (the line under the typed one).
    fn first_row(screen: &str) -> String {
        screen
            .lines()
            .skip_while(|l| !l.starts_with("> "))
            .nth(1)
            .unwrap_or("")
            .to_owned()
    }

    /// `rolldex resume QUERY --all` on the same home: the session the picker must put first.
    fn resume(&self, query: &str) -> String {
        let d = self.dir.path();
        let out = Command::new(env!("CARGO_BIN_EXE_rolldex"))
            .arg("--codex-home")
            .arg(d.join("home"))
            .arg("--index-dir")
            .arg(d.join("index"))
            .args(["--quiet", "resume", "--all", "--no-update", query])
            .output()
            .expect("resume");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for Picker {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// Drawn, with the background update (which finds nothing new) over.
fn ready(screen: &str) -> bool {
    screen.contains("sessions")
        && screen.contains("enter: print id")
        && !screen.contains("updating the index")
}

/// The typed line is `line` and the list answers it.
fn answered(screen: &str, line: &str) -> bool {
    let first = screen.lines().next().unwrap_or("");
    first
        .strip_prefix("> ")
        .is_some_and(|rest| rest.split("  ").next() == Some(line))
        && !first.contains("searching")
}

#[test]
fn typing_ranks_like_resume_and_enter_prints_the_id() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    let expected = picker.resume("queue");
    assert!(!expected.is_empty());
    picker.keys(&["queue"]);
    // The preview shows the selected session's id; the first row is selected.
    let screen = picker.wait_for("the ranked list", |s| {
        answered(s, "queue") && s.contains(&expected)
    });
    assert!(!Picker::first_row(&screen).is_empty());
    // The preview pane names the selected session: moving away and back is seen there.
    picker.keys(&["Down"]);
    picker.wait_for("the second row selected", |s| !s.contains(&expected));
    picker.keys(&["Up"]);
    picker.wait_for("the first row again", |s| s.contains(&expected));
    picker.keys(&["Enter"]);
    let (code, out) = picker.finished();
    assert_eq!((code, out.trim()), (0, expected.as_str()));
    let screen = picker.screen();
    assert!(
        !screen.contains("enter: print id"),
        "the picker left itself on screen:\n{screen}"
    );
}

#[test]
fn a_partly_typed_word_matches_as_a_prefix() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    picker.keys(&["queu"]);
    picker.wait_for("prefix matches", |s| {
        answered(s, "queu") && !s.contains("no session matches") && !s.contains(" 0 sessions")
    });
    picker.keys(&["Escape"]);
    let (code, _) = picker.finished();
    assert_eq!(code, 130);
}

#[test]
fn escape_exits_130_with_nothing_on_stdout() {
    let Some(picker) = Picker::start("") else {
        return;
    };
    picker.wait_for("the picker", ready);
    picker.keys(&["Escape"]);
    let (code, out) = picker.finished();
    assert_eq!((code, out.as_str()), (130, ""));
}

#[test]
fn tab_changes_the_scope_and_ctrl_n_the_kinds() {
    let Some(picker) = Picker::start("") else {
        return;
    };
    // The test's directory has no sessions: the picker opens everywhere.
    picker.wait_for("everywhere", |s| ready(s) && s.contains("everywhere"));
    picker.keys(&["Tab"]);
    picker.wait_for("the directory scope", |s| s.contains("dir /"));
    picker.keys(&["Tab"]);
    picker.wait_for("everywhere again", |s| s.contains("everywhere"));
    picker.keys(&["C-n"]);
    picker.wait_for("sub-agents shown", |s| s.contains("+exec/sub-agents"));
    picker.keys(&["C-c"]);
    assert_eq!(picker.finished().0, 130);
}

#[test]
fn a_resize_redraws() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    let status = picker
        .tmux()
        .args(["resize-window", "-t", "case", "-x", "70", "-y", "20"])
        .status()
        .expect("resize");
    assert!(status.success());
    let screen = picker.wait_for("a redraw at 70 columns", |s| {
        ready(s) && s.lines().all(|l| l.chars().count() <= 70)
    });
    assert!(screen.contains("> "));
    picker.keys(&["Escape"]);
    assert_eq!(picker.finished().0, 130);
}

#[test]
fn ctrl_r_runs_codex_resume_with_the_id() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    let expected = picker.resume("queue");
    picker.keys(&["queue"]);
    picker.wait_for("the ranked list", |s| {
        answered(s, "queue") && s.contains(&expected)
    });
    picker.keys(&["C-r"]);
    let (code, out) = picker.finished();
    assert_eq!((code, out.as_str()), (0, ""));
    let args = fs::read_to_string(picker.dir.path().join("codex-args")).expect("codex ran");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["resume", expected.as_str()]
    );
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}
