//! A real terminal for the picker's tests (`tests/picker.rs`, `tests/shell.rs`): one private
//! tmux server per test (its own socket and config), a temporary directory for everything the
//! case writes, keys in with `send-keys`, the screen back with `capture-pane`. Every wait has a
//! deadline and a timeout fails with the screen it left; nothing is a timing assertion.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a wait may take before the test fails (a debug build on a loaded machine).
pub const DEADLINE: Duration = Duration::from_mins(1);

/// A private tmux server and the directory of one test.
pub struct Term {
    pub dir: tempfile::TempDir,
}

impl Term {
    /// A new server directory, or `None` (with a message) when tmux is missing; under `CI` a
    /// missing tmux fails.
    #[allow(clippy::print_stdout)]
    pub fn new() -> Option<Term> {
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
        fs::write(dir.path().join("tmux.conf"), "set -g remain-on-exit on\n").expect("conf");
        Some(Term { dir })
    }

    /// The test's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `name` in the test's directory.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `command` (a shell command line) in a 150x40 window of session `case`.
    pub fn start(&self, command: &str) {
        let started = self
            .tmux()
            .args(["new-session", "-d", "-s", "case", "-x", "150", "-y", "40"])
            .arg(command)
            .output()
            .expect("start tmux");
        assert!(
            started.status.success(),
            "{}",
            String::from_utf8_lossy(&started.stderr)
        );
    }

    /// A tmux client of this server.
    pub fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(self.file("sock"))
            .arg("-f")
            .arg(self.file("tmux.conf"));
        cmd
    }

    /// Sends keys (tmux key names, or text).
    pub fn keys(&self, keys: &[&str]) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", "case"])
            .args(keys)
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        let status = self
            .tmux()
            .args(["send-keys", "-t", "case", "-l", text])
            .status()
            .expect("send-keys");
        assert!(status.success());
    }

    /// The visible screen.
    pub fn screen(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-t", "case"])
            .output()
            .expect("capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `ok`; returns it.
    pub fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
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

    /// Waits until the file `name` holds a full line; returns its content.
    pub fn wait_file(&self, name: &str) -> String {
        let started = Instant::now();
        loop {
            if let Ok(text) = fs::read_to_string(self.file(name))
                && text.ends_with('\n')
            {
                return text;
            }
            assert!(
                started.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {name}; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
        // A picker that outlived its terminal (the bug the closed-tty test catches) is ended
        // by its own id, which the case wrote.
        // (Only when that id is still a process started in this test's directory.)
        if let Ok(pid) = fs::read_to_string(self.file("pid"))
            && let Ok(pid) = pid.trim().parse::<u32>()
            && fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                let ours = self.path().to_string_lossy();
                String::from_utf8_lossy(&cmdline).contains(ours.as_ref())
            })
        {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

/// Makes `path` executable.
#[cfg(unix)]
pub fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Makes `path` executable.
#[cfg(not(unix))]
pub fn make_executable(_: &Path) {}

/// Single-quotes `text` for sh.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}
