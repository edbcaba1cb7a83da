//! Every command in a real terminal (issue 15): a progress bar drawn while stderr was locked
//! hung every command that updated the index, and no piped test could see it.
//!
//! Each case runs the real binary inside tmux (a real pseudo-terminal with a screen), waits for
//! it with a deadline (a hang fails the test with the screen it left, it is never a timing
//! assertion), then reads the exit status and the screen. The matrix is every query command ×
//! {fresh index, one appended line, up to date} × {stdout on the terminal, stdout piped} ×
//! {normal, `--quiet`}.
//!
//! tmux must be installed (`.ci/run` installs it). Without it the tests say so and pass, unless
//! `CI` is set, where a missing tmux is a failure.

#[path = "util/mod.rs"]
mod util;

use std::fs;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// How long one command may run before it counts as hung (the demo home takes well under a
/// second; a debug build under a loaded CI machine a few).
const DEADLINE: Duration = Duration::from_secs(90);

/// A private tmux server (its own socket, no user config) for one test.
struct Tmux {
    dir: tempfile::TempDir,
    /// Each run gets a server of its own: a new client racing a server that is still shutting
    /// down fails with "server exited unexpectedly".
    run: std::cell::Cell<u32>,
}

/// What a finished command left: its exit status and the visible screen.
struct Screen {
    code: i32,
    text: String,
}

impl Tmux {
    /// A private server, or `None` (with a message) when tmux is not installed.
    #[allow(clippy::print_stdout)] // the only way to say why the test did nothing
    fn new() -> Option<Tmux> {
        let found = Command::new("tmux")
            .arg("-V")
            .output()
            .is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "tmux is not installed: the pty tests cannot run (.ci/run installs it)"
            );
            println!("skipped: tmux is not installed, so the pty tests cannot run");
            return None;
        }
        let dir = tempfile::tempdir().expect("tmux tempdir");
        fs::write(dir.path().join("tmux.conf"), "set -g remain-on-exit on\n").expect("tmux config");
        Some(Tmux {
            dir,
            run: std::cell::Cell::new(0),
        })
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(self.dir.path().join(format!("sock{}", self.run.get())))
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"));
        cmd
    }

    /// Runs `script` (sh) in a new 160×40 terminal and waits for it to end.
    fn run(&self, script: &str) -> Screen {
        self.run.set(self.run.get() + 1);
        let file = self.dir.path().join("case.sh");
        let status_file = self.dir.path().join("status");
        let _ = fs::remove_file(&status_file);
        // The script's last act records the command's exit status for us to poll.
        let script = format!("{script}echo $? > '{}'\n", status_file.display());
        fs::write(&file, &script).expect("case script");
        let started = self
            .tmux()
            .args(["new-session", "-d", "-s", "case", "-x", "160", "-y", "40"])
            .arg(format!("sh {}", file.display()))
            .output()
            .expect("start tmux");
        assert!(
            started.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&started.stderr)
        );
        let started = Instant::now();
        let status_file = self.dir.path().join("status");
        let code = loop {
            if let Ok(text) = fs::read_to_string(&status_file)
                && let Ok(code) = text.trim().parse()
            {
                break code;
            }
            if started.elapsed() > DEADLINE {
                let screen = self.capture();
                self.kill();
                panic!(
                    "still running after {DEADLINE:?} (hung?):\n{script}\n--- screen ---\n{screen}"
                );
            }
            std::thread::sleep(Duration::from_millis(25));
        };
        let text = self.capture();
        self.kill();
        Screen { code, text }
    }

    fn capture(&self) -> String {
        let out = self
            .tmux()
            // `-S -`: the scrollback too (tmux may scroll a line while a new pane settles).
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", "case"])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter(|l| !l.starts_with("Pane is dead"))
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_owned()
    }

    fn kill(&self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A session of the demo home that every case appends to, and its id.
const SESSION: &str =
    "sessions/2026/03/03/rollout-2026-03-03T07-35-46-019cb29f-dbbb-7137-8f73-ac05f3c06531.jsonl";
const SESSION_ID: &str = "019cb29f-dbbb-7137-8f73-ac05f3c06531";

/// The line Codex would append: a new prompt with a word the demo home does not contain.
const APPENDED: &str = r#"{"timestamp":"2026-03-14T10:00:00.000Z","type":"event_msg","payload":{"type":"user_message","message":"please look at the zanzibarquokka cache","images":[]}}"#;

/// One command of the matrix: its arguments and what its answer must show.
struct Case {
    name: &'static str,
    args: &'static [&'static str],
    /// Text the answer (stdout) must contain.
    expect: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "stats",
        args: &["stats", "daily"],
        expect: "Total",
    },
    Case {
        name: "index",
        args: &["index"],
        expect: "",
    },
    Case {
        name: "search",
        args: &["search", "migrate"],
        expect: "migrate",
    },
    Case {
        name: "resume",
        args: &["resume", "--all", "--include-non-interactive"],
        expect: "-",
    },
    Case {
        name: "sessions",
        args: &["sessions", "--include-non-interactive"],
        expect: "Name / title",
    },
    Case {
        name: "show",
        args: &["show", SESSION_ID],
        expect: "Can you remove the workflow",
    },
];

/// The binary under test; `ROLLDEX_PTY_BIN` runs the matrix against another build (an older
/// one, to see these tests fail where it hung).
fn binary() -> String {
    std::env::var("ROLLDEX_PTY_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_rolldex").to_owned())
}

fn quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Runs one command through the three index states, in both stdout modes and both verbosities.
fn run_matrix(case: &Case) {
    let Some(tmux) = Tmux::new() else {
        return;
    };
    for piped in [false, true] {
        for quiet in [false, true] {
            let work = tempfile::tempdir().expect("case tempdir");
            let home = work.path().join("home");
            util::copy_tree(&util::repo_path("testdata/demo-home"), &home);
            let index = work.path().join("index");
            let out_file = work.path().join("stdout.txt");
            let mut args: Vec<String> = vec![
                binary(),
                "--codex-home".to_owned(),
                home.display().to_string(),
            ];
            if quiet {
                args.push("--quiet".to_owned());
            }
            args.extend(case.args.iter().map(|a| (*a).to_owned()));
            let command = args
                .iter()
                .map(|a| quote(Path::new(a)))
                .collect::<Vec<_>>()
                .join(" ");
            let redirect = if piped {
                format!(" > {}", quote(&out_file))
            } else {
                String::new()
            };
            let script = format!(
                "export ROLLDEX_INDEX_DIR={index} XDG_CONFIG_HOME={config} TZ=UTC\n\
                 unset CODEX_HOME NO_COLOR COLUMNS\n\
                 {command}{redirect}\n",
                index = quote(&index),
                config = quote(&work.path().join("config")),
            );
            for state in ["fresh index", "one appended line", "up to date"] {
                if state == "one appended line" {
                    let mut file = fs::OpenOptions::new()
                        .append(true)
                        .open(home.join(SESSION))
                        .expect("open the session to append");
                    writeln!(file, "{APPENDED}").expect("append");
                }
                let what = format!(
                    "`{}` with {state}, stdout {}, {}",
                    case.args.join(" "),
                    if piped { "piped" } else { "on the terminal" },
                    if quiet { "--quiet" } else { "not quiet" }
                );
                let screen = tmux.run(&script);
                assert_eq!(screen.code, 0, "{what}: exit status\n{}", screen.text);
                let answer = if piped {
                    fs::read_to_string(&out_file).expect("piped stdout")
                } else {
                    screen.text.clone()
                };
                assert!(
                    answer.contains(case.expect),
                    "{what}: the answer lacks {:?}:\n{answer}",
                    case.expect
                );
                if piped {
                    // Only stderr reached the terminal, and stdout did not.
                    assert!(
                        case.expect.len() < 3 || !screen.text.contains(case.expect),
                        "{what}: stdout reached the terminal:\n{}",
                        screen.text
                    );
                }
                // The bar is gone before the answer: nothing of it is left on the screen.
                assert!(
                    !screen.text.contains("indexing") && !screen.text.contains("writing the index"),
                    "{what}: the progress bar was left on the screen:\n{}",
                    screen.text
                );
                if quiet {
                    assert!(
                        !screen.text.contains("rolldex:"),
                        "{what}: --quiet printed a diagnostic:\n{}",
                        screen.text
                    );
                }
                if case.name == "index" && !quiet {
                    let said = if state == "up to date" {
                        "index is up to date"
                    } else {
                        "rolldex: indexed"
                    };
                    assert!(
                        screen.text.contains(said),
                        "{what}: expected {said:?}:\n{}",
                        screen.text
                    );
                }
                if case.name == "search" && state != "fresh index" {
                    // The appended prompt is searchable at once.
                    let found = tmux.run(&script.replace("'migrate'", "'zanzibarquokka'"));
                    assert_eq!(found.code, 0, "{what}: the appended word was not found");
                }
            }
        }
    }
}

#[test]
fn stats_in_a_terminal() {
    run_matrix(&CASES[0]);
}

#[test]
fn index_in_a_terminal() {
    run_matrix(&CASES[1]);
}

#[test]
fn search_in_a_terminal() {
    run_matrix(&CASES[2]);
}

#[test]
fn resume_in_a_terminal() {
    run_matrix(&CASES[3]);
}

#[test]
fn sessions_in_a_terminal() {
    run_matrix(&CASES[4]);
}

#[test]
fn show_in_a_terminal() {
    run_matrix(&CASES[5]);
}
