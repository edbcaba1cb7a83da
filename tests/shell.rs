//! Shell integration: completion scripts, the man page and `init`'s key bindings are generated
//! from the command line's definition and are valid for their shells.

use std::process::Command;

fn rolldex(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_rolldex"))
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
