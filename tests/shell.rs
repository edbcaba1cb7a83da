//! Shell integration: completion scripts, the man page and `init`'s key bindings are generated
//! from the command line's definition and are valid for their shells; and each key binding,
//! sourced in a real bash, zsh and fish inside a real terminal (tmux), opens the picker and
//! leaves `codex resume <id>` on the command line, ready to run.
//!
//! The terminal tests need tmux and the shell; without them they say so and pass, unless `CI`
//! is set (`.ci/run` installs tmux, zsh and fish).

#[path = "util/mod.rs"]
mod util;

#[path = "picker/tmux.rs"]
mod tmux;

use std::fs;
use std::process::Command;

use tmux::{Term, make_executable, quote};

fn rolldex(args: &[&str]) -> String {
    let out = Command::new(util::binary())
        .args(args)
        .output()
        .expect("rolldex runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn completions_cover_every_shell_and_the_picker() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = rolldex(&["completions", shell]);
        assert!(script.contains("pick"), "{shell} completes `pick`");
    }
}

#[test]
fn the_man_page_is_roff_with_every_command() {
    let page = rolldex(&["man"]);
    assert!(page.contains(".TH rolldex 1"));
    for command in ["pick", "resume", "search", "completions", "init"] {
        assert!(page.contains(command), "the man page lists {command}");
    }
}

#[test]
fn init_scripts_bind_the_picker_and_parse() {
    for shell in ["bash", "zsh", "fish"] {
        let script = rolldex(&["init", shell]);
        assert!(script.contains("rolldex pick --print-command"), "{shell}");
        // Check the syntax where that shell is installed.
        let check = Command::new(shell)
            .arg("-n")
            .arg("-c")
            .arg(&script)
            .output();
        if let Ok(check) = check {
            assert!(
                check.status.success(),
                "{shell} -n: {}",
                String::from_utf8_lossy(&check.stderr)
            );
        }
    }
}

/// What each shell is started with: the prompt `READY$ ` and `rolldex init SHELL` sourced,
/// no user or system configuration.
fn start_shell(term: &Term, shell: &str) {
    let d = term.path().display().to_string();
    let command = match shell {
        "bash" => {
            fs::write(
                term.file("bashrc"),
                "PS1='READY$ '\neval \"$(rolldex init bash)\"\n",
            )
            .expect("bashrc");
            format!("bash --noprofile --rcfile '{d}/bashrc' -i")
        }
        "zsh" => {
            fs::write(term.file(".zshenv"), "setopt no_global_rcs\n").expect(".zshenv");
            fs::write(
                term.file(".zshrc"),
                "PROMPT='READY$ '\neval \"$(rolldex init zsh)\"\n",
            )
            .expect(".zshrc");
            format!("env ZDOTDIR='{d}' zsh -i")
        }
        _ => "fish --no-config --private -i -C 'function fish_prompt; echo -n \"READY\\$ \"; end; \
              rolldex init fish | source'"
            .to_owned(),
    };
    let bin = term.file("bin");
    let path = std::env::var("PATH").unwrap_or_default();
    term.start(&format!(
        "cd '{d}' && exec env HOME='{d}' XDG_CONFIG_HOME='{d}/config' XDG_DATA_HOME='{d}/data' \
         PATH='{}':{} CODEX_HOME='{d}/home' ROLLDEX_INDEX_DIR='{d}/index' NO_COLOR=1 \
         TERM=screen {command}",
        bin.display(),
        quote(&path),
    ));
}

/// In `shell`: type a query, Ctrl-G opens the picker on it; Esc leaves the line alone; Ctrl-G
/// and Enter put `codex resume <id>` of the session `resume` ranks first on the command line,
/// and Enter runs it.
#[allow(clippy::print_stdout)]
fn key_binding_puts_codex_resume_on_the_line(shell: &str) {
    let found = Command::new(shell)
        .args(["-c", "exit 0"])
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "{shell} is not installed (.ci/run installs it)"
        );
        println!("skipped: {shell} is not installed");
        return;
    }
    let Some(term) = Term::new() else {
        return;
    };
    let d = term.path().display().to_string();
    util::copy_tree(&util::repo_path("testdata/demo-home"), &term.file("home"));
    fs::create_dir_all(term.file("bin")).expect("bin");
    #[cfg(unix)]
    std::os::unix::fs::symlink(util::binary(), term.file("bin/rolldex")).expect("symlink");
    // A stand-in codex that records its arguments.
    let codex = term.file("bin/codex");
    fs::write(
        &codex,
        // Written whole, then moved in place: read between two `echo`s, the file already ended
        // in a newline with only the first argument in it.
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > '{d}/codex-args.part' && mv '{d}/codex-args.part' '{d}/codex-args'\n"
        ),
    )
    .expect("stand-in codex");
    make_executable(&codex);
    let index = |args: &[&str]| {
        let out = Command::new(util::binary())
            .arg("--codex-home")
            .arg(term.file("home"))
            .arg("--index-dir")
            .arg(term.file("index"))
            .arg("--quiet")
            .args(args)
            .output()
            .expect("rolldex");
        assert!(out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    index(&["index"]);
    let expected = index(&["resume", "--all", "--no-update", "queue"]);
    assert!(!expected.is_empty());

    start_shell(&term, shell);
    term.wait_for("the prompt", |s| s.contains("READY$"));
    // What is on the command line is the picker's query.
    term.type_text("queue");
    let picker_open = |s: &str| {
        s.lines().any(|l| l.starts_with("> queue"))
            && s.contains("enter: print id")
            && !s.contains("searching")
            && !s.contains("updating the index")
            && s.contains(&expected)
    };
    let prompt_is = |s: &str, line: &str| {
        !s.contains("enter: print id") && s.lines().any(|l| l.trim_end() == line)
    };
    // Esc leaves the command line as it was.
    term.keys(&["C-g"]);
    term.wait_for("the picker on the typed query", picker_open);
    term.keys(&["Escape"]);
    term.wait_for("the command line as it was", |s| {
        prompt_is(s, "READY$ queue")
    });
    // Enter puts `codex resume <id>` in its place.
    term.keys(&["C-g"]);
    term.wait_for("the picker again", picker_open);
    term.keys(&["Enter"]);
    let line = format!("READY$ codex resume {expected}");
    term.wait_for("codex resume on the command line", |s| prompt_is(s, &line));
    // It is a command line like any other: Enter runs it.
    term.keys(&["Enter"]);
    let args = term.wait_file("codex-args");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        ["resume", expected.as_str()]
    );
}

#[test]
fn bash_ctrl_g_puts_codex_resume_on_the_line() {
    key_binding_puts_codex_resume_on_the_line("bash");
}

#[test]
fn zsh_ctrl_g_puts_codex_resume_on_the_line() {
    key_binding_puts_codex_resume_on_the_line("zsh");
}

#[test]
fn fish_ctrl_g_puts_codex_resume_on_the_line() {
    key_binding_puts_codex_resume_on_the_line("fish");
}
