"""One scheduler pass over 100,000 projects and 500,000 schedule rows, on SQLite and on
PostgreSQL with one replica and with three running the pass at the same moment.

Each replica is its own process: it opens the store, says it is ready, and starts its pass
when told, so the measured time is the pass (slots → deliveries, then claim + compose in
batches; posting excluded) from the common start until the last replica is done. Every due
check-in must be claimed exactly once in all, and the bench checks it.

Run: `TEST_DATABASE_URL=postgresql://… python -m bench.tick_engines [--projects 100000]
[--rows 500000] [--due 10000] [--repeat 3]`. Without a PostgreSQL URL only SQLite runs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.pg import scratch_schema
from bot.bank_file import load_bank
from bot.checkins.compose import checkin_composer
from bot.scheduling.kinds import CHECKIN, DeliveryKind
from bot.scheduling.ticker import BATCH, Ticker
from storage.open import is_postgres, open_store
from storage.timefmt import iso

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
CREATED = iso(NOW - timedelta(days=10))
DUE_AT = iso(NOW - timedelta(minutes=1))
LATER = iso(NOW + timedelta(days=3))


def tables(projects: int, rows: int, due: int) -> Iterator[tuple[str, list[str], Any]]:
    """(table, columns, rows): projects with threads, history and three answers each; one
    check-in schedule per project (`due` of them due now) and digest schedules for the rest
    of `rows`, not due (they only make the table as big as a large installation's)."""
    yield (
        "projects",
        "id team_id name name_key slug channel_id thread_ts owner_id tz stage "
        "stage_entered_at created_at".split(),
        (
            (i, "T1", f"Project {i}", f"project {i}", f"project-{i}", f"C{i % 1000:04d}")
            + (f"1780000000.{i:06d}", "U1", "Europe/Berlin", "planning", CREATED, CREATED)
            for i in range(1, projects + 1)
        ),
    )
    yield (
        "stage_history",
        "team_id project_id stage entered_at entered_by time_box_days".split(),
        (("T1", i, "planning", CREATED, "U1", 14) for i in range(1, projects + 1)),
    )
    keys = ("success", "current_process", "why_and_for_whom")
    yield (
        "answers",
        "team_id project_id stage question_key status text author_id message_ts created_at "
        "updated_at".split(),
        (
            ("T1", i, "planning", key, "answered", "an answer", "U1")
            + (f"1780000001.{i:06d}{n}", CREATED, CREATED)
            for i in range(1, projects + 1)
            for n, key in enumerate(keys)
        ),
    )
    yield (
        "schedules",
        "team_id kind subject channel_id days at_time tz next_due_at".split(),
        (
            ("T1", "checkin", str(i), f"C{i % 1000:04d}", "mon", "09:59", "UTC")
            + (DUE_AT if i <= due else LATER,)
            for i in range(1, projects + 1)
        ),
    )
    yield (
        "schedules",
        "team_id kind subject channel_id days at_time tz next_due_at".split(),
        (
            (f"T{2 + i // 100_000}", "digest", f"D{i:07d}", f"D{i:07d}", "fri", "16:00", "UTC")
            + (LATER,)
            for i in range(max(0, rows - projects))
        ),
    )


def fill_sqlite(path: str, projects: int, rows: int, due: int) -> None:
    conn = sqlite3.connect(path)
    for table, cols, data in tables(projects, rows, due):
        marks = ", ".join("?" * len(cols))
        conn.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)  # noqa: S608
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def fill_postgres(url: str, projects: int, rows: int, due: int) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for table, cols, data in tables(projects, rows, due):
            with conn.cursor() as cur:
                query = f"COPY {table} ({', '.join(cols)}) FROM STDIN"
                with cur.copy(query.encode()) as copy:
                    for row in data:
                        copy.write_row(row)
        conn.execute(
            b"SELECT setval(pg_get_serial_sequence('projects', 'id'), "
            b"(SELECT MAX(id) FROM projects))"
        )
        conn.execute(b"VACUUM ANALYZE")


def reset_postgres(url: str) -> None:
    """Back to the state before a pass: no deliveries, the due check-ins due again."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(b"TRUNCATE deliveries, thread_notes")
        conn.execute(
            b"UPDATE schedules SET next_due_at = %s WHERE kind = 'checkin' AND next_due_at <> %s",
            (DUE_AT, LATER),
        )
        conn.execute(b"VACUUM ANALYZE schedules, deliveries")


# ---- one replica (a process of its own)
async def replica(url: str) -> None:
    store = await open_store(url, pool_size=2)
    kinds = [DeliveryKind(CHECKIN, compose=checkin_composer(load_bank()))]
    ticker = Ticker(store, None, kinds, lambda: NOW)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    started = time.time()
    try:
        await store.write(lambda tx: ticker._materialize(tx, NOW))
        claimed: list[int] = []
        while True:
            claims, taken = await store.write(lambda tx: ticker._claim(tx, NOW, []))
            claimed += [row.id for row, _ in claims]
            if taken < BATCH:
                break
    finally:
        await store.close()
    print(json.dumps({"start": started, "end": time.time(), "claimed": claimed}), flush=True)


def run_pass(url: str, replicas: int) -> tuple[float, int]:
    """Wall time from the common start to the last replica's end; deliveries claimed."""
    env = os.environ | {"PYTHONPATH": os.getcwd()}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.tick_engines", "--replica", url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(replicas)
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0
        results.append(json.loads(out.strip().splitlines()[-1]))
    claimed = [i for r in results for i in r["claimed"]]
    assert len(claimed) == len(set(claimed)), "a delivery was claimed twice"
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    return wall, len(claimed)


def main(projects: int, rows: int, due: int, repeat: int) -> None:
    results: dict[str, list[float]] = {}
    pg = os.environ.get("TEST_DATABASE_URL", "")
    with tempfile.TemporaryDirectory() as tmp:
        template = f"{tmp}/template.db"
        asyncio.run(_migrate(f"sqlite:///{template}"))
        began = time.perf_counter()
        fill_sqlite(template, projects, rows, due)
        print(f"SQLite filled in {time.perf_counter() - began:.0f} s", flush=True)
        with ExitStack() as stack:
            pg_url = ""
            if is_postgres(pg):
                pg_url = stack.enter_context(scratch_schema(pg))
                asyncio.run(_migrate(pg_url))
                began = time.perf_counter()
                fill_postgres(pg_url, projects, rows, due)
                print(f"PostgreSQL filled in {time.perf_counter() - began:.0f} s", flush=True)
            for attempt in range(repeat):  # alternate engines within each round
                for name, count in (("sqlite ×1", 1), ("sqlite ×3", 3)):
                    path = f"{tmp}/run.db"
                    shutil.copyfile(template, path)
                    wall, claimed = run_pass(f"sqlite:///{path}", count)
                    assert claimed == due, (name, claimed)
                    results.setdefault(name, []).append(wall)
                if pg_url:
                    for name, count in (("postgresql ×1", 1), ("postgresql ×3", 3)):
                        reset_postgres(pg_url)
                        wall, claimed = run_pass(pg_url, count)
                        assert claimed == due, (name, claimed)
                        results.setdefault(name, []).append(wall)
                print(f"round {attempt + 1}/{repeat} done", flush=True)
    print(
        f"\ntick over {projects:,} projects and {rows:,} schedule rows, {due:,} check-ins "
        f"due; claim + compose, posting excluded; median of {repeat} rounds; every due "
        "check-in claimed exactly once in every run"
    )
    base = statistics.median(results["sqlite ×1"])
    for name, walls in results.items():
        median = statistics.median(walls)
        print(
            f"  {name:<14} {median:6.2f} s  ({due / median:,.0f} check-ins/s; "
            f"{median / base:.2f}× SQLite ×1; runs " + ", ".join(f"{w:.2f}" for w in walls) + ")"
        )
    if not pg_url:
        print("  (PostgreSQL skipped: set TEST_DATABASE_URL=postgresql://…)")


async def _migrate(url: str) -> None:
    await (await open_store(url)).close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--replica", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.replica:
        asyncio.run(replica(args.replica))
    else:
        main(args.projects, args.rows, args.due, args.repeat)
