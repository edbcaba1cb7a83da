#!/usr/bin/env python3
"""Loads a `rolldex export` directory into two real engines, DuckDB and ClickHouse (chdb, the
embedded ClickHouse), and prints what they compute, as JSON on stdout. tests/export.rs runs it
and compares the figures with `rolldex stats daily --tz UTC --json` and between exports.

    check_engines.py sums DIR FORMAT     per UTC day and model: the six token sums and the cost,
                                         from usage_events (every file) and from the latest
                                         daily snapshot, in both engines
    check_engines.py keys DIR FORMAT     every usage event's (source_id, session_id, event_key)
                                         with how many rows carry it, in both engines
    check_engines.py messages DIR FORMAT every message row (session_id, ordinal, role, text),
                                         sorted, in both engines
    check_engines.py latest DIR README   the latest sessions and daily snapshots through the
                                         view SQL printed in README.md (DuckDB), exported_at
                                         left out, rows sorted
    check_engines.py recipes DIR README  README.md's recipes with DIR for the bucket: its
                                         ClickHouse table loaded twice (rows and tokens after
                                         FINAL), its latest-sessions query (session ids), and its
                                         cost per developer per week in both engines

FORMAT is parquet or ndjson. Needs `pip install duckdb chdb`.
"""

import json
import re
import sys

import chdb
import duckdb

TOKENS = [
    "input_tokens",
    "cached_input_tokens",
    "output_tokens",
    "reasoning_output_tokens",
    "total_tokens",
    "cache_write_input_tokens",
]

# ndjson has no types of its own: both engines are told them (instants stay strings; their
# first ten characters are the UTC day).
EVENT_COLUMNS = {
    "source_id": ("VARCHAR", "String"),
    "schema_version": ("BIGINT", "Int64"),
    "session_id": ("VARCHAR", "String"),
    "event_key": ("VARCHAR", "String"),
    "timestamp": ("VARCHAR", "String"),
    "model": ("VARCHAR", "String"),
    "service_tier": ("VARCHAR", "Nullable(String)"),
    **{t: ("BIGINT", "Int64") for t in TOKENS},
    "cost_usd": ("DOUBLE", "Nullable(Float64)"),
    "cost_note": ("VARCHAR", "Nullable(String)"),
}
DAILY_COLUMNS = {
    "source_id": ("VARCHAR", "String"),
    "schema_version": ("BIGINT", "Int64"),
    "exported_at": ("VARCHAR", "String"),
    "day": ("VARCHAR", "String"),
    "model": ("VARCHAR", "String"),
    "project": ("VARCHAR", "String"),
    "client": ("VARCHAR", "String"),
    "sessions": ("BIGINT", "Int64"),
    "events": ("BIGINT", "Int64"),
    **{t: ("BIGINT", "Int64") for t in TOKENS},
    "cost_usd": ("DOUBLE", "Nullable(Float64)"),
    "cost_complete": ("BOOLEAN", "Bool"),
    "cost_note": ("VARCHAR", "Nullable(String)"),
}

MESSAGE_COLUMNS = {
    "source_id": ("VARCHAR", "String"),
    "schema_version": ("BIGINT", "Int64"),
    "session_id": ("VARCHAR", "String"),
    "ordinal": ("BIGINT", "Int64"),
    "timestamp": ("VARCHAR", "Nullable(String)"),
    "role": ("VARCHAR", "String"),
    "tool": ("VARCHAR", "Nullable(String)"),
    "text": ("VARCHAR", "String"),
}


def duck_table(directory, table, fmt, columns):
    pattern = f"{directory}/{table}-*.{fmt}"
    if fmt == "parquet":
        return f"read_parquet('{pattern}')"
    spec = ", ".join(f"'{name}': '{kinds[0]}'" for name, kinds in columns.items())
    return f"read_json('{pattern}', format='newline_delimited', columns={{{spec}}})"


def ch_table(directory, table, fmt, columns):
    pattern = f"{directory}/{table}-*.{fmt}"
    if fmt == "parquet":
        return f"file('{pattern}', Parquet)"
    spec = ", ".join(f"{name} {kinds[1]}" for name, kinds in columns.items())
    return f"file('{pattern}', JSONEachRow, '{spec}')"


def ch_rows(sql):
    result = chdb.query(sql, "JSONCompact")
    if result.has_error():
        raise SystemExit(f"chdb: {result.error_message()}\n{sql}")
    return json.loads(str(result))["data"]


def keyed(rows):
    """[[day, model, six sums…, cost], …] as {"day|model": [six ints, cost]}."""
    out = {}
    for row in rows:
        day, model, *rest = row
        out[f"{str(day)[:10]}|{model}"] = [int(v) for v in rest[:6]] + [
            None if rest[6] is None else float(rest[6])
        ]
    return out


def sums(directory, fmt):
    sum_list = ", ".join(f"sum({t})" for t in TOKENS)
    out = {}
    # DuckDB: the UTC day of a TIMESTAMPTZ is taken in UTC whatever the session's zone.
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    events = duck_table(directory, "usage_events", fmt, EVENT_COLUMNS)
    day = "CAST(timestamp AS DATE)" if fmt == "parquet" else "CAST(substr(timestamp, 1, 10) AS DATE)"
    rows = con.execute(
        f"SELECT CAST({day} AS VARCHAR) AS d, model, {sum_list}, sum(cost_usd) "
        f"FROM {events} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    out["duckdb"] = keyed(rows)
    daily = duck_table(directory, "daily", fmt, DAILY_COLUMNS)
    rows = con.execute(
        f"SELECT CAST(day AS VARCHAR), model, {sum_list}, sum(cost_usd) FROM {daily} "
        f"WHERE exported_at = (SELECT max(exported_at) FROM {daily}) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    out["duckdb_daily"] = keyed(rows)
    # ClickHouse.
    events = ch_table(directory, "usage_events", fmt, EVENT_COLUMNS)
    day = "toDate(timestamp, 'UTC')" if fmt == "parquet" else "toDate(substring(timestamp, 1, 10))"
    out["clickhouse"] = keyed(
        ch_rows(
            f"SELECT toString({day}) AS d, model, {sum_list}, sum(cost_usd) "
            f"FROM {events} GROUP BY d, model ORDER BY d, model"
        )
    )
    daily = ch_table(directory, "daily", fmt, DAILY_COLUMNS)
    out["clickhouse_daily"] = keyed(
        ch_rows(
            f"SELECT toString(day) AS d, model, {sum_list}, sum(cost_usd) FROM {daily} "
            f"WHERE exported_at = (SELECT max(exported_at) FROM {daily}) "
            f"GROUP BY d, model ORDER BY d, model"
        )
    )
    return out


def keys(directory, fmt):
    out = {}
    con = duckdb.connect()
    events = duck_table(directory, "usage_events", fmt, EVENT_COLUMNS)
    rows = con.execute(
        f"SELECT source_id, session_id, event_key, count(*) FROM {events} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    out["duckdb"] = [f"{s}|{i}|{k}|{n}" for s, i, k, n in rows]
    events = ch_table(directory, "usage_events", fmt, EVENT_COLUMNS)
    rows = ch_rows(
        f"SELECT source_id, session_id, event_key, count() AS n FROM {events} "
        f"GROUP BY source_id, session_id, event_key ORDER BY source_id, session_id, event_key"
    )
    out["clickhouse"] = [f"{s}|{i}|{k}|{n}" for s, i, k, n in rows]
    return out


def messages(directory, fmt):
    columns = "session_id, ordinal, role, text"
    order = "ORDER BY session_id, ordinal"
    duck = duckdb.sql(
        f"SELECT {columns} FROM {duck_table(directory, 'messages', fmt, MESSAGE_COLUMNS)} {order}"
    ).fetchall()
    ch = ch_rows(f"SELECT {columns} FROM {ch_table(directory, 'messages', fmt, MESSAGE_COLUMNS)} {order}")
    return {
        "duckdb": [[s, int(o), r, t] for s, o, r, t in duck],
        "clickhouse": [[s, int(o), r, t] for s, o, r, t in ch],
    }


def latest_view_sql(text, directory):
    """The README's DuckDB view SQL (the block after `-- latest snapshots (DuckDB)`) on DIR."""
    match = re.search(r"-- latest snapshots \(DuckDB\)\n(.*?)```", text, re.S)
    if not match:
        raise SystemExit("README.md has no `-- latest snapshots (DuckDB)` SQL block")
    return match.group(1).replace("export/", f"{directory}/")


def latest(directory, readme):
    """Runs the README's DuckDB view SQL (the block after `-- latest snapshots (DuckDB)`)."""
    sql = latest_view_sql(open(readme, encoding="utf-8").read(), directory)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(sql)
    out = {}
    for view, table in [("sessions_latest", "sessions"), ("daily_latest", "daily")]:
        rows = con.execute(f"SELECT * EXCLUDE (exported_at) FROM {view}").fetchall()
        out[table] = sorted(json.dumps([str(v) for v in row]) for row in rows)
    return out


def readme_block(text, start, end):
    """The README text from the line starting with `start` through the first `end` after it."""
    match = re.search(re.escape(start) + r".*?" + re.escape(end), text, re.S)
    if not match:
        raise SystemExit(f"README.md has no block from {start!r} to {end!r}")
    return match.group(0)


def recipes(directory, readme):
    """Runs README.md's ClickHouse and weekly-cost recipes on DIR as they are printed, the
    bucket's `s3()` and `export/*/` paths pointed at DIR."""
    import tempfile

    import chdb.session

    text = open(readme, encoding="utf-8").read()
    bucket = re.compile(
        r"s3\('https://acme-ai-usage\.s3\.amazonaws\.com/rolldex/\*/(\w+-\*\.parquet)', 'Parquet'\)"
    )

    def local(sql):
        sql = bucket.sub(lambda m: f"file('{directory}/{m.group(1)}', 'Parquet')", sql)
        return sql.replace("'export/*/", f"'{directory}/")

    create = readme_block(text, "CREATE TABLE rolldex_usage_events", "event_key);")
    insert = local(readme_block(text, "INSERT INTO rolldex_usage_events", "'Parquet');"))
    latest_sessions = local(
        readme_block(
            text,
            "SELECT * FROM s3('https://acme-ai-usage.s3.amazonaws.com/rolldex/*/sessions-",
            "GROUP BY source_id);",
        )
    )
    weekly = local(readme_block(text, "SELECT source_id                                  AS developer", "DESC;"))
    session = chdb.session.Session(tempfile.mkdtemp())
    session.query("CREATE DATABASE IF NOT EXISTS recipes ENGINE = Atomic")
    session.query("USE recipes")
    session.query(create)
    session.query(insert)
    session.query(insert)  # a file loaded twice: harmless after FINAL

    def rows(sql):
        return json.loads(str(session.query(sql, "JSONCompact")))["data"]

    table = rows("SELECT count(), sum(total_tokens) FROM rolldex_usage_events FINAL")[0]
    ids = rows(f"SELECT session_id FROM ({latest_sessions.rstrip(';')}) ORDER BY session_id")
    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    duck_weeks = duck.execute(weekly).fetchall()
    duck.execute(latest_view_sql(text, directory))
    duck_ids = duck.execute("SELECT session_id FROM sessions_latest ORDER BY session_id").fetchall()
    ch_weekly = weekly.replace(
        "date_trunc('week', timestamp AT TIME ZONE 'UTC')", "toMonday(timestamp)"
    ).replace("read_parquet(", "file(")
    ch_weeks = rows(ch_weekly.rstrip(";"))

    def week_rows(rows):
        return [
            [dev, str(week)[:10], None if usd is None else float(usd), int(tokens), int(unpriced)]
            for dev, week, usd, tokens, unpriced in rows
        ]

    return {
        "clickhouse_table": [int(v) for v in table],
        "latest_session_ids": {
            "clickhouse": [row[0] for row in ids],
            "duckdb": [row[0] for row in duck_ids],
        },
        "weekly": {"duckdb": week_rows(duck_weeks), "clickhouse": week_rows(ch_weeks)},
    }


def main():
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    command, directory, arg = sys.argv[1:]
    if command == "sums":
        result = sums(directory, arg)
    elif command == "keys":
        result = keys(directory, arg)
    elif command == "messages":
        result = messages(directory, arg)
    elif command == "latest":
        result = latest(directory, arg)
    elif command == "recipes":
        result = recipes(directory, arg)
    else:
        raise SystemExit(__doc__)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
