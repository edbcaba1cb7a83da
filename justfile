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

# Criterion benches (benches/pipeline.rs); see that file for ROLLDEX_BENCH_HOME.
bench:
    cargo bench

# Whole-process timings on a generated 2 GB history (benches/whole-process.sh).
bench-process:
    bash benches/whole-process.sh

# Daily usage report of the checked-in demo home.
demo:
    cargo run --release -- --codex-home testdata/demo-home --index-dir target/demo-index stats daily

# Everything CI runs.
ci:
    bash .ci/run
