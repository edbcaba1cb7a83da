//! `rolldex pick` driven in a real pseudo-terminal (tmux): keys go in with `send-keys`, the
//! screen comes back with `capture-pane`, and the picker's stdout and exit status go to files
//! (stdout captured, as in `codex resume "$(rolldex pick)"`). Every wait has a deadline and a
//! timeout fails with the screen it left; nothing here is a timing assertion.
//!
//! tmux must be installed (`.ci/run` installs it); without it the tests say so and pass,
//! unless `CI` is set.

#[path = "util/mod.rs"]
mod util;

#[path = "picker/tmux.rs"]
mod tmux;

#[path = "picker/wide.rs"]
mod wide;

use std::fs;
use std::path::Path;
use std::process::Command;

use tmux::{Term, make_executable, quote};
use wide::{cell_of, cells, wide_titles_home};

/// One picker running in a private tmux server, on a Codex home of its own.
struct Picker {
    term: Term,
}

impl Picker {
    /// Starts `rolldex pick ARGS` on a copy of the demo home (or returns `None` when tmux is
    /// missing).
    fn start(args: &str) -> Option<Picker> {
        Picker::start_on(args, |home| {
            util::copy_tree(&util::repo_path("testdata/demo-home"), home);
        })
    }

    /// Starts `rolldex pick ARGS` on the home `make_home` fills.
    ///
    /// The picker runs under a wrapper that outlives its terminal (it catches SIGHUP) and
    /// writes the picker's exit status to `status`, its stdout to `out`, its stderr to `err`
    /// and its process id to `pid`. `$PAGER` is a stand-in that records its arguments and
    /// input, says so on the screen and waits for a line.
    fn start_on(args: &str, make_home: impl FnOnce(&Path)) -> Option<Picker> {
        let term = Term::new()?;
        let d = term.path().display().to_string();
        make_home(&term.file("home"));
        // A stand-in codex that records its arguments.
        let codex = term.file("codex");
        fs::write(
            &codex,
            format!("#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{d}/codex-args'\n"),
        )
        .expect("stand-in codex");
        make_executable(&codex);
        let pager = term.file("pager");
        fs::write(
            &pager,
            format!(
                "#!/bin/sh\necho \"$@\" > '{d}/pager-args'\ncat > '{d}/paged'\n\
                 echo 'THE PAGER HAS THE TERMINAL'\nread -r line < /dev/tty\n"
            ),
        )
        .expect("stand-in pager");
        make_executable(&pager);
        fs::write(
            term.file("picker.sh"),
            format!(
                "echo $$ > '{d}/pid'\nexec env NO_COLOR=1 XDG_CONFIG_HOME='{d}/config' \
                 PAGER='{d}/pager -R' {bin} --codex-home '{d}/home' --index-dir '{d}/index' \
                 pick --codex-bin '{d}/codex' {args}\n",
                bin = quote(&util::binary().to_string_lossy()),
            ),
        )
        .expect("picker script");
        fs::write(
            term.file("case.sh"),
            format!(
                "trap 'echo hangup >> {d}/wrapper' HUP\n\
                 cd '{d}' && sh '{d}/picker.sh' > '{d}/out' 2> '{d}/err'; echo $? > '{d}/status'\n"
            ),
        )
        .expect("case script");
        // The index is built (and its segments merged) first: scores then cannot move between
        // the picker's answer and `resume`'s, and near-ties stay in one order.
        let built = Command::new(util::binary())
            .arg("--codex-home")
            .arg(term.file("home"))
            .arg("--index-dir")
            .arg(term.file("index"))
            .args(["--quiet", "index"])
            .status()
            .expect("index");
        assert!(built.success());
        term.start(&format!("sh {d}/case.sh"));
        Some(Picker { term })
    }

    fn keys(&self, keys: &[&str]) {
        self.term.keys(keys);
    }

    fn screen(&self) -> String {
        self.term.screen()
    }

    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.term.wait_for(what, ok)
    }

    /// Waits for the picker to end; returns (status, stdout).
    fn finished(&self) -> (i32, String) {
        let code = self.term.wait_file("status");
        let out = fs::read_to_string(self.term.file("out")).unwrap_or_default();
        (code.trim().parse().expect("a status"), out)
    }

    /// What the picker wrote on stderr.
    fn stderr(&self) -> String {
        fs::read_to_string(self.term.file("err")).unwrap_or_default()
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

    /// `rolldex ARGS` on the same home and index (no update); its stdout.
    fn rolldex(&self, args: &[&str]) -> String {
        let out = Command::new(util::binary())
            .arg("--codex-home")
            .arg(self.term.file("home"))
            .arg("--index-dir")
            .arg(self.term.file("index"))
            .arg("--quiet")
            .args(args)
            .env("NO_COLOR", "1")
            .output()
            .expect("rolldex");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `rolldex resume QUERY --all` on the same home: the session the picker must put first.
    fn resume(&self, query: &str) -> String {
        self.rolldex(&["resume", "--all", "--no-update", query])
            .trim()
            .to_owned()
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
    assert_picker_gone(&picker);
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
        .term
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
    let args = fs::read_to_string(picker.term.file("codex-args")).expect("codex ran");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["resume", expected.as_str()]
    );
}

#[test]
fn a_closed_terminal_ends_the_picker_quietly_with_130() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    // The window goes away under the picker (the terminal hangs up; the wrapper survives it).
    let killed = picker
        .term
        .tmux()
        .args(["kill-session", "-t", "case"])
        .status()
        .expect("kill-session");
    assert!(killed.success());
    let (code, out) = picker.finished();
    assert_eq!(
        (code, out.as_str(), picker.stderr().as_str()),
        (130, "", "")
    );
}

#[test]
fn sighup_gives_the_terminal_back_and_exits_130() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    // What an interactive shell does to its jobs when its terminal closes.
    let pid = fs::read_to_string(picker.term.file("pid")).expect("pid");
    let sent = Command::new("kill")
        .args(["-HUP", pid.trim()])
        .status()
        .expect("kill");
    assert!(sent.success());
    let (code, out) = picker.finished();
    assert_eq!(
        (code, out.as_str(), picker.stderr().as_str()),
        (130, "", "")
    );
    assert_picker_gone(&picker);
}

#[test]
fn ctrl_o_pages_the_whole_session_and_the_picker_comes_back() {
    let Some(picker) = Picker::start("--all") else {
        return;
    };
    picker.wait_for("the picker", ready);
    let expected = picker.resume("queue");
    picker.keys(&["queue"]);
    picker.wait_for("the ranked list", |s| {
        answered(s, "queue") && s.contains(&expected)
    });
    picker.keys(&["C-o"]);
    picker.wait_for("the pager", |s| {
        s.contains("THE PAGER HAS THE TERMINAL") && !s.contains("enter: print id")
    });
    // The pager got `$PAGER`'s arguments and all of `rolldex show ID`.
    let args = picker.term.wait_file("pager-args");
    assert_eq!(args.trim(), "-R");
    let shown = picker.rolldex(&["show", "--no-update", &expected]);
    assert!(
        shown.contains(&expected),
        "show names the session:\n{shown}"
    );
    let paged = fs::read_to_string(picker.term.file("paged")).expect("paged");
    assert_eq!(paged, shown);
    // The pager ends on a line: the picker draws itself again, as it was.
    picker.keys(&["q", "Enter"]);
    picker.wait_for("the picker again", |s| {
        ready(s) && answered(s, "queue") && s.contains(&expected)
    });
    picker.keys(&["Escape"]);
    assert_eq!(picker.finished().0, 130);
}

#[test]
fn wide_and_combining_characters_keep_the_columns_aligned() {
    let Some(picker) = Picker::start_on("--all", wide_titles_home) else {
        return;
    };
    let screen = picker.wait_for("the picker", |s| ready(s) && s.contains(" 5 sessions"));
    let rows: Vec<&str> = screen
        .lines()
        .skip_while(|l| !l.starts_with("> "))
        .skip(1)
        .take(5)
        .collect();
    assert!(
        rows.iter().all(|r| r.starts_with("2026-03-1")),
        "five rows:\n{screen}"
    );
    assert!(rows.iter().any(|r| r.contains("修复")) && rows.iter().any(|r| r.contains("日本語")));
    // Every column after the title starts in the same cell on every row, and the list never
    // spills into the preview pane's border.
    for column in ["/home/u/proj", "gpt-5.2", "1t", "4.6k"] {
        let at: Vec<Option<usize>> = rows.iter().map(|r| cell_of(r, column)).collect();
        assert!(
            at.iter().all(|c| c.is_some() && *c == at[0]),
            "{column:?} starts at cells {at:?}:\n{}",
            rows.join("\n")
        );
    }
    let border: Vec<Option<usize>> = rows
        .iter()
        .map(|r| r.find(['│', '┌']).map(|at| cells(&r[..at])))
        .collect();
    assert!(
        border.iter().all(|c| c.is_some() && *c == border[0]),
        "the preview's border at cells {border:?}:\n{}",
        rows.join("\n")
    );
    picker.keys(&["Escape"]);
    assert_eq!(picker.finished().0, 130);
}

/// The picker is no longer drawn once it has ended.
fn assert_picker_gone(picker: &Picker) {
    let screen = picker.screen();
    assert!(
        !screen.contains("enter: print id"),
        "the picker left itself on screen:\n{screen}"
    );
}
