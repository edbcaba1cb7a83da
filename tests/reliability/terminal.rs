//! What reaches the terminal from the data, and what the terminal does to rolldex: a reader
//! that goes away early, session ids that look like options, and control characters.

use std::ffi::OsStr;
use std::io::Read;
use std::process::Command;

use super::util::{Output, assert_no_panic};
use super::{Sandbox, id, meta, plain_session, token_count, turn_context, user};

// Item 18: a reader that goes away early (`| head -c 1`) is a normal end in every format.
#[test]
fn closed_pipe_is_a_quiet_success_in_every_format() {
    let sandbox = Sandbox::new();
    let filler = "lorem ipsum dolor sit amet ".repeat(20);
    for n in 0..900 {
        sandbox.rollout(n, &plain_session(&id(n), &format!("needle {n} {filler}")));
    }
    // Build the index once, so that each run below only reads it.
    let out = sandbox.run(&["index"]);
    assert_eq!(out.code, 0, "index: {}", out.stderr);
    let commands: [&[&str]; 4] = [
        &["sessions", "--limit", "1000"],
        &["search", "needle", "--limit", "1000"],
        &["resume", "needle", "--all", "--limit", "1000"],
        &["stats", "session"],
    ];
    let formats: [&[&str]; 4] = [
        &["--json"],
        &["--format", "jsonl"],
        &["--format", "csv"],
        &["--format", "table"],
    ];
    for command in commands {
        for format in formats {
            let mut args = command.to_vec();
            args.extend_from_slice(format);
            args.push("--quiet");
            // The whole output must be larger than the pipe buffer (64 KiB), or rolldex finishes
            // writing before the reader leaves and there is no broken pipe to handle.
            let whole = sandbox.run(&args);
            assert_eq!(whole.code, 0, "{args:?}: {}", whole.stderr);
            if whole.stdout.len() < 96 * 1024 {
                // Bare ids (resume) and short CSV rows (stats) may not fill the pipe; every
                // JSON and JSONL output must.
                assert!(
                    format.contains(&"table") || format.contains(&"csv"),
                    "{args:?} output too small for this test"
                );
                continue;
            }
            let mut child = sandbox.command(&args).spawn().expect("spawn");
            let mut stdout = child.stdout.take().expect("stdout");
            let mut byte = [0_u8; 1];
            stdout.read_exact(&mut byte).expect("first byte");
            drop(stdout);
            let out = wait_output_without_stdout(child);
            assert_no_panic(&out);
            assert_eq!(out.stderr, "", "{args:?}: stderr");
            assert_eq!(out.code, 0, "{args:?}: exit code");
        }
    }
}

/// Waits for a child whose stdout was already taken and closed.
fn wait_output_without_stdout(mut child: std::process::Child) -> Output {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    let status = child.wait().expect("wait");
    Output {
        stdout: String::new(),
        stderr,
        code: status.code().unwrap_or(-1),
    }
}

/// Writes a crafted session whose `session_meta.id` is `id` and whose only message is `text`.
fn crafted_session(sandbox: &Sandbox, n: u32, id: &str, text: &str) {
    sandbox.rollout(n, &[meta(id, r#""cwd":"/home/dev/proj","#), user(text)]);
}

// Item 17: an id from the data reaches neither the shell nor codex's option parser.
#[cfg(unix)]
#[test]
fn resume_ids_from_the_data_are_quoted_and_never_options() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    let marker = sandbox.dir.path().join("pwned");
    let injection = format!("$(touch {})", marker.display());
    crafted_session(&sandbox, 1, &injection, "craftedone");
    crafted_session(&sandbox, 2, "--help", "craftedtwo");
    let script = sandbox.dir.path().join("fake codex");
    std::fs::write(
        &script,
        "#!/bin/sh\nfor a in \"$@\"; do printf 'arg:%s\\n' \"$a\"; done\n",
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    for (query, id, expected) in [
        (
            "craftedone",
            injection.as_str(),
            vec!["resume", injection.as_str()],
        ),
        ("craftedtwo", "--help", vec!["resume", "--", "--help"]),
    ] {
        let expected: String = expected.iter().flat_map(|a| ["arg:", a, "\n"]).collect();
        let base = [
            "resume".as_ref(),
            query.as_ref(),
            "--codex-bin".as_ref(),
            script.as_os_str(),
        ];
        // --print-command: a shell running the printed line runs codex with the id, whole.
        let mut args: Vec<&OsStr> = base.to_vec();
        args.push("--print-command".as_ref());
        let out = sandbox.run(&args);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        let line = out.stdout.trim_end();
        let shell = Command::new("sh").arg("-c").arg(line).output().expect("sh");
        assert!(!marker.exists(), "the shell ran the id: {line}");
        assert_eq!(String::from_utf8_lossy(&shell.stdout), expected, "{line}");
        // --exec: codex gets the id as an id.
        let mut args: Vec<&OsStr> = base.to_vec();
        args.push("--exec".as_ref());
        let out = sandbox.run(&args);
        assert_eq!(out.code, 0, "{id}: {}", out.stderr);
        assert_eq!(out.stdout, expected, "--exec with {id}");
        assert!(!marker.exists());
    }
}

/// The control characters (but newline and tab) in `text`.
fn controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect()
}

// Item 16: escape sequences in the data never reach the terminal through a human format.
#[test]
fn control_characters_from_the_data_are_escaped_in_human_output() {
    let sandbox = Sandbox::new();
    let clear = "\u{1b}[2J";
    let title = "\u{1b}]0;pwned\u{7}";
    let id_text = format!("019cc0a0-evil{clear}-id");
    let cwd = format!("/home/dev/{title}proj");
    let meta_extra = format!(
        r#""cwd":{},"originator":{},"#,
        serde_json::Value::from(cwd.as_str()),
        serde_json::Value::from("cli\u{9b}31m\u{7f}"),
    );
    // `meta` already sets an originator: drop it from the template so ours wins.
    let meta_line = meta(&id_text, &meta_extra).replacen(r#""originator":"codex_cli_rs","#, "", 1);
    sandbox.rollout(
        1,
        &[
            meta_line,
            user(&format!("zebraword {clear}screen{title} gone\r\nline two")),
            turn_context(&cwd),
            token_count(),
        ],
    );
    let commands: [&[&str]; 8] = [
        &["sessions"],
        &["show", "019cc0a0-evil"],
        &["search", "zebraword"],
        &["resume", "zebraword"],
        &["resume", "zebraword", "--print-command"],
        &["stats", "session"],
        &["stats", "project"],
        &["stats", "client"],
    ];
    for command in commands {
        let out = sandbox.run(command);
        assert_no_panic(&out);
        assert_eq!(out.code, 0, "{command:?}: {}", out.stderr);
        assert_eq!(
            controls(&out.stdout),
            Vec::<char>::new(),
            "{command:?}: {:?}",
            out.stdout
        );
        assert_eq!(controls(&out.stderr), Vec::<char>::new(), "{command:?}");
    }
    // Visible, not dropped: the escape shows as text.
    let out = sandbox.run(&["show", "019cc0a0-evil"]);
    assert!(out.stdout.contains(r"\u{1b}[2J"), "{}", out.stdout);
    // JSON keeps the data exact (serde escapes it).
    let out = sandbox.run(&["show", "019cc0a0-evil", "--json"]);
    let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(
        json["messages"][0]["text"]
            .as_str()
            .expect("text")
            .contains(clear)
    );
}
