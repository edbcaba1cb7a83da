#!/usr/bin/env python3
"""`rolldex mcp` under a real MCP client: the official Python SDK (`mcp` on PyPI).

Starts the server on copies of the fixture homes, lists the tools, checks their input and output
schemas are valid JSON Schema (Draft 2020-12), calls every tool and checks each structured
result against its output schema and against the command line's `--json` answer to the same
question; then the error cases (each a tool error with a message, the server still answering)
and that nothing was written inside the Codex home. Runs twice: with the initialize handshake
(`mode="legacy"`) and with the SDK's default negotiation (`mode="auto"`, which probes the
2026-era discovery first).

Usage: python3 tests/mcp/test_mcp.py [path/to/rolldex]   (default target/debug/rolldex)
Exit status 0 when every check passes; the first failure stops it with a message.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import jsonschema
from mcp import Client, StdioServerParameters

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target" / "debug" / "rolldex"
TOOLS = {"search_sessions", "list_sessions", "read_session", "usage_report", "session_to_resume"}
GROUPS = {
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "session": "session",
    "model": "model",
    "project": "project",
    "client": "client",
}
checks = 0


def check(condition: bool, message: str) -> None:
    global checks
    checks += 1
    if not condition:
        raise AssertionError(message)


def same(a, b, where: str) -> None:
    """Deep equality, floats within a relative 1e-6 (an f32 score printed by two writers)."""
    if isinstance(a, float) or isinstance(b, float):
        check(
            isinstance(a, (int, float)) and isinstance(b, (int, float)) and math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9),
            f"{where}: {a!r} != {b!r}",
        )
    elif isinstance(a, dict) and isinstance(b, dict):
        check(a.keys() == b.keys(), f"{where}: keys {sorted(a)} != {sorted(b)}")
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list) and isinstance(b, list):
        check(len(a) == len(b), f"{where}: {len(a)} items != {len(b)}")
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{where}[{i}]")
    else:
        check(a == b, f"{where}: {a!r} != {b!r}")


def snapshot(home: Path) -> dict[str, str]:
    """Every file under a home with a hash of its bytes (to prove nothing was written)."""
    out = {}
    for path in sorted(home.rglob("*")):
        if path.is_file():
            out[str(path.relative_to(home))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[str(path.relative_to(home)) + "/"] = "dir"
    return out


class Fixture:
    def __init__(self, home: Path, index: Path):
        self.home = home
        self.index = index
        self.globals = ["--codex-home", str(home), "--index-dir", str(index), "--tz", "UTC", "--quiet"]

    def cli(self, *args: str, ok=(0,)) -> dict:
        done = subprocess.run(
            [str(BINARY), *self.globals, *args, "--json"], capture_output=True, text=True, timeout=120
        )
        check(done.returncode in ok, f"rolldex {' '.join(args)}: exit {done.returncode}: {done.stderr}")
        return json.loads(done.stdout) if done.stdout.strip() else {}


class Session:
    """One MCP connection, checking every structured result against its tool's output schema."""

    def __init__(self, client: Client, tools: dict):
        self.client = client
        self.tools = tools

    async def call(self, name: str, arguments: dict) -> dict:
        result = await self.client.call_tool(name, arguments)
        text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
        check(not result.is_error, f"{name}({arguments}) failed: {text}")
        check(bool(text.strip()), f"{name}: no text rendering")
        structured = result.structured_content
        check(isinstance(structured, dict), f"{name}: no structured content")
        jsonschema.validate(structured, self.tools[name].output_schema, cls=jsonschema.Draft202012Validator)
        return structured

    async def error(self, name: str, arguments: dict, *words: str) -> str:
        result = await self.client.call_tool(name, arguments)
        text = "".join(c.text for c in result.content if getattr(c, "type", "") == "text")
        check(result.is_error is True, f"{name}({arguments}) should be a tool error, got: {text[:300]}")
        for word in words:
            check(word in text, f"{name}({arguments}): error {text!r} does not mention {word!r}")
        return text


async def exercise(fx: Fixture, mode: str, words: list[str], cwd_of_home: str) -> str:
    params = StdioServerParameters(command=str(BINARY), args=[*fx.globals, "mcp"], cwd=str(ROOT))
    async with Client(params, mode=mode) as client:
        version = client.protocol_version
        listed = await client.list_tools()
        tools = {t.name: t for t in listed.tools}
        check(set(tools) == TOOLS, f"tools listed: {sorted(tools)}")
        for tool in tools.values():
            check(bool(tool.description), f"{tool.name}: no description")
            check(tool.input_schema.get("type") == "object", f"{tool.name}: input schema root is not an object")
            check(tool.output_schema and tool.output_schema.get("type") == "object", f"{tool.name}: no output schema")
            jsonschema.Draft202012Validator.check_schema(tool.input_schema)
            jsonschema.Draft202012Validator.check_schema(tool.output_schema)
            check(tool.annotations is not None and tool.annotations.read_only_hint is True, f"{tool.name}: not read-only")
        s = Session(client, tools)

        # search_sessions = `rolldex search --json`, with and without filters.
        for word in words:
            for extra, flags in [
                ({}, []),
                ({"include_non_interactive": True}, ["--include-non-interactive"]),
                ({"role": "user", "include_non_interactive": True}, ["--role", "user", "--include-non-interactive"]),
                ({"limit": 1, "include_non_interactive": True}, ["--limit", "1", "--include-non-interactive"]),
                ({"cwd": cwd_of_home, "since": "2026-01-01", "until": "2026-12-31", "include_non_interactive": True},
                 ["--cwd", cwd_of_home, "--since", "2026-01-01", "--until", "2026-12-31", "--include-non-interactive"]),
            ]:
                got = await s.call("search_sessions", {"query": word, **extra})
                want = fx.cli("search", word, *flags, ok=(0, 1))
                same(got["hits"], want.get("hits", []), f"search_sessions {word} {extra}")
        # Nothing found among interactive sessions: a note counts the hidden ones that match
        # (the 0.171.0 home's `zanzibarquokka` is only in its `codex exec` session, see
        # testdata/codex-versions/README.md), and only then.
        for word in words:
            hidden = fx.cli("search", word, "--include-non-interactive", "--limit", "50", ok=(0, 1)).get("hits", [])
            got = await s.call("search_sessions", {"query": word})
            hint = [n for n in got["notes"] if "include_non_interactive" in n]
            if got["hits"] or not hidden:
                check(hint == [], f"search_sessions {word}: a hidden-session note where none belongs: {hint}")
            else:
                check(hint == [f"{len(hidden)} `codex exec` or sub-agent session(s) match: "
                               "set include_non_interactive to true to see them"],
                      f"search_sessions {word}: notes {got['notes']}, {len(hidden)} hidden sessions match")
        if "zanzibarquokka" in words:
            got = await s.call("search_sessions", {"query": "zanzibarquokka"})
            check(got["hits"] == [] and any("include_non_interactive" in n for n in got["notes"]),
                  f"search_sessions zanzibarquokka: {got}")
        # a query with more matches than the limit says so
        many = fx.cli("search", words[0], "--include-non-interactive", "--limit", "100")["hits"]
        if len(many) > 1:
            got = await s.call("search_sessions", {"query": words[0], "limit": 1, "include_non_interactive": True})
            check(got["more"] is True, "search_sessions: `more` not set when more sessions match")

        # list_sessions = `rolldex sessions --json`
        for extra, flags in [
            ({}, []),
            ({"include_non_interactive": True, "limit": 100}, ["--include-non-interactive", "--limit", "100"]),
            ({"include_non_interactive": True, "limit": 3}, ["--include-non-interactive", "--limit", "3"]),
            ({"cwd": cwd_of_home, "include_non_interactive": True}, ["--cwd", cwd_of_home, "--include-non-interactive"]),
        ]:
            got = await s.call("list_sessions", extra)
            want = fx.cli("sessions", *flags)
            same(got["sessions"], want["sessions"], f"list_sessions {extra}")
        everything = fx.cli("sessions", "--include-non-interactive", "--limit", "100000")["sessions"]
        got = await s.call("list_sessions", {"include_non_interactive": True, "limit": 2})
        check(got["total"] == len(everything), "list_sessions: total")
        check(got["more"] == (len(everything) > 2), "list_sessions: more")

        # read_session = `rolldex show --json`, page by page; by prefix; grep; around.
        for session in everything[:6]:
            sid = session["session_id"]
            want = fx.cli("show", sid)["messages"]
            turns, offset, pages = [], 0, 0
            while True:
                page = await s.call("read_session", {"session": sid, "offset": offset, "limit": 3})
                same(page["session"], session, f"read_session {sid}: session facts")
                turns += page["turns"]
                pages += 1
                check(page["total"] == len(want), f"read_session {sid}: total {page['total']} != {len(want)}")
                if page["next_offset"] is None:
                    break
                check(page["next_offset"] > offset, "read_session: cursor does not move on")
                offset = page["next_offset"]
            check(len(turns) == len(want), f"read_session {sid}: {len(turns)} turns != {len(want)}")
            for i, (turn, message) in enumerate(zip(turns, want)):
                check(turn["index"] == i, f"read_session {sid}: index {turn['index']} != {i}")
                for key in ("timestamp", "role", "tool"):
                    same(turn[key], message[key], f"read_session {sid}[{i}].{key}")
                same(turn.get("inherited_from"), message.get("inherited_from"), f"read_session {sid}[{i}].inherited_from")
                if turn["shortened"]:
                    check("more" in turn["text"], f"read_session {sid}[{i}]: a cut text without a marker")
                else:
                    same(turn["text"], message["text"], f"read_session {sid}[{i}].text")
            by_prefix = await s.call("read_session", {"session": sid[:13]})
            check(by_prefix["session"]["session_id"] == sid, "read_session by unique prefix")
            if session.get("name"):
                by_name = await s.call("read_session", {"session": session["name"]})
                check(by_name["session"]["session_id"] == sid, "read_session by thread name")
            # around a word of the last message: the page holds it, centred
            last = want[-1]["text"].split()
            word = next((w for w in reversed(last) if len(w) > 5 and w.isalpha()), None)
            if word:
                page = await s.call("read_session", {"session": sid, "around": word, "limit": 2})
                first = next(i for i, m in enumerate(want) if word.lower() in m["text"].lower())
                check(page["matched"] == first, f"read_session around {word!r}: matched {page['matched']} != {first}")
                check(any(t["index"] == first for t in page["turns"]), "read_session around: match not on the page")
                page = await s.call("read_session", {"session": sid, "around": first, "limit": 2})
                check(any(t["index"] == first for t in page["turns"]), "read_session around an index")
                grep, offset = [], 0
                while offset is not None:
                    page = await s.call("read_session", {"session": sid, "grep": word, "offset": offset, "limit": 100})
                    grep += page["turns"]
                    offset = page["next_offset"]
                want_grep = fx.cli("show", sid, "--grep", word)["messages"]
                same([(t["role"], t["timestamp"]) for t in grep], [(m["role"], m["timestamp"]) for m in want_grep], f"read_session grep {word}")

        # usage_report = `rolldex stats --json`, every grouping, pages joined.
        for group_by, cli_group in GROUPS.items():
            want = fx.cli("stats", cli_group)
            rows, offset = [], 0
            while True:
                got = await s.call("usage_report", {"group_by": group_by, "offset": offset, "limit": 2})
                same(got["totals"], want["totals"], f"usage_report {group_by}: totals")
                check(got["group_by"] == want["group_by"] and got["tz"] == want["tz"], "usage_report: group_by/tz")
                rows += got["rows"]
                if got["next_offset"] is None:
                    break
                offset = got["next_offset"]
            same(rows, want["rows"], f"usage_report {group_by}: rows")
        got = await s.call("usage_report", {"group_by": "day", "tz": "Asia/Kathmandu", "since": "2026-01-01", "model": "gpt-5.2-codex"})
        want = subprocess.run(
            [str(BINARY), "--codex-home", str(fx.home), "--index-dir", str(fx.index), "--tz", "Asia/Kathmandu", "--quiet",
             "stats", "daily", "--since", "2026-01-01", "--model", "gpt-5.2-codex", "--json"],
            capture_output=True, text=True, check=True,
        )
        want = json.loads(want.stdout)
        same(got["rows"], want["rows"], "usage_report with tz, since, model")
        same(got["totals"], want["totals"], "usage_report with tz, since, model: totals")

        # session_to_resume = `rolldex resume --json`
        for word in words:
            want = fx.cli("resume", word, ok=(0, 1)).get("sessions", [])
            if want:
                got = await s.call("session_to_resume", {"query": word})
                check(got["session_id"] == want[0]["session_id"], f"session_to_resume {word}")
                same(got["session"], want[0], f"session_to_resume {word}: session")
                check(got["resume_command"].startswith("codex resume") and got["session_id"] in got["resume_command"], "resume_command")
                check(got["exec_resume_command"].startswith("codex exec resume") and got["session_id"] in got["exec_resume_command"], "exec_resume_command")
            else:
                await s.error("session_to_resume", {"query": word}, "no session")
        want = fx.cli("resume", "--cwd", cwd_of_home, ok=(0, 1)).get("sessions", [])
        if want:
            got = await s.call("session_to_resume", {"cwd": cwd_of_home})
            check(got["session_id"] == want[0]["session_id"], "session_to_resume by cwd")

        # Errors: tool errors that say what to change; the server keeps answering.
        await s.error("read_session", {"session": "no-such-session-zz"}, "no session matches", "list_sessions")
        await s.error("usage_report", {"group_by": "hourly"}, "hourly", "day")
        await s.error("search_sessions", {"query": words[0], "since": "yesterday"}, "since", "2026-03-05")
        await s.error("search_sessions", {"query": words[0], "since": "2026-05-01", "until": "2026-04-01"}, "since", "until")
        await s.error("search_sessions", {"query": words[0], "limit": 0}, "limit", "1 to 50")
        await s.error("search_sessions", {"query": ""}, "query")
        await s.error("search_sessions", {"query": '"unclosed'}, "")
        await s.error("list_sessions", {"limit": 100000}, "limit")
        await s.error("usage_report", {"group_by": "day", "tz": "Mars/Olympus"}, "tz")
        await s.error("read_session", {"session": everything[0]["session_id"], "around": "zzqqxxnotthere"}, "zzqqxxnotthere")
        await s.error("read_session", {"session": everything[0]["session_id"], "offset": 99999}, "offset")
        await s.error("read_session", {"session": ""}, "no session matches")
        await s.error("search_sessions", {"limit": 3}, "query")
        alive = await s.call("list_sessions", {"limit": 1, "include_non_interactive": True})
        check(len(alive["sessions"]) == 1, "server answers after errors")
        return version


async def main() -> None:
    check(BINARY.exists(), f"{BINARY} not found: cargo build first")
    homes = [
        (ROOT / "testdata" / "demo-home", ["migration", "queue", "zzqqxxnothing"], "/home/dev/proj"),
        (ROOT / "testdata" / "codex-versions" / "0.171.0" / "home", ["zanzibarquokka", "quillbramble", "glaciervault"], "/tmp/rolldex-live/0.171.0"),
    ]
    versions = set()
    with tempfile.TemporaryDirectory(prefix="rolldex-mcp-") as tmp:
        for n, (source, words, cwd) in enumerate(homes):
            home = Path(tmp) / f"home{n}"
            shutil.copytree(source, home, symlinks=True)
            before = snapshot(home)
            fx = Fixture(home, Path(tmp) / f"index{n}")
            for mode in ("legacy", "auto"):
                versions.add(await exercise(fx, mode, words, cwd))
            check(snapshot(home) == before, f"{source}: something was written inside the Codex home")
            # A fresh index and no wait for updates: the first answer still comes (from the
            # first build), and says nothing wrong.
            fresh = Fixture(home, Path(tmp) / f"fresh{n}")
            params = StdioServerParameters(command=str(BINARY), args=[*fresh.globals, "mcp", "--update-wait", "0"], cwd=str(ROOT))
            async with Client(params, mode="legacy") as client:
                result = await client.call_tool("list_sessions", {"include_non_interactive": True, "limit": 100})
                check(not result.is_error, "first call on a fresh index failed")
                got = result.structured_content["sessions"]
                same(got, fresh.cli("sessions", "--include-non-interactive", "--limit", "100")["sessions"], "fresh index")
    print(f"mcp: {checks} checks passed (protocol versions: {', '.join(sorted(versions))})")


if __name__ == "__main__":
    asyncio.run(main())
