# Tasks for rolldex. `just` is optional: each recipe is a plain command you can copy.

# Format the code.
fmt:
    cargo fmt

# Formatting check and clippy (pedantic lints from Cargo.toml), warnings are errors.
lint:
    cargo fmt --check && cargo clippy --all-targets -- -D warnings

# The test command (set ROLLDEX_REAL_CORPUS=DIR to include the real-corpus tests).
test:
    cargo test --all-targets

# Drive the real Codex CLI (pinned versions) against the stand-in; rewrites testdata/codex-versions.
live:
    bash live/run.sh

# npm's latest Codex against the stand-in (into target/live-latest), then the version checks on it.
live-latest:
    rm -rf target/live-latest && LIVE_OUT=target/live-latest bash live/run.sh --latest
    ROLLDEX_CODEX_VERSIONS_DIR=target/live-latest cargo test --test codex_versions

# Criterion benches (benches/pipeline.rs); see that file for ROLLDEX_BENCH_HOME.
bench:
    cargo bench

# Whole-process timings on a generated 2 GB history (benches/whole-process.sh).
bench-process:
    bash benches/whole-process.sh

# rolldex beside ccusage and the floors on the 2 GB plain and rich histories (issue 10's table);
# `just compare --scale 10g --cold` adds the 10 GB history and cold-cache figures.
compare *ARGS:
    bash benches/compare.sh {{ARGS}}

# Daily usage report of the checked-in demo home.
demo:
    cargo run --release -- --codex-home testdata/demo-home --index-dir target/demo-index stats daily

# Everything CI runs.
ci:
    bash .ci/run
