#!/usr/bin/env bash
# Side-by-side performance figures for issue 10: rolldex against its peer (ccusage) and the
# floors (process start, `find` over the rollouts, a raw `rg` scan), measured in one run on the
# same histories, with the issue's targets and a pass/fail per figure.
#
# Usage (from anywhere; the script finds the repo root itself):
#   bash benches/compare.sh                  # 2 GB plain + 2 GB rich history (1,950 sessions)
#   bash benches/compare.sh --scale 10g      # and the 10 GB rich history (or SCALE=10g)
#   bash benches/compare.sh --cold           # also cold-cache figures (page cache dropped; root)
#   SESSIONS=100 SESSIONS_10G=300 HUGE_10G=1 RUNS=3 bash benches/compare.sh --scale 10g
#                                            # a quick smoke run of the script itself
#
# What it does:
#   1. builds `rolldex` and `examples/gen_history.rs` in release mode (SKIP_BUILD=1: use them as
#      they are in the target dir);
#   2. generates each history into $BENCH_DIR unless it is already there (complete marker):
#        plain  gen_history --sessions $SESSIONS --seed $SEED                    (~2.1 GB)
#        rich   gen_history --sessions $SESSIONS --seed $SEED --vocabulary rich  (~2.1 GB)
#        10g    gen_history --sessions $SESSIONS_10G --seed $SEED --huge $HUGE_10G
#                 --scale $SCALE_10G --vocabulary $VOCAB_10G                      (~10 GB)
#   3. installs the peers when missing: ccusage $CCUSAGE_VERSION from npm into $PEERS_DIR (its
#      native binary is run directly), ripgrep, hyperfine and GNU time from Debian's packages
#      (and gdb, when it can, for what a query's peak memory is made of: memory-at-exit.sh);
#   4. per history: warms the page cache, then times every command $RUNS times (hyperfine
#      medians; without hyperfine a loop on bash's microsecond clock) plus one run under GNU
#      time for the peak RSS, and prints: measure | rolldex | peer or floor | ratio | target |
#      pass/fail. Exit status 1 counts as a failure everywhere (WORD must occur).
# Every command is printed before it is measured; the whole output, hyperfine's included, is
# also written to $BENCH_DIR/compare-<date>.txt (the hyperfine JSON files beside it).
#
# Environment (defaults in brackets):
#   RUNS [7]  BUILD_RUNS [$RUNS]  BENCH_DIR [/tmp/rolldex-bench]  PEERS_DIR [$BENCH_DIR/peers]
#   SESSIONS [1950]  SEED [42]  WORD [migration]  HISTORIES [plain rich, + 10g with --scale 10g]
#   SESSIONS_10G [10000]  HUGE_10G [4]  SCALE_10G [0.8]  VOCAB_10G [rich]
#   CCUSAGE_VERSION [20.0.24: the newest 20.x whose linux-x64 binary is on npm]  SKIP_BUILD
# Run it on an otherwise idle machine: timings on 2 shared cores are noisy; the peer and floor
# columns come from the same run so ratios stay meaningful. Remove the cache: rm -rf $BENCH_DIR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
COLD=0
SCALE=${SCALE:-2g}
while (( $# )); do
    case $1 in
        --cold) COLD=1 ;;
        --scale) SCALE=${2:?--scale needs 2g or 10g}; shift ;;
        --scale=*) SCALE=${1#--scale=} ;;
        -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "compare.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
    shift
done
case $SCALE in 2g|10g) ;; *) echo "compare.sh: --scale takes 2g or 10g" >&2; exit 2 ;; esac
RUNS=${RUNS:-7}
BUILD_RUNS=${BUILD_RUNS:-$RUNS}
BENCH_DIR=${BENCH_DIR:-/tmp/rolldex-bench}
PEERS_DIR=${PEERS_DIR:-$BENCH_DIR/peers}
SESSIONS=${SESSIONS:-1950}
SEED=${SEED:-42}
WORD=${WORD:-migration}
SESSIONS_10G=${SESSIONS_10G:-10000}
HUGE_10G=${HUGE_10G:-4}
SCALE_10G=${SCALE_10G:-0.8}
VOCAB_10G=${VOCAB_10G:-rich}
CCUSAGE_VERSION=${CCUSAGE_VERSION:-20.0.24}
if [[ -z ${HISTORIES:-} ]]; then
    HISTORIES="plain rich"
    [[ $SCALE == 10g ]] && HISTORIES+=" 10g"
fi

mkdir -p "$BENCH_DIR"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RAW=$BENCH_DIR/compare-$STAMP.txt
RES=$BENCH_DIR/compare-$STAMP
mkdir -p "$RES"
# Everything goes to the raw file; fd 3 is the terminal (the tables and progress lines).
exec 3>&1 > >(cat >> "$RAW") 2>&1
say() { printf '%s\n' "$*"; printf '%s\n' "$*" >&3; }

WORK=$(mktemp -d "$BENCH_DIR/work.XXXXXX")
APPENDED=$WORK/appended.list
: > "$APPENDED"
cleanup() {
    local f
    while read -r f; do rm -f -- "$f"; done < "$APPENDED"
    rm -rf "$WORK"
}
trap cleanup EXIT
# Keep any user config (prices, excludes) and environment out of the measurements.
export XDG_CONFIG_HOME=$WORK/config
unset CODEX_HOME ROLLDEX_INDEX_DIR

# ─── tools ───────────────────────────────────────────────────────────────────────────────
apt_install() {
    if (( EUID != 0 )) || ! command -v apt-get > /dev/null; then
        return 1
    fi
    if [[ ! -f $WORK/.apt-updated ]]; then
        apt-get update -qq && touch "$WORK/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" > /dev/null
}
[[ -x /usr/bin/time ]] || apt_install time || { say "compare.sh: needs GNU time (/usr/bin/time)"; exit 1; }
command -v rg > /dev/null || apt_install ripgrep || cargo install --quiet ripgrep \
    || { say "compare.sh: needs ripgrep (rg)"; exit 1; }
# gdb (optional) splits a query's memory into private and mapped index pages (memory-at-exit.sh).
command -v gdb > /dev/null || apt_install gdb || true
command -v hyperfine > /dev/null || apt_install hyperfine || cargo install --quiet hyperfine \
    || say "hyperfine not available: timing with a shell loop instead"
HAVE_HYPERFINE=0
command -v hyperfine > /dev/null && HAVE_HYPERFINE=1
command -v python3 > /dev/null || { say "compare.sh: needs python3 (reads hyperfine's JSON)"; exit 1; }

CC_DIR=$PEERS_DIR/ccusage-$CCUSAGE_VERSION
if [[ ! -x $CC_DIR/node_modules/.bin/ccusage ]]; then
    command -v npm > /dev/null || { say "compare.sh: needs npm to install ccusage"; exit 1; }
    say "== installing ccusage@$CCUSAGE_VERSION (npm) into $CC_DIR"
    mkdir -p "$CC_DIR"
    npm install --prefix "$CC_DIR" --no-audit --no-fund --loglevel=error "ccusage@$CCUSAGE_VERSION"
fi
# The npm package is a Node launcher for a native binary: run the binary itself (what does the
# work; the launcher would add Node's start-up to every run).
CCUSAGE=$(find "$CC_DIR/node_modules/@ccusage" -path '*/bin/ccusage' -type f -print -quit 2> /dev/null)
if [[ -n $CCUSAGE ]]; then
    [[ -x $CCUSAGE ]] || chmod +x "$CCUSAGE"   # npm leaves it without x; its launcher does this
else
    CCUSAGE=$CC_DIR/node_modules/.bin/ccusage
fi

cd "$ROOT"
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
if [[ ${SKIP_BUILD:-0} != 1 ]]; then
    say "== building rolldex and gen_history (release)"
    cargo build --release --quiet --bin rolldex --example gen_history
fi
BIN=$TARGET_DIR/release/rolldex
GEN=$TARGET_DIR/release/examples/gen_history

# ─── histories ───────────────────────────────────────────────────────────────────────────
# generate DIR ARGS...: writes a home unless DIR holds a complete one (its .complete marker).
generate() {
    local dir=$1 t0
    shift
    [[ -f $dir/.complete ]] && return
    rm -rf "$dir"
    say "== generating $dir: gen_history $* (once; cached)"
    t0=$EPOCHREALTIME
    "$GEN" "$@" --out "$dir"
    say "   generated in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }')"
    touch "$dir/.complete"
}
home_of() {
    case $1 in
        plain) echo "$BENCH_DIR/home-$SESSIONS-s$SEED" ;;
        rich) echo "$BENCH_DIR/home-$SESSIONS-s$SEED-rich" ;;
        10g) echo "$BENCH_DIR/home-$SESSIONS_10G-s$SEED-h$HUGE_10G-x$SCALE_10G-$VOCAB_10G" ;;
    esac
}
gen_args_of() {
    case $1 in
        plain) echo "--sessions $SESSIONS --seed $SEED" ;;
        rich) echo "--sessions $SESSIONS --seed $SEED --vocabulary rich" ;;
        10g) echo "--sessions $SESSIONS_10G --seed $SEED --huge $HUGE_10G --scale $SCALE_10G --vocabulary $VOCAB_10G" ;;
    esac
}
vocab_of() { case $1 in rich) echo rich ;; 10g) echo "$VOCAB_10G" ;; *) echo plain ;; esac; }

# ─── measuring ───────────────────────────────────────────────────────────────────────────
ms_of_json() { python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"; }

# measure KEY RUNS WARMUP PREPARE CMD...: one checked run under GNU time (peak RSS into
# $RES/KEY.rss in MB; exit status must be 0), then RUNS timed runs (median ms into
# $RES/KEY.ms). PREPARE is a command run untimed before each run ("" for none).
measure() {
    local key=$1 runs=$2 warmup=$3 prep=$4 status=0 cmd i t0 t1
    shift 4
    cmd=$(printf '%q ' "$@")
    say "\$ ${prep:+[before each run: $prep] }$cmd"
    [[ -n $prep ]] && $prep
    /usr/bin/time -f '%M' -o "$RES/$key.time" "$@" > "$RES/$key.out" 2> "$RES/$key.err" || status=$?
    if (( status != 0 )); then
        say "compare.sh: '$cmd' failed (exit $status):"
        tail -n 5 "$RES/$key.err" >&3
        exit 1
    fi
    awk '{ v = $1 } END { printf "%.1f\n", v / 1024 }' "$RES/$key.time" > "$RES/$key.rss"
    if (( HAVE_HYPERFINE )); then
        hyperfine -N --style basic --runs "$runs" --warmup "$warmup" \
            ${prep:+--prepare "$prep"} --export-json "$RES/$key.json" -- "$cmd"
        ms_of_json "$RES/$key.json" > "$RES/$key.ms"
    else
        : > "$RES/$key.times"
        for (( i = 0; i < runs; i++ )); do
            [[ -n $prep ]] && $prep
            t0=$EPOCHREALTIME
            "$@" > /dev/null 2>&1
            t1=$EPOCHREALTIME
            awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }' >> "$RES/$key.times"
        done
        sort -n "$RES/$key.times" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }' > "$RES/$key.ms"
    fi
}
# measure_cold KEY PREPARE CMD...: PREPARE, drop the page cache, then one run timed on bash's
# microsecond clock under GNU time (peak RSS); exit status must be 0.
measure_cold() {
    local key=$1 prep=$2 cmd t0 t1 status=0
    shift 2
    cmd=$(printf '%q ' "$@")
    say "\$ [cold: ${prep:+$prep; }sync; echo 3 > /proc/sys/vm/drop_caches] $cmd"
    [[ -n $prep ]] && $prep
    drop_caches
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%M' -o "$RES/$key.time" "$@" > "$RES/$key.out" 2> "$RES/$key.err" || status=$?
    t1=$EPOCHREALTIME
    if (( status != 0 )); then
        say "compare.sh: '$cmd' failed (exit $status):"
        tail -n 5 "$RES/$key.err" >&3
        exit 1
    fi
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }' | tee "$RES/$key.ms"
    awk '{ v = $1 } END { printf "%.1f\n", v / 1024 }' "$RES/$key.time" > "$RES/$key.rss"
}
ms() { cat "$RES/$1.ms"; }
rss() { cat "$RES/$1.rss"; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? "pass" : "FAIL" }'; }

TABLE_FMT='%-40s | %14s | %26s | %7s | %-38s | %s\n'
row() {
    local line
    # shellcheck disable=SC2059
    line=$(printf "$TABLE_FMT" "$@")
    printf '%s\n' "$line" >> "$RES/table.txt"
    say "$line"
}

drop_caches() {
    sync
    if (( EUID == 0 )) && { echo 3 > /proc/sys/vm/drop_caches; } 2> /dev/null; then
        return 0
    fi
    return 1
}

# One 1 MB session of the right vocabulary, copied in under a fresh id before each run of the
# "new session" case (the copies are removed again right after that case).
make_append_script() {
    local vocab=$1 home=$2 src_home src id
    src_home=$BENCH_DIR/newsrc-$vocab
    generate "$src_home" --sessions 40 --seed 777 --vocabulary "$vocab"
    src=$(find "$src_home/sessions" -name 'rollout-*.jsonl' -printf '%s %p\n' | awk '
        { d = $1 - 1048576; if (d < 0) d = -d; if (best == "" || d < best) { best = d; p = $2 } }
        END { print p }')
    id=$(basename "$src" .jsonl | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
    cat > "$WORK/append.sh" << EOF
#!/usr/bin/env bash
set -eu
new=\$(cat /proc/sys/kernel/random/uuid)
rel=${src#"$src_home/"}
dst=$home/\${rel%$id.jsonl}\$new.jsonl
mkdir -p "\$(dirname "\$dst")"
sed "s/$id/\$new/g" "$src" > "\$dst"
echo "\$dst" >> "$APPENDED"
EOF
    chmod +x "$WORK/append.sh"
    say "   new-session source: $src ($(( $(stat -c %s "$src") / 1024 )) KiB)"
}
remove_appended() {
    local f
    while read -r f; do rm -f -- "$f"; done < "$APPENDED"
    : > "$APPENDED"
}

# ─── the run ─────────────────────────────────────────────────────────────────────────────
say "rolldex compare.sh  $(date -u +%Y-%m-%dT%H:%M:%SZ)  raw output: $RAW"
say "machine: nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
say "rolldex: $("$BIN" --version) ($(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2> /dev/null || echo ', dirty tree'))"
say "peers: ccusage $("$CCUSAGE" --version 2> /dev/null | head -n 1) ($CCUSAGE); $(rg --version | head -n 1); $( (( HAVE_HYPERFINE )) && hyperfine --version || echo 'shell-loop timing')"
say "runs: $RUNS per query, $BUILD_RUNS per full build; WORD=$WORD; histories: $HISTORIES$( (( COLD )) && echo '; cold-cache figures on')"

BUILD_2G_RICH=""
for h in $HISTORIES; do
    HOME_DIR=$(home_of "$h")
    # shellcheck disable=SC2046
    generate "$HOME_DIR" $(gen_args_of "$h")
    HIST_BYTES=$(find "$HOME_DIR" -name 'rollout-*.jsonl' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    NFILES=$(find "$HOME_DIR" -name 'rollout-*.jsonl' | wc -l)
    say ""
    say "════ history $h: $HOME_DIR — $NFILES rollouts, $(calc "$HIST_BYTES / 1e9") GB ($(gen_args_of "$h"))"
    make_append_script "$(vocab_of "$h")" "$HOME_DIR"
    say "   warming the page cache"
    find "$HOME_DIR" -type f -exec cat {} + > /dev/null
    FRESH=$WORK/fresh-index
    INDEX=$WORK/index-$h
    R=(-q --codex-home "$HOME_DIR")
    K=$h

    # floors and the peer
    measure "$K.start" "$RUNS" 1 "" "$BIN" --version
    measure "$K.find" "$RUNS" 1 "" find "$HOME_DIR" -name 'rollout-*'
    # find that also stats every rollout (size, mtime, inode: what a query needs to see an
    # append to any file); shown for information, the targets use the plain find above
    measure "$K.findstat" "$RUNS" 1 "" find "$HOME_DIR" -name 'rollout-*' -printf '%s %T@ %i\n'
    measure "$K.rg" "$RUNS" 1 "" rg -c token_count "$HOME_DIR"
    measure "$K.ccusage" "$RUNS" 1 "" env CODEX_HOME="$HOME_DIR" "$CCUSAGE" codex daily --offline --json
    # full build, then the index every query uses
    measure "$K.index" "$BUILD_RUNS" 0 "rm -rf $FRESH" "$BIN" "${R[@]}" --index-dir "$FRESH" index
    INDEX_BYTES=$(du -sb "$FRESH" | cut -f1)
    "$BIN" "${R[@]}" --index-dir "$INDEX" index > /dev/null
    Q=("${R[@]}" --index-dir "$INDEX")
    measure "$K.stats" "$RUNS" 1 "" "$BIN" "${Q[@]}" stats daily --json
    measure "$K.search" "$RUNS" 1 "" "$BIN" "${Q[@]}" search "$WORD"
    measure "$K.resume_all" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume --all
    measure "$K.resume_word" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume "$WORD"
    measure "$K.sessions" "$RUNS" 1 "" "$BIN" "${Q[@]}" sessions
    measure "$K.stats_nu" "$RUNS" 1 "" "$BIN" "${Q[@]}" stats daily --json --no-update
    measure "$K.search_nu" "$RUNS" 1 "" "$BIN" "${Q[@]}" search "$WORD" --no-update
    measure "$K.resume_all_nu" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume --all --no-update
    measure "$K.resume_word_nu" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume "$WORD" --no-update
    measure "$K.sessions_nu" "$RUNS" 1 "" "$BIN" "${Q[@]}" sessions --no-update
    measure "$K.noindex" "$RUNS" 1 "" "$BIN" "${R[@]}" --index-dir "$WORK/unused-index" stats daily --json --no-index
    measure "$K.append" "$RUNS" 1 "$WORK/append.sh" "$BIN" "${Q[@]}" stats daily --json
    remove_appended
    "$BIN" "${Q[@]}" stats daily --json > /dev/null   # the index sees the removals: current again
    # The same queries where the home has Codex's state database (generated histories have
    # none): after a quiet walk, a query that finds it and every session folder unchanged
    # answers without stat-ing each rollout (src/scan/signal.rs). rolldex only stats the file,
    # so an empty one stands in; it is removed again after.
    : > "$HOME_DIR/state_5.sqlite"
    sleep 2.5   # the signal trusts no stamp younger than 2 s
    "$BIN" "${Q[@]}" index > /dev/null
    measure "$K.stats_sig" "$RUNS" 1 "" "$BIN" "${Q[@]}" stats daily --json
    measure "$K.search_sig" "$RUNS" 1 "" "$BIN" "${Q[@]}" search "$WORD"
    measure "$K.resume_all_sig" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume --all
    measure "$K.resume_word_sig" "$RUNS" 1 "" "$BIN" "${Q[@]}" resume "$WORD"
    measure "$K.sessions_sig" "$RUNS" 1 "" "$BIN" "${Q[@]}" sessions
    rm -f "$HOME_DIR/state_5.sqlite"
    if (( COLD )); then
        if drop_caches; then
            measure_cold "$K.cold_index" "rm -rf $FRESH" "$BIN" "${R[@]}" --index-dir "$FRESH" index
            measure_cold "$K.cold_ccusage" "" env CODEX_HOME="$HOME_DIR" "$CCUSAGE" codex daily --offline --json
            measure_cold "$K.cold_floor" "" find "$HOME_DIR" -name 'rollout-*'
            measure_cold "$K.cold_start" "" "$BIN" --version
            measure_cold "$K.cold_stats" "" "$BIN" "${Q[@]}" stats daily --json
            COLD_OK=1
        else
            say "cold cache: skipped ($( (( EUID == 0 )) && echo 'cannot write /proc/sys/vm/drop_caches' || echo 'not root'))"
            COLD_OK=0
        fi
    fi

    # The peer must have done the same work: compare the two reports' token totals.
    SAME=$(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["totals"]["total_tokens"]
c = json.load(open(sys.argv[2]))["totals"]["totalTokens"]
print(f"rolldex total_tokens {r:,}, ccusage totalTokens {c:,}: " + ("same" if r == c else "DIFFERENT"))
' "$RES/$K.stats.out" "$RES/$K.ccusage.out") || SAME="could not read the totals"
    say "answer check: $SAME"

    # ── the table ──
    START=$(ms "$K.start"); FIND=$(ms "$K.find"); FLOOR=$(calc "$START + $FIND")
    CC=$(ms "$K.ccusage"); CC_RSS=$(rss "$K.ccusage")
    QCAP=20; RSS_CAP=200; [[ $h == 10g ]] && { QCAP=25; RSS_CAP=250; }
    QLIM=$(calc "($QCAP > 1.25 * $FLOOR) ? $QCAP : 1.25 * $FLOOR")
    say ""
    say "history $h ($(calc "$HIST_BYTES / 1e9") GB, $NFILES rollouts): medians of $RUNS runs ($BUILD_RUNS for builds); floor = process start + find = $START + $FIND = $FLOOR ms"
    : > "$RES/table.txt"
    row "measure" "rolldex" "peer / floor (same run)" "ratio" "target" "verdict"
    row "----------------------------------------" "--------------" "--------------------------" "-------" "--------------------------------------" "-------"
    IDX_S=$(calc "$(ms "$K.index") / 1000")
    if [[ $h == 10g ]]; then
        if [[ -n $BUILD_2G_RICH ]]; then
            RATIO=$(calc "$(ms "$K.index") / $BUILD_2G_RICH")
            row "full index (fresh dir)" "$IDX_S s" "rich history $(calc "$BUILD_2G_RICH / 1000") s" "$RATIO" "<= 5.5 x the 2 GB build" "$(verdict "$RATIO" 5.5)"
        else
            row "full index (fresh dir)" "$IDX_S s" "(rich not in this run)" "-" "<= 5.5 x the 2 GB build" "n/a"
        fi
    else
        RATIO=$(calc "$(ms "$K.index") / $CC")
        row "full index (fresh dir)" "$IDX_S s" "ccusage $(calc "$CC / 1000") s" "$RATIO" "<= 2.5 x ccusage" "$(verdict "$RATIO" 2.5)"
        [[ $h == rich ]] && BUILD_2G_RICH=$(ms "$K.index")
    fi
    row "full index peak RSS" "$(rss "$K.index") MB" "ccusage $CC_RSS MB" "$(calc "$(rss "$K.index") / $CC_RSS")" "<= $RSS_CAP MB" "$(verdict "$(rss "$K.index")" "$RSS_CAP")"
    PCT=$(calc "100 * $INDEX_BYTES / $HIST_BYTES")
    row "index size (% of history bytes)" "$PCT %" "$(calc "$INDEX_BYTES / 1e6") MB of $(calc "$HIST_BYTES / 1e6") MB" "-" "<= 6 %" "$(verdict "$PCT" 6)"
    for q in "stats:stats daily --json" "search:search $WORD" "resume_all:resume --all" "resume_word:resume $WORD" "sessions:sessions"; do
        k=${q%%:*}; label=${q#*:}
        row "$label" "$(ms "$K.$k") ms" "floor $FLOOR ms" "$(calc "$(ms "$K.$k") / $FLOOR")" "<= max($QCAP ms, 1.25 x floor) = $QLIM" "$(verdict "$(ms "$K.$k")" "$QLIM")"
    done
    # wave2-answers words the floor as "process start plus stat-ing every rollout" and names
    # `find -name` beside it, which stats nothing; the verdicts above use the stricter `find`,
    # this row and the one after the new session use the wording (the find that stats).
    FLOOR_STAT=$(calc "$START + $(ms "$K.findstat")")
    QLIM_STAT=$(calc "($QCAP > 1.25 * $FLOOR_STAT) ? $QCAP : 1.25 * $FLOOR_STAT")
    WALK_MAX=0
    for k in stats search resume_all resume_word sessions; do
        WALK_MAX=$(awk -v a="$WALK_MAX" -v b="$(ms "$K.$k")" 'BEGIN { print (b > a) ? b : a }')
    done
    row "slowest of the 5 above, floor stat-ing every rollout" "$WALK_MAX ms" "start + find stat-ing $FLOOR_STAT ms" "$(calc "$WALK_MAX / $FLOOR_STAT")" "<= max($QCAP ms, 1.25 x that floor) = $QLIM_STAT" "$(verdict "$WALK_MAX" "$QLIM_STAT")"
    for q in "stats_sig:stats daily --json" "search_sig:search $WORD" "resume_all_sig:resume --all" "resume_word_sig:resume $WORD" "sessions_sig:sessions"; do
        k=${q%%:*}; label="${q#*:} (state DB)"
        row "$label" "$(ms "$K.$k") ms" "floor $FLOOR ms" "$(calc "$(ms "$K.$k") / $FLOOR")" "<= max($QCAP ms, 1.25 x floor) = $QLIM" "$(verdict "$(ms "$K.$k")" "$QLIM")"
    done
    for q in "stats_nu:stats daily --json" "search_nu:search $WORD" "resume_all_nu:resume --all" "resume_word_nu:resume $WORD" "sessions_nu:sessions"; do
        k=${q%%:*}; label="${q#*:} --no-update"
        row "$label" "$(ms "$K.$k") ms" "start $START ms" "$(calc "$(ms "$K.$k") / $START")" "<= 12 ms" "$(verdict "$(ms "$K.$k")" 12)"
    done
    ALIM=$(calc "(45 > $FLOOR + 30) ? 45 : $FLOOR + 30")
    row "new 1 MB session, then stats daily" "$(ms "$K.append") ms" "floor $FLOOR ms" "$(calc "$(ms "$K.append") / $FLOOR")" "<= max(45 ms, floor + 30) = $ALIM" "$(verdict "$(ms "$K.append")" "$ALIM")"
    ALIM_STAT=$(calc "(45 > $FLOOR_STAT + 30) ? 45 : $FLOOR_STAT + 30")
    row "the same, floor stat-ing every rollout" "$(ms "$K.append") ms" "start + find stat-ing $FLOOR_STAT ms" "$(calc "$(ms "$K.append") / $FLOOR_STAT")" "<= max(45 ms, that floor + 30) = $ALIM_STAT" "$(verdict "$(ms "$K.append")" "$ALIM_STAT")"
    RATIO=$(calc "$(ms "$K.noindex") / $CC")
    row "stats daily --no-index" "$(calc "$(ms "$K.noindex") / 1000") s" "ccusage $(calc "$CC / 1000") s" "$RATIO" "<= 0.7 x ccusage" "$(verdict "$RATIO" 0.7)"
    QRSS=0
    for k in stats search resume_all resume_word sessions stats_sig search_sig resume_all_sig resume_word_sig sessions_sig stats_nu search_nu resume_all_nu resume_word_nu sessions_nu append; do
        QRSS=$(awk -v a="$QRSS" -v b="$(rss "$K.$k")" 'BEGIN { print (b > a) ? b : a }')
    done
    # The issue's 30 MB is a target of the 2 GB histories; at 10 GB it names the build's peak
    # (250 MB) and the query times, so the query's peak is reported there, not judged.
    QTARGET="<= 30 MB"; QVERDICT=$(verdict "$QRSS" 30)
    [[ $h == 10g ]] && { QTARGET="report (30 MB is the 2 GB target)"; QVERDICT=info; }
    row "query peak RSS (largest of the above)" "$QRSS MB" "ccusage $CC_RSS MB" "$(calc "$QRSS / $CC_RSS")" "$QTARGET" "$QVERDICT"
    # What that peak is made of: GNU time counts the index files tantivy maps (page cache,
    # shared) with the process's own memory.
    if MEM=$(bash "$ROOT/benches/memory-at-exit.sh" "$BIN" "${Q[@]}" search "$WORD" 2> /dev/null); then
        say "search $WORD, memory at exit: $MEM"
        ANON=$(sed -E 's/.*anonymous ([0-9.]+) MB.*/\1/' <<< "$MEM"); FILE=$(sed -E 's/.*file ([0-9.]+) MB.*/\1/' <<< "$MEM")
        row "search: private memory at exit" "$ANON MB" "+ $FILE MB mapped files" "-" "report (memory-at-exit.sh)" "info"
    fi
    row "floor: process start (rolldex --version)" "-" "$START ms" "-" "-" "info"
    row "floor: find HOME -name 'rollout-*'" "-" "$FIND ms" "-" "-" "info"
    row "floor: the same find, stat-ing every rollout (-printf '%s %T@ %i')" "-" "$(ms "$K.findstat") ms" "-" "-" "info"
    row "floor: rg -c token_count HOME (raw scan)" "-" "$(ms "$K.rg") ms" "-" "-" "info"
    row "peer: ccusage codex daily --offline" "-" "$CC ms, $CC_RSS MB" "-" "-" "info"
    if (( COLD )) && (( COLD_OK )); then
        CCC=$(ms "$K.cold_ccusage")
        CFLOOR=$(calc "$(ms "$K.cold_start") + $(ms "$K.cold_floor")")
        row "cold: full index" "$(calc "$(ms "$K.cold_index") / 1000") s" "ccusage cold $(calc "$CCC / 1000") s" "$(calc "$(ms "$K.cold_index") / $CCC")" "report (1 run)" "info"
        row "cold: full index peak RSS" "$(rss "$K.cold_index") MB" "ccusage cold $(rss "$K.cold_ccusage") MB" "-" "report (1 run)" "info"
        row "cold: first stats daily --json" "$(ms "$K.cold_stats") ms" "cold start + find $CFLOOR ms" "$(calc "$(ms "$K.cold_stats") / $CFLOOR")" "report (1 run)" "info"
    fi
    cp "$RES/table.txt" "$RES/table-$h.txt"
done
say ""
say "raw output: $RAW (hyperfine JSON and per-command output in $RES)"
