#!/usr/bin/env bash
# What a command's memory is made of as it exits: its peak RSS, and the resident pages it has
# then, private (anonymous: heap, stacks) and file-backed (the binary and the index files
# tantivy maps; those are the page cache's, shared, and the kernel maps them 64 KB at a time
# around each page read). GNU time's peak RSS counts both kinds alike. The command runs under
# gdb, stopped at its exit_group, while /proc/PID/status is read.
#
#   bash benches/memory-at-exit.sh CMD ARGS...   → "peak 68.5 MB, anonymous 5.1 MB, file 62.3 MB"
set -euo pipefail
command -v gdb > /dev/null || { echo "memory-at-exit.sh: needs gdb" >&2; exit 2; }
gdb -q -batch -ex 'set pagination off' -ex 'catch syscall exit_group' -ex run \
    -ex 'python import gdb; print(open("/proc/%d/status" % gdb.selected_inferior().pid).read())' \
    --args "$@" 2> /dev/null |
    awk '/^VmHWM:/ { p = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
         END { if (p == "") exit 1; printf "peak %.1f MB, anonymous %.1f MB, file %.1f MB\n", p / 1024, a / 1024, f / 1024 }'
