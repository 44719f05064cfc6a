"""One scheduler pass over many projects: database time to claim and compose (posting
excluded), and peak memory. Default: 10,000 projects with a check-in due among 50,000
schedule rows. Run: `python -m bench.tick_scale [--due 10000] [--rows 50000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

from bot.bank_file import load_bank
from bot.checkins.compose import checkin_composer
from bot.models.reminders import REMINDER, queue_reminders, reminder_composer
from bot.scheduling.kinds import CHECKIN, DeliveryKind
from bot.scheduling.ticker import BATCH, Ticker
from storage.sqlite.store import SqliteStore
from storage.timefmt import iso

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def populate(path: str, due: int, rows: int, models: int = 0, models_due: int = 0) -> None:
    """Projects with threads and answers; `due` of their check-ins are due at NOW."""
    conn = sqlite3.connect(path)
    created = iso(NOW - timedelta(days=10))
    conn.executemany(
        "INSERT INTO projects (id, team_id, name, name_key, slug, channel_id, thread_ts, owner_id,"
        " tz, stage, stage_entered_at, created_at) VALUES (?, 'T1', ?, ?, ?, ?, ?, 'U1', "
        "'Europe/Berlin', 'planning', ?, ?)",
        (
            (
                i,
                f"Project {i}",
                f"project {i}",
                f"project-{i}",
                f"C{i % 1000:04d}",
                f"1780000000.{i:06d}",
                created,
                created,
            )
            for i in range(1, rows + 1)
        ),
    )
    conn.executemany(
        "INSERT INTO stage_history (team_id, project_id, stage, entered_at, entered_by, "
        "time_box_days) VALUES ('T1', ?, 'planning', ?, 'U1', 14)",
        ((i, created) for i in range(1, rows + 1)),
    )
    conn.executemany(
        "INSERT INTO answers (team_id, project_id, stage, question_key, status, text, author_id,"
        " message_ts, created_at, updated_at) VALUES ('T1', ?, 'planning', ?, 'answered', "
        "'an answer', 'U1', ?, ?, ?)",
        (
            (i, key, f"1780000001.{i:06d}{n}", created, created)
            for i in range(1, rows + 1)
            for n, key in enumerate(("success", "current_process", "why_and_for_whom"))
        ),
    )
    due_at, later = iso(NOW - timedelta(minutes=1)), iso(NOW + timedelta(days=3))
    conn.executemany(
        "INSERT INTO schedules (team_id, kind, subject, channel_id, days, at_time, tz, "
        "next_due_at) VALUES ('T1', 'checkin', ?, ?, 'mon', '09:59', 'UTC', ?)",
        ((str(i), f"C{i % 1000:04d}", due_at if i <= due else later) for i in range(1, rows + 1)),
    )
    deployed = iso(NOW - timedelta(days=20))
    conn.executemany(
        "INSERT INTO models (id, team_id, project_id, name, name_key, slug, deployed_at, "
        "deployed_by, next_check_at) VALUES (?, 'T1', ?, ?, ?, ?, ?, 'U1', ?)",
        (
            (
                m,
                (m - 1) % rows + 1,
                f"model-{m}",
                f"model-{m}",
                f"model-{m}",
                deployed,
                due_at if m <= models_due else later,
            )
            for m in range(1, models + 1)
        ),
    )
    conn.executemany(  # every other model has a complete KPI with a recent value
        "INSERT INTO business_metrics (id, team_id, model_id, name, name_key, baseline, target,"
        " owner_id, method, direction, created_at, updated_at) VALUES (?, 'T1', ?, 'revenue',"
        " 'revenue', 10, 12, 'U1', 'ab', 'higher', ?, ?)",
        ((m, m, deployed, deployed) for m in range(2, models + 1, 2)),
    )
    conn.executemany(
        "INSERT INTO metric_values (team_id, metric_id, value, observed_at, reporter_id) "
        "VALUES ('T1', ?, 11, ?, 'U1')",
        ((m, iso(NOW - timedelta(days=2))) for m in range(2, models + 1, 2)),
    )
    conn.commit()
    conn.close()


async def measure(path: str) -> tuple[float, float, int]:
    store = await SqliteStore.open(path)
    ticker = Ticker(
        store,
        None,
        [
            DeliveryKind(CHECKIN, compose=checkin_composer(load_bank())),
            DeliveryKind(REMINDER, compose=reminder_composer(load_bank())),
        ],
        lambda: NOW,
        sources=(queue_reminders,),
    )
    try:
        started = time.perf_counter()
        await store.write(lambda tx: ticker._materialize(tx, NOW))
        materialized = time.perf_counter() - started
        composed = 0
        while True:
            claims, taken = await store.write(lambda tx: ticker._claim(tx, NOW, []))
            composed += len(claims)
            if taken < BATCH:
                break
        total = time.perf_counter() - started
    finally:
        await store.close()
    return materialized, total, composed


async def main(due: int, rows: int, repeat: int, models: int, models_due: int) -> None:
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        template = f"{tmp}/template.db"
        store = await SqliteStore.open(template)
        await store.close()
        populate(template, due, rows, models, models_due)
        for attempt in range(repeat):
            path = f"{tmp}/run{attempt}.db"
            shutil.copyfile(template, path)
            runs.append(await measure(path))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    materialized = statistics.median(r[0] for r in runs)
    total = statistics.median(r[1] for r in runs)
    print(
        f"tick over {rows:,} schedule rows with {due:,} check-ins due and {models:,} deployed "
        f"models ({models_due:,} due for a look); median of {repeat} runs, each on a fresh "
        "copy of the same database"
    )
    print(f"  slots → deliveries: {materialized:.3f} s")
    print(
        f"  claim + compose {runs[0][2]:,} posts (posting excluded): {total - materialized:.3f} s"
    )
    print(
        f"  database time in all: {total:.3f} s (runs: "
        + ", ".join(f"{r[1]:.3f}" for r in runs)
        + "; target < 1 s)"
    )
    print(f"  peak RSS of the whole process {peak / 1024:.0f} MB (target < 200 MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--models", type=int, default=50_000)
    parser.add_argument(
        "--models-due",
        type=int,
        default=1_000,
        help="models due for a look now (each is looked at when a rule could change)",
    )
    args = parser.parse_args()
    asyncio.run(main(args.due, args.rows, args.repeat, args.models, args.models_due))
