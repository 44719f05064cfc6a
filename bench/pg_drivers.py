"""Why psycopg and not asyncpg: the same unit of work (an interview reply's statements: lock
the project, read the interview and the answer, write the answer, its revision and the
interview) through our PostgreSQL store (psycopg, the unit run whole on a pool thread),
through asyncpg behind the same synchronous interface (each statement hops to asyncpg's
loop thread), and through asyncpg with every statement awaited on the event loop — the best
an async rewrite of every repository and unit could do. 20 concurrent workers, each on
its own project, while the event loop also serves other work (a busy app); median of
alternating rounds.

Run: `TEST_DATABASE_URL=postgresql://… python -m bench.pg_drivers` (needs the `bench` extra:
`.venv/bin/pip install -e '.[bench]'`; MLE Coach itself does not use asyncpg).
Decision record: docs/decisions/0002-psycopg-over-asyncpg.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

from bench.pg import scratch_schema
from storage.open import is_postgres, open_store
from storage.postgres.conn import translate
from storage.store import Tx

NOW = "2026-11-26T08:00:00.000000Z"
UNIT = [
    "SELECT id, stage FROM projects WHERE team_id = ? AND channel_id = ? AND thread_ts = ? "
    "FOR UPDATE",
    "SELECT id, position FROM interviews WHERE team_id = ? AND project_id = ? AND stage = ?",
    "SELECT id FROM answers WHERE team_id = ? AND project_id = ? AND message_ts = ?",
    "INSERT INTO answers (team_id, project_id, stage, question_key, status, text, author_id, "
    "message_ts, created_at, updated_at) VALUES (?, ?, 'planning', ?, 'answered', 'text', "
    "'U1', ?, ?, ?) RETURNING id",
    "INSERT INTO answer_revisions (team_id, answer_id, text, status, changed_by, changed_at) "
    "VALUES (?, ?, 'text', 'answered', 'U1', ?)",
    "UPDATE interviews SET position = position + 1 WHERE id = ?",
]


def _params(project: int, n: int) -> list[tuple[Any, ...]]:
    ts = f"1.{project:04d}{n:07d}"
    return [
        ("T1", "C1", f"t{project}"),
        ("T1", project, "planning"),
        ("T1", project, ts),
        ("T1", project, f"q{n}", ts, NOW, NOW),
        ("T1", None, NOW),
        (project,),
    ]


async def _seed(url: str, projects: int) -> None:
    store = await open_store(url)

    def seed(tx: Tx) -> None:
        for p in range(1, projects + 1):
            tx.conn.execute(
                "INSERT INTO projects (id, team_id, name, name_key, slug, channel_id, thread_ts, "
                "owner_id, tz, stage, stage_entered_at, created_at) VALUES (?, 'T1', ?, ?, ?, "
                "'C1', ?, 'U1', 'UTC', 'planning', ?, ?)",
                (p, f"P{p}", f"p{p}", f"p{p}", f"t{p}", NOW, NOW),
            )
            tx.conn.execute(
                "INSERT INTO interviews (team_id, project_id, stage, started_at) "
                "VALUES ('T1', ?, 'planning', ?)",
                (p, NOW),
            )

    await store.write(seed)
    await store.close()


async def _busy_loop(stop: asyncio.Event) -> None:
    """Other requests the app serves meanwhile: short bursts of Python on the loop, about
    a third of a core."""
    while not stop.is_set():
        sum(i * i for i in range(2000))  # about 0.1 ms of Python
        await asyncio.sleep(0.0002)


async def run_store(
    url: str, workers: int, projects: int, units: int, base: int, statements: list[str] = UNIT
) -> float:
    """Our store (either engine): each unit run whole by `Store.write`."""
    store = await open_store(url, pool_size=10, migrate_schema=False)

    def unit(tx: Tx, project: int, n: int) -> None:  # noqa: B023 - called at once
        params = _params(project, n)
        for sql, args in zip(statements[:4], params[:4], strict=True):
            row = tx.conn.execute(sql, args).fetchone()
        tx.conn.execute(statements[4], ("T1", row[0], NOW))
        tx.conn.execute(statements[5], params[5])

    async def worker(w: int) -> None:
        project = 1 + w % projects
        for n in range(units):
            number = base + w * units + n
            await store.write(lambda tx, number=number: unit(tx, project, number))

    try:
        return await _timed(workers, units, worker)
    finally:
        await store.close()


async def run_asyncpg(url: str, workers: int, projects: int, units: int, base: int) -> float:
    import asyncpg  # type: ignore[import-not-found]

    dsn, schema = _dsn_and_schema(url)
    pool = await asyncpg.create_pool(
        dsn, min_size=10, max_size=10, server_settings={"search_path": schema}
    )
    dollar = [_dollars(translate(sql)) for sql in UNIT]

    async def worker(w: int) -> None:
        project = 1 + w % projects
        for n in range(units):
            params = _params(project, base + w * units + n)
            async with pool.acquire() as conn, conn.transaction():
                for sql, args in zip(dollar[:4], params[:4], strict=True):
                    row = await conn.fetchrow(sql, *args)
                await conn.execute(dollar[4], "T1", row[0], NOW)
                await conn.execute(dollar[5], *params[5])

    try:
        return await _timed(workers, units, worker)
    finally:
        await pool.close()


async def run_asyncpg_bridged(
    url: str, workers: int, projects: int, units: int, base: int
) -> float:
    """asyncpg behind our synchronous interface: the unit runs on a pool thread as ours does,
    and each statement hops to asyncpg's event loop (in a thread of its own) and back."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import asyncpg

    dsn, schema = _dsn_and_schema(url)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()

    async def wait(awaitable: Any) -> Any:
        return await awaitable

    def call(awaitable: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(wait(awaitable), loop).result()

    async def make_pool() -> Any:  # created on the loop that will use it
        return await asyncpg.create_pool(
            dsn, min_size=10, max_size=10, server_settings={"search_path": schema}
        )

    pool = asyncio.run_coroutine_threadsafe(make_pool(), loop).result()
    dollar = [_dollars(translate(sql)) for sql in UNIT]
    threads = ThreadPoolExecutor(10)

    def unit(project: int, number: int) -> None:
        conn = call(pool.acquire())
        try:
            tx = conn.transaction()
            call(tx.start())
            params = _params(project, number)
            for sql, args in zip(dollar[:4], params[:4], strict=True):
                row = call(conn.fetchrow(sql, *args))
            call(conn.execute(dollar[4], "T1", row[0], NOW))
            call(conn.execute(dollar[5], *params[5]))
            call(tx.commit())
        finally:
            call(pool.release(conn))

    async def worker(w: int) -> None:
        project = 1 + w % projects
        running = asyncio.get_running_loop()
        for n in range(units):
            await running.run_in_executor(threads, unit, project, base + w * units + n)

    try:
        return await _timed(workers, units, worker)
    finally:
        call(pool.close())
        threads.shutdown()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()


def _dsn_and_schema(url: str) -> tuple[str, str]:
    """asyncpg takes the search path as a server setting, not as libpq `options`."""
    dsn, _, query = url.partition("?")
    return dsn, query.split("search_path%3D", 1)[1]


def _dollars(sql: str) -> str:
    parts = sql.split("%s")
    return "".join(p + (f"${i + 1}" if i < len(parts) - 1 else "") for i, p in enumerate(parts))


async def _timed(workers: int, units: int, worker: Any) -> float:
    stop = asyncio.Event()
    busy = asyncio.create_task(_busy_loop(stop))
    started = time.perf_counter()
    await asyncio.gather(*(worker(w) for w in range(workers)))
    elapsed = time.perf_counter() - started
    stop.set()
    await busy
    return workers * units / elapsed


async def main(rounds: int, workers: int, projects: int, units: int) -> None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not is_postgres(url):
        raise SystemExit("set TEST_DATABASE_URL=postgresql://…")
    rates: dict[str, list[float]] = {
        "psycopg (ours)": [],
        "asyncpg, bridged": [],
        "asyncpg, async": [],
    }
    with scratch_schema(url) as scoped:
        await _seed(scoped, projects)
        base, step = 0, workers * units
        for _ in range(rounds):
            ours = await run_store(scoped, workers, projects, units, base)
            rates["psycopg (ours)"].append(ours)
            base += step
            bridged = await run_asyncpg_bridged(scoped, workers, projects, units, base)
            rates["asyncpg, bridged"].append(bridged)
            base += step
            rates["asyncpg, async"].append(
                await run_asyncpg(scoped, workers, projects, units, base)
            )
            base += step
    print(
        f"reply-shaped units of work per second, {workers} concurrent workers x {units} "
        f"units on {projects} project(s) (workers on one project queue on its row lock), "
        f"{rounds} alternating rounds, event loop kept busy meanwhile"
    )
    for name, values in rates.items():
        print(
            f"  {name:<16}{statistics.median(values):8.0f} units/s   rounds: "
            + ", ".join(f"{v:.0f}" for v in values)
        )
    for other in ("asyncpg, bridged", "asyncpg, async"):
        ratio = statistics.median(
            [a / b for a, b in zip(rates["psycopg (ours)"], rates[other], strict=True)]
        )
        print(f"  psycopg / {other}: {ratio:.2f}x (median of per-round ratios)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--units", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.workers, args.projects, args.units))
