#!/usr/bin/env bash
# Drive the real OpenAI Codex CLI (from npm) against the rolldex stand-in Responses server and keep
# what it writes as fixtures: testdata/codex-versions/<version>/{home/,ledger.jsonl,scenarios.json}.
#
#   bash live/run.sh                 # the pinned matrix
#   bash live/run.sh 0.171.0 0.77.0  # some versions
#   bash live/run.sh --latest        # whatever npm calls latest
#   LIVE_OUT=/tmp/x bash live/run.sh # write the fixtures somewhere else (CI, no repo changes)
#   ROLLDEX_BIN=path bash live/run.sh # the rolldex the signal scenario runs (default: a debug build)
#
# Needs: npm + node, cargo, jq, python3 (sqlite3 module), tmux (optional, for the TUI scenario),
# zstd (only if Codex does not compress a rollout itself). Network: the npm registry only; Codex
# itself only ever talks to the stand-in on 127.0.0.1.
#
# Each Codex run happens under `env -i` in a throwaway CODEX_HOME and HOME, in a per-scenario cwd
# /tmp/rolldex-live/<version>/<scenario> (LIVE_RUN overrides /tmp/rolldex-live), with a timeout.
# Exit status: 0 when every scenario that applies to a version worked, 1 otherwise (the matrix
# printed at the end says which); 2 on a setup error.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PINNED=(0.47.0 0.77.0 0.100.0 0.144.0 0.153.4 0.171.0)
LIVE_OUT=${LIVE_OUT:-$ROOT/testdata/codex-versions}
LIVE_RUN=${LIVE_RUN:-/tmp/rolldex-live}
CODEX_CACHE=${CODEX_CACHE:-$ROOT/target/codex}
CODEX_TIMEOUT=${CODEX_TIMEOUT:-120}
LEGACY_SEED_VERSION=${LEGACY_SEED_VERSION:-0.144.0} # writes a legacy rollout before migrate-rollouts
MODEL=gpt-5.2-codex
OTHER_MODEL=gpt-5.1-codex-mini

die() { echo "live/run.sh: $*" >&2; exit 2; }
log() { printf '[live %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in npm node cargo jq python3; do
    command -v "$tool" >/dev/null || die "$tool is required"
done

VERSIONS=()
for a in "$@"; do
    case "$a" in
        --latest)
            latest=$(npm view @openai/codex version 2>/dev/null) || die "npm view @openai/codex failed"
            VERSIONS+=("$latest") ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) die "unknown option $a" ;;
        *) VERSIONS+=("$a") ;;
    esac
done
[ ${#VERSIONS[@]} -gt 0 ] || VERSIONS=("${PINNED[@]}")

# ---------------------------------------------------------------------------------------------
# Install Codex versions (cached in target/codex/<version>).

codex_bin() { echo "$CODEX_CACHE/$1/node_modules/.bin/codex"; }

install_codex() {
    local v=$1 dir=$CODEX_CACHE/$1
    if [ -x "$(codex_bin "$v")" ] && "$(codex_bin "$v")" --version >/dev/null 2>&1; then
        return 0
    fi
    local have
    have=$(npm view "@openai/codex@$v" version 2>/dev/null | tail -1)
    [ "$have" = "$v" ] || { echo "npm has no @openai/codex@$v (got '${have}')" >&2; return 1; }
    log "installing @openai/codex@$v into $dir"
    rm -rf "$dir" && mkdir -p "$dir" && echo '{"private":true}' >"$dir/package.json"
    # From ~0.80 the binary is in the optional dependency @openai/codex-linux-x64 (an npm alias of
    # @openai/codex@<v>-linux-x64); --include=optional keeps it even where npm is set to omit them.
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --include=optional \
        "@openai/codex@$v") >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
    "$(codex_bin "$v")" --version >/dev/null 2>&1 || {
        echo "codex $v installed but does not run (platform binary missing?)" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------
# The stand-in.

# rolldex itself, for the scenario that checks its freshness signal against Codex's writes.
if [ -z "${ROLLDEX_BIN:-}" ]; then
    log "building rolldex"
    cargo build --quiet --manifest-path "$ROOT/Cargo.toml" || die "cannot build rolldex"
    ROLLDEX_BIN=$ROOT/target/debug/rolldex
fi

STANDIN=$ROOT/target/standin/release/rolldex-standin
log "building the stand-in"
cargo build --quiet --release --manifest-path "$ROOT/live/standin/Cargo.toml" \
    --target-dir "$ROOT/target/standin" || die "cannot build live/standin"

STANDIN_PID=
STANDIN_FIFO=
stop_standin() {
    if [ -n "$STANDIN_PID" ]; then
        kill "$STANDIN_PID" 2>/dev/null
        wait "$STANDIN_PID" 2>/dev/null
        STANDIN_PID=
    fi
    { exec 9>&-; } 2>/dev/null # closes fd 9 only (a bare `exec ... 2>/dev/null` would silence the log)
    [ -n "$STANDIN_FIFO" ] && rm -f "$STANDIN_FIFO"
    STANDIN_FIFO=
}
# $1 = run dir. Sets PORT. The stand-in reads fd 9 of this script through a fifo: when this
# script dies it sees EOF and exits; --max-seconds is the last resort.
start_standin() {
    local w=$1
    STANDIN_FIFO=$w/standin.stdin
    rm -f "$STANDIN_FIFO" "$w/port" && mkfifo "$STANDIN_FIFO"
    "$STANDIN" --port-file "$w/port" --ledger "$w/ledger.jsonl" --log "$w/requests.jsonl" \
        --max-seconds 3600 <"$STANDIN_FIFO" >"$w/standin.out" 2>"$w/standin.err" &
    STANDIN_PID=$!
    exec 9>"$STANDIN_FIFO"
    for _ in $(seq 50); do [ -s "$w/port" ] && break; sleep 0.1; done
    [ -s "$w/port" ] || die "stand-in did not start (see $w/standin.err)"
    PORT=$(cat "$w/port")
}

# ---------------------------------------------------------------------------------------------
# Helpers used by the scenarios. Globals per version: V, W (run dir), CH (CODEX_HOME), BIN, HELP_*.

TUI_PIDS_FILE=
cleanup() {
    stop_standin
    tmux kill-session -t "rolldex-live-$$" 2>/dev/null
    kill_daemons
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Codex >= ~0.160 TUIs start a managed app-server daemon that outlives the TUI. Stop the ones our
# throwaway CODEX_HOME started (their pids are in its app-server-daemon/*.pid files).
kill_daemons() {
    [ -n "${CH:-}" ] && [ -d "${CH}/app-server-daemon" ] || return 0
    local f pid
    for f in "$CH"/app-server-daemon/*.pid; do
        [ -f "$f" ] || continue
        pid=$(jq -r '.pid // empty' "$f" 2>/dev/null | head -1)
        [ -n "$pid" ] || continue
        if { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$CH"; then
            kill "$pid" 2>/dev/null
        fi
    done
}

# JSON array of the arguments (jq 1.6 would read "--foo" after --args as its own option)
jarr() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1:], ensure_ascii=False))' "$@"; }

codex_env() {
    local nodedir
    nodedir=$(dirname "$(command -v node)")
    echo env -i "HOME=$W/userhome" "PATH=$nodedir:/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 \
        TERM=xterm-256color "CODEX_HOME=$CH" OPENAI_API_KEY=dummy
}

# rollout files with sizes, for before/after diffs
snapshot() {
    (cd "$CH" && find sessions archived_sessions -type f -name 'rollout-*' -printf '%p\t%s\n' \
        2>/dev/null | sort)
}
ledger_count() { if [ -f "$W/ledger.jsonl" ]; then wc -l <"$W/ledger.jsonl"; else echo 0; fi; }

# thread id of a rollout file (session_meta.id), plain or .zst
thread_of() {
    local f=$CH/$1
    case "$f" in
        *.zst) zstd -dc "$f" 2>/dev/null | head -1 | jq -r '.payload.id // .id // empty' ;;
        *) head -1 "$f" | jq -r '.payload.id // .id // empty' ;;
    esac
}

SC_NAME= SC_CWD= SC_BEFORE= SC_LEDGER0= SC_CMDS= SC_PROMPTS= SC_NOTES= SC_STATUS=
sc_begin() {
    SC_NAME=$1
    SC_CWD=$LIVE_RUN/$V/$1
    mkdir -p "$SC_CWD"
    SC_BEFORE=$(snapshot)
    SC_LEDGER0=$(ledger_count)
    SC_CMDS='[]' SC_PROMPTS='[]' SC_NOTES='[]' SC_STATUS=ok
    SC_USER='[]' SC_CJK='[]' SC_EXTRA='{}'
    log "$V: $1"
}
note() { SC_NOTES=$(jq -c --arg n "$*" '. + [$n]' <<<"$SC_NOTES"); }
fail() { SC_STATUS=failed; note "FAILED: $*"; log "$V/$SC_NAME FAILED: $*"; }
skip() { SC_STATUS=skipped; note "skipped: $*"; log "$V/$SC_NAME skipped: $*"; }
words() { SC_USER=$(jq -c --argjson a "$(jarr "$@")" '. + $a' <<<"$SC_USER"); }
cjk() { SC_CJK=$(jq -c --argjson a "$(jarr "$@")" '. + $a' <<<"$SC_CJK"); }
extra() { SC_EXTRA=$(jq -c --arg k "$1" --argjson v "$2" '.[$k] = $v' <<<"$SC_EXTRA"); }

# cx [--stdin TEXT] [--prompt TEXT] ARGS... : run codex in $SC_CWD; returns codex's status.
# --prompt only records the prompt (it must also be in ARGS or --stdin).
CX_N=0
cx() {
    local stdin= rc
    while :; do
        case "${1:-}" in
            --stdin) stdin=$2; SC_PROMPTS=$(jq -c --arg p "$2" '. + [$p]' <<<"$SC_PROMPTS"); shift 2 ;;
            --prompt) SC_PROMPTS=$(jq -c --arg p "$2" '. + [$p]' <<<"$SC_PROMPTS"); shift 2 ;;
            *) break ;;
        esac
    done
    CX_N=$((CX_N + 1))
    local out=$W/logs/$(printf '%02d' "$CX_N")-$SC_NAME.out
    SC_CMDS=$(jq -c --argjson a "$(jarr "$@")" '. + [["codex"] + $a]' <<<"$SC_CMDS")
    # shellcheck disable=SC2046
    if [ -n "$stdin" ]; then
        (cd "$SC_CWD" && printf '%s' "$stdin" | $(codex_env) timeout "$CODEX_TIMEOUT" "$BIN" "$@" \
            >"$out" 2>&1)
    else
        (cd "$SC_CWD" && $(codex_env) timeout "$CODEX_TIMEOUT" "$BIN" "$@" </dev/null >"$out" 2>&1)
    fi
    rc=$?
    [ $rc -eq 124 ] && note "timed out after ${CODEX_TIMEOUT}s: codex $*"
    [ $rc -ne 0 ] && log "  codex $* -> exit $rc (log: $out)"
    return $rc
}
new_responses() { echo $(( $(ledger_count) - SC_LEDGER0 )); }

# Finish a scenario: work out which threads/files it created or changed, the responses it got
# from the stand-in, and append it to $W/scenarios.jsonl.
sc_end() {
    local after created changed
    after=$(snapshot)
    created=$(join -t $'\t' -v2 <(cut -f1 <<<"$SC_BEFORE" | sort) <(cut -f1 <<<"$after" | sort))
    changed=$(join -t $'\t' <(sort <<<"$SC_BEFORE") <(sort <<<"$after") | awk -F'\t' '$2!=$3{print $1}')
    local cj='[]' ch='[]' f t
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        t=$(thread_of "$f")
        cj=$(jq -c --arg f "$f" --arg t "$t" '. + [{file:$f, thread_id:$t}]' <<<"$cj")
    done <<<"$created"
    while IFS= read -r f; do
        [ -n "$f" ] || continue
        t=$(thread_of "$f")
        ch=$(jq -c --arg f "$f" --arg t "$t" '. + [{file:$f, thread_id:$t}]' <<<"$ch")
    done <<<"$changed"
    local resp='[]'
    if [ "$(ledger_count)" -gt "$SC_LEDGER0" ]; then
        resp=$(tail -n +"$((SC_LEDGER0 + 1))" "$W/ledger.jsonl" | jq -cs '.')
    fi
    # responses of background threads (e.g. TUI title/system requests) that have no rollout file
    local orphans='[]' tid
    for tid in $(jq -r '.[].thread_id' <<<"$resp" | sort -u); do
        [ -n "$(find "$CH/sessions" "$CH/archived_sessions" -name "rollout-*$tid*" 2>/dev/null | head -1)" ] ||
            orphans=$(jq -c --arg t "$tid" '. + [$t]' <<<"$orphans")
    done
    jq -cn --arg name "$SC_NAME" --arg cwd "$SC_CWD" --arg status "$SC_STATUS" \
        --argjson cmds "$SC_CMDS" --argjson prompts "$SC_PROMPTS" --argjson notes "$SC_NOTES" \
        --argjson created "$cj" --argjson changed "$ch" --argjson resp "$resp" \
        --argjson user "$SC_USER" --argjson cjk "$SC_CJK" --argjson extra "$SC_EXTRA" \
        --argjson orphans "$orphans" '
        {name:$name, status:$status, cwd:$cwd, commands:$cmds, prompts:$prompts,
         created:$created, changed:$changed,
         threads_created: [$created[].thread_id] | unique,
         threads_continued: [$changed[].thread_id] | unique,
         responses: [$resp[] | {response_id, thread_id, model, kind, words, total_tokens,
                                thread_source}],
         expect: {
           user_words: $user,
           cjk_words: $cjk,
           assistant_words: [$resp[] | select(.thread_id as $t | $orphans | index($t) | not)
                             | select(.kind|startswith("message")) | .words[]],
           tool_words: [$resp[] | select(.kind|startswith("function_call")) | .words[]],
           not_in_rollouts: [$resp[] | select(.thread_id as $t | $orphans | index($t)) | .words[]]
         },
         background_threads: $orphans,
         notes:$notes} + $extra' >>"$W/scenarios.jsonl"
    RESULTS+=("$V	$SC_NAME	$SC_STATUS")
    [ "$SC_STATUS" = failed ] && FAILED=$((FAILED + 1))
}
# the thread a scenario created (first one), from the last line of scenarios.jsonl
last_thread() { tail -1 "$W/scenarios.jsonl" | jq -r '.threads_created[0] // empty'; }
thread_by_name() { jq -r --arg n "$1" 'select(.name==$n) | .threads_created[0] // empty' "$W/scenarios.jsonl"; }
cwd_by_name() { jq -r --arg n "$1" 'select(.name==$n) | .cwd' "$W/scenarios.jsonl"; }

# An exec that must produce at least $1 responses.
expect_responses() {
    local n
    n=$(new_responses)
    [ "$n" -ge "$1" ] || { fail "expected >= $1 responses from the stand-in, got $n"; return 1; }
}

# ---------------------------------------------------------------------------------------------
# TUI in tmux. tui_run NAME_OF_TMUX_WINDOW PROMPT CODEX_ARGS... ; returns 0 when a reply came.

tui_run() {
    local prompt=$1; shift
    command -v tmux >/dev/null || { skip "tmux not installed"; return 1; }
    local sess=rolldex-live-$$ exitf=$W/tui.exit pane=$W/logs/$SC_NAME.pane
    rm -f "$exitf"
    SC_CMDS=$(jq -c --argjson a "$(jarr "$@")" '. + [["codex"] + $a]' <<<"$SC_CMDS")
    SC_PROMPTS=$(jq -c --arg p "$prompt" '. + [$p]' <<<"$SC_PROMPTS")
    local cmd q
    cmd="$(codex_env) timeout --foreground $CODEX_TIMEOUT $BIN"
    for q in "$@"; do cmd+=" $(printf '%q' "$q")"; done
    tmux new-session -d -s "$sess" -x 200 -y 50 -c "$SC_CWD" "$cmd; echo \$? >$exitf; sleep 2" ||
        { skip "tmux new-session failed"; return 1; }
    # wait for the composer
    local i ready=
    for i in $(seq 60); do
        sleep 0.5
        if tmux capture-pane -p -t "$sess" 2>/dev/null | grep -qE '^(›|▌|>) |Ask Codex|send a message|Send a message'; then
            ready=1; break
        fi
        [ -f "$exitf" ] && break
    done
    if [ -z "$ready" ]; then
        tmux capture-pane -p -t "$sess" >"$pane" 2>/dev/null
        tmux kill-session -t "$sess" 2>/dev/null
        skip "TUI composer never appeared (pane saved in logs/)"
        return 1
    fi
    sleep 2 # start-up notices (e.g. "Model changed to ...") can still take the first keys
    local before attempt
    before=$(ledger_count)
    for attempt in 1 2 3; do
        if ! tmux capture-pane -p -t "$sess" | grep -qF "$prompt"; then
            [ "$attempt" -gt 1 ] && note "TUI: prompt typed again (attempt $attempt)"
            tmux send-keys -t "$sess" -l "$prompt"
            sleep 1
        fi
        tmux send-keys -t "$sess" Enter
        for i in $(seq 20); do
            sleep 0.5
            [ "$(ledger_count)" -gt "$before" ] && break 2
        done
    done
    for i in $(seq 20); do
        sleep 0.5
        [ "$(ledger_count)" -gt "$before" ] && break
    done
    sleep 3 # let the reply render and the rollout flush
    tmux capture-pane -p -t "$sess" >"$pane" 2>/dev/null
    local got=$(( $(ledger_count) - before ))
    tmux send-keys -t "$sess" -l "/quit"
    sleep 0.5
    tmux send-keys -t "$sess" Enter
    for i in $(seq 20); do sleep 0.5; [ -f "$exitf" ] && break; done
    if [ ! -f "$exitf" ]; then
        tmux send-keys -t "$sess" C-c; sleep 1; tmux send-keys -t "$sess" C-c
        for i in $(seq 10); do sleep 0.5; [ -f "$exitf" ] && break; done
        note "TUI did not exit on /quit; sent Ctrl-C"
    fi
    tmux kill-session -t "$sess" 2>/dev/null
    kill_daemons
    [ "$got" -gt 0 ] || { skip "TUI got no reply (pane saved in logs/)"; return 1; }
    return 0
}

# ---------------------------------------------------------------------------------------------
# Fixture export.

export_fixture() {
    local out=$LIVE_OUT/$V
    rm -rf "$out" && mkdir -p "$out/home" || die "cannot write $out"
    local d
    for d in sessions archived_sessions; do
        [ -d "$CH/$d" ] && cp -a "$CH/$d" "$out/home/"
    done
    [ -f "$CH/session_index.jsonl" ] && cp -p "$CH/session_index.jsonl" "$out/home/"
    cp -p "$CH/config.toml" "$out/home/"
    if [ -f "$CH/state_5.sqlite" ]; then
        # A consistent copy through the SQLite backup API (the live file may have a -wal), then
        # VACUUM the copy to drop free pages. The copy is switched to journal_mode=DELETE so that a
        # read-only checkout can open it without -wal/-shm files.
        python3 - "$CH/state_5.sqlite" "$out/home/state_5.sqlite" <<'PY' || die "sqlite backup failed"
import sqlite3, sys
src = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
dst = sqlite3.connect(sys.argv[2])
src.backup(dst)
src.close()
dst.execute("PRAGMA journal_mode=DELETE")
dst.execute("VACUUM")
dst.close()
PY
    fi
    cp -p "$W/ledger.jsonl" "$out/ledger.jsonl" 2>/dev/null || : >"$out/ledger.jsonl"
    jq -s --arg v "$V" --arg home "$CH" --arg port "$PORT" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
        --arg model "$MODEL" --arg other "$OTHER_MODEL" '
        {codex_version:$v, generated_at:$date, codex_home:$home, standin_port:($port|tonumber),
         model:$model, other_model:$other, scenarios:.}' "$W/scenarios.jsonl" >"$out/scenarios.json"
    # CODEX_HOME's files on disk keep the absolute paths Codex wrote (cwd, rollout paths).
    find "$out" -name '*.lock' -delete
}

# ---------------------------------------------------------------------------------------------
# Scenarios for one version.

run_version() {
    V=$1
    BIN=$(codex_bin "$V")
    W=$LIVE_RUN/$V
    CH=$W/home
    rm -rf "$W" && mkdir -p "$CH" "$W/userhome" "$W/logs" || die "cannot create $W"
    : >"$W/scenarios.jsonl"
    start_standin "$W"
    log "$V: stand-in on 127.0.0.1:$PORT, CODEX_HOME=$CH"

    local help_exec help_resume help_top
    help_top=$("$BIN" --help 2>&1)
    help_exec=$("$BIN" exec --help 2>&1)
    help_resume=$("$BIN" exec resume --help 2>&1)
    local help_fork=
    grep -qE '^\s+fork\s' <<<"$help_exec" && help_fork=$("$BIN" exec fork --help 2>&1)
    local features
    features=$(env -i HOME="$W/userhome" PATH=/usr/bin:/bin CODEX_HOME="$CH" "$BIN" features list 2>/dev/null)

    cat >"$CH/config.toml" <<EOF
model = "$MODEL"
model_provider = "mock"
check_for_update_on_startup = false

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"

[projects."$LIVE_RUN/$V/tui"]
trust_level = "trusted"

[projects."$LIVE_RUN/$V/tui-daemon"]
trust_level = "trusted"

[projects."$LIVE_RUN/$V/fork"]
trust_level = "trusted"
EOF

    local SKIP=()
    grep -q -- '--skip-git-repo-check' <<<"$help_exec" && SKIP=(--skip-git-repo-check)
    local p id

    # 1. plain exec
    sc_begin plain
    p="Please draft short release notes for the zanzibarquokka telemetry module before Friday."
    words zanzibarquokka telemetry
    cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
    expect_responses 1
    sc_end
    local plain_id
    plain_id=$(last_thread)

    # 2. tool call
    sc_begin tool
    p="RUN_TOOL: please check what the quillbramble directory holds and report back."
    words quillbramble
    cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
    expect_responses 2
    sc_end
    local tool_id tool_cwd
    tool_id=$(last_thread)
    tool_cwd=$(cwd_by_name tool)

    # 3. exec resume --last, from the tool session's cwd (newest session there)
    sc_begin resume-last
    SC_CWD=$tool_cwd
    p="Thanks, now also summarize the lanternmoss findings in one paragraph."
    words lanternmoss
    local n0
    n0=$(ledger_count)
    cx --prompt "$p" exec "${SKIP[@]}" resume --last "$p"
    local rc=$?
    if [ $rc -ne 0 ] || [ "$(ledger_count)" -eq "$n0" ]; then
        # 0.47 takes any positional after --last as SESSION_ID ("--last cannot be used with
        # [SESSION_ID]"), "-" included; with no positional it reads the prompt from stdin.
        note "'exec resume --last PROMPT' failed (exit $rc) or sent nothing; retried with no positional and the prompt on stdin"
        cx --stdin "$p" exec "${SKIP[@]}" resume --last || fail "exec resume --last <stdin> exited non-zero"
    fi
    expect_responses 1
    sc_end
    local cont
    cont=$(tail -1 "$W/scenarios.jsonl" | jq -r '(.threads_continued[0] // .threads_created[0]) // empty')
    # rewrite the last line with the resume target we observed
    python3 - "$W/scenarios.jsonl" "$cont" "$tool_id" <<'PY'
import json, sys
p, cont, want = sys.argv[1:]
lines = open(p).read().splitlines()
d = json.loads(lines[-1])
d["resume_last_continued"] = cont
d["resume_last_expected"] = want
if not d["threads_continued"]:
    d["notes"].append("resume --last did not append to an existing rollout (new file: %s)" % d["threads_created"])
lines[-1] = json.dumps(d, ensure_ascii=False, separators=(",", ":"))
open(p, "w").write("\n".join(lines) + "\n")
PY

    # 4. exec resume <id>, the plain session, from its own cwd
    sc_begin resume-id
    SC_CWD=$(cwd_by_name plain)
    p="Please extend those notes with the pebblequasar migration caveats."
    words pebblequasar
    cx --prompt "$p" exec "${SKIP[@]}" resume "$plain_id" "$p" || fail "exec resume <id> exited non-zero"
    expect_responses 1
    sc_end

    # 5. model switch on resume
    sc_begin model-switch
    SC_CWD=$(cwd_by_name plain)
    p="Switch gears and estimate the fjordcinder rollout effort in days."
    words fjordcinder
    cx --prompt "$p" exec "${SKIP[@]}" resume -c "model=\"$OTHER_MODEL\"" "$plain_id" "$p" ||
        fail "exec resume -c model=... exited non-zero"
    expect_responses 1
    if ! tail -n +"$((SC_LEDGER0 + 1))" "$W/ledger.jsonl" | jq -e --arg m "$OTHER_MODEL" 'select(.model==$m)' >/dev/null; then
        note "the stand-in did not see model $OTHER_MODEL"
    fi
    sc_end

    # 6. exec fork
    sc_begin fork
    if [ -n "$help_fork" ]; then
        p="On a separate branch, list the tangerinevault risks we have not covered."
        words tangerinevault
        cx --prompt "$p" exec "${SKIP[@]}" fork "$plain_id" "$p" || fail "exec fork exited non-zero"
        expect_responses 1
    elif grep -qE '^\s+fork\s' <<<"$help_top"; then
        # no `exec fork` yet: fork in the TUI (`codex fork <id>`), then send the prompt there
        p="On a separate branch, list the tangerinevault risks we have not covered."
        words tangerinevault
        note "TUI fork (this version has 'codex fork' but no 'codex exec fork')"
        mkdir -p "$SC_CWD"
        tui_run "$p" fork "$plain_id"
    else
        skip "no 'codex exec fork' or 'codex fork' in $V"
    fi
    sc_end

    # 7. Chinese prompt
    sc_begin zh
    p="我要做一个平台，用来管理团队的日常任务和进度，请给出第一步的建议。"
    cjk 我要做一个平台 平台 团队 任务
    cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
    expect_responses 1
    sc_end

    # 8. Japanese prompt
    sc_begin ja
    p="データベースの移行を手伝ってください。テーブルは三つだけです。"
    cjk データベースの移行を手伝ってください データベース 移行 テーブル
    cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
    expect_responses 1
    sc_end

    # 9. archive (a dedicated session, then `codex archive <id>`)
    sc_begin archive
    if grep -qE '^\s+archive\s' <<<"$help_top"; then
        p="Please note the walrusgazette retention policy for later."
        words walrusgazette
        cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
        expect_responses 1
        id=$(comm -13 <(cut -f1 <<<"$SC_BEFORE") <(snapshot | cut -f1) | head -1)
        id=$([ -n "$id" ] && thread_of "$id")
        if [ -n "$id" ]; then
            cx archive "$id" || fail "codex archive exited non-zero"
            [ -n "$(find "$CH/archived_sessions" -name "*$id*" 2>/dev/null)" ] ||
                fail "archived rollout not found under archived_sessions/"
        else
            fail "no session to archive"
        fi
    else
        skip "no 'codex archive' in $V"
    fi
    sc_end

    # 10. TUI session in tmux (source cli)
    sc_begin tui
    p="Please outline the meadowsprocket onboarding checklist."
    words meadowsprocket
    if grep -q daemon_auto_start <<<"$features"; then
        # Newer TUIs talk to a managed app-server daemon (session source "vscode"); turn it off
        # here so this session is an in-process one ("cli"). See tui-daemon below.
        tui_run "$p" -c features.daemon_auto_start=false
    else
        tui_run "$p"
    fi
    sc_end

    # 10b. TUI through the managed daemon (only where the daemon exists)
    if grep -q daemon_auto_start <<<"$features"; then
        sc_begin tui-daemon
        p="Please sketch the hollyfathom dashboard layout."
        words hollyfathom
        tui_run "$p"
        sc_end
    fi

    # 11. migrate-rollouts (seed a legacy rollout from an older Codex first)
    if grep -qE '^\s+migrate-rollouts\s' <<<"$help_top"; then
        sc_begin migrate-rollouts
        local seed_bin
        seed_bin=$(codex_bin "$LEGACY_SEED_VERSION")
        if [ -x "$seed_bin" ] || install_codex "$LEGACY_SEED_VERSION"; then
            p="Please keep the driftwoodcipher legacy notes around."
            words driftwoodcipher
            local save_bin=$BIN
            BIN=$seed_bin
            cx --prompt "$p" exec --skip-git-repo-check "$p" || fail "seed exec by $LEGACY_SEED_VERSION failed"
            BIN=$save_bin
            note "seed session written by codex $LEGACY_SEED_VERSION (legacy history) in this home"
            cx migrate-rollouts --json || fail "migrate-rollouts (report) exited non-zero"
            cp "$W/logs/$(printf '%02d' "$CX_N")-$SC_NAME.out" "$W/logs/migrate-report.json"
            cx migrate-rollouts --apply || fail "migrate-rollouts --apply exited non-zero"
            extra migrate_output "$(tail -5 "$W/logs/$(printf '%02d' "$CX_N")-$SC_NAME.out" | jq -Rs .)"
        else
            skip "could not install codex $LEGACY_SEED_VERSION for the legacy seed"
        fi
        sc_end
    fi

    # 12. compressed rollout (local_thread_store_compression), where the feature exists
    if grep -q local_thread_store_compression <<<"$features"; then
        sc_begin compress
        p="Please file away the glaciervault audit summary."
        words glaciervault
        cx --prompt "$p" exec "${SKIP[@]}" "$p" || fail "codex exec exited non-zero"
        local cold
        cold=$(comm -13 <(cut -f1 <<<"$SC_BEFORE") <(snapshot | cut -f1) | head -1)
        if [ -n "$cold" ]; then
            touch -d '8 days ago' "$CH/$cold"
            p="Please confirm the saltmarshbeacon checklist is complete."
            words saltmarshbeacon
            cx --prompt "$p" exec "${SKIP[@]}" -c features.local_thread_store_compression=true "$p" ||
                fail "trigger exec exited non-zero"
            local i
            for i in $(seq 20); do [ -f "$CH/$cold.zst" ] && [ ! -f "$CH/$cold" ] && break; sleep 0.5; done
            if [ -f "$CH/$cold.zst" ] && [ ! -f "$CH/$cold" ]; then
                note "compressed by Codex itself ($cold.zst)"
                extra compressed "$(jq -cn --arg f "$cold.zst" '{file:$f, by:"codex"}')"
            elif command -v zstd >/dev/null; then
                # Hand-made, as Codex does it: one frame, level 3, content size in the frame
                # header, no checksum, same mtime, plain file removed.
                zstd -q -3 --no-check --content-size -o "$CH/$cold.zst" "$CH/$cold" &&
                    touch -r "$CH/$cold" "$CH/$cold.zst" && rm -f "$CH/$cold"
                note "HAND-MADE: Codex did not compress $cold; zstd -3 --no-check --content-size"
                extra compressed "$(jq -cn --arg f "$cold.zst" '{file:$f, by:"hand (zstd CLI)"}')"
            else
                fail "no .zst produced and no zstd CLI for a hand-made one"
            fi
        else
            fail "no cold session"
        fi
        sc_end
    fi

    # 13. rolldex's freshness signal (src/scan/signal.rs) against Codex's own writes: once a
    # quiet walk has recorded the state database's stamps, queries skip the walk while they
    # hold; Codex appending to an old session must still be seen by the very next query, and
    # that query must agree with a fresh index.
    sc_begin signal
    if [ ! -f "$CH/state_5.sqlite" ]; then
        skip "no state_5.sqlite in $V (every query walks)"
    else
        SC_CWD=$(cwd_by_name plain)
        local idx=$W/rolldex-index fresh=$W/rolldex-fresh
        rx() { "$ROLLDEX_BIN" -q --codex-home "$CH" "$@"; }
        # The session ids the signal index's next `search WORD` names, space-separated.
        search_ids() {
            rx --index-dir "$idx" search "$1" --include-non-interactive --json 2>/dev/null |
                jq -r '[.hits[].session_id] | join(" ")'
        }
        sleep 2.5 # the signal's QUIET: stamps younger than that are not trusted
        rx --index-dir "$idx" index >/dev/null 2>&1 || fail "rolldex index exited non-zero"
        compgen -G "$idx/*/walk-signal.bin" >/dev/null || fail "no walk signal recorded after a quiet walk"
        # A prompt added to another session by hand (not by Codex: nothing watched changes)
        # must stay unseen by the next query, which shows that query skipped the walk; after
        # Codex's own write, the walk runs again and finds it too. The added line is a copy of
        # the tool session's own prompt record (legacy `user_message` or paginated
        # `UserMessage`, whichever this version writes) with another word in it.
        local other prompt_line="" other_size=0
        other=$(find "$CH/sessions" -name "rollout-*$tool_id.jsonl" 2>/dev/null | head -1)
        if [ -n "$other" ]; then
            other_size=$(stat -c %s "$other")
            prompt_line=$(grep -F quillbramble "$other" |
                grep -m1 -E '"type":"(user_message|UserMessage)"' | sed 's/quillbramble/tangelowhistle/g')
        fi
        [ -n "$prompt_line" ] || other=""
        if [ -n "$other" ]; then
            printf '%s\n' "$prompt_line" >>"$other"
            [ -z "$(search_ids tangelowhistle)" ] ||
                fail "a query in a quiet home walked (it saw a line added by hand, which nothing watched announces)"
        fi
        p="Please add the cobaltmarigold caveat to those notes."
        words cobaltmarigold
        cx --prompt "$p" exec "${SKIP[@]}" resume "$plain_id" "$p" || fail "exec resume <id> exited non-zero"
        expect_responses 1
        local hits totals fresh_totals
        hits=$(search_ids cobaltmarigold)
        grep -q -- "$plain_id" <<<"$hits" ||
            fail "the next query did not see Codex's append (search cobaltmarigold: '$hits')"
        if [ -n "$other" ]; then
            grep -q -- "$tool_id" <<<"$(search_ids tangelowhistle)" ||
                fail "after Codex's write the query did not walk again (the hand-added line is still unseen)"
        fi
        totals=$(rx --index-dir "$idx" stats daily --json 2>/dev/null | jq -c .totals)
        fresh_totals=$(rx --index-dir "$fresh" stats daily --json 2>/dev/null | jq -c .totals)
        [ -n "$totals" ] && [ "$totals" = "$fresh_totals" ] ||
            fail "stats after the append differ from a fresh index: $totals vs $fresh_totals"
        # The fixture keeps only what Codex wrote (tests/codex_versions.rs counts the turns).
        [ -n "$other" ] && truncate -s "$other_size" "$other"
        extra signal "$(jq -cn --arg h "$hits" --argjson t "${totals:-null}" --argjson w "$([ -n "$other" ] && echo true || echo false)" \
            '{search_hits:$h, totals:$t, walk_skip_checked:$w}')"
    fi
    sc_end

    kill_daemons
    stop_standin
    export_fixture
}

# ---------------------------------------------------------------------------------------------

RESULTS=()
FAILED=0
mkdir -p "$LIVE_RUN" "$LIVE_OUT" || die "cannot create $LIVE_RUN / $LIVE_OUT"
command -v tmux >/dev/null || log "tmux not found: TUI scenarios will be skipped"
for v in "${VERSIONS[@]}"; do
    if ! install_codex "$v"; then
        RESULTS+=("$v	install	failed")
        FAILED=$((FAILED + 1))
        continue
    fi
    run_version "$v"
done

echo
echo "version	scenario	status"
printf '%s\n' "${RESULTS[@]}"
if [ "$FAILED" -gt 0 ]; then
    echo "live/run.sh: $FAILED scenario(s) FAILED; logs under $LIVE_RUN/<version>/logs" >&2
    exit 1
fi
echo "live/run.sh: all scenarios passed or were skipped; fixtures in $LIVE_OUT" >&2
