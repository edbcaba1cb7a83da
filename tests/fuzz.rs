//! Property-based fuzzing on stable Rust (proptest): the line parser, the accounting state
//! machine and the query language must never panic, whatever they are fed.
//!
//! - **Line parser**: byte soup built from real rollout lines (every Codex version's home in
//!   `testdata/codex-versions` and the hand-worked `testdata/fixtures`), cut, spliced, with
//!   bytes flipped, NULs and invalid UTF-8 inserted, fed to [`FileState::feed`] in every depth,
//!   whole and in two pieces. It must not panic, never consume more than it was given, and
//!   reach the same state fed in pieces as fed whole (an index resumes files that way).
//! - **Accounting**: arbitrary sequences of `token_count`, `token_usage_record`,
//!   `session_meta`, timestamps, models and tiers with any `i64` (negatives, extremes); the
//!   state must survive a postcard round trip (the index stores it so).
//! - **Query language**: arbitrary text through the syntax check, then through `search` and
//!   `session_scores` on a real index.
//!
//! The number of cases per target is `ROLLDEX_FUZZ_CASES` (default 2,000: a short pass for
//! CI). A long run: `ROLLDEX_FUZZ_CASES=4000000 cargo test --release --test fuzz`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use rolldex::accounting::{Accountant, TokenCount};
use rolldex::index::{IndexStore, Progress};
use rolldex::model::TokenUsage;
use rolldex::parse::{Depth, FileState, Parsed};
use rolldex::query::{SearchRequest, check_syntax, search, session_scores};
use rolldex::scan::{Patterns, scan_homes};

/// Cases per target: `ROLLDEX_FUZZ_CASES`, else 2,000.
fn cases() -> u32 {
    std::env::var("ROLLDEX_FUZZ_CASES")
        .ok()
        .and_then(|n| n.replace(['_', ','], "").parse().ok())
        .unwrap_or(2_000)
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: cases(),
        // Failures are reported with the shrunk input; nothing is written into the tree.
        failure_persistence: None,
        max_shrink_iters: 4_096,
        ..Config::default()
    })
}

fn repo(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// Every `rollout-*.jsonl` below `dir`.
fn rollouts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rollouts(&path, out);
        } else if path.extension().is_some_and(|e| e == "jsonl") {
            out.push(path);
        }
    }
}

/// Distinct real lines (without their newline) from the Codex-version homes and the fixtures,
/// long ones cut to 4 KiB so that a case stays quick.
fn seed_lines() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut files = Vec::new();
        rollouts(&repo("testdata/codex-versions"), &mut files);
        rollouts(&repo("testdata/fixtures"), &mut files);
        let mut seen = HashSet::new();
        let mut lines = Vec::new();
        for file in files {
            let bytes = std::fs::read(&file).expect("read seed file");
            for line in bytes.split(|b| *b == b'\n') {
                let line = &line[..line.len().min(4096)];
                if !line.is_empty() && seen.insert(line.to_vec()) {
                    lines.push(line.to_vec());
                }
            }
        }
        assert!(lines.len() > 200, "too few seed lines: {}", lines.len());
        lines
    })
}

/// One way to damage a line.
#[derive(Debug, Clone)]
enum Mutation {
    /// Keep the first `at` bytes.
    Cut(usize),
    /// Replace the tail from `at` with another seed's tail from `from`.
    Splice {
        at: usize,
        other: usize,
        from: usize,
    },
    /// Set one byte.
    Flip { at: usize, byte: u8 },
    /// Insert bytes: NULs, invalid UTF-8, JSON punctuation, a lone `\r`.
    Insert { at: usize, bytes: Vec<u8> },
    /// Drop the newline after this line (it joins the next).
    NoNewline,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let nasty = prop_oneof![
        Just(vec![0u8; 4]),
        Just(vec![0xff, 0xfe]),
        Just(vec![0xc3]),
        Just(vec![0xed, 0xa0, 0x80]),
        Just(vec![0xf0, 0x9f, 0x98]),
        Just(b"\\u0000".to_vec()),
        Just(b"\\ud800".to_vec()),
        Just(b"\"".to_vec()),
        Just(b"{\"".to_vec()),
        Just(b"}]".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"-9223372036854775808".to_vec()),
        Just(b"1e999".to_vec()),
        proptest::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        any::<usize>().prop_map(Mutation::Cut),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(at, other, from)| Mutation::Splice { at, other, from }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Flip { at, byte }),
        (any::<usize>(), nasty).prop_map(|(at, bytes)| Mutation::Insert { at, bytes }),
        Just(Mutation::NoNewline),
    ]
}

/// A file: seed lines (by index), each with up to three mutations.
fn soup() -> impl Strategy<Value = Vec<(usize, Vec<Mutation>)>> {
    proptest::collection::vec(
        (any::<usize>(), proptest::collection::vec(mutation(), 0..3)),
        1..8,
    )
}

fn build(soup: &[(usize, Vec<Mutation>)]) -> Vec<u8> {
    let seeds = seed_lines();
    let mut bytes = Vec::new();
    for (pick, mutations) in soup {
        let mut line = seeds[pick % seeds.len()].clone();
        let mut newline = true;
        for m in mutations {
            match m {
                Mutation::Cut(at) => line.truncate(at % (line.len() + 1)),
                Mutation::Splice { at, other, from } => {
                    let other = &seeds[other % seeds.len()];
                    line.truncate(at % (line.len() + 1));
                    line.extend_from_slice(&other[from % (other.len() + 1)..]);
                }
                Mutation::Flip { at, byte } => {
                    if !line.is_empty() {
                        let at = at % line.len();
                        line[at] = *byte;
                    }
                }
                Mutation::Insert { at, bytes } => {
                    let at = at % (line.len() + 1);
                    line.splice(at..at, bytes.iter().copied());
                }
                Mutation::NoNewline => newline = false,
            }
        }
        bytes.extend_from_slice(&line);
        if newline {
            bytes.push(b'\n');
        }
    }
    bytes
}

/// Feeds `bytes` whole, then in two pieces split at `cut` (the second piece starting where
/// the first stopped, as an index resumes a file); both must agree.
fn feed_both_ways(bytes: &[u8], cut: usize, depth: Depth) -> Result<(), TestCaseError> {
    let path = Path::new("rollout-2026-03-05T10-00-00-019cc0a0-0000-7000-8000-000000000001.jsonl");
    let mut scratch = Vec::new();
    let mut whole = FileState::new(path, false);
    let mut whole_out = Parsed::default();
    whole.feed(bytes, depth, &mut whole_out, &mut scratch);
    prop_assert!(whole.consumed <= bytes.len() as u64);

    let mut pieces = FileState::new(path, false);
    let mut pieces_out = Parsed::default();
    let cut = cut % (bytes.len() + 1);
    pieces.feed(&bytes[..cut], depth, &mut pieces_out, &mut scratch);
    prop_assert!(pieces.consumed <= cut as u64);
    let resumed = usize::try_from(pieces.consumed).expect("fits");
    pieces.feed(&bytes[resumed..], depth, &mut pieces_out, &mut scratch);
    prop_assert_eq!(pieces.consumed, whole.consumed);
    prop_assert_eq!(&pieces, &whole);
    prop_assert_eq!(&pieces_out.usage, &whole_out.usage);
    prop_assert_eq!(pieces_out.messages.len(), whole_out.messages.len());
    prop_assert_eq!(pieces_out.report.lines, whole_out.report.lines);
    prop_assert_eq!(pieces_out.report.malformed, whole_out.report.malformed);
    Ok(())
}

#[test]
fn line_parser_never_panics() {
    let depth = prop_oneof![Just(Depth::Usage), Just(Depth::Index), Just(Depth::Full)];
    runner()
        .run(&(soup(), any::<usize>(), depth), |(soup, cut, depth)| {
            let bytes = build(&soup);
            feed_both_ways(&bytes, cut, depth)
        })
        .expect("line parser");
}

/// A string strategy compiled once (a `&str` strategy parses its regex for every value).
fn regex(pattern: &str) -> proptest::string::RegexGeneratorStrategy<String> {
    proptest::string::string_regex(pattern).expect("valid regex")
}

/// Decodes calls into the accounting state machine from random words: a compact input
/// (proptest's value trees of nested unions are slow to build and to move around).
struct Words<'a> {
    words: &'a [u64],
    at: usize,
}

impl Words<'_> {
    fn next(&mut self) -> u64 {
        let word = self.words.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        word
    }

    fn done(&self) -> bool {
        self.at >= self.words.len()
    }

    /// A token count: mostly plausible values, often the extremes and negatives.
    fn amount(&mut self) -> i64 {
        let w = self.next();
        match w % 8 {
            0..=3 => ((w >> 3) % 100_000) as i64,
            4 => 0,
            5 => -(((w >> 3) % 1_000) as i64) - 1,
            6 => [i64::MAX, i64::MIN, i64::MAX - 1, i64::MIN + 1][((w >> 3) % 4) as usize],
            _ => w as i64,
        }
    }

    fn usage(&mut self) -> TokenUsage {
        TokenUsage {
            input_tokens: self.amount(),
            cached_input_tokens: self.amount(),
            output_tokens: self.amount(),
            reasoning_output_tokens: self.amount(),
            total_tokens: self.amount(),
            cache_write_input_tokens: self.amount(),
        }
    }

    /// Milliseconds: mostly within ten seconds (fork blocks are per second), or anything.
    fn timestamp(&mut self) -> i64 {
        let w = self.next();
        match w % 6 {
            0..=3 => 1_772_700_000_000 + ((w >> 3) % 10_000) as i64,
            4 => [i64::MIN, i64::MAX, 0, -1][((w >> 3) % 4) as usize],
            _ => w as i64,
        }
    }

    fn maybe_timestamp(&mut self) -> Option<i64> {
        (!self.next().is_multiple_of(4)).then(|| self.timestamp())
    }
}

#[test]
fn accounting_never_panics() {
    const MODELS: [&str; 4] = ["gpt-5", "gpt-5-codex", "", "o3"];
    const TIERS: [Option<&str>; 6] = [
        None,
        Some("fast"),
        Some("priority"),
        Some("default"),
        Some(""),
        Some("flex"),
    ];
    runner()
        .run(&proptest::collection::vec(any::<u64>(), 0..400), |words| {
            let mut words = Words {
                words: &words,
                at: 0,
            };
            let mut acc = Accountant::default();
            while !words.done() {
                match words.next() % 9 {
                    0 => acc.on_line(words.maybe_timestamp()),
                    1 => acc.on_session_meta(words.maybe_timestamp()),
                    2 => acc.on_model(MODELS[(words.next() % 4) as usize]),
                    3 => acc.on_service_tier(TIERS[(words.next() % 6) as usize]),
                    4..=6 => {
                        let ts = words.timestamp();
                        let count = TokenCount {
                            total: words.usage(),
                            last: words.usage(),
                        };
                        let (_, counted) = acc.on_token_count(ts, &count);
                        if let Some(e) = counted {
                            prop_assert_eq!(e.timestamp_ms, ts);
                        }
                    }
                    _ => {
                        let ts = words.timestamp();
                        let id = match words.next() % 48 {
                            0..=7 => String::new(),
                            n => format!("resp_{n}"),
                        };
                        let (_, counted) = acc.on_usage_record(ts, &id, words.usage());
                        if let Some(e) = counted {
                            prop_assert_eq!(e.timestamp_ms, ts);
                        }
                    }
                }
                let _ = acc.model();
            }
            let stored = postcard::to_allocvec(&acc).expect("serialise");
            let back: Accountant = postcard::from_bytes(&stored).expect("deserialise");
            prop_assert_eq!(back, acc);
            Ok(())
        })
        .expect("accounting");
}

/// Query text: the language's own characters, words from the index, CJK, and anything.
fn query_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\"".to_owned()),
        Just("-".to_owned()),
        Just("*".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("migrate".to_owned()),
        Just("src/import.rs".to_owned()),
        Just("01a2318c-cb58-70a2".to_owned()),
        Just("平".to_owned()),
        Just("做一个".to_owned()),
        Just("jobs失".to_owned()),
        Just("\\".to_owned()),
        Just(".*".to_owned()),
        Just("(".to_owned()),
        Just("[".to_owned()),
        regex("[a-z]{1,6}"),
        regex("\\PC{1,4}"),
        any::<char>().prop_map(String::from),
    ];
    proptest::collection::vec(piece, 0..12).prop_map(|pieces| pieces.concat())
}

struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64, _: u64) {}
    fn advance(&self, _: u64) {}
    fn file_done(&self) {}
    fn finish(&self) {}
}

/// An index of the real Codex 0.171.0 home (kept alive by the returned directory).
fn indexed_0171() -> (tempfile::TempDir, IndexStore) {
    let index_dir = tempfile::tempdir().expect("index dir");
    let homes = [repo("testdata/codex-versions/0.171.0/home")];
    let mut store = IndexStore::open(index_dir.path(), &homes, rolldex::index::Reads::Sessions)
        .expect("open index");
    let scan = scan_homes(&homes, &Patterns::new(&[]).expect("patterns")).expect("scan");
    store.update(&scan, &Quiet).expect("build index");
    (index_dir, store)
}

/// What the fuzzer found: an excluded clause whose words never meet in a segment (`-i平`:
/// `i` and `平` as a phrase) made tantivy's exclusion seek an exhausted phrase scorer, an
/// assertion failure in debug builds (as the tests run).
#[test]
fn an_excluded_phrase_that_matches_nothing_is_no_panic() {
    let (_dir, store) = indexed_0171();
    for text in ["-i平 平", "平 -\"i 平\"", "-\"never together\" 平"] {
        let request = SearchRequest {
            text: text.to_owned(),
            limit: 5,
            ..SearchRequest::default()
        };
        let hits = search(&store, &request).expect("search");
        let plain = search(
            &store,
            &SearchRequest {
                text: "平".to_owned(),
                limit: 5,
                ..SearchRequest::default()
            },
        )
        .expect("search");
        // Excluding what occurs nowhere leaves the same sessions.
        let ids = |hits: &[rolldex::query::Hit]| {
            hits.iter()
                .map(|h| h.session_id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&hits), ids(&plain), "{text}");
    }
}

/// The fuzzer's `-做一个 a\\`: the excluded phrase's scorer starts on a later document than
/// the first candidate, and tantivy seeks it backwards unless the wrapper answers.
#[test]
fn an_excluded_phrase_that_starts_later_is_no_panic() {
    let (_dir, store) = indexed_0171();
    let ids = |text: &str| {
        let request = SearchRequest {
            text: text.to_owned(),
            limit: 1000,
            ..SearchRequest::default()
        };
        search(&store, &request)
            .expect("search")
            .into_iter()
            .map(|h| h.session_id)
            .collect::<std::collections::BTreeSet<_>>()
    };
    let excluded = ids("做一个");
    assert!(!excluded.is_empty(), "the phrase occurs in the home");
    let expected: std::collections::BTreeSet<_> = ids("a").difference(&excluded).cloned().collect();
    assert_eq!(ids("-做一个 a"), expected);
}

#[test]
fn query_language_never_panics() {
    let (_dir, store) = indexed_0171();
    assert!(
        !store.session_infos().is_empty(),
        "the index holds sessions"
    );
    runner()
        .run(&query_text(), |text| {
            let syntax = check_syntax(&text);
            let request = SearchRequest {
                text: text.clone(),
                limit: 5,
                ..SearchRequest::default()
            };
            let found = search(&store, &request);
            // A syntax error is an error of every entry point.
            if syntax.is_err() {
                prop_assert!(found.is_err(), "{text:?}: syntax error, yet search ran");
            }
            if let Ok(hits) = found {
                prop_assert!(hits.len() <= 5);
                for hit in &hits {
                    for range in &hit.highlights {
                        prop_assert!(range.end <= hit.snippet.len());
                        prop_assert!(hit.snippet.is_char_boundary(range.start));
                        prop_assert!(hit.snippet.is_char_boundary(range.end));
                    }
                }
            }
            let _ = session_scores(&store, &text);
            Ok(())
        })
        .expect("query language");
}
