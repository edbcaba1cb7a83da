//! `gen_history` — deterministic generator of large, realistic `OpenAI` Codex CLI homes
//! (rollout files) for rolldex tests and benchmarks. See testdata/GENERATOR.md.
//!
//! ```text
//! cargo run --release --example gen_history -- --sessions N --seed S --out DIR
//!     [--scale F] [--start YYYY-MM-DD] [--days D] [--truth FILE] [--stats]
//!     [--vocabulary plain|rich] [--huge H]
//! ```
//!
//! `--vocabulary plain` (the default) is the original text, a few hundred words; `rich` writes
//! the text of the modules in `gen_history/` (distinct identifiers, paths with line numbers,
//! hashes, compiler / test / log output, CJK prose in ~5 % of sessions) with the same
//! structure, token counts and truth file. `--huge H` makes H sessions of 300–400 MB
//! at any `--scale` (`--sessions 10000 --huge 4 --scale 0.8` is a ~10 GB home); with `--huge 0`
//! (the default) the output is the same as before the option existed.
//!
//! Output is byte-identical for a given (sessions, seed, scale, start, days): the PRNG is a
//! hand-written splitmix64/xoshiro256**, no floating-point transcendental functions are used,
//! and each session is generated from its own seed (so thread scheduling does not matter).
//! Structure (turns, calls, timestamps, token counts, ids) comes from a "structure" stream and
//! text from a separate "text" stream, so `--scale` changes byte sizes but never the truth.
//!
//! Only std is used (`serde_json` is not needed), so this compiles as an example of any crate.

// The one-line summary on stderr is this tool's output.
#![allow(
    clippy::print_stderr,
    clippy::many_single_char_names,
    clippy::needless_range_loop,
    clippy::format_push_string
)]

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

#[path = "gen_history/code.rs"]
mod code;
#[path = "gen_history/diag.rs"]
mod diag;
#[path = "gen_history/prose.rs"]
mod prose;
#[path = "gen_history/tools.rs"]
mod tools;
#[path = "gen_history/words.rs"]
mod words;

// ───────────────────────────── PRNG ─────────────────────────────

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn mix(a: u64, b: u64) -> u64 {
    let mut x = a ^ b.wrapping_mul(0xD6E8_FEB8_6659_FD93);
    splitmix(&mut x);
    splitmix(&mut x)
}

#[derive(Clone)]
struct Rng {
    s: [u64; 4],
}

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        Rng {
            s: [
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
                splitmix(&mut x),
            ],
        }
    }
    fn next(&mut self) -> u64 {
        let r = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        r
    }
    /// uniform in [0, n)
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    /// uniform in [lo, hi]
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// true with probability permille/1000
    fn pm(&mut self, permille: u64) -> bool {
        self.below(1000) < permille
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    fn weighted(&mut self, w: &[u64]) -> usize {
        let sum: u64 = w.iter().sum();
        let mut x = self.below(sum);
        for (i, &wi) in w.iter().enumerate() {
            if x < wi {
                return i;
            }
            x -= wi;
        }
        w.len() - 1
    }
    /// Roughly log-uniform in [lo, hi): a doubling bucket is chosen uniformly, then a value
    /// uniformly inside it (integer-only, so deterministic everywhere).
    fn logish(&mut self, lo: u64, hi: u64) -> u64 {
        let lo = lo.max(1);
        if hi <= lo + 1 {
            return lo;
        }
        let mut nb = 0u64;
        let mut e = lo;
        while e < hi {
            nb += 1;
            e = e.saturating_mul(2);
        }
        let b = self.below(nb);
        let a = lo << b;
        let z = (a * 2).min(hi);
        a + self.below(z - a)
    }
    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

// ───────────────────────────── time ─────────────────────────────

const DAY_MS: i64 = 86_400_000;

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn push2(out: &mut Vec<u8>, v: i64) {
    out.push(b'0' + (v / 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push_date(out: &mut Vec<u8>, ms: i64) {
    let (y, m, d) = civil_from_days(ms.div_euclid(DAY_MS));
    num(out, y as u64);
    out.push(b'-');
    push2(out, i64::from(m));
    out.push(b'-');
    push2(out, i64::from(d));
}

/// `YYYY-MM-DDThh:mm:ss.mmmZ`
fn push_ts(out: &mut Vec<u8>, ms: i64) {
    push_date(out, ms);
    let rem = ms.rem_euclid(DAY_MS);
    out.push(b'T');
    push2(out, rem / 3_600_000);
    out.push(b':');
    push2(out, rem / 60_000 % 60);
    out.push(b':');
    push2(out, rem / 1000 % 60);
    out.push(b'.');
    let f = rem % 1000;
    out.push(b'0' + (f / 100) as u8);
    out.push(b'0' + (f / 10 % 10) as u8);
    out.push(b'0' + (f % 10) as u8);
    out.push(b'Z');
}

fn date_string(ms: i64) -> String {
    let mut v = Vec::new();
    push_date(&mut v, ms);
    String::from_utf8(v).expect("ascii")
}

fn parse_date(s: &str) -> Option<i64> {
    let p: Vec<&str> = s.split('-').collect();
    if p.len() != 3 {
        return None;
    }
    let y: i64 = p[0].parse().ok()?;
    let m: u32 = p[1].parse().ok()?;
    let d: u32 = p[2].parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

// ───────────────────────────── JSON writing ─────────────────────────────

const HEX: &[u8; 16] = b"0123456789abcdef";

const fn esc_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 32 {
        t[i] = true;
        i += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
}
static NEEDS_ESC: [bool; 256] = esc_table();

/// JSON-escape `s` (`serde_json`'s escaping: raw UTF-8, short escapes, \u00xx for controls).
fn esc(out: &mut Vec<u8>, s: &[u8]) {
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if NEEDS_ESC[b as usize] {
            out.extend_from_slice(&s[start..i]);
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                _ => {
                    out.extend_from_slice(b"\\u00");
                    out.push(HEX[(b >> 4) as usize]);
                    out.push(HEX[(b & 15) as usize]);
                }
            }
            start = i + 1;
        }
    }
    out.extend_from_slice(&s[start..]);
}

fn num(out: &mut Vec<u8>, mut n: u64) {
    let mut b = [0u8; 20];
    let mut i = 20;
    loop {
        i -= 1;
        b[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&b[i..]);
}

trait Js {
    fn s(&mut self, x: &str);
    fn js(&mut self, x: &str);
    fn n(&mut self, v: u64);
}
impl Js for Vec<u8> {
    fn s(&mut self, x: &str) {
        self.extend_from_slice(x.as_bytes());
    }
    fn js(&mut self, x: &str) {
        self.push(b'"');
        esc(self, x.as_bytes());
        self.push(b'"');
    }
    fn n(&mut self, v: u64) {
        num(self, v);
    }
}

/// `seconds` with `decimals` digits from a millisecond count, e.g. 1234 → "1.2" or "1.2340".
fn secs(ms: u64, decimals: u32) -> String {
    let whole = ms / 1000;
    let frac = ms % 1000;
    match decimals {
        0 => format!("{whole}"),
        1 => format!("{whole}.{}", frac / 100),
        _ => format!("{whole}.{:03}{}", frac, (ms * 7) % 10),
    }
}

fn uuid7(ms: i64, r: &mut Rng) -> String {
    let a = r.next();
    let b = r.next();
    let mut by = [0u8; 16];
    let ms = ms as u64;
    for i in 0..6 {
        by[i] = (ms >> (40 - 8 * i)) as u8;
    }
    by[6] = 0x70 | ((a >> 8) as u8 & 0x0f);
    by[7] = a as u8;
    by[8] = 0x80 | ((b >> 56) as u8 & 0x3f);
    for i in 9..16 {
        by[i] = (b >> (8 * (15 - i))) as u8;
    }
    fmt_uuid(&by)
}

fn uuid4(r: &mut Rng) -> String {
    let a = r.next();
    let b = r.next();
    let mut by = [0u8; 16];
    for i in 0..8 {
        by[i] = (a >> (8 * i)) as u8;
        by[8 + i] = (b >> (8 * i)) as u8;
    }
    by[6] = 0x40 | (by[6] & 0x0f);
    by[8] = 0x80 | (by[8] & 0x3f);
    fmt_uuid(&by)
}

fn fmt_uuid(by: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in by.iter().enumerate() {
        if i == 4 || i == 6 || i == 8 || i == 10 {
            s.push('-');
        }
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

fn hex_id(r: &mut Rng, n: usize) -> String {
    let mut s = String::with_capacity(n);
    while s.len() < n {
        let mut x = r.next();
        for _ in 0..16 {
            if s.len() == n {
                break;
            }
            s.push(HEX[(x & 15) as usize] as char);
            x >>= 4;
        }
    }
    s
}

const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn call_id(r: &mut Rng) -> String {
    let mut s = String::from("call_");
    for _ in 0..24 {
        s.push(ALNUM[r.below(62) as usize] as char);
    }
    s
}

// ───────────────────────────── vocabularies ─────────────────────────────

const WORDS: &[&str] = &[
    "the",
    "a",
    "to",
    "of",
    "and",
    "in",
    "for",
    "on",
    "with",
    "that",
    "this",
    "is",
    "it",
    "we",
    "so",
    "now",
    "then",
    "also",
    "before",
    "after",
    "when",
    "because",
    "but",
    "not",
    "only",
    "all",
    "each",
    "every",
    "new",
    "old",
    "first",
    "next",
    "last",
    "same",
    "other",
    "small",
    "large",
    "quick",
    "careful",
    "simple",
    "stable",
    "flaky",
    "slow",
    "fast",
    "missing",
    "extra",
    "empty",
    "broken",
    "shared",
    "local",
    "remote",
    "cached",
    "stale",
    "pending",
    "parser",
    "lexer",
    "config",
    "cache",
    "index",
    "session",
    "module",
    "handler",
    "request",
    "response",
    "buffer",
    "stream",
    "token",
    "record",
    "entry",
    "table",
    "query",
    "schema",
    "migration",
    "fixture",
    "snapshot",
    "report",
    "summary",
    "layout",
    "widget",
    "button",
    "route",
    "endpoint",
    "client",
    "server",
    "worker",
    "queue",
    "job",
    "task",
    "retry",
    "timeout",
    "error",
    "warning",
    "panic",
    "crash",
    "test",
    "benchmark",
    "build",
    "release",
    "deploy",
    "script",
    "workflow",
    "pipeline",
    "commit",
    "branch",
    "diff",
    "patch",
    "file",
    "folder",
    "path",
    "line",
    "column",
    "field",
    "value",
    "type",
    "trait",
    "struct",
    "function",
    "method",
    "closure",
    "iterator",
    "future",
    "thread",
    "lock",
    "mutex",
    "channel",
    "socket",
    "payload",
    "header",
    "body",
    "json",
    "yaml",
    "toml",
    "csv",
    "log",
    "metric",
    "counter",
    "histogram",
    "window",
    "limit",
    "budget",
    "quota",
    "user",
    "account",
    "profile",
    "setting",
    "option",
    "flag",
    "argument",
    "default",
    "fallback",
    "edge",
    "case",
    "bug",
    "fix",
    "change",
    "update",
    "refactor",
    "cleanup",
    "rename",
    "move",
    "split",
    "merge",
    "check",
    "verify",
    "validate",
    "parse",
    "read",
    "write",
    "load",
    "save",
    "open",
    "close",
    "start",
    "stop",
    "run",
    "skip",
    "ignore",
    "handle",
    "return",
    "convert",
    "format",
    "print",
    "render",
    "sort",
    "filter",
    "group",
    "count",
    "sum",
    "total",
    "average",
    "daily",
    "weekly",
    "monthly",
    "model",
    "usage",
    "cost",
    "price",
    "rate",
    "should",
    "could",
    "will",
    "might",
    "seems",
    "looks",
    "still",
    "again",
    "instead",
    "without",
    "inside",
    "across",
    "between",
    "naïve",
    "café",
    "résumé",
    "→",
    "✓",
    "…",
    "données",
    "über",
    "größe",
    "日本語",
    "テスト",
    "修正",
    "构建",
];

const VERBS: &[&str] = &[
    "Fix",
    "Add",
    "Refactor",
    "Investigate",
    "Update",
    "Remove",
    "Speed up",
    "Document",
    "Review",
    "Debug",
    "Port",
    "Rename",
    "Split",
    "Migrate",
    "Test",
    "Simplify",
    "Harden",
    "Profile",
    "Clean up",
    "Wire up",
];

const IDENT: &[&str] = &[
    "id", "name", "path", "len", "size", "count", "idx", "buf", "line", "col", "offset", "start",
    "end", "total", "input", "output", "cached", "reason", "model", "day", "ts", "key", "val",
    "item", "items", "entry", "node", "parent", "child", "root", "cfg", "opts", "args", "ctx",
    "state", "cache", "store", "reader", "writer", "parser", "token", "span", "err", "res", "out",
    "rows", "cols", "file", "dir", "home", "session", "thread", "turn", "event", "usage", "rate",
    "price", "cost", "limit", "window", "delta", "prev", "next", "cur", "acc", "map", "set",
    "list", "iter", "chunk", "batch", "queue", "pool", "handle", "conn", "req", "resp", "body",
    "header", "schema", "table", "query", "filter", "sort", "group", "sum", "fmt", "text", "msg",
    "code", "hash", "uuid", "stamp", "date", "month", "week", "zone",
];

const TYPES: &[&str] = &[
    "SessionMeta",
    "TokenUsage",
    "RolloutLine",
    "Config",
    "Parser",
    "Lexer",
    "Index",
    "Report",
    "Summary",
    "Entry",
    "Record",
    "Cache",
    "Store",
    "Reader",
    "Writer",
    "Builder",
    "Handle",
    "Client",
    "Server",
    "Request",
    "Response",
    "Error",
    "Vec",
    "HashMap",
    "BTreeMap",
    "String",
    "PathBuf",
    "Duration",
    "Instant",
    "DateTime",
    "Model",
    "Price",
    "Usage",
    "Thread",
    "Turn",
    "Event",
    "Payload",
    "Header",
    "Span",
    "Token",
    "Node",
    "Tree",
    "Graph",
    "Table",
    "Row",
    "Column",
    "Query",
    "Filter",
    "Window",
    "Limit",
    "Budget",
    "Metric",
    "Counter",
    "Layout",
    "Widget",
    "Route",
    "Handler",
    "Worker",
    "Queue",
    "Job",
    "Task",
];

const DIRS: &[&str] = &[
    "src",
    "lib",
    "core",
    "crates",
    "pkg",
    "internal",
    "cmd",
    "app",
    "web",
    "api",
    "ui",
    "components",
    "hooks",
    "utils",
    "services",
    "models",
    "routes",
    "tests",
    "fixtures",
    "scripts",
    "docs",
    "config",
    "parser",
    "storage",
    "index",
    "report",
    "cli",
    "server",
    "client",
    "db",
    "migrations",
    "assets",
    "styles",
    "bench",
    "examples",
    "tools",
    "common",
    "shared",
    "domain",
    "infra",
];

const STEMS: &[&str] = &[
    "main", "lib", "mod", "config", "parser", "lexer", "index", "report", "summary", "session",
    "rollout", "usage", "pricing", "model", "cache", "store", "reader", "writer", "table", "query",
    "filter", "format", "render", "server", "client", "handler", "router", "worker", "queue",
    "job", "utils", "helpers", "types", "errors", "schema", "migrate", "snapshot", "fixtures",
    "bench", "cli", "args", "env", "paths", "time", "date", "zone", "tokens", "limits", "window",
    "metrics", "logger", "trace", "auth", "user", "account", "billing", "invoice", "layout",
    "button", "modal", "chart",
];

const CRATES: &[&str] = &[
    "serde",
    "serde_json",
    "serde_derive",
    "proc-macro2",
    "quote",
    "syn",
    "unicode-ident",
    "libc",
    "memchr",
    "cfg-if",
    "itoa",
    "ryu",
    "once_cell",
    "log",
    "bitflags",
    "regex",
    "regex-syntax",
    "aho-corasick",
    "clap",
    "clap_builder",
    "clap_derive",
    "anstream",
    "anstyle",
    "strsim",
    "heck",
    "chrono",
    "num-traits",
    "autocfg",
    "rayon",
    "rayon-core",
    "crossbeam-utils",
    "crossbeam-deque",
    "crossbeam-epoch",
    "either",
    "walkdir",
    "same-file",
    "globset",
    "bstr",
    "thiserror",
    "thiserror-impl",
    "tempfile",
    "fastrand",
    "rustix",
    "linux-raw-sys",
    "memmap2",
    "indicatif",
    "console",
    "unicode-width",
    "zstd",
    "zstd-sys",
    "cc",
    "jobserver",
    "toml",
    "toml_edit",
    "winnow",
    "indexmap",
    "hashbrown",
    "equivalent",
    "crossterm",
    "getrandom",
    "tokio",
    "mio",
    "bytes",
    "pin-project-lite",
    "futures-core",
];

const NAMES: &[&str] = &[
    "Avery Quinn",
    "Jordan Blake",
    "Riley Moss",
    "Casey Hart",
    "Morgan Lee",
    "Sam Okafor",
    "Dana Ruiz",
    "Kai Novak",
    "Robin Sato",
    "Alex Meyer",
    "Noor Haddad",
    "Emil Sørensen",
    "Lena Fischer",
    "Tomás Vidal",
];

const NICKNAMES: &[&str] = &[
    "Hypatia",
    "Euclid",
    "Noether",
    "Turing",
    "Lovelace",
    "Hopper",
    "Kepler",
    "Curie",
    "Darwin",
    "Gauss",
    "Ramanujan",
    "Shannon",
];

const BRANCHES: &[&str] = &[
    "main",
    "main",
    "main",
    "master",
    "develop",
    "feat/token-report",
    "fix/parser-crlf",
    "chore/deps",
    "feature/daily-usage",
    "wip/refactor-index",
];

struct Cwd {
    path: &'static str,
    repo: Option<&'static str>,
    shell: &'static str,
}

const CWDS: &[Cwd] = &[
    Cwd {
        path: "/home/dev/proj",
        repo: Some("git@github.com:acme-labs/proj.git"),
        shell: "bash",
    },
    Cwd {
        path: "/home/dev/proj/app",
        repo: Some("git@github.com:acme-labs/proj.git"),
        shell: "bash",
    },
    Cwd {
        path: "/home/dev/proj/app/web",
        repo: Some("git@github.com:acme-labs/proj.git"),
        shell: "bash",
    },
    Cwd {
        path: "/home/dev/tools/ledger-cli",
        repo: Some("https://github.com/example-org/ledger-cli.git"),
        shell: "zsh",
    },
    Cwd {
        path: "/home/dev/work/payments-api",
        repo: Some("git@gitlab.example.com:payments/payments-api.git"),
        shell: "bash",
    },
    Cwd {
        path: "/Users/sam/code/garden",
        repo: Some("https://github.com/sam-example/garden.git"),
        shell: "zsh",
    },
    Cwd {
        path: "/Users/sam/code/garden/frontend",
        repo: Some("https://github.com/sam-example/garden.git"),
        shell: "zsh",
    },
    Cwd {
        path: "/srv/ci/agent-runner",
        repo: None,
        shell: "bash",
    },
    Cwd {
        path: "C:\\Users\\lee\\repos\\tooling",
        repo: Some("https://github.com/lee-example/tooling.git"),
        shell: "powershell",
    },
    Cwd {
        path: "/home/dev/scratch",
        repo: None,
        shell: "bash",
    },
];
const CWD_W: &[u64] = &[20, 18, 6, 10, 10, 10, 6, 4, 4, 4];

const MODELS: &[&str] = &[
    "gpt-5-codex",
    "gpt-5.1-codex",
    "gpt-5.2-codex",
    "gpt-5.3-codex",
    "gpt-5.4",
    "gpt-5.5",
    "gpt-5.6-sol",
];
const MODEL_W: &[u64] = &[10, 15, 20, 20, 20, 15, 0];
const SOL: usize = 6;
const WINDOW: u64 = 258_400;

/// (`cli_version`, feature level, weight)
const VERSIONS: &[(&str, u32, u64)] = &[
    ("0.77.0", 77, 8),
    ("0.80.0", 80, 10),
    ("0.88.0", 88, 7),
    ("0.93.0", 93, 8),
    ("0.98.0", 98, 12),
    ("0.100.0", 100, 8),
    ("0.105.0", 105, 12),
    ("0.118.0", 118, 12),
    ("0.0.0", 125, 5),
    ("0.139.0", 139, 7),
    ("0.144.2", 144, 11),
];

// ───────────────────────────── text generators ─────────────────────────────

fn cap_push(t: &mut String, w: &str) {
    let mut cs = w.chars();
    if let Some(c) = cs.next() {
        t.extend(c.to_uppercase());
        t.push_str(cs.as_str());
    }
}

fn gen_path(r: &mut Rng, t: &mut String) {
    let depth = r.range(1, 3);
    for _ in 0..depth {
        t.push_str(r.pick(DIRS));
        t.push('/');
    }
    t.push_str(r.pick(STEMS));
    t.push('.');
    t.push_str(r.pick(&[
        "rs", "rs", "rs", "ts", "tsx", "py", "go", "toml", "json", "md",
    ]));
}

fn gen_ident(r: &mut Rng, t: &mut String) {
    let n = r.range(1, 3);
    for i in 0..n {
        if i > 0 {
            t.push('_');
        }
        t.push_str(r.pick(IDENT));
    }
}

fn gen_sentence(r: &mut Rng, t: &mut String) {
    let n = r.range(6, 18);
    for i in 0..n {
        if i > 0 {
            t.push(' ');
        }
        match r.below(12) {
            0 => {
                t.push('`');
                gen_path(r, t);
                t.push('`');
            }
            1 => {
                t.push('`');
                gen_ident(r, t);
                t.push('`');
            }
            _ => {
                let w = r.pick(WORDS);
                if i == 0 {
                    cap_push(t, w);
                } else {
                    t.push_str(w);
                }
            }
        }
    }
    t.push_str(r.pick(&[".", ".", ".", ":", "?", "!"]));
}

fn gen_prose(r: &mut Rng, t: &mut String, len: usize) {
    let stop = t.len() + len;
    loop {
        gen_sentence(r, t);
        if t.len() >= stop {
            break;
        }
        t.push_str(if r.pm(150) { "\n\n" } else { " " });
    }
}

fn gen_title(r: &mut Rng, t: &mut String) {
    t.push_str(r.pick(VERBS));
    for _ in 0..r.range(2, 4) {
        t.push(' ');
        t.push_str(r.pick(WORDS));
    }
}

fn gen_final(r: &mut Rng, t: &mut String, len: usize) {
    let stop = t.len() + len;
    gen_sentence(r, t);
    t.push_str("\n\n");
    loop {
        t.push_str("- ");
        t.push_str(r.pick(&[
            "Updated", "Added", "Removed", "Fixed", "Moved", "Renamed", "Tested",
        ]));
        t.push_str(" `");
        gen_path(r, t);
        t.push_str("` ");
        gen_sentence(r, t);
        t.push('\n');
        if r.pm(120) {
            t.push('\n');
            gen_sentence(r, t);
            t.push_str("\n\n");
        }
        if t.len() >= stop {
            break;
        }
    }
    t.push_str("\nTests: `");
    t.push_str(r.pick(&[
        "cargo test",
        "cargo test --workspace",
        "npm test",
        "pytest -q",
        "go test ./...",
    ]));
    t.push_str("` ");
    t.push_str(r.pick(&[
        "passes.",
        "passes locally.",
        "still has 1 unrelated failure.",
        "was not run (sandbox).",
    ]));
}

fn gen_code_line(r: &mut Rng, t: &mut String, lang: u8) {
    for _ in 0..r.below(4) * 4 {
        t.push(' ');
    }
    match lang {
        0 => match r.below(16) {
            0 => {
                t.push_str("let ");
                gen_ident(r, t);
                t.push_str(" = ");
                gen_ident(r, t);
                t.push('.');
                gen_ident(r, t);
                t.push('(');
                gen_ident(r, t);
                t.push_str(", ");
                t.push_str(&r.below(4096).to_string());
                t.push_str(");");
            }
            1 => {
                t.push_str("pub fn ");
                gen_ident(r, t);
                t.push_str("(&self, ");
                gen_ident(r, t);
                t.push_str(": &");
                t.push_str(r.pick(TYPES));
                t.push_str(") -> Result<");
                t.push_str(r.pick(TYPES));
                t.push_str(", Error> {");
            }
            2 | 3 => t.push('}'),
            4 => {
                t.push_str("// ");
                for i in 0..r.range(3, 10) {
                    if i > 0 {
                        t.push(' ');
                    }
                    t.push_str(r.pick(WORDS));
                }
            }
            5 => {
                t.push_str("if ");
                gen_ident(r, t);
                t.push_str(".is_empty() {");
            }
            6 => {
                t.push_str("return Ok(");
                gen_ident(r, t);
                t.push_str(");");
            }
            7 => {
                t.push_str("use crate::");
                gen_ident(r, t);
                t.push_str("::");
                t.push_str(r.pick(TYPES));
                t.push(';');
            }
            8 => t.push_str("#[derive(Debug, Clone, PartialEq, Eq)]"),
            9 => {
                t.push_str("pub struct ");
                t.push_str(r.pick(TYPES));
                t.push_str(" {");
            }
            10 => {
                gen_ident(r, t);
                t.push_str(": ");
                t.push_str(r.pick(TYPES));
                t.push(',');
            }
            11 => {
                t.push_str("match ");
                gen_ident(r, t);
                t.push_str(" {");
            }
            12 => {
                t.push_str(r.pick(TYPES));
                t.push_str("::");
                t.push_str(r.pick(TYPES));
                t.push_str(" => ");
                gen_ident(r, t);
                t.push_str("(),");
            }
            13 => {
                t.push_str("assert_eq!(");
                gen_ident(r, t);
                t.push_str(", ");
                t.push_str(&r.below(100_000).to_string());
                t.push_str(");");
            }
            14 => {
                t.push_str("for ");
                gen_ident(r, t);
                t.push_str(" in ");
                gen_ident(r, t);
                t.push_str(".iter() {");
            }
            _ => {}
        },
        1 => match r.below(10) {
            0 => {
                t.push_str("const ");
                gen_ident(r, t);
                t.push_str(" = await ");
                gen_ident(r, t);
                t.push('.');
                gen_ident(r, t);
                t.push_str("();");
            }
            1 => {
                t.push_str("export function ");
                gen_ident(r, t);
                t.push_str("(props: ");
                t.push_str(r.pick(TYPES));
                t.push_str("Props): JSX.Element {");
            }
            2 => {
                t.push_str("import { ");
                t.push_str(r.pick(TYPES));
                t.push_str(" } from './");
                t.push_str(r.pick(STEMS));
                t.push_str("';");
            }
            3 | 4 => t.push('}'),
            5 => {
                t.push_str("return <");
                t.push_str(r.pick(TYPES));
                t.push_str(" value={");
                gen_ident(r, t);
                t.push_str("} />;");
            }
            6 => {
                t.push_str("// TODO: ");
                t.push_str(r.pick(WORDS));
                t.push(' ');
                t.push_str(r.pick(WORDS));
            }
            7 => {
                t.push_str("if (!");
                gen_ident(r, t);
                t.push_str(") return null;");
            }
            _ => {}
        },
        _ => match r.below(10) {
            0 => {
                t.push_str("def ");
                gen_ident(r, t);
                t.push_str("(self, ");
                gen_ident(r, t);
                t.push_str("):");
            }
            1 => {
                t.push_str("return ");
                gen_ident(r, t);
                t.push('[');
                t.push_str(&r.below(64).to_string());
                t.push(']');
            }
            2 => {
                t.push_str("from ");
                gen_ident(r, t);
                t.push_str(" import ");
                t.push_str(r.pick(TYPES));
            }
            3 => {
                t.push_str("self.");
                gen_ident(r, t);
                t.push_str(" = ");
                gen_ident(r, t);
            }
            4 => {
                t.push_str("# ");
                t.push_str(r.pick(WORDS));
                t.push(' ');
                t.push_str(r.pick(WORDS));
            }
            5 => {
                t.push_str("raise ValueError(f\"bad ");
                gen_ident(r, t);
                t.push_str(": {");
                gen_ident(r, t);
                t.push_str("!r}\")");
            }
            _ => {}
        },
    }
    t.push('\n');
}

fn crate_ver(r: &mut Rng, t: &mut String) {
    t.push_str(r.pick(CRATES));
    t.push_str(" v");
    t.push_str(&format!("{}.{}.{}", r.below(3), r.below(40), r.below(30)));
}

const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Kinds of simulated shell output.
const OUT_KINDS: &[u64] = &[15, 20, 10, 15, 25, 10, 5];

fn gen_command(r: &mut Rng, t: &mut String, kind: usize) {
    match kind {
        0 => t.push_str(r.pick(&[
            "cargo build --workspace",
            "cargo check --all-targets",
            "cargo clippy --all-targets -- -D warnings",
            "cargo build --release",
        ])),
        1 => match r.below(3) {
            0 => {
                t.push_str("cargo test -p ");
                t.push_str(r.pick(CRATES));
            }
            1 => {
                t.push_str("pytest -q tests/test_");
                t.push_str(r.pick(STEMS));
                t.push_str(".py");
            }
            _ => t.push_str("npm test -- --runInBand"),
        },
        2 => match r.below(3) {
            0 => {
                t.push_str("ls -la ");
                t.push_str(r.pick(DIRS));
            }
            1 => t.push_str("rg --files"),
            _ => t.push_str("find . -name '*.rs' -not -path './target/*'"),
        },
        3 => {
            t.push_str("rg -n \"");
            gen_ident(r, t);
            t.push_str("\" ");
            t.push_str(r.pick(DIRS));
        }
        4 => match r.below(3) {
            0 => {
                t.push_str("sed -n '1,240p' ");
                gen_path(r, t);
            }
            1 => {
                t.push_str("nl -ba ");
                gen_path(r, t);
                t.push_str(" | sed -n '120,400p'");
            }
            _ => {
                t.push_str("cat ");
                gen_path(r, t);
            }
        },
        5 => t.push_str(r.pick(&[
            "git log --stat -n 30",
            "git diff",
            "git diff --cached",
            "git status --short",
        ])),
        _ => t.push_str(r.pick(&[
            "npx tsc --noEmit",
            "npm run lint",
            "npx eslint src --ext .ts,.tsx",
        ])),
    }
}

/// Append shell output of roughly `len` bytes of the given kind.
fn gen_output(r: &mut Rng, t: &mut String, kind: usize, len: usize) {
    let stop = t.len() + len;
    let lang = r.below(3) as u8;
    let mut lineno = r.range(1, 400);
    while t.len() < stop {
        match kind {
            0 => match r.below(10) {
                0..=4 => {
                    t.push_str(r.pick(&["   Compiling ", "    Checking ", "   Compiling "]));
                    crate_ver(r, t);
                    t.push('\n');
                }
                5..=7 => {
                    t.push_str("warning: ");
                    t.push_str(r.pick(&[
                        "unused variable: `",
                        "unused import: `",
                        "field is never read: `",
                        "function is never used: `",
                    ]));
                    gen_ident(r, t);
                    t.push_str("`\n  --> ");
                    gen_path(r, t);
                    let l = r.range(1, 900);
                    t.push_str(&format!(":{}:{}\n   |\n{:>4} |     ", l, r.range(1, 40), l));
                    let m = t.len();
                    gen_code_line(r, t, 0);
                    let w = t.len() - m;
                    t.push_str("   |     ");
                    for _ in 0..(w / 3).max(3) {
                        t.push('^');
                    }
                    t.push_str(" help: if this is intentional, prefix it with an underscore\n   |\n   = note: `#[warn(unused_variables)]` on by default\n\n");
                }
                8 => {
                    t.push_str(&format!("error[E0{}]: ", r.range(100, 799)));
                    t.push_str(r.pick(&[
                        "mismatched types",
                        "cannot borrow `",
                        "no method named `",
                        "use of moved value: `",
                    ]));
                    gen_ident(r, t);
                    t.push_str("`\n   --> ");
                    gen_path(r, t);
                    t.push_str(&format!(":{}:{}\n    |\n", r.range(1, 900), r.range(1, 60)));
                    gen_code_line(r, t, 0);
                    t.push_str("    = note: expected `");
                    t.push_str(r.pick(TYPES));
                    t.push_str("`, found `&");
                    t.push_str(r.pick(TYPES));
                    t.push_str("`\n\n");
                }
                _ => {
                    t.push_str(&format!(
                        "    Finished `dev` profile [unoptimized + debuginfo] target(s) in {}.{:02}s\n",
                        r.below(90),
                        r.below(100)
                    ));
                }
            },
            1 => match lang {
                0 => {
                    t.push_str("test ");
                    gen_ident(r, t);
                    t.push_str("::tests::");
                    gen_ident(r, t);
                    t.push_str(if r.pm(30) {
                        " ... FAILED\n"
                    } else if r.pm(20) {
                        " ... ignored\n"
                    } else {
                        " ... ok\n"
                    });
                    if r.pm(20) {
                        t.push_str(&format!(
                            "\ntest result: ok. {} passed; 0 failed; {} ignored; 0 measured; 0 filtered out; finished in {}.{:02}s\n\nrunning {} tests\n",
                            r.range(1, 300),
                            r.below(4),
                            r.below(20),
                            r.below(100),
                            r.range(1, 300)
                        ));
                    }
                }
                1 => {
                    t.push_str(if r.pm(40) { "  ✕ " } else { "  ✓ " });
                    for i in 0..r.range(3, 8) {
                        if i > 0 {
                            t.push(' ');
                        }
                        t.push_str(r.pick(WORDS));
                    }
                    t.push_str(&format!(" ({} ms)\n", r.range(1, 900)));
                }
                _ => {
                    t.push_str("tests/");
                    t.push_str(r.pick(DIRS));
                    t.push_str("/test_");
                    t.push_str(r.pick(STEMS));
                    t.push_str(".py::test_");
                    gen_ident(r, t);
                    t.push_str(if r.pm(40) { " FAILED" } else { " PASSED" });
                    t.push_str(&format!("{:>10}\n", format!("[{:>3}%]", r.below(101))));
                }
            },
            2 => {
                if r.pm(500) {
                    let size = r.logish(10, 2_000_000);
                    t.push_str(&format!(
                        "{}  1 dev  dev  {:>8} {} {:>2} {:02}:{:02} ",
                        r.pick(&["-rw-r--r--", "-rw-r--r--", "-rwxr-xr-x", "drwxr-xr-x"]),
                        size,
                        r.pick(MONTHS),
                        r.range(1, 28),
                        r.below(24),
                        r.below(60)
                    ));
                }
                gen_path(r, t);
                t.push('\n');
            }
            3 => {
                gen_path(r, t);
                t.push_str(&format!(":{}:", r.range(1, 2000)));
                gen_code_line(r, t, lang);
            }
            4 => {
                if r.pm(400) {
                    t.push_str(&format!("{lineno:>6}\t"));
                    lineno += 1;
                }
                gen_code_line(r, t, lang);
            }
            5 => match r.below(8) {
                0 => {
                    let mut h = String::new();
                    for _ in 0..5 {
                        h.push_str(&format!("{:08x}", r.next() as u32));
                    }
                    t.push_str("commit ");
                    t.push_str(&h);
                    t.push_str("\nAuthor: ");
                    let name = r.pick(NAMES);
                    t.push_str(name);
                    t.push_str(" <");
                    t.push_str(&name.split(' ').next().unwrap_or("dev").to_lowercase());
                    t.push_str("@example.com>\nDate:   ");
                    t.push_str(&format!(
                        "{} {} {} {:02}:{:02}:{:02} 2026 +0000\n\n    ",
                        r.pick(&["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]),
                        r.pick(MONTHS),
                        r.range(1, 28),
                        r.below(24),
                        r.below(60),
                        r.below(60)
                    ));
                    gen_title(r, t);
                    t.push_str("\n\n");
                }
                1 => {
                    t.push_str("diff --git a/");
                    let m = t.len();
                    gen_path(r, t);
                    let p = t[m..].to_string();
                    t.push_str(" b/");
                    t.push_str(&p);
                    t.push_str(&format!(
                        "\nindex {:07x}..{:07x} 100644\n--- a/",
                        r.next() as u32 >> 4,
                        r.next() as u32 >> 4
                    ));
                    t.push_str(&p);
                    t.push_str("\n+++ b/");
                    t.push_str(&p);
                    let a = r.range(1, 800);
                    t.push_str(&format!(
                        "\n@@ -{},{} +{},{} @@\n",
                        a,
                        r.range(3, 30),
                        a + r.below(9),
                        r.range(3, 30)
                    ));
                }
                2 => {
                    t.push_str(r.pick(&[" M ", "M  ", "?? ", "A  ", " D "]));
                    gen_path(r, t);
                    t.push('\n');
                }
                _ => {
                    t.push_str(r.pick(&[" ", " ", "+", "-"]));
                    gen_code_line(r, t, lang);
                }
            },
            _ => {
                gen_path(r, t);
                t.push_str(&format!(
                    "({},{}): error TS{}: Type '",
                    r.range(1, 700),
                    r.range(1, 80),
                    r.range(2000, 2999)
                ));
                t.push_str(r.pick(TYPES));
                t.push_str("' is not assignable to type '");
                t.push_str(r.pick(TYPES));
                t.push_str("'.\n");
            }
        }
    }
}

fn gen_blob(r: &mut Rng, out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(b"gAAAAAB");
    let mut left = len.saturating_sub(7);
    while left > 0 {
        let mut x = r.next();
        let k = left.min(10);
        for _ in 0..k {
            out.push(B64[(x & 63) as usize]);
            x >>= 6;
        }
        left -= k;
    }
}

/// Per-version system prompt (same for every session of that version, like the real thing).
fn base_instructions(vnum: u32, len: usize) -> String {
    let mut r = Rng::new(mix(0xBA5E, u64::from(vnum)));
    let mut t = String::from(
        "[synthetic system prompt] Operate as a careful software engineering agent inside the user's shell.\n\n# General\n\n",
    );
    while t.len() < len {
        gen_prose(&mut r, &mut t, 600);
        t.push_str("\n\n## ");
        gen_title(&mut r, &mut t);
        t.push_str("\n\n- ");
    }
    t
}

fn agents_md(cwd: usize, len: usize) -> String {
    let mut r = Rng::new(mix(0xA6E7, cwd as u64));
    let mut t = String::from("# Repository Guidelines\n\n");
    while t.len() < len {
        t.push_str("## ");
        gen_title(&mut r, &mut t);
        t.push_str("\n\n");
        gen_prose(&mut r, &mut t, 300);
        t.push_str("\n\n");
    }
    t
}

fn permissions_text(vnum: u32, len: usize) -> String {
    let mut r = Rng::new(mix(0x9E22, u64::from(vnum)));
    let mut t = String::from(
        "<permissions instructions>\nFilesystem sandboxing defines which files can be read or written. ",
    );
    gen_prose(&mut r, &mut t, len);
    t.push_str("\n</permissions instructions>");
    t
}

// ───────────────────────────── plan ─────────────────────────────

#[derive(Clone)]
struct Plan {
    idx: usize,
    seed: u64,
    legacy: bool,
    ordinal: bool,
    archived: bool,
    crlf: bool,
    torn: bool,
    trunc_mid: bool,
    nul_run: bool,
    bad_utf8: bool,
    sol: bool,
    resets: bool,
    big: bool,
    created: i64,
    target: u64,
    parent: Option<usize>,
    spawn: bool,
    version: &'static str,
    vnum: u32,
    originator: &'static str,
    source: &'static str,
    cwd: usize,
}

fn pick_version(r: &mut Rng) -> (&'static str, u32) {
    let w: Vec<u64> = VERSIONS.iter().map(|v| v.2).collect();
    let v = VERSIONS[r.weighted(&w)];
    (v.0, v.1)
}

fn count(n: usize, permille: usize, min1: bool) -> usize {
    let c = (n * permille + 500) / 1000;
    if min1 { c.max(1).min(n) } else { c.min(n) }
}

fn make_plans(n: usize, seed: u64, start_day: i64, days: i64, huge: (usize, f64)) -> Vec<Plan> {
    let mut r = Rng::new(mix(seed, 0x504C_414E));
    let hour_w = [
        3, 2, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 9, 10, 10, 10, 9, 8, 7, 7, 6, 6, 5, 4,
    ];
    let mut times: Vec<i64> = (0..n)
        .map(|_| {
            let d = r.below(days as u64) as i64;
            let h = r.weighted(&hour_w) as i64;
            (start_day + d) * DAY_MS + h * 3_600_000 + r.below(3_600_000) as i64
        })
        .collect();
    times.sort_unstable();
    let mut plans: Vec<Plan> = (0..n)
        .map(|i| {
            let seed_i = mix(seed, i as u64 + 1);
            let mut pr = Rng::new(mix(seed_i, 7));
            let orig = pr.weighted(&[45, 15, 15, 25]);
            let (originator, source) = [
                ("codex_cli_rs", "cli"),
                ("codex_exec", "exec"),
                ("codex_vscode", "vscode"),
                ("codex-tui", "cli"),
            ][orig];
            let (version, vnum) = if orig == 3 {
                let v = pr.pick(&[("0.118.0", 118u32), ("0.139.0", 139), ("0.144.2", 144)]);
                (v.0, v.1)
            } else {
                pick_version(&mut pr)
            };
            let target = if pr.pm(80) {
                pr.logish(10_000, 150_000)
            } else {
                pr.logish(120_000, 1_200_000)
            };
            Plan {
                idx: i,
                seed: seed_i,
                legacy: false,
                ordinal: false,
                archived: false,
                crlf: false,
                torn: false,
                trunc_mid: false,
                nul_run: false,
                bad_utf8: false,
                sol: false,
                resets: vnum == 77 && pr.pm(600),
                big: false,
                created: times[i],
                target,
                parent: None,
                spawn: false,
                version,
                vnum,
                originator,
                source,
                cwd: pr.weighted(CWD_W),
            }
        })
        .collect();

    // exclusive roles, from one permutation
    let mut perm: Vec<usize> = (0..n).collect();
    r.shuffle(&mut perm);
    let mut k = 0;
    let mut take = |c: usize| {
        let s = perm[k.min(n)..(k + c).min(n)].to_vec();
        k += c;
        s
    };
    let n_legacy = if n >= 8 { count(n, 30, true) } else { 0 };
    for i in take(n_legacy) {
        let p = &mut plans[i];
        p.legacy = true;
        p.version = "0.31.0";
        p.vnum = 31;
        p.resets = false;
        p.originator = "codex_cli_rs";
        p.source = "cli";
    }
    for i in take(if n >= 4 { count(n, 5, true) } else { 0 }) {
        let p = &mut plans[i];
        p.ordinal = true;
        p.version = "0.153.4";
        p.vnum = 153;
        p.resets = false;
        p.originator = "codex-tui";
        p.source = "cli";
    }
    for i in take(usize::from(n >= 3)) {
        let p = &mut plans[i];
        p.crlf = true;
        p.target = 50_000 + p.target % 350_000;
    }
    for i in take(n / 100) {
        let p = &mut plans[i];
        let mut pr = Rng::new(mix(p.seed, 8));
        p.big = true;
        p.target = pr.range(20_000_000, 60_000_000);
    }
    let children = take(if n >= 6 { count(n, 40, true) } else { 0 });
    // huge sessions come after every other role, so `--huge 0` leaves all draws as they were;
    // their size is in written bytes whatever `--scale` is (huge.1)
    for i in take(huge.0) {
        let p = &mut plans[i];
        let mut pr = Rng::new(mix(p.seed, 10));
        p.big = true;
        p.target = (pr.range(300_000_000, 400_000_000) as f64 / huge.1) as u64;
    }
    let is_child: Vec<bool> = {
        let mut v = vec![false; n];
        for &c in &children {
            v[c] = true;
        }
        v
    };
    let eligible_parent = |p: &Plan, ch: bool| {
        !p.legacy && !p.ordinal && !p.crlf && !p.big && !ch && p.target <= 3_000_000
    };
    let parents: Vec<usize> = (0..n)
        .filter(|&i| eligible_parent(&plans[i], is_child[i]))
        .collect();
    for &c in &children {
        let mut pr = Rng::new(mix(plans[c].seed, 9));
        if parents.is_empty() {
            continue;
        }
        let par = parents[pr.below(parents.len() as u64) as usize];
        let spawn = pr.pm(700);
        let (pv, po) = (plans[par].cwd, plans[par].originator);
        let p = &mut plans[c];
        p.parent = Some(par);
        p.spawn = spawn;
        p.cwd = pv;
        p.resets = false;
        p.target = pr.logish(60_000, 1_500_000);
        if spawn {
            let v = pr.pick(&[("0.118.0", 118u32), ("0.144.2", 144)]);
            p.version = v.0;
            p.vnum = v.1;
            p.originator = if po == "codex_exec" {
                "codex_cli_rs"
            } else {
                po
            };
            p.source = "subagent";
        } else {
            let v = pr.pick(&[("0.98.0", 98u32), ("0.105.0", 105), ("0.118.0", 118)]);
            p.version = v.0;
            p.vnum = v.1;
            p.originator = pr.pick(&["codex_cli_rs", "codex-tui"]);
            p.source = "cli";
        }
    }
    let normal = |p: &Plan| !p.legacy && p.parent.is_none();
    // at least one pre-0.78 session with counter resets
    if n >= 5
        && !plans.iter().any(|p| p.resets)
        && let Some(p) = plans
            .iter_mut()
            .find(|p| normal(p) && !p.ordinal && !p.crlf && !p.big)
    {
        p.version = "0.77.0";
        p.vnum = 77;
        p.resets = true;
    }
    for p in &mut plans {
        if p.resets {
            p.target = p.target.max(900_000);
        }
    }
    // non-exclusive flags from other permutations
    let mut perm2: Vec<usize> = (0..n).filter(|&i| !plans[i].legacy).collect();
    r.shuffle(&mut perm2);
    for &i in perm2.iter().take(count(n, 30, n >= 10)) {
        plans[i].archived = true;
    }
    let mut perm3: Vec<usize> = (0..n)
        .filter(|&i| !plans[i].legacy && !plans[i].crlf)
        .collect();
    r.shuffle(&mut perm3);
    let m = perm3.len();
    let c_sol = if n >= 5 { count(n, 7, true) } else { 0 };
    let c_small = if n >= 10 { count(n, 5, true) } else { 0 };
    let c_torn = if n >= 10 { count(n, 10, true) } else { 0 };
    let mut k3 = 0;
    let mut t3 = |c: usize| {
        let s = perm3[k3.min(m)..(k3 + c).min(m)].to_vec();
        k3 += c;
        s
    };
    for i in t3(c_sol) {
        let p = &mut plans[i];
        p.sol = true;
        if p.source == "exec" {
            p.originator = "codex_cli_rs";
            p.source = "cli";
        }
    }
    for i in t3(c_small) {
        plans[i].trunc_mid = true;
    }
    for i in t3(c_small) {
        plans[i].nul_run = true;
    }
    for i in t3(c_small) {
        plans[i].bad_utf8 = true;
    }
    for i in t3(c_torn) {
        plans[i].torn = true;
    }
    plans
}

// ───────────────────────────── simulation ─────────────────────────────

const TY_META: u8 = 0;
const TY_RI: u8 = 1;
const TY_EV: u8 = 2;
const TY_TC: u8 = 3;
const TY_COMP: u8 = 4;
const TY_RAW: u8 = 255;
const TY_NAMES: [&str; 5] = [
    "session_meta",
    "response_item",
    "event_msg",
    "turn_context",
    "compacted",
];

const K_META: u8 = 0;
const K_TURNCTX: u8 = 1;
const K_FCO: u8 = 2;
const K_REASONING: u8 = 3;
const K_MSG: u8 = 4;
const K_TOKEN: u8 = 5;
const K_FCALL: u8 = 6;
const K_CUSTOM: u8 = 7;
const K_TASK: u8 = 8;
const K_COMPACT: u8 = 9;
const K_EXECEND: u8 = 10;
const K_AREASON: u8 = 11;
const K_STATE: u8 = 12;
const K_JUNK: u8 = 13;
const NK: usize = 14;
const KIND_NAMES: [&str; NK] = [
    "session_meta",
    "turn_context",
    "function_call_output",
    "reasoning (response_item)",
    "messages (user/agent events + message items)",
    "token_count",
    "function_call",
    "custom_tool_call(+output)",
    "task_started/complete/aborted",
    "compacted/context_compacted",
    "exec_command_end",
    "agent_reasoning (event)",
    "v1 record_type:state",
    "malformed/junk",
];

struct Line {
    ts: i64,
    ty: u8,
    kind: u8,
    a: usize,
    b: usize,
}

#[derive(Default)]
struct Out {
    buf: Vec<u8>,
    lines: Vec<Line>,
}

#[derive(Clone, Copy)]
struct Snap {
    line_end: usize,
    now: i64,
    total: [u64; 5],
    has_info: bool,
    context: u64,
    model: usize,
    last: [u64; 5],
}

type Truth = BTreeMap<(i64, usize), [u64; 5]>;

struct Pending {
    call_id: String,
    custom: bool,
    plan: bool,
    kind: usize,
    cmd: String,
    nominal: u64,
    exit: u32,
}

struct Sim<'a> {
    p: &'a Plan,
    scale: f64,
    rs: Rng,
    rt: Rng,
    out: Out,
    t: String,
    t2: Vec<u8>,
    now: i64,
    id: String,
    root_id: String,
    cwd: &'static Cwd,
    model: usize,
    effort: &'static str,
    approval: &'static str,
    sandbox: u8,
    user_instr: Option<String>,
    total: [u64; 5],
    has_info: bool,
    context: u64,
    last_input: u64,
    cache_cold: bool,
    nominal: u64,
    target: u64,
    truth: Truth,
    snaps: Vec<Snap>,
    rl_p: u64,
    rl_s: u64,
    plan_type: &'static str,
    resets_done: u32,
    calls: u64,
    prev_last: [u64; 5],
    created: i64,
    /// `Some` with `--vocabulary rich`: text from the `gen_history/` modules, not the plain lists.
    vocab: Option<words::Vocab>,
}

impl<'a> Sim<'a> {
    fn new(p: &'a Plan, scale: f64, rich: bool) -> Sim<'a> {
        let mut rs = Rng::new(mix(p.seed, 1));
        let rt = Rng::new(mix(p.seed, 2));
        let model = rs.weighted(MODEL_W);
        let effort = rs.pick(&["low", "medium", "medium", "high", "high", "xhigh"]);
        let approval = rs.pick(&[
            "on-request",
            "on-request",
            "never",
            "untrusted",
            "on-failure",
        ]);
        let sandbox = rs.weighted(&[70, 20, 10]) as u8;
        let plan_type = rs.pick(&["plus", "plus", "pro", "team"]);
        let rl_p = rs.below(30);
        let rl_s = rs.below(60);
        Sim {
            p,
            scale,
            rs,
            rt,
            out: Out::default(),
            t: String::new(),
            t2: Vec::new(),
            now: 0,
            id: String::new(),
            root_id: String::new(),
            cwd: &CWDS[p.cwd],
            model,
            effort,
            approval,
            sandbox,
            user_instr: None,
            total: [0; 5],
            has_info: false,
            context: 0,
            last_input: 0,
            cache_cold: true,
            nominal: 0,
            target: p.target * 86 / 100,
            truth: Truth::new(),
            snaps: Vec::new(),
            rl_p,
            rl_s,
            plan_type,
            resets_done: 0,
            calls: 0,
            prev_last: [0; 5],
            created: p.created,
            vocab: rich.then(|| words::Vocab::new(p.seed, p.cwd)),
        }
    }

    // ── text in the chosen vocabulary (plain: the original generators, same draws) ──

    fn x_prose(&mut self, len: usize) {
        match self.vocab {
            Some(v) => prose::prose(v, &mut self.rt, &mut self.t, len),
            None => gen_prose(&mut self.rt, &mut self.t, len),
        }
    }

    fn x_final(&mut self, len: usize) {
        match self.vocab {
            Some(v) => prose::final_answer(v, &mut self.rt, &mut self.t, len),
            None => gen_final(&mut self.rt, &mut self.t, len),
        }
    }

    fn x_title(&mut self) {
        match self.vocab {
            Some(v) => prose::title(v, &mut self.rt, &mut self.t),
            None => gen_title(&mut self.rt, &mut self.t),
        }
    }

    fn x_sentence(&mut self) {
        match self.vocab {
            Some(v) => prose::sentence(v, &mut self.rt, &mut self.t),
            None => gen_sentence(&mut self.rt, &mut self.t),
        }
    }

    /// A file path; with the rich vocabulary also the file's language.
    fn x_path(&mut self) -> Option<u8> {
        if let Some(v) = self.vocab {
            Some(words::path(v, &mut self.rt, &mut self.t))
        } else {
            gen_path(&mut self.rt, &mut self.t);
            None
        }
    }

    fn x_code_line(&mut self, lang: u8) {
        match self.vocab {
            Some(v) => code::code_line(v, &mut self.rt, &mut self.t, lang),
            None => gen_code_line(&mut self.rt, &mut self.t, lang),
        }
    }

    fn x_out_kind(&mut self) -> usize {
        self.rt.weighted(if self.vocab.is_some() {
            tools::KINDS
        } else {
            OUT_KINDS
        })
    }

    fn x_command(&mut self, kind: usize) {
        match self.vocab {
            Some(v) => tools::command(v, &mut self.rt, &mut self.t, kind),
            None => gen_command(&mut self.rt, &mut self.t, kind),
        }
    }

    fn x_output(&mut self, kind: usize, len: usize) {
        match self.vocab {
            Some(v) => tools::output(v, &mut self.rt, &mut self.t, kind, len, self.now),
            None => gen_output(&mut self.rt, &mut self.t, kind, len),
        }
    }

    fn sz(&self, nominal: u64, floor: u64) -> usize {
        (((nominal as f64) * self.scale) as u64).max(floor) as usize
    }

    fn begin(&mut self) -> usize {
        self.out.buf.len()
    }

    fn push(&mut self, ty: u8, kind: u8, a: usize) {
        let b = self.out.buf.len();
        self.out.lines.push(Line {
            ts: self.now,
            ty,
            kind,
            a,
            b,
        });
        self.now += 1;
    }

    fn tick(&mut self, lo: u64, hi: u64) {
        self.now += self.rs.range(lo, hi) as i64;
    }

    fn v(&self) -> u32 {
        self.p.vnum
    }

    // ── line writers ──

    fn git(&mut self) {
        if let Some(repo) = self.cwd.repo {
            let h = hex_id(&mut self.rs, 40);
            let br = self.rs.pick(BRANCHES);
            let b = &mut self.out.buf;
            b.s(",\"git\":{\"commit_hash\":");
            b.js(&h);
            b.s(",\"branch\":");
            b.js(br);
            b.s(",\"repository_url\":");
            b.js(repo);
            b.s("}");
        }
    }

    fn session_meta(&mut self, created: i64, parent: Option<&str>) {
        let a = self.begin();
        let v = self.v();
        let bi = if v >= 88 {
            Some(base_instructions(v, self.sz(14_000, 300)))
        } else {
            None
        };
        let instr = if v < 88 && self.rs.pm(400) {
            Some(agents_md(self.p.cwd, self.sz(3000, 200)))
        } else {
            None
        };
        let nick = if self.p.spawn {
            Some(self.rs.pick(NICKNAMES))
        } else {
            None
        };
        let apath = if self.p.spawn {
            let mut s = String::from("/root/");
            s.push_str(self.rs.pick(STEMS));
            s.push('_');
            s.push_str(
                self.rs
                    .pick(&["audit", "review", "explorer", "tests", "worker", "docs"]),
            );
            Some(s)
        } else {
            None
        };
        let b = &mut self.out.buf;
        b.s("{");
        if v >= 139 {
            b.s("\"session_id\":");
            b.js(&self.root_id);
            b.s(",");
        }
        b.s("\"id\":");
        b.js(&self.id);
        if let Some(par) = parent {
            b.s(",\"forked_from_id\":");
            b.js(par);
            if v >= 139 && self.p.spawn {
                b.s(",\"parent_thread_id\":");
                b.js(par);
            }
        }
        b.s(",\"timestamp\":\"");
        push_ts(b, created);
        b.s("\",\"cwd\":");
        b.js(self.cwd.path);
        b.s(",\"originator\":");
        b.js(self.p.originator);
        b.s(",\"cli_version\":");
        b.js(self.p.version);
        if v < 88 {
            b.s(",\"instructions\":");
            match &instr {
                Some(s) => b.js(s),
                None => b.s("null"),
            }
        }
        b.s(",\"source\":");
        if self.p.spawn {
            b.s("{\"subagent\":{\"thread_spawn\":{\"parent_thread_id\":");
            b.js(parent.unwrap_or(""));
            b.s(",\"depth\":1,\"agent_path\":");
            b.js(apath.as_deref().unwrap_or(""));
            b.s(",\"agent_nickname\":");
            b.js(nick.unwrap_or(""));
            b.s(",\"agent_role\":null}}}");
        } else {
            b.js(self.p.source);
        }
        if v >= 139 {
            b.s(if self.p.spawn {
                ",\"thread_source\":\"subagent\""
            } else {
                ",\"thread_source\":\"user\""
            });
        }
        if let Some(nk) = nick {
            b.s(",\"agent_nickname\":");
            b.js(nk);
            b.s(",\"agent_path\":");
            b.js(apath.as_deref().unwrap_or(""));
        }
        b.s(",\"model_provider\":\"openai\"");
        if let Some(bi) = &bi {
            b.s(",\"base_instructions\":{\"text\":");
            b.js(bi);
            b.s("}");
        }
        self.git();
        self.out.buf.s("}");
        self.push(TY_META, K_META, a);
    }

    fn sandbox_json(&mut self) {
        let b = &mut self.out.buf;
        match self.sandbox {
            0 => b.s("{\"type\":\"workspace-write\",\"network_access\":false,\"exclude_tmpdir_env_var\":false,\"exclude_slash_tmp\":false}"),
            1 => b.s("{\"type\":\"danger-full-access\"}"),
            _ => b.s("{\"type\":\"read-only\"}"),
        }
    }

    fn turn_context(&mut self, turn_id: &str) {
        let a = self.begin();
        let v = self.v();
        let model = MODELS[self.model];
        let b = &mut self.out.buf;
        b.s("{");
        if v >= 100 {
            b.s("\"turn_id\":");
            b.js(turn_id);
            b.s(",");
        }
        b.s("\"cwd\":");
        b.js(self.cwd.path);
        if v >= 107 {
            b.s(",\"current_date\":\"");
            push_date(b, self.now);
            b.s("\",\"timezone\":\"UTC\"");
        }
        b.s(",\"approval_policy\":");
        b.js(self.approval);
        b.s(",\"sandbox_policy\":");
        self.sandbox_json();
        let b = &mut self.out.buf;
        b.s(",\"model\":");
        b.js(model);
        if v >= 100 {
            b.s(",\"personality\":\"pragmatic\",\"collaboration_mode\":{\"mode\":\"default\",\"settings\":{\"model\":");
            b.js(model);
            b.s(",\"reasoning_effort\":");
            b.js(self.effort);
            b.s(",\"developer_instructions\":null}}");
        }
        if v >= 108 {
            b.s(",\"realtime_active\":false");
        }
        b.s(",\"effort\":");
        b.js(self.effort);
        b.s(",\"summary\":\"auto\"");
        if v >= 78 {
            if let Some(ui) = &self.user_instr {
                b.s(",\"user_instructions\":");
                b.js(ui);
            }
            b.s(",\"truncation_policy\":{\"mode\":\"tokens\",\"limit\":10000}");
        }
        b.s("}");
        self.push(TY_TC, K_TURNCTX, a);
    }

    fn usage_json(b: &mut Vec<u8>, u: &[u64; 5]) {
        b.s("{\"input_tokens\":");
        b.n(u[0]);
        b.s(",\"cached_input_tokens\":");
        b.n(u[1]);
        b.s(",\"output_tokens\":");
        b.n(u[2]);
        b.s(",\"reasoning_output_tokens\":");
        b.n(u[3]);
        b.s(",\"total_tokens\":");
        b.n(u[4]);
        b.s("}");
    }

    fn rate_limits(&mut self) {
        if self.rs.pm(80) {
            self.rl_p = (self.rl_p + 1).min(100);
        }
        if self.rs.pm(20) {
            self.rl_s = (self.rl_s + 1).min(100);
        }
        let now_s = (self.now / 1000) as u64;
        let rp = (now_s / 18_000 + 1) * 18_000 + 1234;
        let rsec = (now_s / 604_800 + 1) * 604_800 + 98_765;
        let v = self.v();
        let b = &mut self.out.buf;
        b.s("{");
        if v >= 100 {
            b.s("\"limit_id\":\"codex\",\"limit_name\":null,");
        }
        b.s("\"primary\":{\"used_percent\":");
        b.n(self.rl_p);
        b.s(".0,\"window_minutes\":300,\"resets_at\":");
        b.n(rp);
        b.s("},\"secondary\":{\"used_percent\":");
        b.n(self.rl_s);
        b.s(".0,\"window_minutes\":10080,\"resets_at\":");
        b.n(rsec);
        b.s("},");
        if v >= 100 {
            b.s("\"credits\":null,\"plan_type\":");
            b.js(self.plan_type);
        } else {
            b.s("\"credits\":{\"has_credits\":false,\"unlimited\":false,\"balance\":null},\"plan_type\":null");
        }
        b.s("}");
    }

    /// `token_count` row; `last` None = info:null
    fn token_count(&mut self, last: Option<[u64; 5]>) {
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"token_count\",\"info\":");
        match last {
            None => b.s("null"),
            Some(l) => {
                b.s("{\"total_token_usage\":");
                Self::usage_json(b, &self.total);
                b.s(",\"last_token_usage\":");
                Self::usage_json(b, &l);
                b.s(",\"model_context_window\":");
                b.n(WINDOW);
                b.s("}");
            }
        }
        b.s(",\"rate_limits\":");
        self.rate_limits();
        self.out.buf.s("}");
        self.push(TY_EV, K_TOKEN, a);
    }

    fn last_usage(&self) -> [u64; 5] {
        // re-emit repeats the previous info unchanged: we recompute it from the last row
        self.prev_last
    }

    fn real_call(&mut self) {
        let input = self.context.max(2000);
        let cached = if self.cache_cold || self.rs.pm(40) {
            input * self.rs.below(45) / 100 / 128 * 128
        } else {
            self.last_input.min(input) / 128 * 128
        };
        self.cache_cold = false;
        let output = if self.rs.pm(920) {
            self.rs.logish(16, 2500)
        } else {
            self.rs.logish(2500, 16_000)
        };
        let reasoning = if self.rs.pm(150) {
            0
        } else {
            self.rs.below(output * 85 / 100 + 1)
        };
        let u = [input, cached, output, reasoning, input + output];
        for i in 0..5 {
            self.total[i] += u[i];
        }
        self.has_info = true;
        self.prev_last = u;
        self.token_count(Some(u));
        let ts = self.out.lines.last().map_or(self.now, |l| l.ts);
        let e = self
            .truth
            .entry((ts.div_euclid(DAY_MS), self.model))
            .or_insert([0; 5]);
        for i in 0..5 {
            e[i] += u[i];
        }
        self.last_input = input;
        self.context = input + (output - reasoning);
        self.calls += 1;
    }

    fn estimate_row(&mut self) {
        if self.has_info {
            let est = [0, 0, 0, 0, self.context];
            self.token_count(Some(est));
            // estimate rows do not change what later re-emits repeat in our model
            // (Codex re-emits the latest info, which is this estimate)
            self.prev_last = est;
        }
    }

    fn msg_item(&mut self, role: &str, text_kind: u8, text: &str, phase: Option<&str>) {
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"message\",\"role\":");
        b.js(role);
        b.s(",\"content\":[{\"type\":");
        b.s(if text_kind == 0 {
            "\"input_text\""
        } else {
            "\"output_text\""
        });
        b.s(",\"text\":");
        b.js(text);
        b.s("}]");
        if let Some(ph) = phase {
            b.s(",\"phase\":");
            b.js(ph);
        }
        b.s("}");
        self.push(TY_RI, K_MSG, a);
    }

    fn env_context(&mut self) {
        let mut s = String::from("<environment_context>\n  <cwd>");
        s.push_str(self.cwd.path);
        s.push_str("</cwd>\n  <approval_policy>");
        s.push_str(self.approval);
        s.push_str("</approval_policy>\n  <sandbox_mode>");
        s.push_str(["workspace-write", "danger-full-access", "read-only"][self.sandbox as usize]);
        s.push_str("</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>");
        s.push_str(self.cwd.shell);
        s.push_str("</shell>\n");
        if self.v() >= 107 {
            s.push_str("  <current_date>");
            s.push_str(&date_string(self.now));
            s.push_str("</current_date>\n  <timezone>UTC</timezone>\n");
        }
        s.push_str("</environment_context>");
        self.msg_item("user", 0, &s, None);
    }

    fn agent_message(&mut self, text: &str, phase: &str) {
        let v = self.v();
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"agent_message\",\"message\":");
        b.js(text);
        if v >= 98 {
            b.s(",\"phase\":");
            b.js(phase);
        }
        if v >= 118 {
            b.s(",\"memory_citation\":null");
        }
        b.s("}");
        self.push(TY_EV, K_MSG, a);
        self.now += self.rs.below(3) as i64;
        self.msg_item(
            "assistant",
            1,
            text,
            if v >= 98 { Some(phase) } else { None },
        );
    }

    fn reasoning(&mut self) {
        let v = self.v();
        let nominal = self.rs.logish(1500, 44_000);
        self.nominal += nominal;
        let len = self.sz(nominal, 60);
        let with_summary = v < 118 || self.rs.pm(600);
        self.t.clear();
        if with_summary {
            self.t.push_str("**");
            self.x_title();
            self.t.push_str("**");
            let a = self.begin();
            self.out.buf.s("{\"type\":\"agent_reasoning\",\"text\":");
            self.out.buf.js(&self.t);
            self.out.buf.s("}");
            self.push(TY_EV, K_AREASON, a);
        }
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"reasoning\",\"summary\":[");
        if with_summary {
            b.s("{\"type\":\"summary_text\",\"text\":");
            b.js(&self.t);
            b.s("}");
        }
        b.s("],\"content\":null,\"encrypted_content\":\"");
        gen_blob(&mut self.rt, b, len);
        b.s("\"}");
        self.push(TY_RI, K_REASONING, a);
    }

    fn compaction(&mut self) {
        let a = self.begin();
        self.t.clear();
        self.t.push_str("Summary of the conversation so far:\n\n");
        let n = self.sz(1500, 80);
        self.x_final(n);
        self.out.buf.s("{\"message\":");
        self.out.buf.js(&self.t);
        self.out.buf.s("}");
        self.push(TY_COMP, K_COMPACT, a);
        let a = self.begin();
        self.out.buf.s("{\"type\":\"context_compacted\"}");
        self.push(TY_EV, K_COMPACT, a);
        self.context = self.rs.range(12_000, 30_000);
        self.cache_cold = true;
        self.estimate_row();
    }

    fn tool_call(&mut self, pend: &mut Vec<Pending>) {
        let v = self.v();
        let cid = call_id(&mut self.rs);
        let r = self.rs.below(1000);
        if r < 110 {
            // apply_patch (freeform custom tool)
            self.t.clear();
            self.t.push_str("*** Begin Patch\n");
            let n = self.rs.range(1, 3);
            for _ in 0..n {
                let add = self.rt.pm(250);
                self.t.push_str(if add {
                    "*** Add File: "
                } else {
                    "*** Update File: "
                });
                let plang = self.x_path();
                self.t.push('\n');
                let len = {
                    let nom = self.rs.logish(300, 6000);
                    self.sz(nom, 60)
                };
                let stop = self.t.len() + len;
                let lang = plang.unwrap_or_else(|| self.rt.below(3) as u8);
                if !add {
                    self.t.push_str("@@\n");
                }
                while self.t.len() < stop {
                    self.t.push(if add {
                        '+'
                    } else {
                        self.rt.pick(&[' ', ' ', '-', '+', '+'])
                    });
                    self.x_code_line(lang);
                }
            }
            self.t.push_str("*** End Patch");
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"custom_tool_call\",\"status\":\"completed\",\"call_id\":");
            b.js(&cid);
            b.s(",\"name\":\"apply_patch\",\"input\":");
            b.js(&self.t);
            b.s("}");
            self.push(TY_RI, K_CUSTOM, a);
            pend.push(Pending {
                call_id: cid,
                custom: true,
                plan: false,
                kind: 0,
                cmd: String::new(),
                nominal: 200,
                exit: 0,
            });
        } else if r < 140 {
            self.t.clear();
            self.t2.clear();
            self.t2.s("{\"explanation\":");
            self.x_sentence();
            let ex = std::mem::take(&mut self.t);
            self.t2.js(&ex);
            self.t2.s(",\"plan\":[");
            for i in 0..self.rs.range(2, 6) {
                if i > 0 {
                    self.t2.s(",");
                }
                self.t.clear();
                self.x_title();
                self.t2.s("{\"status\":");
                self.t2
                    .js(self.rs.pick(&["completed", "in_progress", "pending"]));
                self.t2.s(",\"step\":");
                let st = std::mem::take(&mut self.t);
                self.t2.js(&st);
                self.t2.s("}");
            }
            self.t2.s("]}");
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"function_call\",\"name\":\"update_plan\",\"arguments\":\"");
            esc(b, &self.t2);
            b.s("\",\"call_id\":");
            b.js(&cid);
            b.s("}");
            self.push(TY_RI, K_FCALL, a);
            pend.push(Pending {
                call_id: cid,
                custom: false,
                plan: true,
                kind: 0,
                cmd: String::new(),
                nominal: 20,
                exit: 0,
            });
        } else {
            let kind = self.x_out_kind();
            self.t.clear();
            self.x_command(kind);
            let cmd = self.t.clone();
            let exec = v >= 100 && self.rs.pm(800);
            self.t2.clear();
            if exec {
                self.t2.s("{\"cmd\":");
                self.t2.js(&cmd);
                self.t2.s(",\"workdir\":");
                self.t2.js(self.cwd.path);
                if self.rs.pm(500) {
                    self.t2.s(",\"yield_time_ms\":");
                    self.t2.n(self.rs.pick(&[1000, 10000, 30000]));
                    self.t2.s(",\"max_output_tokens\":");
                    self.t2.n(self.rs.pick(&[4000, 12000, 20000]));
                }
                self.t2.s("}");
            } else {
                self.t2.s("{\"command\":");
                self.t2.js(&cmd);
                self.t2.s(",\"workdir\":");
                self.t2.js(self.cwd.path);
                if self.rs.pm(200) {
                    self.t2.s(",\"timeout_ms\":120000");
                }
                self.t2.s("}");
            }
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"function_call\",\"name\":");
            b.s(if exec {
                "\"exec_command\""
            } else {
                "\"shell_command\""
            });
            b.s(",\"arguments\":\"");
            esc(b, &self.t2);
            b.s("\",\"call_id\":");
            b.js(&cid);
            b.s("}");
            self.push(TY_RI, K_FCALL, a);
            let nominal = if self.rs.pm(500) {
                self.rs.range(1000, 50_000)
            } else {
                self.rs.logish(1000, 50_000)
            };
            let exit = if self.rt.pm(85) {
                self.rt.pick(&[1, 2, 101, 127])
            } else {
                0
            };
            pend.push(Pending {
                call_id: cid,
                custom: false,
                plan: false,
                kind: if exec { 100 + kind } else { kind },
                cmd,
                nominal,
                exit,
            });
        }
    }

    fn tool_output(&mut self, pd: &Pending, turn_id: &str, dur_ms: u64) {
        let v = self.v();
        self.nominal += pd.nominal;
        self.context += (pd.nominal / 4).min(2500);
        if pd.custom {
            self.t.clear();
            self.t.push_str("Success. Updated the following files:\n");
            for _ in 0..self.rt.range(1, 3) {
                self.t.push_str(self.rt.pick(&["M ", "M ", "A "]));
                self.x_path();
                self.t.push('\n');
            }
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"custom_tool_call_output\",\"call_id\":");
            b.js(&pd.call_id);
            b.s(",\"output\":");
            if v >= 139 {
                let s = format!("Exit code: 0\nWall time: 0 seconds\nOutput:\n{}", self.t);
                b.js(&s);
            } else {
                self.t2.clear();
                self.t2.s("{\"output\":");
                self.t2.js(&self.t);
                self.t2
                    .s(",\"metadata\":{\"exit_code\":0,\"duration_seconds\":0.0}}");
                b.push(b'"');
                esc(b, &self.t2);
                b.push(b'"');
            }
            b.s("}");
            self.push(TY_RI, K_CUSTOM, a);
            return;
        }
        if pd.plan {
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"function_call_output\",\"call_id\":");
            b.js(&pd.call_id);
            b.s(",\"output\":\"Plan updated\"}");
            self.push(TY_RI, K_FCO, a);
            return;
        }
        let exec = pd.kind >= 100;
        let kind = pd.kind % 100;
        let len = self.sz(pd.nominal, 24);
        self.t.clear();
        self.x_output(kind, len);
        let body_len = self.t.len();
        // header
        let mut h = String::new();
        if exec {
            if v >= 139 {
                h.push_str("Command: /bin/bash -lc '");
                h.push_str(&pd.cmd.replace('\'', "'\\''"));
                h.push_str("'\n");
            }
            h.push_str("Chunk ID: ");
            h.push_str(&hex_id(&mut self.rt, 6));
            h.push_str("\nWall time: ");
            h.push_str(&secs(dur_ms, 4));
            h.push_str(" seconds\nProcess exited with code ");
            h.push_str(&pd.exit.to_string());
            h.push_str("\nOriginal token count: ");
            h.push_str(&(body_len / 4).to_string());
            h.push_str("\nOutput:\n");
        } else {
            h.push_str("Exit code: ");
            h.push_str(&pd.exit.to_string());
            h.push_str("\nWall time: ");
            h.push_str(&secs(dur_ms, 1));
            h.push_str(" seconds\nOutput:\n");
        }
        if self.p.originator == "codex-tui" && exec {
            // extended history (TUI on app-server): exec_command_end precedes the output
            let cap = self.sz(2500, 40).min(body_len);
            let mut cut = cap;
            while !self.t.is_char_boundary(cut) {
                cut -= 1;
            }
            let a = self.begin();
            let b = &mut self.out.buf;
            b.s("{\"type\":\"exec_command_end\",\"call_id\":");
            b.js(&pd.call_id);
            b.s(",\"process_id\":\"");
            b.n(10_000 + self.rs.below(90_000));
            b.s("\",\"turn_id\":");
            b.js(turn_id);
            b.s(",\"command\":[\"/bin/bash\",\"-lc\",");
            b.js(&pd.cmd);
            b.s("],\"cwd\":");
            b.js(self.cwd.path);
            b.s(",\"parsed_cmd\":[],\"source\":\"unified_exec_startup\",\"stdout\":\"\",\"stderr\":\"\",\"aggregated_output\":");
            b.js(&self.t[..cut]);
            b.s(",\"exit_code\":");
            b.n(u64::from(pd.exit));
            b.s(",\"duration\":{\"secs\":");
            b.n(dur_ms / 1000);
            b.s(",\"nanos\":");
            b.n((dur_ms % 1000) * 1_000_000);
            b.s("},\"formatted_output\":\"\",\"status\":\"completed\"}");
            self.push(TY_EV, K_EXECEND, a);
        }
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"function_call_output\",\"call_id\":");
        b.js(&pd.call_id);
        b.s(",\"output\":\"");
        esc(b, h.as_bytes());
        esc(b, self.t.as_bytes());
        b.s("\"}");
        self.push(TY_RI, K_FCO, a);
    }

    fn task_event(&mut self, kind: &str, turn_id: &str, last_msg: Option<&str>, started: i64) {
        let v = self.v();
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":");
        b.js(kind);
        b.s(",\"turn_id\":");
        b.js(turn_id);
        match kind {
            "task_started" => {
                if v >= 118 {
                    b.s(",\"started_at\":");
                    b.n((self.now / 1000) as u64);
                }
                b.s(",\"model_context_window\":");
                b.n(WINDOW);
                b.s(",\"collaboration_mode_kind\":\"default\"");
            }
            "task_complete" => {
                b.s(",\"last_agent_message\":");
                match last_msg {
                    Some(m) => b.js(m),
                    None => b.s("null"),
                }
                if v >= 118 {
                    b.s(",\"completed_at\":");
                    b.n((self.now / 1000) as u64);
                    b.s(",\"duration_ms\":");
                    b.n((self.now - started).max(0) as u64);
                }
            }
            _ => {
                b.s(",\"reason\":\"interrupted\"");
            }
        }
        b.s("}");
        self.push(TY_EV, K_TASK, a);
    }

    fn snapshot(&mut self) {
        self.snaps.push(Snap {
            line_end: self.out.lines.len(),
            now: self.now,
            total: self.total,
            has_info: self.has_info,
            context: self.context,
            model: self.model,
            last: self.prev_last,
        });
    }

    fn turn(&mut self, turn_no: usize, first_in_file: bool, exec: bool) {
        let v = self.v();
        let turn_id = uuid7(self.now, &mut self.rs);
        let started = self.now;
        let mut switched = false;
        if turn_no > 0 || self.p.parent.is_some() {
            if self.p.sol && turn_no == 1 {
                switched = self.model != SOL;
                self.model = SOL;
            } else if self.model == SOL && self.rs.pm(400) {
                self.model = self.rs.weighted(MODEL_W);
                switched = true;
            } else if self.rs.pm(if turn_no == 0 { 250 } else { 45 }) {
                let m = self.rs.weighted(MODEL_W);
                switched = m != self.model;
                self.model = m;
            }
        }
        if v >= 100 {
            self.task_event("task_started", &turn_id, None, started);
        }
        if first_in_file {
            if v >= 93 {
                let s = permissions_text(v, self.sz(1500, 80));
                self.msg_item("developer", 0, &s, None);
            }
            if self.rs.pm(450) {
                let mut s = String::from("# AGENTS.md instructions for ");
                s.push_str(self.cwd.path);
                s.push_str("\n\n<INSTRUCTIONS>\n");
                s.push_str(&agents_md(self.p.cwd, self.sz(3500, 200)));
                s.push_str("\n</INSTRUCTIONS>");
                self.msg_item("user", 0, &s, None);
            }
            self.env_context();
        } else if self.rs.pm(if turn_no == 0 { 500 } else { 120 }) {
            self.env_context();
        }
        if v >= 107 {
            self.turn_context(&turn_id);
        }
        // user prompt
        self.tick(5, 40);
        let unom = if self.rs.pm(800) {
            self.rs.logish(30, 1200)
        } else {
            self.rs.logish(1200, 12_000)
        };
        let ulen = self.sz(unom, 20);
        self.t.clear();
        if self.rt.pm(300) {
            self.t.push_str(
                self.rt
                    .pick(&["Can you ", "Please ", "Let's ", "Now ", "Next, "]),
            );
            let vb = self.rt.pick(VERBS).to_lowercase();
            self.t.push_str(&vb);
            self.t.push_str(" the ");
            self.t.push_str(self.rt.pick(WORDS));
            self.t.push_str(" in `");
            self.x_path();
            self.t.push_str("`. ");
        }
        self.x_prose(ulen);
        let prompt = std::mem::take(&mut self.t);
        self.msg_item("user", 0, &prompt, None);
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"type\":\"user_message\",\"message\":");
        b.js(&prompt);
        b.s(",\"images\":[]");
        if v >= 84 {
            b.s(",\"local_images\":[],\"text_elements\":[]");
        }
        b.s("}");
        self.push(TY_EV, K_MSG, a);
        self.context += unom / 4 + 30;
        if v < 107 {
            self.tick(2, 20);
            self.turn_context(&turn_id);
        }
        if switched {
            self.estimate_row();
        }
        let ncalls = if exec {
            u64::MAX
        } else if self.p.sol && turn_no == 0 {
            self.rs.range(1, 3)
        } else {
            self.rs.logish(1, 30)
        };
        let aborted = !exec && self.rs.pm(25);
        let mut last_msg: Option<String> = None;
        let mut c = 0u64;
        loop {
            let last = c + 1 >= ncalls || self.nominal >= self.target;
            if c > 0 && v < 107 {
                self.tick(2, 30);
                self.turn_context(&turn_id);
            }
            if self.context > WINDOW * 8 / 10 {
                self.tick(500, 4000);
                self.compaction();
            }
            // rate-limit refresh at request start: re-emits the previous info unchanged
            self.tick(150, 1500);
            if !self.has_info {
                self.token_count(None);
            } else if self.rs.pm(430) {
                let l = self.last_usage();
                self.token_count(Some(l));
            }
            self.tick(800, 25_000);
            if self.rs.pm(920) {
                self.reasoning();
            }
            if last && aborted {
                self.tick(200, 20_000);
                if v >= 100 {
                    self.task_event("turn_aborted", &turn_id, None, started);
                } else {
                    let a = self.begin();
                    self.out
                        .buf
                        .s("{\"type\":\"turn_aborted\",\"reason\":\"interrupted\"}");
                    self.push(TY_EV, K_TASK, a);
                }
                break;
            }
            if last {
                self.tick(300, 20_000);
                let n = {
                    let nom = if self.rs.pm(700) {
                        self.rs.logish(300, 3000)
                    } else {
                        self.rs.logish(3000, 16_000)
                    };
                    self.sz(nom, 60)
                };
                self.t.clear();
                self.x_final(n);
                let m = std::mem::take(&mut self.t);
                self.agent_message(&m, "final_answer");
                self.tick(2, 20);
                self.real_call();
                last_msg = Some(m);
                break;
            }
            if self.rs.pm(550) {
                self.tick(100, 3000);
                let n = {
                    let nom = self.rs.logish(120, 2400);
                    self.sz(nom, 40)
                };
                self.t.clear();
                self.x_prose(n);
                let m = std::mem::take(&mut self.t);
                self.agent_message(&m, "commentary");
            }
            let k = self.rs.weighted(&[30, 24, 20, 12, 7, 7]) + 1;
            let mut pend = Vec::with_capacity(k);
            for _ in 0..k {
                self.tick(3, 300);
                self.tool_call(&mut pend);
            }
            self.tick(2, 15);
            self.real_call();
            let dur = if self.rs.pm(900) {
                self.rs.logish(20, 8000)
            } else {
                self.rs.logish(8000, 300_000)
            };
            self.now += dur as i64;
            for pd in &pend {
                self.tool_output(pd, &turn_id, dur);
                self.now += self.rs.below(3) as i64;
            }
            c += 1;
        }
        if v >= 100 && !aborted {
            self.tick(2, 60);
            self.task_event("task_complete", &turn_id, last_msg.as_deref(), started);
        }
        self.snapshot();
    }

    fn run_v2(&mut self, fork: Option<(&Out, &[Snap], &str, &str)>) {
        let exec = self.p.source == "exec";
        if self.rs.pm(300) && self.v() >= 78 {
            self.user_instr = Some(agents_md(self.p.cwd, self.sz(2500, 150)));
        }
        let first_turn_fresh;
        match fork {
            None => {
                let created = self.p.created;
                self.created = created;
                self.id = uuid7(created, &mut self.rs);
                self.root_id = self.id.clone();
                // since 0.99 the file is created lazily at the first turn
                self.now = created
                    + if self.v() >= 99 {
                        self.rs.logish(500, 90_000)
                    } else {
                        self.rs.range(10, 200)
                    } as i64;
                self.session_meta(created, None);
                self.context = self.rs.range(6_000, 14_000);
                first_turn_fresh = true;
            }
            Some((pout, psnaps, pid, proot)) => {
                let si = self.rs.below(psnaps.len() as u64) as usize;
                let snap = psnaps[si];
                let mut fork_ms = snap.now + self.rs.range(1_000, 600_000) as i64;
                fork_ms = fork_ms / 1000 * 1000 + self.rs.below(60) as i64;
                let created = fork_ms - self.rs.range(300, 6_000) as i64;
                self.id = uuid7(created, &mut self.rs);
                self.root_id = proot.to_string();
                self.now = fork_ms;
                self.session_meta(created, Some(pid));
                let ncopy = snap.line_end;
                for (i, l) in pout.lines[..ncopy].iter().enumerate() {
                    let a = self.out.buf.len();
                    self.out.buf.extend_from_slice(&pout.buf[l.a..l.b]);
                    let b = self.out.buf.len();
                    let ts = fork_ms + (i as i64 * 800) / (ncopy as i64).max(1);
                    self.out.lines.push(Line {
                        ts,
                        ty: l.ty,
                        kind: l.kind,
                        a,
                        b,
                    });
                }
                self.now = fork_ms + 900 + self.rs.range(1_500, 8_000) as i64;
                self.total = snap.total;
                self.has_info = snap.has_info;
                self.context = snap.context;
                self.model = snap.model;
                self.cache_cold = true;
                // re-emits after seeding repeat the parent's last info
                self.prev_last = snap.last;
                self.created = created;
                first_turn_fresh = false;
            }
        }
        let mut turn_no = 0;
        loop {
            self.turn(turn_no, turn_no == 0 && first_turn_fresh, exec);
            turn_no += 1;
            if self.nominal >= self.target {
                break;
            }
            // between turns
            if self.p.resets
                && self.resets_done < 3
                && self.total[0] > 300_000
                && self.rs.pm(if self.resets_done == 0 { 350 } else { 150 })
            {
                // pre-0.78 `codex resume`: same file, totals restart from zero
                self.now += self.rs.logish(600_000, 30 * 3_600_000) as i64;
                self.total = [0; 5];
                self.has_info = false;
                self.cache_cold = true;
                self.resets_done += 1;
            } else if self.rs.pm(25) {
                // resume later (0.78+: totals continue)
                self.now += self.rs.logish(3_600_000, 30 * 3_600_000) as i64;
                self.cache_cold = true;
            } else {
                self.now += self.rs.logish(4_000, 1_800_000) as i64;
            }
        }
        if self.p.resets && self.resets_done == 0 {
            // make sure a reset session really contains a reset: one more resumed turn
            if self.total[0] > 300_000 {
                self.now += self.rs.logish(600_000, 30 * 3_600_000) as i64;
                self.total = [0; 5];
                self.has_info = false;
                self.cache_cold = true;
                self.resets_done += 1;
                self.turn(turn_no, false, exec);
            }
        }
    }

    // ── legacy v1 ──

    fn raw_push(&mut self, kind: u8, a: usize) {
        self.push(TY_RAW, kind, a);
    }

    fn v1_state(&mut self) {
        let a = self.begin();
        self.out.buf.s("{\"record_type\":\"state\"}");
        self.raw_push(K_STATE, a);
    }

    fn v1_msg(&mut self, role: &str, text: &str) {
        let a = self.begin();
        let id = if role == "user" {
            None
        } else {
            Some(format!("msg_{}", hex_id(&mut self.rs, 48)))
        };
        let b = &mut self.out.buf;
        b.s("{\"type\":\"message\",\"id\":");
        match &id {
            None => b.s("null"),
            Some(i) => b.js(i),
        }
        b.s(",\"role\":");
        b.js(role);
        b.s(",\"content\":[{\"type\":");
        b.s(if role == "user" {
            "\"input_text\""
        } else {
            "\"output_text\""
        });
        b.s(",\"text\":");
        b.js(text);
        b.s("}]}");
        self.raw_push(K_MSG, a);
    }

    fn run_v1(&mut self) {
        let created = self.p.created;
        self.id = uuid4(&mut self.rs);
        self.now = created;
        let instr = if self.rs.pm(400) {
            Some(agents_md(self.p.cwd, self.sz(3000, 200)))
        } else {
            None
        };
        let a = self.begin();
        let b = &mut self.out.buf;
        b.s("{\"id\":");
        b.js(&self.id);
        b.s(",\"timestamp\":\"");
        push_ts(b, created);
        b.s("\",\"instructions\":");
        match &instr {
            Some(s) => b.js(s),
            None => b.s("null"),
        }
        self.git();
        self.out.buf.s("}");
        self.raw_push(K_META, a);
        self.v1_state();
        let mut first = true;
        while self.nominal < self.target {
            self.tick(2_000, 600_000);
            if first {
                let mut s = String::from("<environment_context>\n  <cwd>");
                s.push_str(self.cwd.path);
                s.push_str("</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>workspace-write</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>");
                s.push_str(self.cwd.shell);
                s.push_str("</shell>\n</environment_context>");
                self.v1_msg("user", &s);
                first = false;
            }
            let n = {
                let nom = self.rs.logish(30, 2000);
                self.sz(nom, 20)
            };
            self.t.clear();
            self.x_prose(n);
            let prompt = std::mem::take(&mut self.t);
            self.v1_msg("user", &prompt);
            self.v1_state();
            let ncalls = self.rs.logish(1, 20);
            for c in 0..ncalls {
                let last = c + 1 == ncalls || self.nominal >= self.target;
                self.tick(800, 20_000);
                if self.rs.pm(850) {
                    let nominal = self.rs.logish(1500, 44_000);
                    self.nominal += nominal;
                    let len = self.sz(nominal, 60);
                    let rid = format!("rs_{}", hex_id(&mut self.rs, 48));
                    let a = self.begin();
                    let b = &mut self.out.buf;
                    b.s("{\"type\":\"reasoning\",\"id\":");
                    b.js(&rid);
                    b.s(",\"summary\":[],\"content\":null,\"encrypted_content\":\"");
                    gen_blob(&mut self.rt, b, len);
                    b.s("\"}");
                    self.raw_push(K_REASONING, a);
                }
                if last {
                    let n = {
                        let nom = self.rs.logish(300, 6000);
                        self.sz(nom, 60)
                    };
                    self.t.clear();
                    self.x_final(n);
                    let m = std::mem::take(&mut self.t);
                    self.v1_msg("assistant", &m);
                    self.v1_state();
                    break;
                }
                let k = self.rs.weighted(&[40, 30, 20, 10]) + 1;
                let mut calls = Vec::new();
                for _ in 0..k {
                    let cid = call_id(&mut self.rs);
                    let fid = format!("fc_{}", hex_id(&mut self.rs, 48));
                    let kind = self.x_out_kind();
                    self.t.clear();
                    self.x_command(kind);
                    self.t2.clear();
                    self.t2.s("{\"command\":[\"bash\",\"-lc\",");
                    self.t2.js(&self.t);
                    self.t2.s("]}");
                    let a = self.begin();
                    let b = &mut self.out.buf;
                    b.s("{\"type\":\"function_call\",\"id\":");
                    b.js(&fid);
                    b.s(",\"name\":\"shell\",\"arguments\":\"");
                    esc(b, &self.t2);
                    b.s("\",\"call_id\":");
                    b.js(&cid);
                    b.s("}");
                    self.raw_push(K_FCALL, a);
                    let nominal = if self.rs.pm(500) {
                        self.rs.range(1000, 50_000)
                    } else {
                        self.rs.logish(1000, 50_000)
                    };
                    calls.push((cid, kind, nominal));
                    self.tick(3, 200);
                }
                let dur = self.rs.logish(20, 20_000);
                self.now += dur as i64;
                for (cid, kind, nominal) in calls {
                    self.nominal += nominal;
                    let len = self.sz(nominal, 24);
                    self.t.clear();
                    self.x_output(kind, len);
                    let exit = u64::from(self.rt.pm(85));
                    self.t2.clear();
                    self.t2.s("{\"output\":");
                    self.t2.js(&self.t);
                    self.t2.s(",\"metadata\":{\"exit_code\":");
                    self.t2.n(exit);
                    self.t2.s(",\"duration_seconds\":");
                    self.t2.s(&secs(dur, 1));
                    self.t2.s("}}");
                    let a = self.begin();
                    let b = &mut self.out.buf;
                    b.s("{\"type\":\"function_call_output\",\"call_id\":");
                    b.js(&cid);
                    b.s(",\"output\":\"");
                    esc(b, &self.t2);
                    b.s("\"}");
                    self.raw_push(K_FCO, a);
                    self.now += 1;
                }
                self.v1_state();
            }
        }
    }
}

// ───────────────────────────── writing ─────────────────────────────

#[derive(Default, Clone)]
struct Stats {
    files: u64,
    archived: u64,
    bytes: u64,
    lines: u64,
    kind_bytes: [u64; NK],
    kind_lines: [u64; NK],
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.files += o.files;
        self.archived += o.archived;
        self.bytes += o.bytes;
        self.lines += o.lines;
        for i in 0..NK {
            self.kind_bytes[i] += o.kind_bytes[i];
            self.kind_lines[i] += o.kind_lines[i];
        }
    }
}

struct SessRes {
    id: String,
    v2: bool,
    last_ts: i64,
    truth: Truth,
    stats: Stats,
}

fn file_name(created: i64, id: &str) -> (String, String) {
    let mut v = Vec::new();
    push_ts(&mut v, created);
    let s = String::from_utf8(v).expect("ascii");
    // s = YYYY-MM-DDThh:mm:ss.mmmZ
    let dir = format!("{}/{}/{}", &s[0..4], &s[5..7], &s[8..10]);
    let name = format!(
        "rollout-{}T{}-{}-{}-{}.jsonl",
        &s[0..10],
        &s[11..13],
        &s[14..16],
        &s[17..19],
        id
    );
    (dir, name)
}

fn envelope(line: &mut Vec<u8>, l: &Line, buf: &[u8], ordinal: Option<u64>) {
    line.clear();
    if l.ty == TY_RAW {
        line.extend_from_slice(&buf[l.a..l.b]);
        return;
    }
    line.s("{\"timestamp\":\"");
    push_ts(line, l.ts);
    line.s("\"");
    if let Some(o) = ordinal {
        line.s(",\"ordinal\":");
        line.n(o);
    }
    line.s(",\"type\":\"");
    line.s(TY_NAMES[l.ty as usize]);
    line.s("\",\"payload\":");
    line.extend_from_slice(&buf[l.a..l.b]);
    line.s("}");
}

fn write_session(
    root: &Path,
    p: &Plan,
    created: i64,
    id: &str,
    out: &Out,
) -> std::io::Result<Stats> {
    let (dir, name) = file_name(created, id);
    let path: PathBuf = if p.archived {
        root.join("archived_sessions").join(&name)
    } else {
        root.join("sessions").join(&dir).join(&name)
    };
    fs::create_dir_all(path.parent().expect("session file has a parent dir"))?;
    let f = File::create(&path)?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    let mut st = Stats {
        files: 1,
        archived: u64::from(p.archived),
        ..Default::default()
    };
    let eol: &[u8] = if p.crlf { b"\r\n" } else { b"\n" };
    let mut r = Rng::new(mix(p.seed, 3));
    let n = out.lines.len();
    let find_kind = |from: usize, kinds: &[u8]| -> Option<usize> {
        (from..n)
            .chain(1..from.min(n))
            .find(|&i| kinds.contains(&out.lines[i].kind) && out.lines[i].ty != TY_META)
    };
    let trunc_at = if p.trunc_mid && n > 3 {
        find_kind(
            n / 3 + r.below((n / 3) as u64 + 1) as usize,
            &[K_FCO, K_REASONING],
        )
    } else {
        None
    };
    let nul_at = if p.nul_run && n > 3 {
        Some(1 + r.below(n as u64 - 1) as usize)
    } else {
        None
    };
    let bad_at = if p.bad_utf8 && n > 3 {
        find_kind(1 + r.below(n as u64 - 1) as usize, &[K_FCO])
    } else {
        None
    };
    let mut line = Vec::with_capacity(1 << 16);
    let mut ordinal = 0u64;
    let junk = |w: &mut BufWriter<File>, st: &mut Stats, bytes: &[u8]| -> std::io::Result<()> {
        w.write_all(bytes)?;
        st.kind_bytes[K_JUNK as usize] += bytes.len() as u64;
        st.kind_lines[K_JUNK as usize] += 1;
        st.bytes += bytes.len() as u64;
        st.lines += 1;
        Ok(())
    };
    for (i, l) in out.lines.iter().enumerate() {
        if Some(i) == nul_at {
            let mut z = vec![0u8; r.range(64, 4096) as usize];
            z.extend_from_slice(eol);
            junk(&mut w, &mut st, &z)?;
        }
        envelope(
            &mut line,
            l,
            &out.buf,
            if p.ordinal { Some(ordinal) } else { None },
        );
        ordinal += 1;
        if Some(i) == trunc_at {
            // a line cut short by a crash, followed by the rewritten full line
            let cut = (line.len() as u64 * r.range(20, 90) / 100) as usize;
            let mut z = line[..cut.max(10)].to_vec();
            z.extend_from_slice(eol);
            junk(&mut w, &mut st, &z)?;
        }
        if Some(i) == bad_at {
            // a stray latin-1 byte inside the output string → invalid UTF-8
            let start = find_sub(&line, b"\"output\":\"").map_or(line.len() / 2, |x| x + 12);
            let mut pos = start + (line.len().saturating_sub(start)) / 2;
            while pos + 2 < line.len()
                && !(line[pos - 1].is_ascii_alphanumeric() && line[pos].is_ascii_alphanumeric())
            {
                pos += 1;
            }
            if pos + 2 < line.len() {
                line.insert(pos, 0xE9);
            }
        }
        w.write_all(&line)?;
        w.write_all(eol)?;
        let len = (line.len() + eol.len()) as u64;
        st.kind_bytes[l.kind as usize] += len;
        st.kind_lines[l.kind as usize] += 1;
        st.bytes += len;
        st.lines += 1;
    }
    let mut last_ts = out.lines.last().map_or(created, |l| l.ts);
    if p.torn && n > 1 {
        // crash while appending the final line: partial line, no newline
        let src = find_kind(n / 2, &[K_FCO, K_REASONING]).unwrap_or(n - 1);
        let l = &out.lines[src];
        last_ts += r.range(5, 900) as i64;
        let fake = Line {
            ts: last_ts,
            ty: l.ty,
            kind: l.kind,
            a: l.a,
            b: l.b,
        };
        envelope(
            &mut line,
            &fake,
            &out.buf,
            if p.ordinal { Some(ordinal) } else { None },
        );
        let cut = (line.len() as u64 * r.range(30, 80) / 100) as usize;
        junk(&mut w, &mut st, &line[..cut.max(10)])?;
    }
    w.flush()?;
    let f = w
        .into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    let mt = UNIX_EPOCH + Duration::from_millis(last_ts.max(0) as u64);
    let _ = f.set_modified(mt);
    Ok(st)
}

fn find_sub(h: &[u8], n: &[u8]) -> Option<usize> {
    h.windows(n.len()).position(|w| w == n)
}

// ───────────────────────────── main ─────────────────────────────

struct Args {
    sessions: usize,
    seed: u64,
    out: PathBuf,
    scale: f64,
    start: i64,
    days: i64,
    truth: Option<PathBuf>,
    stats: bool,
    rich: bool,
    huge: usize,
}

fn usage() -> ! {
    eprintln!(
        "usage: gen_history --sessions N --seed S --out DIR [--scale F] [--start YYYY-MM-DD] [--days D] [--truth FILE] [--stats] [--vocabulary plain|rich] [--huge H]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        sessions: 0,
        seed: 0,
        out: PathBuf::new(),
        scale: 1.0,
        start: days_from_civil(2026, 1, 1),
        days: 60,
        truth: None,
        stats: false,
        rich: false,
        huge: 0,
    };
    let mut have = (false, false, false);
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| usage());
        match k.as_str() {
            "--sessions" => {
                a.sessions = val().parse().unwrap_or_else(|_| usage());
                have.0 = true;
            }
            "--seed" => {
                a.seed = val().parse().unwrap_or_else(|_| usage());
                have.1 = true;
            }
            "--out" => {
                a.out = PathBuf::from(val());
                have.2 = true;
            }
            "--scale" => a.scale = val().parse().unwrap_or_else(|_| usage()),
            "--start" => a.start = parse_date(&val()).unwrap_or_else(|| usage()),
            "--days" => a.days = val().parse().unwrap_or_else(|_| usage()),
            "--truth" => a.truth = Some(PathBuf::from(val())),
            "--stats" => a.stats = true,
            "--vocabulary" => {
                a.rich = match val().as_str() {
                    "plain" => false,
                    "rich" => true,
                    _ => usage(),
                }
            }
            "--huge" => a.huge = val().parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    if !(have.0 && have.1 && have.2) || a.days < 1 || a.scale.is_nan() || a.scale <= 0.0 {
        usage();
    }
    a
}

fn run_job(args: &Args, plans: &[Plan], job: &[usize]) -> std::io::Result<Vec<(usize, SessRes)>> {
    let mut res = Vec::new();
    let root = &plans[job[0]];
    let mut sim = Sim::new(root, args.scale, args.rich);
    if root.legacy {
        sim.run_v1();
    } else {
        sim.run_v2(None);
    }
    let stats = write_session(&args.out, root, sim.created, &sim.id, &sim.out)?;
    let last_ts = sim.out.lines.last().map_or(root.created, |l| l.ts);
    let parent_id = sim.id.clone();
    let parent_root = sim.root_id.clone();
    let parent = sim;
    for &ci in &job[1..] {
        let cp = &plans[ci];
        let mut cs = Sim::new(cp, args.scale, args.rich);
        cs.run_v2(Some((&parent.out, &parent.snaps, &parent_id, &parent_root)));
        let cst = write_session(&args.out, cp, cs.created, &cs.id, &cs.out)?;
        res.push((
            ci,
            SessRes {
                id: cs.id.clone(),
                v2: true,
                last_ts: cs.out.lines.last().map_or(cs.created, |l| l.ts),
                truth: std::mem::take(&mut cs.truth),
                stats: cst,
            },
        ));
    }
    let mut parent = parent;
    res.push((
        job[0],
        SessRes {
            id: parent_id,
            v2: !root.legacy,
            last_ts,
            truth: std::mem::take(&mut parent.truth),
            stats,
        },
    ));
    Ok(res)
}

fn main() {
    let args = parse_args();
    let t0 = Instant::now();
    let plans = make_plans(
        args.sessions,
        args.seed,
        args.start,
        args.days,
        (args.huge, args.scale),
    );
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    let mut job_of = vec![usize::MAX; plans.len()];
    for p in &plans {
        if p.parent.is_none() {
            job_of[p.idx] = jobs.len();
            jobs.push(vec![p.idx]);
        }
    }
    for p in &plans {
        if let Some(par) = p.parent {
            jobs[job_of[par]].push(p.idx);
        }
    }
    // biggest jobs first for load balance (order does not affect output)
    jobs.sort_by_key(|j| (std::cmp::Reverse(plans[j[0]].target), j[0]));
    fs::create_dir_all(args.out.join("sessions")).expect("create output dir");
    fs::create_dir_all(args.out.join("archived_sessions")).expect("create output dir");

    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<SessRes>>> = Mutex::new((0..plans.len()).map(|_| None).collect());
    let threads = std::thread::available_parallelism()
        .map_or(2, std::num::NonZero::get)
        .clamp(1, 8);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    if j >= jobs.len() {
                        break;
                    }
                    match run_job(&args, &plans, &jobs[j]) {
                        Ok(rs) => {
                            let mut g = results.lock().expect("results lock");
                            for (i, r) in rs {
                                g[i] = Some(r);
                            }
                        }
                        Err(e) => {
                            eprintln!("gen_history: write failed: {e}");
                            std::process::exit(1);
                        }
                    }
                }
            });
        }
    });
    let results: Vec<SessRes> = results
        .into_inner()
        .expect("results lock")
        .into_iter()
        .map(|r| r.expect("every session generated"))
        .collect();

    let mut stats = Stats::default();
    let mut truth = Truth::new();
    for r in &results {
        stats.add(&r.stats);
        for (k, v) in &r.truth {
            let e = truth.entry(*k).or_insert([0; 5]);
            for i in 0..5 {
                e[i] += v[i];
            }
        }
    }

    // session_index.jsonl: thread names, some renamed (last entry wins)
    let mut r = Rng::new(mix(args.seed, 0x1DE7));
    let mut entries: Vec<(i64, u64, String, String)> = Vec::new();
    for res in results.iter().filter(|r| r.v2) {
        if !r.pm(300) {
            continue;
        }
        let mut t = String::new();
        gen_title(&mut r, &mut t);
        let at = res.last_ts + r.range(500, 600_000) as i64;
        entries.push((at, r.below(1_000_000), res.id.clone(), t));
        if r.pm(150) {
            let mut t2 = String::new();
            gen_title(&mut r, &mut t2);
            let at2 = at + r.range(60_000, 3 * 86_400_000) as i64;
            entries.push((at2, r.below(1_000_000), res.id.clone(), t2));
        }
    }
    entries.sort();
    {
        let mut b: Vec<u8> = Vec::new();
        for (at, ns, id, name) in &entries {
            b.s("{\"id\":");
            b.js(id);
            b.s(",\"thread_name\":");
            b.js(name);
            b.s(",\"updated_at\":\"");
            let mut ts = Vec::new();
            push_ts(&mut ts, *at);
            b.extend_from_slice(&ts[..ts.len() - 1]);
            let mut frac = Vec::new();
            num(&mut frac, 1_000_000 + ns);
            b.extend_from_slice(&frac[1..]);
            b.s("Z\"}\n");
        }
        fs::write(args.out.join("session_index.jsonl"), &b).expect("write session_index.jsonl");
    }

    if let Some(tp) = &args.truth {
        let mut b = String::from(
            "day\tmodel\tinput_tokens\tcached_input_tokens\toutput_tokens\treasoning_output_tokens\ttotal_tokens\n",
        );
        let mut rows: Vec<(String, &str, [u64; 5])> = truth
            .iter()
            .map(|((d, m), v)| (date_string(d * DAY_MS), MODELS[*m], *v))
            .collect();
        rows.sort();
        for (d, m, v) in rows {
            b.push_str(&format!(
                "{d}\t{m}\t{}\t{}\t{}\t{}\t{}\n",
                v[0], v[1], v[2], v[3], v[4]
            ));
        }
        fs::write(tp, b).expect("write truth file");
    }

    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "gen_history: {} files ({} archived), {} bytes ({:.1} MB), {} lines, {:.1} s",
        stats.files,
        stats.archived,
        stats.bytes,
        stats.bytes as f64 / 1e6,
        stats.lines,
        secs
    );
    if args.stats {
        for i in 0..NK {
            eprintln!(
                "  {:<46} {:>6.2}%  {:>14} bytes  {:>10} lines",
                KIND_NAMES[i],
                100.0 * stats.kind_bytes[i] as f64 / stats.bytes.max(1) as f64,
                stats.kind_bytes[i],
                stats.kind_lines[i]
            );
        }
    }
}
