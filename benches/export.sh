#!/usr/bin/env bash
# `export --include-text` beside a full index build of the same history, in one run: N rounds,
# each timing a build into a fresh index folder and an export (every message, Parquet) from the
# up-to-date index into a fresh output folder, so a noisy machine slows both alike. Prints each
# one's median wall time and peak RSS and the export/build ratio (the target is <= 2). Given a
# second binary, it is timed in the same rounds (alternating order) for an A/B of the export.
# Run `bash benches/compare.sh` once first (it generates the histories).
#
#   bash benches/export.sh BIN HOME N [OLD_BIN]
#   e.g. bash benches/export.sh target/release/rolldex /tmp/rolldex-bench/home-1950-s42-rich 5
set -euo pipefail
BIN=$1; H=$2; N=$3; OLD=${4:-}
[[ -d $H/sessions ]] || { echo "no history at $H: run benches/compare.sh first" >&2; exit 2; }
W=$(mktemp -d /tmp/rolldex-export-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT
# Wall seconds and peak KB of one command, appended to the two files named.
run() { local wall=$1 rss=$2; shift 2
  /usr/bin/time -f '%e %M' -o "$W/t" "$@" > /dev/null 2> "$W/err" || { cat "$W/err" >&2; exit 1; }
  read -r s kb < "$W/t"; echo "$s" >> "$wall"; echo "$kb" >> "$rss"; }
med() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
"$BIN" -q --codex-home "$H" --index-dir "$W/index" index
for i in $(seq "$N"); do
  rm -rf "$W/fresh"; run "$W/build.s" "$W/build.kb" "$BIN" -q --codex-home "$H" --index-dir "$W/fresh" index
  order=(new old); (( i % 2 )) || order=(old new)
  for which in "${order[@]}"; do
    b=$BIN; [[ $which == old ]] && { [[ -n $OLD ]] || continue; b=$OLD; }
    rm -rf "$W/out"
    run "$W/$which.s" "$W/$which.kb" "$b" -q --codex-home "$H" --index-dir "$W/index" export --out "$W/out" --include-text
  done
done
echo "history $H, $N rounds, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %9s %10s\n' measure 'median s' 'peak MB'
printf '%-34s %9s %10.1f\n' "full index build" "$(med "$W/build.s")" "$(echo "$(med "$W/build.kb")/1024" | bc -l)"
printf '%-34s %9s %10.1f\n' "export --include-text ($BIN)" "$(med "$W/new.s")" "$(echo "$(med "$W/new.kb")/1024" | bc -l)"
[[ -n $OLD ]] && printf '%-34s %9s %10.1f\n' "export --include-text ($OLD)" "$(med "$W/old.s")" "$(echo "$(med "$W/old.kb")/1024" | bc -l)"
printf 'ratio export / build: %.2f (target <= 2)\n' "$(echo "$(med "$W/new.s")/$(med "$W/build.s")" | bc -l)"
[[ -n $OLD ]] && printf 'ratio new / old export: %.2f\n' "$(echo "$(med "$W/new.s")/$(med "$W/old.s")" | bc -l)"
exit 0
