#!/usr/bin/env python3
"""Keystroke-to-screen latency of `rolldex pick`, measured in a real pseudo-terminal (tmux).

Usage: python3 benches/picker-latency.py ROLLDEX_BIN CODEX_HOME INDEX_DIR [WORDS...]

Starts the picker in a private tmux server (150x40), waits until it has drawn and its
background update has landed, then types WORDS (default: a few words of the generated history)
one key at a time. For each key it records the time from `tmux send-keys` returning to the
first `capture-pane` showing (a) the typed line with the new character and (b) the list
answering it (no "searching…"). The capture polling itself (a tmux client per poll, ~1-2 ms)
is included, so the figures are upper bounds. Prints the median, p90 and max in ms.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

bin_, home, index = sys.argv[1:4]
words = sys.argv[4:] or ["migration", "queue timeout", "refresh token"]
tmp = tempfile.mkdtemp()
sock = os.path.join(tmp, "sock")


def tmux(*args):
    return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *args],
                          capture_output=True, text=True)


def screen():
    return tmux("capture-pane", "-p", "-t", "lat").stdout


script = os.path.join(tmp, "run.sh")
with open(script, "w") as f:
    f.write(f"NO_COLOR=1 '{bin_}' --codex-home '{home}' --index-dir '{index}' pick --all > /dev/null\n")
tmux("new-session", "-d", "-s", "lat", "-x", "150", "-y", "40", f"sh {script}; sleep 30")
deadline = time.time() + 120
while "enter: print id" not in screen() or "updating" in screen():
    assert time.time() < deadline, screen()
    time.sleep(0.05)

echo, listed = [], []
for word in words:
    typed = ""
    for ch in word + " ":
        typed += ch
        shown_line = "> " + typed.rstrip()
        tmux("send-keys", "-t", "lat", "-l", ch)
        t0 = time.perf_counter()
        got_echo = None
        while True:
            s = screen()
            now = time.perf_counter()
            first = s.splitlines()[0] if s else ""
            if got_echo is None and first.startswith(shown_line):
                got_echo = now - t0
            if got_echo is not None and "searching" not in first:
                echo.append(got_echo * 1000)
                listed.append((now - t0) * 1000)
                break
            assert now - t0 < 30, s
    tmux("send-keys", "-t", "lat", "C-u")
    time.sleep(0.3)
tmux("send-keys", "-t", "lat", "Escape")
tmux("kill-server")


def summary(name, xs):
    xs = sorted(xs)
    p90 = xs[int(len(xs) * 0.9) - 1] if len(xs) >= 10 else xs[-1]
    print(f"{name}: n={len(xs)} median={statistics.median(xs):.1f} ms "
          f"p90={p90:.1f} ms max={xs[-1]:.1f} ms")


summary("keystroke -> typed line on screen", echo)
summary("keystroke -> re-ranked list on screen", listed)
