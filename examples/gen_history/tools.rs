//! Rich vocabulary for `gen_history --vocabulary rich`, tool level: shell commands and their
//! output — listings, `rg` hits, file views, git, logs with timestamps, package installs, JSON
//! (the diagnostics are in `diag.rs`, code lines in `code.rs`).
//!
//! Why: about two thirds of a real history's bytes are tool outputs, and what makes them costly
//! to index is their many distinct tokens (names, paths with line numbers, hashes, numbers).
//! Each function appends to the caller's `String` and draws from the caller's text stream only.

use super::code::code_line;
use super::diag::{build, lint, test};
use super::prose::sentence;
use super::words::{
    Case, Put, Vocab, ident, month_day, path, path_pos, quantity, timestamp, uuid, version,
};
use super::{CRATES, NAMES, Rng};

/// Kinds of rich tool output; the index is what `command` and `output` take.
pub const KINDS: &[u64] = &[12, 18, 8, 14, 22, 8, 5, 7, 3, 3];

pub fn command(v: Vocab, r: &mut Rng, t: &mut String, kind: usize) {
    match kind {
        0 => t.push_str(r.pick(&[
            "cargo build --workspace",
            "cargo clippy --all-targets -- -D warnings",
            "make -j8",
            "npx tsc -p tsconfig.json",
            "go build ./...",
        ])),
        1 => match r.below(4) {
            0 => {
                t.push_str("cargo test -p ");
                ident(v, r, t, Case::Kebab);
            }
            1 => {
                t.push_str("pytest -x -q ");
                path(v, r, t);
            }
            2 => {
                t.push_str("npx jest ");
                path(v, r, t);
            }
            _ => {
                t.push_str("go test ./... -run ");
                ident(v, r, t, Case::Pascal);
            }
        },
        2 => {
            t.push_str(r.pick(&["ls -la ", "find ", "tree -L 3 "]));
            path(v, r, t);
        }
        3 => {
            t.push_str("rg -n \"");
            ident(v, r, t, Case::Camel);
            t.push('|');
            ident(v, r, t, Case::Snake);
            t.push_str("\" --glob '!target'");
        }
        4 => {
            t.push_str(r.pick(&["sed -n '1,260p' ", "cat ", "nl -ba "]));
            path(v, r, t);
        }
        5 => {
            t.push_str(r.pick(&["git log -n 20 --stat", "git diff HEAD~", "git show "]));
            t.hex(r, 7);
        }
        6 => t.push_str(r.pick(&[
            "npx eslint . --ext .ts,.tsx",
            "mypy --strict .",
            "ruff check .",
        ])),
        7 => {
            t.push_str(r.pick(&[
                "tail -n 400 logs/",
                "journalctl -u ",
                "docker logs --tail 300 ",
            ]));
            ident(v, r, t, Case::Kebab);
        }
        8 => t.push_str(r.pick(&[
            "npm install",
            "pip install -e .[dev]",
            "cargo update",
            "docker build .",
        ])),
        _ => {
            t.push_str("curl -s localhost:");
            t.u(r.range(3000, 9999)).p("/api/");
            ident(v, r, t, Case::Kebab);
            t.push_str(" | jq .");
        }
    }
}

/// Append rich tool output of about `len` bytes of `kind` (see [`KINDS`]); `now` (ms) seeds
/// the timestamps of log lines.
pub fn output(v: Vocab, r: &mut Rng, t: &mut String, kind: usize, len: usize, now: i64) {
    let stop = t.len() + len;
    let lang = v.file_lang(r);
    let mut clock = now - r.logish(1000, 3_600_000) as i64;
    let mut lineno = r.logish(1, 2000);
    while t.len() < stop {
        match kind {
            0 => build(v, r, t),
            1 => test(v, r, t, lang),
            2 => listing(v, r, t),
            3 => {
                path_pos(v, r, t);
                t.push(':');
                code_line(v, r, t, lang);
            }
            4 => {
                if r.pm(500) {
                    t.pad(lineno, 6).p("\t");
                    lineno += 1;
                }
                code_line(v, r, t, lang);
            }
            5 => git(v, r, t, lang),
            6 => lint(v, r, t),
            7 => {
                clock += r.logish(1, 20_000) as i64;
                log_line(v, r, t, clock);
            }
            8 => install(v, r, t),
            _ => json(v, r, t),
        }
    }
}

fn listing(v: Vocab, r: &mut Rng, t: &mut String) {
    if r.pm(500) {
        t.p(r.pick(&["-rw-r--r--", "-rw-r--r--", "-rwxr-xr-x", "drwxr-xr-x"]));
        t.p("  1 dev  dev ").pad(r.logish(10, 4_000_000), 9).p(" ");
        month_day(r, t);
        t.p(" ").d2(r.below(24)).p(":").d2(r.below(60)).p(" ");
    }
    path(v, r, t);
    t.push('\n');
}

fn git(v: Vocab, r: &mut Rng, t: &mut String, lang: u8) {
    match r.below(8) {
        0 => {
            t.p("commit ")
                .hex(r, 40)
                .p("\nAuthor: ")
                .p(r.pick(NAMES))
                .p(" <dev");
            t.u(r.below(100)).p("@example.com>\nDate:   ");
            month_day(r, t);
            t.p(" ")
                .d2(r.below(24))
                .p(":")
                .d2(r.below(60))
                .p(" 2026 +0000\n\n    ");
            sentence(v, r, t);
            t.p("\n\n");
        }
        1 => {
            t.p("diff --git a/");
            let s = t.len();
            path(v, r, t);
            let e = t.len();
            t.p(" b/");
            t.extend_from_within(s..e);
            t.p("\nindex ")
                .hex(r, 7)
                .p("..")
                .hex(r, 7)
                .p(" 100644\n@@ -");
            let a = r.logish(1, 2000);
            t.u(a)
                .p(",")
                .u(r.range(3, 30))
                .p(" +")
                .u(a + r.below(9))
                .p(",");
            t.u(r.range(3, 30)).p(" @@\n");
        }
        2 => {
            t.p(r.pick(&[" M ", "M  ", "?? ", "A  ", " D "]));
            path(v, r, t);
            t.push('\n');
        }
        3 => {
            t.hex(r, 7).p(" ");
            sentence(v, r, t);
            t.push('\n');
        }
        _ => {
            t.p(r.pick(&[" ", " ", "+", "-"]));
            code_line(v, r, t, lang);
        }
    }
}

fn log_line(v: Vocab, r: &mut Rng, t: &mut String, clock: i64) {
    match r.below(4) {
        0 => {
            timestamp(t, clock, 'T', true, true);
            t.p(r.pick(&[" INFO  ", " INFO  ", " DEBUG ", " WARN  ", " ERROR "]));
            ident(v, r, t, Case::Snake);
            t.p("::");
            ident(v, r, t, Case::Snake);
            t.p(": ");
            t.p(r.pick(&[
                "request handled",
                "retrying",
                "flushed batch",
                "cache miss",
                "job done",
            ]));
            t.p(" request_id=");
            uuid(r, t);
            t.p(" latency_ms=")
                .u(r.logish(1, 30_000))
                .p(" bytes=")
                .u(r.logish(1, 1 << 20));
            t.push('\n');
        }
        1 => {
            t.push('[');
            timestamp(t, clock, ' ', false, false);
            t.p(",").u(r.below(1000)).p("] ");
            t.p(r.pick(&["WARNING", "INFO", "ERROR"])).p(" ");
            ident(v, r, t, Case::Snake);
            t.p(".");
            ident(v, r, t, Case::Snake);
            t.p(": ");
            if v.cjk != 0 && r.pm(300) {
                sentence(v, r, t);
            } else {
                t.p("attempt ")
                    .u(r.range(1, 5))
                    .p("/5 failed after ")
                    .u(r.logish(1, 9000));
                t.p("ms; user=")
                    .u(r.logish(1, 100_000))
                    .p(" key=")
                    .hex(r, 12);
            }
            t.push('\n');
        }
        2 => {
            t.p("level=")
                .p(r.pick(&["info", "warn", "error", "debug"]))
                .p(" ts=");
            timestamp(t, clock, 'T', true, true);
            t.p(" caller=");
            path(v, r, t);
            t.p(":").u(r.logish(1, 900)).p(" msg=\"");
            sentence(v, r, t);
            t.p("\" trace_id=").hex(r, 32).p("\n");
        }
        _ => {
            t.p("10.")
                .u(r.below(256))
                .p(".")
                .u(r.below(256))
                .p(".")
                .u(r.below(256));
            t.p(" - - [").d2(r.range(1, 28)).p("/");
            month_day(r, t);
            t.p("] \"")
                .p(r.pick(&["GET", "POST", "PUT", "DELETE"]))
                .p(" /api/v");
            t.u(r.range(1, 3)).p("/");
            ident(v, r, t, Case::Kebab);
            t.p("/").u(r.logish(1, 100_000)).p(" HTTP/1.1\" ");
            t.u(r.pick(&[200, 200, 201, 204, 400, 404, 500]));
            t.p(" ").u(r.logish(10, 200_000)).p("\n");
        }
    }
}

fn install(v: Vocab, r: &mut Rng, t: &mut String) {
    match r.below(4) {
        0 => {
            t.p("+ ");
            ident(v, r, t, Case::Kebab);
            t.p("@");
            version(r, t);
            t.push('\n');
        }
        1 => {
            t.p("Collecting ");
            ident(v, r, t, Case::Kebab);
            t.p("==");
            version(r, t);
            t.p("\n  Downloading ");
            ident(v, r, t, Case::Snake);
            t.p("-");
            version(r, t);
            t.p("-py3-none-any.whl (").u(r.logish(1, 900)).p(" kB)\n");
        }
        2 => {
            t.p("    Updating ");
            t.p(r.pick(CRATES)).p(" v");
            version(r, t);
            t.p(" -> v");
            version(r, t);
            t.push('\n');
        }
        _ => {
            t.p("Step ").u(r.range(1, 30)).p("/30 : RUN ");
            quantity(r, t);
            t.p("\n ---> ").hex(r, 12).p("\n");
        }
    }
}

fn json(v: Vocab, r: &mut Rng, t: &mut String) {
    t.p("  {\"id\": \"");
    uuid(r, t);
    t.p("\", \"");
    ident(v, r, t, Case::Camel);
    t.p("\": ").u(r.logish(1, 1 << 20)).p(", \"");
    ident(v, r, t, Case::Snake);
    t.p("\": \"");
    ident(v, r, t, Case::Kebab);
    t.p("\", \"sha\": \"").hex(r, 40).p("\", \"createdAt\": \"");
    let ms = r.logish(1, 1 << 40) as i64 + 1_700_000_000_000;
    timestamp(t, ms, 'T', true, true);
    t.p("\"},\n");
}
