//! `rolldex mcp` under a real MCP client (issue 12): runs `tests/mcp/test_mcp.py`, which drives
//! the server with the official Python SDK (`mcp` on PyPI) over stdio, validates every tool's
//! schemas with `jsonschema` and checks each tool's answers against the command line's `--json`
//! on copies of the fixture homes (see the script's doc string).
//!
//! Needs python3 with `mcp` and `jsonschema` (`.ci/run` installs them). Without them the test
//! says so and passes, unless `CI` is set, where their absence is a failure.

use std::process::Command;

/// Whether python3 can import the client and the validator.
fn python_ready() -> bool {
    Command::new("python3")
        .args(["-c", "import mcp, jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
#[allow(clippy::print_stdout)] // the only way to say why the test did nothing
fn real_mcp_client_agrees_with_the_cli() {
    if !python_ready() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but python3 cannot import mcp and jsonschema (pip install mcp jsonschema)"
        );
        println!("skipped: python3 with the `mcp` and `jsonschema` packages is not installed");
        return;
    }
    let output = Command::new("python3")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/mcp/test_mcp.py"
        ))
        .arg(env!("CARGO_BIN_EXE_rolldex"))
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "tests/mcp/test_mcp.py failed:\n{stdout}\n{stderr}"
    );
    println!("{stdout}");
}
