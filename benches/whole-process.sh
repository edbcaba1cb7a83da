#!/usr/bin/env bash
# Whole-process timings of the real `rolldex` binary on a generated Codex home, page cache warm.
#
# Usage (from anywhere; the script finds the repo root itself):
#   bash benches/whole-process.sh                  # 2 GB history (1,950 sessions, seed 42)
#   SESSIONS=20 RUNS=2 bash benches/whole-process.sh   # a tiny smoke run of the script itself
#
# What it does:
#   1. builds `rolldex` and the generator (`examples/gen_history.rs`) in release mode;
#   2. generates $BENCH_DIR/home-<sessions>-s<seed> unless it exists (1,950 sessions, seed 42,
#      scale 1 = ~2.09 GB, ~7 s) and a 10x smaller one (195 sessions, seed 7, ~200 MB) for the
#      index-build memory comparison;
#   3. warms the page cache (cat every file > /dev/null);
#   4. runs each command $RUNS times, timed with bash's $EPOCHREALTIME (microseconds; GNU
#      time's 10 ms steps are too coarse here), then once more under /usr/bin/time for the peak
#      RSS, and prints the median wall time in ms and that RSS:
#        stats daily --no-index          direct scan, no index
#        index --rebuild                 a fresh --index-dir for every run
#        stats daily                     index already up to date
#        search <word>                   index up to date
#        sessions                        index up to date
#        resume --all                    index up to date
#        resume <word>                   index up to date, ranked over whole sessions
#        show <id>                       the id `resume --all` prints, and the smallest
#                                        session file of at least 10 MB
#        append + stats daily            a new session file is copied into the home before each
#                                        run (untimed), so the index reads one new file; the
#                                        files are removed again when the script exits
#      and, for comparison in the same run, two floors: process start (`rolldex --version`)
#      and `find` stat-ing every rollout (what any freshness check must do);
#      then `index --rebuild` and `stats daily --no-index` on the small history.
#
# Environment (defaults in brackets):
#   SESSIONS [1950]  SEED [42]  SCALE [1]      the large history
#   SMALL_SESSIONS [SESSIONS/10]  SMALL_SEED [7]   the small history (index memory comparison)
#   RUNS [5]  BENCH_DIR [/tmp/rolldex-bench]  SEARCH_WORD [migration]
#   SKIP_BUILD=1     use target/release/{rolldex,examples/gen_history} as they are
# Generated homes are kept in $BENCH_DIR for later runs (and for ROLLDEX_BENCH_HOME of
# `cargo bench`, see benches/pipeline.rs); remove them with `rm -rf "$BENCH_DIR"`.
# Run it on an otherwise idle machine: timings on 2 shared cores are noisy.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SESSIONS=${SESSIONS:-1950}
SEED=${SEED:-42}
SCALE=${SCALE:-1}
SMALL_SESSIONS=${SMALL_SESSIONS:-$(( SESSIONS / 10 > 0 ? SESSIONS / 10 : 1 ))}
SMALL_SEED=${SMALL_SEED:-7}
RUNS=${RUNS:-5}
BENCH_DIR=${BENCH_DIR:-/tmp/rolldex-bench}
SEARCH_WORD=${SEARCH_WORD:-migration}

TIME=/usr/bin/time
if [[ ! -x $TIME ]]; then
    echo "whole-process.sh: needs GNU time at /usr/bin/time (apt-get install time)" >&2
    exit 1
fi

cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    echo "== building (release)" >&2
    cargo build --release --quiet --bin rolldex --example gen_history
fi
BIN=$TARGET_DIR/release/rolldex
GEN=$TARGET_DIR/release/examples/gen_history

mkdir -p "$BENCH_DIR"
WORK=$(mktemp -d "$BENCH_DIR/run.XXXXXX")
APPENDED=()
cleanup() {
    local f
    for f in "${APPENDED[@]+"${APPENDED[@]}"}"; do rm -f "$f"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
# Keep any user config (prices, excludes) out of the measurements.
export XDG_CONFIG_HOME=$WORK/config
unset CODEX_HOME ROLLDEX_INDEX_DIR

# generate DIR SESSIONS SEED: writes a home unless DIR already holds a complete one.
generate() {
    local dir=$1 sessions=$2 seed=$3
    if [[ -f $dir/.complete ]]; then
        return
    fi
    rm -rf "$dir"
    echo "== generating $dir ($sessions sessions, seed $seed, scale $SCALE)" >&2
    "$GEN" --sessions "$sessions" --seed "$seed" --scale "$SCALE" --out "$dir"
    touch "$dir/.complete"
}

SUFFIX=""
[[ $SCALE == 1 ]] || SUFFIX="-x$SCALE"
HOME_BIG=$BENCH_DIR/home-$SESSIONS-s$SEED$SUFFIX
HOME_SMALL=$BENCH_DIR/home-$SMALL_SESSIONS-s$SMALL_SEED$SUFFIX
generate "$HOME_BIG" "$SESSIONS" "$SEED"
generate "$HOME_SMALL" "$SMALL_SESSIONS" "$SMALL_SEED"

# New session files for the append case: one single-session home per run.
for i in $(seq 1 $(( RUNS + 1 ))); do
    "$GEN" --sessions 1 --seed $(( 90000 + i )) --scale "$SCALE" --out "$WORK/new-$i" 2>/dev/null
done

warm() {
    echo "== warming the page cache: $1 ($(du -sh "$1" | cut -f1))" >&2
    find "$1" -type f -exec cat {} + > /dev/null
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

printf '\n%-34s %10s %12s\n' "command" "median ms" "peak RSS MB"
printf '%-34s %10s %12s\n' "----------------------------------" "--------" "----------"

# measure LABEL SETUP -- ARGS...: runs `rolldex ARGS` $RUNS times, timed by the shell's
# microsecond clock ($EPOCHREALTIME: fork and exec of rolldex included, nothing else), then
# once more under GNU time for the peak RSS; SETUP (a shell function name, or `:`) runs untimed
# before each run. Exit status 1 (no hits) counts as success.
measure() {
    local label=$1 setup=$2
    shift 3
    local times=$WORK/times.txt i status t0 t1
    : > "$times"
    for i in $(seq 1 $(( RUNS + 1 ))); do
        RUN=$i "$setup"
        status=0
        if (( i <= RUNS )); then
            t0=$EPOCHREALTIME
            "$BIN" -q "$@" > /dev/null 2> "$WORK/stderr.txt" || status=$?
            t1=$EPOCHREALTIME
            echo "$t0 $t1" | awk '{ printf "%.1f\n", ($2 - $1) * 1000 }' >> "$times"
        else
            "$TIME" -f '%M' -o "$WORK/rss.txt" "$BIN" -q "$@" > /dev/null 2> "$WORK/stderr.txt" \
                || status=$?
        fi
        if (( status > 1 )); then
            echo "whole-process.sh: '$label' failed (exit $status):" >&2
            cat "$WORK/stderr.txt" >&2
            exit 1
        fi
    done
    printf '%-34s %10s %12.1f\n' "$label" "$(median < "$times")" \
        "$(tail -n 1 "$WORK/rss.txt" | awk '{ print $1 / 1024 }')"
}

# floor LABEL -- CMD...: the median wall time of CMD over $RUNS runs, for comparison with
# rolldex in the same session (this VM's speed drifts between sessions).
floor() {
    local label=$1 i t0 t1
    shift 2
    : > "$WORK/times.txt"
    for i in $(seq 1 "$RUNS"); do
        t0=$EPOCHREALTIME
        "$@" > /dev/null 2>&1 || true
        t1=$EPOCHREALTIME
        echo "$t0 $t1" | awk '{ printf "%.1f\n", ($2 - $1) * 1000 }' >> "$WORK/times.txt"
    done
    printf '%-34s %10s %12s\n' "$label" "$(median < "$WORK/times.txt")" "-"
}

# Setup hooks.
fresh_index() { rm -rf "$WORK/fresh-index"; }
append_session() {
    local src rel
    src=$(find "$WORK/new-$RUN" -name 'rollout-*.jsonl' | head -n 1)
    rel=${src#"$WORK/new-$RUN/"}
    mkdir -p "$(dirname "$HOME_BIG/$rel")"
    cp "$src" "$HOME_BIG/$rel"
    APPENDED+=("$HOME_BIG/$rel")
}

run_suite() {
    local home=$1 index=$WORK/index-$2
    warm "$home"
    local H=(--codex-home "$home")
    measure "stats daily --no-index" : -- "${H[@]}" --index-dir "$index" stats daily --no-index
    measure "index --rebuild (fresh dir)" fresh_index -- "${H[@]}" --index-dir "$WORK/fresh-index" index --rebuild
    echo "   (index size: $(du -sh "$WORK/fresh-index" | cut -f1))" >&2
}

echo "== large history: $HOME_BIG" >&2
run_suite "$HOME_BIG" big
INDEX=$WORK/index-big
H=(--codex-home "$HOME_BIG" --index-dir "$INDEX")
"$BIN" -q "${H[@]}" index > /dev/null
ID=$("$BIN" -q "${H[@]}" resume --all --no-update)
# The smallest session of at least 10 MB (the issue's `show` case; the generator makes none
# between 3 and 23 MB, so this is usually a 23 MB one).
BIG_FILE=$(find "$HOME_BIG/sessions" -name 'rollout-*.jsonl' -size +10000k -printf '%s %p\n' \
    | sort -n | head -n 1 | cut -d' ' -f2)
BIG_ID=$(basename "$BIG_FILE" .jsonl | grep -oE '[0-9a-f-]{36}$')
BIG_MB=$(du -m "$BIG_FILE" | cut -f1)
floor "floor: rolldex --version" -- "$BIN" --version
floor "floor: find + stat every rollout" -- find "$HOME_BIG/sessions" "$HOME_BIG/archived_sessions" \
    -name 'rollout-*.jsonl' -printf '%s %T@ %i\n'
measure "stats daily (index current)" : -- "${H[@]}" stats daily
measure "search $SEARCH_WORD" : -- "${H[@]}" search "$SEARCH_WORD"
measure "sessions" : -- "${H[@]}" sessions
measure "resume --all" : -- "${H[@]}" resume --all
measure "resume $SEARCH_WORD" : -- "${H[@]}" resume "$SEARCH_WORD"
measure "show ${ID:0:8} (newest)" : -- "${H[@]}" show "$ID"
measure "show ${BIG_ID:0:8} (${BIG_MB} MB file)" : -- "${H[@]}" show "$BIG_ID"
measure "append 1 file + stats daily" append_session -- "${H[@]}" stats daily

echo "== small history (index memory comparison): $HOME_SMALL" >&2
run_suite "$HOME_SMALL" small
