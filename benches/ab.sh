#!/usr/bin/env bash
# Two rolldex builds side by side on one history, interleaved, so a noisy machine slows both
# alike: N times, one 1 MB session is appended and each build updates its own index (`stats`),
# in alternating order; then `stats` and `search` on the current index, and the update's peak
# RSS. Prints medians. Run `bash benches/compare.sh` once first (it generates the histories and
# the session appended here); the appended files are removed at the end.
#
#   bash benches/ab.sh OLD_BIN NEW_BIN HOME N
#   e.g. git worktree add /tmp/old HEAD~3 && (cd /tmp/old && cargo build --release)
#        bash benches/ab.sh /tmp/old/target/release/rolldex target/release/rolldex \
#             /tmp/rolldex-bench/home-1950-s42-rich 15
set -euo pipefail
OLD=$1; NEW=$2; H=$3; N=$4
[[ -d /tmp/rolldex-bench/newsrc-rich/sessions ]] ||
    { echo "run benches/compare.sh first (no /tmp/rolldex-bench/newsrc-rich)" >&2; exit 2; }
# The session nearest 1 MB, as compare.sh picks it.
src=$(find /tmp/rolldex-bench/newsrc-rich/sessions -name 'rollout-*.jsonl' -printf '%s %p\n' | awk '
    { d = $1 - 1048576; if (d < 0) d = -d; if (best == "" || d < best) { best = d; p = $2 } }
    END { print p }')
id=$(basename "$src" .jsonl | grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
rm -rf /tmp/ab-old /tmp/ab-new; : > /tmp/ab-appended.list
"$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old index; "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new index
t() { local s e; s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N); echo $(( (e-s)/1000 )); }
med() { sort -n | awk '{a[NR]=$1} END {printf "%.1f", a[int((NR+1)/2)]/1000}'; }
: > /tmp/ab-o-app; : > /tmp/ab-n-app; : > /tmp/ab-o-st; : > /tmp/ab-n-st; : > /tmp/ab-o-se; : > /tmp/ab-n-se; : > /tmp/ab-o-rss; : > /tmp/ab-n-rss
for i in $(seq "$N"); do
  new=$(cat /proc/sys/kernel/random/uuid)
  dst="$H"/sessions/2026/02/26/rollout-2026-02-26T19-14-36-$new.jsonl
  sed "s/$id/$new/g" "$src" > "$dst"; echo "$dst" >> /tmp/ab-appended.list
  if (( i % 2 )); then
    t "$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old stats daily --json >> /tmp/ab-o-app
    t "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new stats daily --json >> /tmp/ab-n-app
  else
    t "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new stats daily --json >> /tmp/ab-n-app
    t "$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old stats daily --json >> /tmp/ab-o-app
  fi
  t "$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old stats daily --json >> /tmp/ab-o-st
  t "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new stats daily --json >> /tmp/ab-n-st
  t "$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old search migration >> /tmp/ab-o-se
  t "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new search migration >> /tmp/ab-n-se
done
# update RSS: one more appended session each
new=$(cat /proc/sys/kernel/random/uuid); dst="$H"/sessions/2026/02/26/rollout-2026-02-26T19-14-36-$new.jsonl
sed "s/$id/$new/g" "$src" > "$dst"; echo "$dst" >> /tmp/ab-appended.list
/usr/bin/time -f "%M" "$OLD" -q --codex-home "$H" --index-dir /tmp/ab-old stats daily --json 2>/tmp/ab-o-rss >/dev/null
/usr/bin/time -f "%M" "$NEW" -q --codex-home "$H" --index-dir /tmp/ab-new stats daily --json 2>/tmp/ab-n-rss >/dev/null
echo "$(basename "$H"): append+stats old $(med < /tmp/ab-o-app) ms new $(med < /tmp/ab-n-app) ms | stats old $(med < /tmp/ab-o-st) new $(med < /tmp/ab-n-st) | search old $(med < /tmp/ab-o-se) new $(med < /tmp/ab-n-se) | update RSS old $(tail -1 /tmp/ab-o-rss) KB new $(tail -1 /tmp/ab-n-rss) KB"
while read -r f; do rm -f -- "$f"; done < /tmp/ab-appended.list; : > /tmp/ab-appended.list
rm -rf /tmp/ab-old /tmp/ab-new
