//! Criterion benchmarks of rolldex's pipeline, in-process, over a generated Codex home.
//!
//! Groups:
//! - `parse`: [`parse_path`] over every rollout file, one thread, at [`Depth::Usage`],
//!   [`Depth::Index`] and [`Depth::Full`]; throughput in bytes (MiB/s in the report).
//! - `stats_daily`: scan + load (rayon) + `compute` by day, i.e. `rolldex stats daily --no-index`
//!   minus process start and printing.
//! - `index_build`: a fresh index (open + full update) of a small history into a temp dir.
//! - `search`: queries on an index built once beforehand.
//!
//! ```text
//! cargo bench                                   # all groups, default history (~47 MB)
//! cargo bench -- parse                          # one group (a criterion filter)
//! cargo bench -- --quick                        # fewer samples, for a smoke run
//! ROLLDEX_BENCH_HOME=/tmp/rolldex-2g cargo bench -- 'parse|stats_daily|search'
//! ```
//!
//! The history is written by the project's generator (`examples/gen_history.rs`) into a temp
//! dir: `target/release/examples/gen_history` when it exists (build it first with
//! `cargo build --release --example gen_history` so it is current), else
//! `cargo run --release --example gen_history`. Environment:
//! - `ROLLDEX_BENCH_HOME=DIR`: benchmark an existing Codex home instead (e.g. the 2 GB one
//!   from `benches/whole-process.sh`: `gen_history --sessions 1950 --seed 42`). It is used for
//!   `parse`, `stats_daily` and `search`; `index_build` still uses its own small history unless
//!   `ROLLDEX_BENCH_INDEX_HOME` is set too (a 2 GB build takes minutes per sample).
//! - `ROLLDEX_BENCH_SESSIONS` / `ROLLDEX_BENCH_SCALE`: size of the generated history
//!   (default 100 sessions at scale 0.5, seed 1: 100 files, ~47 MB).
//! - `ROLLDEX_BENCH_INDEX_HOME=DIR`: an existing home for `index_build`; otherwise 25 sessions
//!   at scale 0.25, seed 1 are generated for it.

use std::cell::OnceCell;
use std::ffi::OsString;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{BatchSize, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tempfile::TempDir;

use rolldex::index::{IndexStore, Progress};
use rolldex::load::load_sessions;
use rolldex::parse::{Depth, parse_path};
use rolldex::pricing::PriceTable;
use rolldex::query::{SearchRequest, search};
use rolldex::scan::{Patterns, ScanResult, scan_homes};
use rolldex::stats::{Grouping, StatsQuery, compute};
use rolldex::timezone::Zone;

/// Default size of the generated history for `parse`, `stats_daily` and `search`.
const DEFAULT_SESSIONS: &str = "100";
const DEFAULT_SCALE: &str = "0.5";
/// Size of the generated history for `index_build`.
const INDEX_SESSIONS: &str = "25";
const INDEX_SCALE: &str = "0.25";

/// Queries for the `search` group: common words, a phrase, a prefix, an identifier-like term.
const QUERIES: &[(&str, &str)] = &[
    ("word", "migration"),
    ("two_words", "error test"),
    ("phrase", "\"cargo test\""),
    ("prefix", "refact*"),
    ("path", "src/main.rs"),
];

/// A Codex home to read: either given by the user or generated (and removed on drop).
struct History {
    home: PathBuf,
    _temp: Option<TempDir>,
}

impl History {
    /// `$var` if set, else a freshly generated home of `sessions` sessions at `scale`.
    fn from_env_or_generate(var: &str, sessions: &str, scale: &str) -> History {
        if let Some(dir) = std::env::var_os(var) {
            let home = PathBuf::from(dir);
            assert!(
                home.join("sessions").is_dir(),
                "{var}={} is not a Codex home (no sessions/ directory)",
                home.display()
            );
            return History { home, _temp: None };
        }
        let temp = tempfile::Builder::new()
            .prefix("rolldex-bench-")
            .tempdir()
            .expect("create a temp dir for the generated history");
        let home = temp.path().join("home");
        generate(&home, sessions, scale);
        History {
            home,
            _temp: Some(temp),
        }
    }

    fn homes(&self) -> Vec<PathBuf> {
        vec![self.home.clone()]
    }

    fn scan(&self) -> ScanResult {
        let patterns = Patterns::new(&[]).expect("default patterns");
        let scan = scan_homes(&self.homes(), &patterns).expect("scan the history");
        assert!(
            !scan.files.is_empty(),
            "no rollout files under {}",
            self.home.display()
        );
        scan
    }
}

fn env_or(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_owned())
}

/// Runs the project's generator (seed 1) into `out`.
fn generate(out: &Path, sessions: &str, scale: &str) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| manifest.join("target"), PathBuf::from);
    let built = target.join("release/examples/gen_history");
    let args: [OsString; 8] = [
        "--sessions".into(),
        sessions.into(),
        "--seed".into(),
        "1".into(),
        "--out".into(),
        out.into(),
        "--scale".into(),
        scale.into(),
    ];
    let mut command = if built.is_file() {
        Command::new(&built)
    } else {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut c = Command::new(cargo);
        c.args([
            "run",
            "--quiet",
            "--release",
            "--example",
            "gen_history",
            "--",
        ]);
        c.current_dir(manifest);
        c
    };
    command.args(args);
    let status = command.status().expect("run the history generator");
    assert!(status.success(), "history generator failed: {status}");
}

/// A progress sink that ignores everything.
struct Silent;

impl Progress for Silent {
    fn start(&self, _files: u64, _bytes: u64) {}
    fn advance(&self, _bytes: u64) {}
    fn file_done(&self) {}
    fn finish(&self) {}
}

/// Opens a fresh index under `dir` and fills it from `scan`.
fn build_index(dir: &Path, homes: &[PathBuf], scan: &ScanResult) -> IndexStore {
    let mut store =
        IndexStore::open(dir, homes, rolldex::index::Reads::Sessions).expect("open the index");
    let summary = store.update(scan, &Silent).expect("update the index");
    assert!(summary.committed, "the index update committed nothing");
    store
}

fn benches(c: &mut Criterion) {
    let history = History::from_env_or_generate(
        "ROLLDEX_BENCH_HOME",
        &env_or("ROLLDEX_BENCH_SESSIONS", DEFAULT_SESSIONS),
        &env_or("ROLLDEX_BENCH_SCALE", DEFAULT_SCALE),
    );
    let homes = history.homes();
    let scan = history.scan();
    let total_bytes: u64 = scan.files.iter().map(|f| f.len).sum();

    // parse: the per-file parser alone, one thread, page cache warm after the first pass.
    {
        let mut group = c.benchmark_group("parse");
        group.throughput(Throughput::Bytes(total_bytes));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(10));
        for (name, depth) in [
            ("usage", Depth::Usage),
            ("index", Depth::Index),
            ("full", Depth::Full),
        ] {
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                let mut scratch = Vec::new();
                b.iter(|| {
                    let mut lines = 0_u64;
                    for file in &scan.files {
                        let (state, parsed) =
                            parse_path(&file.path, file.archived, depth, &mut scratch);
                        lines += parsed.report.lines;
                        black_box((&state, &parsed));
                    }
                    lines
                });
            });
        }
        group.finish();
    }

    // stats_daily: what `rolldex stats daily --no-index` does, minus process start and output.
    {
        let prices = PriceTable::bundled();
        let query = StatsQuery {
            grouping: Grouping::Day,
            zone: Zone::parse("UTC", &Zone::utc()).expect("UTC zone"),
            since: None,
            until: None,
            model: None,
            cwd: None,
        };
        let patterns = Patterns::new(&[]).expect("default patterns");
        let mut group = c.benchmark_group("stats_daily");
        group.throughput(Throughput::Bytes(total_bytes));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(10));
        group.bench_function("scan_load_compute", |b| {
            b.iter(|| {
                let scan = scan_homes(&homes, &patterns).expect("scan");
                let loaded = load_sessions(&scan);
                compute(&loaded.sessions, &query, &prices)
            });
        });
        group.finish();
    }

    // index_build: open + full update of a fresh index; tear-down is not timed.
    {
        let small =
            History::from_env_or_generate("ROLLDEX_BENCH_INDEX_HOME", INDEX_SESSIONS, INDEX_SCALE);
        let small_homes = small.homes();
        let small_scan = small.scan();
        let small_bytes: u64 = small_scan.files.iter().map(|f| f.len).sum();
        let mut group = c.benchmark_group("index_build");
        group.throughput(Throughput::Bytes(small_bytes));
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(20));
        group.bench_function("fresh", |b| {
            b.iter_batched(
                || TempDir::new().expect("temp index dir"),
                |dir| {
                    let store = build_index(dir.path(), &small_homes, &small_scan);
                    (store, dir)
                },
                BatchSize::PerIteration,
            );
        });
        group.finish();
    }

    // search: one index built up front (lazily, only when a filter selects this group), then
    // queries against it.
    {
        let index_dir = TempDir::new().expect("temp index dir");
        let store: OnceCell<IndexStore> = OnceCell::new();
        let mut group = c.benchmark_group("search");
        for (name, text) in QUERIES {
            let request = SearchRequest {
                text: (*text).to_owned(),
                limit: 10,
                ..SearchRequest::default()
            };
            group.bench_function(BenchmarkId::from_parameter(name), |b| {
                let store = store.get_or_init(|| build_index(index_dir.path(), &homes, &scan));
                b.iter(|| search(store, black_box(&request)).expect("search"));
            });
        }
        group.finish();
    }
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
