#!/usr/bin/env bash
# End to end with the real Codex CLI (issue 12): Codex configured with [mcp_servers.rolldex]
# running this rolldex binary, and the stand-in model (live/standin) answering the prompt
# `MCP_SEARCH:<word> EXPECT:<session id>` with a call of the rolldex search tool — under the name
# Codex lists for it in the request's tools, never a hard-coded one. Codex runs the call through
# rolldex; the stand-in checks the tool output it gets back holds the expected session id and
# records that in its ledger. Then this script checks the ledger and that the rollout Codex wrote
# holds the call and rolldex's answer.
#
# The history searched is a copy of testdata/codex-versions/0.171.0/home (rolldex reads it; Codex
# writes its own throwaway home).
#
# Usage: bash tests/mcp/codex_e2e.sh [CODEX_VERSION]   (default 0.171.0)
# Codex comes from $CODEX_CACHE/<version> (default target/codex, as live/run.sh installs it; set
# CODEX_CACHE=$HOME/.cache/rolldex-live/codex to reuse CI's cache). Needs node, jq, cargo.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
V=${1:-0.171.0}
CODEX_CACHE=${CODEX_CACHE:-$ROOT/target/codex}
BIN=$CODEX_CACHE/$V/node_modules/.bin/codex
WORD=zanzibarquokka
EXPECT=01a2318c-b1d6-78b3-9666-02b6c5dc4b92

die() { echo "codex_e2e: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no Codex $V at $BIN (bash live/run.sh $V installs it, or set CODEX_CACHE)"
command -v jq >/dev/null || die "jq is needed"

cargo build --quiet --manifest-path "$ROOT/Cargo.toml" || die "cannot build rolldex"
ROLLDEX=$ROOT/target/debug/rolldex
cargo build --quiet --release --manifest-path "$ROOT/live/standin/Cargo.toml" \
    --target-dir "$ROOT/target/standin" || die "cannot build live/standin"
STANDIN=$ROOT/target/standin/release/rolldex-standin

W=$(mktemp -d "${TMPDIR:-/tmp}/rolldex-mcp-e2e.XXXXXX")
CH=$W/codex-home
HISTORY=$W/history
mkdir -p "$CH" "$W/userhome" "$W/work"
cp -a "$ROOT/testdata/codex-versions/0.171.0/home" "$HISTORY"

mkfifo "$W/standin.stdin"
"$STANDIN" --port-file "$W/port" --ledger "$W/ledger.jsonl" --log "$W/requests.jsonl" \
    --dump-dir "$W/requests" --max-seconds 600 <"$W/standin.stdin" >"$W/standin.out" 2>"$W/standin.err" &
STANDIN_PID=$!
exec 9>"$W/standin.stdin"
cleanup() {
    kill "$STANDIN_PID" 2>/dev/null
    wait "$STANDIN_PID" 2>/dev/null
    exec 9>&-
    if [ "${KEEP:-}" = 1 ]; then echo "codex_e2e: kept $W"; else rm -rf "$W"; fi
}
trap cleanup EXIT
for _ in $(seq 50); do [ -s "$W/port" ] && break; sleep 0.1; done
[ -s "$W/port" ] || die "stand-in did not start ($(cat "$W/standin.err"))"
PORT=$(cat "$W/port")

cat >"$CH/config.toml" <<EOF
model = "gpt-5.2-codex"
model_provider = "mock"
check_for_update_on_startup = false

[model_providers.mock]
name = "mock"
base_url = "http://127.0.0.1:$PORT/v1"
wire_api = "responses"

[mcp_servers.rolldex]
command = "$ROLLDEX"
args = ["--codex-home", "$HISTORY", "--index-dir", "$W/index", "mcp"]
EOF

nodedir=$(dirname "$(command -v node)")
prompt="MCP_SEARCH:$WORD EXPECT:$EXPECT which session talked about $WORD?"
(cd "$W/work" && env -i "HOME=$W/userhome" "PATH=$nodedir:/usr/local/bin:/usr/bin:/bin" \
    LANG=C.UTF-8 "CODEX_HOME=$CH" OPENAI_API_KEY=dummy \
    timeout 180 "$BIN" exec --skip-git-repo-check "$prompt" </dev/null >"$W/codex.out" 2>&1)
rc=$?
fail() { echo "codex_e2e: FAILED: $*" >&2; echo "--- codex output:" >&2; tail -40 "$W/codex.out" >&2; KEEP=1; exit 1; }
[ $rc -eq 0 ] || fail "codex exec exited $rc"

# 1. The stand-in called the tool under the name Codex listed, and saw the session id come back.
name=$(jq -r 'select(.kind | startswith("function_call:")) | .kind | sub("^function_call:"; "")' \
    "$W/ledger.jsonl" | head -1)
[ -n "$name" ] || fail "the stand-in never called a search_sessions tool (tools listed: $(jq -c '[.tools[]?.name] // empty' "$W/requests.jsonl" 2>/dev/null | head -1))"
found=$(jq -r 'select(has("mcp_expect_found")) | .mcp_expect_found' "$W/ledger.jsonl" | head -1)
[ "$found" = true ] || fail "the tool output the model got back does not hold $EXPECT: $(jq -r 'select(has("mcp_tool_output")) | .mcp_tool_output' "$W/ledger.jsonl" | head -c 600)"

# 2. The rollout holds the call and rolldex's answer.
rollout=$(find "$CH/sessions" -name 'rollout-*.jsonl' | head -1)
[ -n "$rollout" ] || fail "no rollout written"
grep -q "search_sessions" "$rollout" || fail "the rollout does not mention the tool call"
grep -q "$EXPECT" "$rollout" || fail "the rollout does not hold rolldex's answer ($EXPECT)"

# 3. rolldex itself finds the call in the new rollout.
"$ROLLDEX" --codex-home "$CH" --index-dir "$W/index2" --quiet search "$WORD" --include-non-interactive \
    --json | jq -e --arg e "$EXPECT" '.hits | length > 0' >/dev/null \
    || fail "rolldex does not find the MCP exchange in Codex's own rollout"

echo "codex_e2e: ok — Codex $V called '$name' through rolldex mcp; the model saw $EXPECT in its output"
