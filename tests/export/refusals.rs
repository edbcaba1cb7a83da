//! What `rolldex export` refuses and hides: a second source or another format in one folder
//! (nothing written), private permissions, a stray file set aside, and `--redact-paths`, whose
//! HMAC is computed here by Python's standard library, not by rolldex.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::util::{copy_tree, repo_path};
use super::{export, listing, rolldex};

#[test]
fn refusals_redaction_and_permissions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let home = tmp.path().join("home");
    copy_tree(&repo_path("testdata/demo-home"), &home);
    let homes = vec![home.clone()];
    let out = tmp.path().join("out");
    export(
        &homes,
        &index,
        &out,
        "ndjson",
        &["--source-id", "alice@laptop"],
    );
    // Another source, another format: refused, nothing written.
    let before = listing(&out);
    for (format, id) in [("ndjson", "bob"), ("parquet", "alice@laptop")] {
        let args = [
            "--codex-home".as_ref(),
            home.as_os_str(),
            "--format".as_ref(),
            format.as_ref(),
            "export".as_ref(),
            "--out".as_ref(),
            out.as_os_str(),
            "--source-id".as_ref(),
            id.as_ref(),
        ];
        let refused = rolldex(&index, &[], &args);
        assert_eq!(refused.code, 2, "{format} {id}: {}", refused.stderr);
        assert!(refused.stderr.contains("--full"), "{}", refused.stderr);
    }
    assert_eq!(listing(&out), before);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&out), 0o700);
        for name in &before {
            assert_eq!(mode(&out.join(name)), 0o600, "{name}");
        }
    }
    // A stray export file (a run cut short) is set aside on the next run, and the temporary
    // files of a run killed before it could clean up are removed; other files stay.
    std::fs::write(out.join("usage_events-20000101T000000000Z.ndjson"), "{}\n").expect("stray");
    let killed = out.join(".usage_events-20000101T000000000Z.ndjson.tmp-4194303");
    std::fs::write(&killed, "{}\n").expect("a killed run's file");
    let others = [".notes.tmp-draft", "report.ndjson.tmp-12"].map(|n| out.join(n));
    for other in &others {
        std::fs::write(other, "x").expect("another file");
    }
    let again = export(
        &homes,
        &index,
        &out,
        "ndjson",
        &["--source-id", "alice@laptop"],
    );
    assert!(again.stderr.contains(".incomplete"), "{}", again.stderr);
    assert!(
        out.join("usage_events-20000101T000000000Z.ndjson.incomplete")
            .exists()
    );
    assert!(!killed.exists(), "a killed run's temporary file stays");
    for other in &others {
        assert!(other.exists(), "{} was removed", other.display());
    }

    // --redact-paths with a team key: cwd is HMAC-SHA256(key, path), first 32 hex digits,
    // computed here by Python's hmac module.
    let plain_sessions = read_rows(&out, "sessions");
    let redacted = tmp.path().join("redacted");
    let args = [
        "--codex-home".as_ref(),
        home.as_os_str(),
        "--format".as_ref(),
        "ndjson".as_ref(),
        "export".as_ref(),
        "--out".as_ref(),
        redacted.as_os_str(),
        "--redact-paths".as_ref(),
    ];
    let run = rolldex(&index, &[("ROLLDEX_REDACT_KEY", "team-secret")], &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let hashed = read_rows(&redacted, "sessions");
    let by_id = |rows: &[Value]| -> BTreeMap<String, Value> {
        rows.iter()
            .map(|r| (r["session_id"].as_str().expect("id").to_owned(), r.clone()))
            .collect()
    };
    let (plain, hashed) = (by_id(&plain_sessions), by_id(&hashed));
    assert_eq!(plain.len(), hashed.len());
    let cwds: Vec<&str> = plain.values().filter_map(|r| r["cwd"].as_str()).collect();
    assert!(!cwds.is_empty());
    let expected = python_hmac("team-secret", &cwds);
    for (id, row) in &plain {
        if let Some(cwd) = row["cwd"].as_str() {
            assert_eq!(
                hashed[id]["cwd"].as_str(),
                Some(expected[cwd].as_str()),
                "{id}"
            );
            assert_eq!(
                hashed[id]["repository"], row["repository"],
                "repositories stay readable"
            );
        }
    }
}

/// Every row of `table`'s ndjson files in `dir`.
fn read_rows(dir: &Path, table: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    for name in listing(dir) {
        if name.starts_with(&format!("{table}-")) && name.ends_with(".ndjson") {
            let text = std::fs::read_to_string(dir.join(name)).expect("read");
            rows.extend(
                text.lines()
                    .map(|l| serde_json::from_str::<Value>(l).expect("JSON row")),
            );
        }
    }
    rows
}

/// HMAC-SHA256 hex (first 32 digits) of each text, by Python's standard library.
fn python_hmac(key: &str, texts: &[&str]) -> BTreeMap<String, String> {
    let script = "import hmac, hashlib, json, sys\nkey, texts = sys.argv[1], json.loads(sys.argv[2])\n\
                  print(json.dumps({t: hmac.new(key.encode(), t.encode(), hashlib.sha256).hexdigest()[:32] for t in texts}))";
    let output = Command::new("python3")
        .args([
            "-c",
            script,
            key,
            &serde_json::to_string(texts).expect("json"),
        ])
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("hmac JSON")
}
