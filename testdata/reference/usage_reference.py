#!/usr/bin/env python3
"""Independent reference implementation of rollout token accounting (python3.11, stdlib only).

Re-implements the usage-extraction rules of docs/rollout-format.md §9.3 / §9.4 without
sharing any code with rolldex, so the two can be diffed against each other.

Usage:
    usage_reference.py [--summary] CODEX_HOME [CODEX_HOME ...]

Default output (stdout, TSV with header, sorted by home, day, model):
    home  day  model  input_tokens  cached_input_tokens  output_tokens
    reasoning_output_tokens  total_tokens  events
`home` is the basename of the CODEX_HOME argument, `day` is the UTC date of the
token_count line's timestamp, `events` is the number of counted token_count events.

--summary prints one row per home: files, legacy v1 files, fork files (2+ session_meta),
counted events, the five token sums, and skipped line counts.

Rules (the project's spec):
  * Files: CODEX_HOME/sessions/**/rollout-*.jsonl and CODEX_HOME/archived_sessions/rollout-*.jsonl,
    regular files only (symlinks are not followed).
  * Lines are split on b"\\n", a trailing b"\\r" is stripped, bytes decoded as UTF-8 with
    errors="replace". Empty (whitespace-only) lines are skipped ("blank"); lines that do not parse as a
    JSON object are skipped ("bad": NUL runs, torn last line, ...). The empty piece after the final
    newline is not a line.
  * Model = payload.model of the latest turn_context line before the event in the same file,
    else "unknown". (thread_settings_applied / world_state are deliberately ignored.)
  * token_count = type "event_msg" with payload.type "token_count". info null -> ignored.
    prev starts all-zero. total == prev (all five fields) -> skip. d = total - prev; if any field of d
    is negative the candidate is last_token_usage, else d. Candidate input == 0 and output == 0 ->
    skip but prev = total. Otherwise count the candidate and prev = total. Missing/non-integer
    fields count as 0.
  * Forks: if a file has a 2nd session_meta line, the lines after it whose timestamp lies in the same
    UTC whole second as that line's timestamp form the copied block (it ends for good at the first
    parsed line outside that second, or without a usable timestamp). token_counts in the block only
    set prev = total (info non-null); nothing in the block is counted. turn_context lines in the block
    still update the current model.
  * Legacy v1 files (bare objects without an envelope) never contain token_count events, so they
    contribute nothing; they are only counted in --summary.
"""
from __future__ import annotations

import argparse
import json
import os
import stat
import sys
from datetime import datetime, timezone

FIELDS = (
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
)
ZERO = (0, 0, 0, 0, 0)


def _reject_constant(name):  # serde_json rejects NaN / Infinity; so do we
    raise ValueError(name)


def parse_line(raw: bytes):
    """Return (kind, obj): kind in {"blank", "bad", "ok"}."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    text = raw.decode("utf-8", errors="replace")
    if not text.strip():
        return "blank", None
    try:
        obj = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        return "bad", None
    if not isinstance(obj, dict):
        return "bad", None
    return "ok", obj


def parse_ts(value):
    """Line timestamp -> aware UTC datetime, or None."""
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is None:  # spec: line timestamps are UTC; treat naive as UTC
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def usage_tuple(u):
    if not isinstance(u, dict):
        return ZERO
    out = []
    for f in FIELDS:
        v = u.get(f)
        out.append(v if isinstance(v, int) and not isinstance(v, bool) else 0)
    return tuple(out)


def find_rollouts(home: str):
    found = []
    sessions = os.path.join(home, "sessions")
    for root, dirs, files in os.walk(sessions):  # followlinks=False
        dirs.sort()
        for name in files:
            if name.startswith("rollout-") and name.endswith(".jsonl"):
                found.append(os.path.join(root, name))
    archived = os.path.join(home, "archived_sessions")
    if os.path.isdir(archived) and not os.path.islink(archived):
        for name in os.listdir(archived):
            if name.startswith("rollout-") and name.endswith(".jsonl"):
                found.append(os.path.join(archived, name))
    regular = []
    for p in found:
        try:
            if stat.S_ISREG(os.lstat(p).st_mode):
                regular.append(p)
        except OSError:
            pass
    return sorted(regular)


class FileResult:
    def __init__(self):
        self.rows = {}  # (day, model) -> [5 sums, events]
        self.blank = 0
        self.bad = 0
        self.legacy = False
        self.fork = False
        self.copied_token_counts = 0
        self.block_lines = 0


def process_file(path: str) -> FileResult:
    res = FileResult()
    with open(path, "rb") as fh:
        data = fh.read()
    pieces = data.split(b"\n")
    if pieces and pieces[-1] == b"":
        pieces.pop()  # terminator of the last line, not a line

    model = "unknown"
    prev = ZERO
    first_obj_seen = False
    session_metas = 0
    in_block = False
    block_second = None

    for raw in pieces:
        kind, obj = parse_line(raw)
        if kind == "blank":
            res.blank += 1
            continue
        if kind == "bad":
            res.bad += 1
            continue
        if not first_obj_seen:
            first_obj_seen = True
            if "type" not in obj and "id" in obj:
                res.legacy = True
        ltype = obj.get("type")
        payload = obj.get("payload")
        ts = parse_ts(obj.get("timestamp"))

        if in_block:
            if ts is not None and ts.replace(microsecond=0) == block_second:
                res.block_lines += 1
            else:
                in_block = False  # over for good

        if ltype == "session_meta":
            session_metas += 1
            if session_metas == 2:
                res.fork = True
                if ts is not None:
                    in_block = True
                    block_second = ts.replace(microsecond=0)
            continue

        if not isinstance(payload, dict):
            continue

        if ltype == "turn_context":
            m = payload.get("model")
            if isinstance(m, str) and m:
                model = m
            continue

        if ltype != "event_msg" or payload.get("type") != "token_count":
            continue
        info = payload.get("info")
        if not isinstance(info, dict):
            continue  # info null: rate-limit-only refresh
        total = usage_tuple(info.get("total_token_usage"))

        if in_block:
            res.copied_token_counts += 1
            prev = total
            continue

        if total == prev:
            continue
        d = tuple(t - p for t, p in zip(total, prev))
        cand = usage_tuple(info.get("last_token_usage")) if any(x < 0 for x in d) else d
        prev = total
        if cand[0] == 0 and cand[2] == 0:
            continue
        day = ts.date().isoformat() if ts is not None else "unknown"
        row = res.rows.setdefault((day, model), [0, 0, 0, 0, 0, 0])
        for i in range(5):
            row[i] += cand[i]
        row[5] += 1
    return res


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--summary", action="store_true", help="per-home totals and skipped lines")
    ap.add_argument("homes", nargs="+", help="Codex home directories")
    args = ap.parse_args(argv)

    rows = {}  # (home, day, model) -> sums
    summary = {}
    for home in args.homes:
        name = os.path.basename(os.path.normpath(home))
        s = summary.setdefault(
            name,
            {"files": 0, "legacy": 0, "forks": 0, "events": 0, "sums": [0] * 5,
             "blank": 0, "bad": 0, "copied_tc": 0, "block_lines": 0},
        )
        for path in find_rollouts(home):
            r = process_file(path)
            s["files"] += 1
            s["legacy"] += r.legacy
            s["forks"] += r.fork
            s["blank"] += r.blank
            s["bad"] += r.bad
            s["copied_tc"] += r.copied_token_counts
            s["block_lines"] += r.block_lines
            for (day, model), v in r.rows.items():
                acc = rows.setdefault((name, day, model), [0] * 6)
                for i in range(6):
                    acc[i] += v[i]
                for i in range(5):
                    s["sums"][i] += v[i]
                s["events"] += v[5]

    out = sys.stdout
    if args.summary:
        out.write("home\tfiles\tv1_files\tfork_files\tevents\t" + "\t".join(FIELDS)
                  + "\tblank_lines\tbad_lines\tcopied_block_lines\tcopied_token_counts\n")
        grand = [0] * 5
        for name in sorted(summary):
            s = summary[name]
            for i in range(5):
                grand[i] += s["sums"][i]
            out.write("\t".join(str(x) for x in (
                name, s["files"], s["legacy"], s["forks"], s["events"], *s["sums"],
                s["blank"], s["bad"], s["block_lines"], s["copied_tc"])) + "\n")
        tot = lambda k: sum(s[k] for s in summary.values())
        out.write("\t".join(str(x) for x in (
            "TOTAL", tot("files"), tot("legacy"), tot("forks"), tot("events"), *grand,
            tot("blank"), tot("bad"), tot("block_lines"), tot("copied_tc"))) + "\n")
        return 0

    out.write("home\tday\tmodel\t" + "\t".join(FIELDS) + "\tevents\n")
    for key in sorted(rows):
        out.write("\t".join(key) + "\t" + "\t".join(str(x) for x in rows[key]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
