#!/usr/bin/env python3
"""Keystroke-to-screen latency of `rolldex pick`, measured in a real pseudo-terminal (tmux).

Usage: python3 benches/picker-latency.py [--poll] [--rounds N] ROLLDEX_BIN CODEX_HOME INDEX_DIR [WORDS...]

Starts the picker in a private tmux server (150x40), waits until it has drawn and its
background update has landed, then types WORDS (default: a few words of the generated history)
one key at a time, N rounds (default 1). For each key it records the time from the key going
into the terminal to the screen showing (a) the typed line with the new character and (b) the
list answering it (no "searching…").

How the screen is watched:
- default: one tmux control-mode client (`tmux -C`). The key is sent through it, tmux reports
  every write of the picker to its terminal (`%output`) as it happens, and after each one the
  screen is captured through the same client; the time of a screen is the time of the last
  `%output` before that capture. No process is started per sample, and nothing polls.
- `--poll`: a new `tmux capture-pane` client per sample, in a busy loop (the first version of
  this bench). Each poll costs a process start and a server round trip (~2-5 ms on a loaded
  machine) and competes with the picker for the CPU, so its figures are upper bounds.

Prints the median, p90 and max in ms, and the load average before and after.
"""
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

argv = sys.argv[1:]
poll_mode = "--poll" in argv
argv = [a for a in argv if a != "--poll"]
rounds = 1
if "--rounds" in argv:
    at = argv.index("--rounds")
    rounds = int(argv[at + 1])
    del argv[at:at + 2]
bin_, home, index = argv[0:3]
words = argv[3:] or ["migration", "queue timeout", "refresh token"]
tmp = tempfile.mkdtemp()
sock = os.path.join(tmp, "sock")


def tmux(*args):
    return subprocess.run(["tmux", "-S", sock, "-f", "/dev/null", *args],
                          capture_output=True, text=True)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


class Control:
    """A tmux control-mode client: commands in, replies and `%output` notifications out."""

    def __init__(self):
        self.proc = subprocess.Popen(
            ["tmux", "-S", sock, "-f", "/dev/null", "-C", "attach", "-t", "lat"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.buf = b""
        self.last_output = None  # when the newest %output line was read

    def send(self, command):
        self.proc.stdin.write((command + "\n").encode())

    def line(self, deadline):
        while b"\n" not in self.buf:
            left = deadline - time.perf_counter()
            assert left > 0, "no answer from tmux"
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
                assert chunk, "tmux control client ended"
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        if line.startswith(b"%output "):
            self.last_output = time.perf_counter()
        return line

    def drain(self):
        """Reads whatever tmux has said so far (the redraws of earlier keys)."""
        while select.select([self.proc.stdout], [], [], 0)[0]:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            assert chunk, "tmux control client ended"
            self.buf += chunk
        while b"\n" in self.buf:
            self.line(time.perf_counter() + 1)

    def capture(self, deadline):
        """The screen, and the time of the last output it can show."""
        self.send("capture-pane -p -t lat")
        while True:
            line = self.line(deadline)
            if line.startswith(b"%begin"):
                seen = self.last_output
                break
        rows = []
        while True:
            line = self.line(deadline)
            if line.startswith(b"%end") or line.startswith(b"%error"):
                return b"\n".join(rows).decode("utf-8", "replace"), seen
            rows.append(line)

    def wait_output(self, deadline):
        """Blocks until the picker writes to its terminal again."""
        before = self.last_output
        while self.last_output == before:
            self.line(deadline)


script = os.path.join(tmp, "run.sh")
with open(script, "w") as f:
    f.write(f"NO_COLOR=1 '{bin_}' --codex-home '{home}' --index-dir '{index}' pick --all > /dev/null\n")
tmux("new-session", "-d", "-s", "lat", "-x", "150", "-y", "40", f"sh {script}; sleep 30")


def screen_poll():
    return tmux("capture-pane", "-p", "-t", "lat").stdout


deadline = time.perf_counter() + 120
while "enter: print id" not in screen_poll() or "updating" in screen_poll():
    assert time.perf_counter() < deadline, screen_poll()
    time.sleep(0.05)

control = None if poll_mode else Control()
load_before = loadavg()
echo, listed = [], []


def measure(ch, shown_line):
    """(ms to the typed line, ms to the answered list) for one key."""
    got_echo = None
    if poll_mode:
        tmux("send-keys", "-t", "lat", "-l", ch)
        t0 = time.perf_counter()
        while True:
            s = screen_poll()
            now = time.perf_counter()
            first = s.splitlines()[0] if s else ""
            if got_echo is None and first.startswith(shown_line):
                got_echo = now - t0
            if got_echo is not None and "searching" not in first:
                return got_echo * 1000, (now - t0) * 1000
            assert now - t0 < 30, s
    control.drain()
    deadline = time.perf_counter() + 30
    t0 = time.perf_counter()
    control.send("send-keys -t lat -l '" + ch + "'")
    control.wait_output(deadline)
    while True:
        s, seen = control.capture(deadline)
        first = s.splitlines()[0] if s else ""
        if got_echo is None and first.startswith(shown_line):
            got_echo = seen - t0
        if got_echo is not None and "searching" not in first:
            return got_echo * 1000, (seen - t0) * 1000
        if control.last_output == seen:
            control.wait_output(deadline)


for _ in range(rounds):
    for word in words:
        typed = ""
        for ch in word + " ":
            typed += ch
            e, l = measure(ch, "> " + typed.rstrip())
            echo.append(e)
            listed.append(l)
        tmux("send-keys", "-t", "lat", "C-u")
        time.sleep(0.3)
load_after = loadavg()
tmux("send-keys", "-t", "lat", "Escape")
if control:
    control.proc.stdin.close()
tmux("kill-server")


def summary(name, xs):
    xs = sorted(xs)
    p90 = xs[int(len(xs) * 0.9) - 1] if len(xs) >= 10 else xs[-1]
    print(f"{name}: n={len(xs)} median={statistics.median(xs):.1f} ms "
          f"p90={p90:.1f} ms max={xs[-1]:.1f} ms")


print(f"method: {'capture-pane polling' if poll_mode else 'tmux control mode'}; "
      f"load average {load_before} -> {load_after} ({os.cpu_count()} CPUs)")
summary("keystroke -> typed line on screen", echo)
summary("keystroke -> re-ranked list on screen", listed)
