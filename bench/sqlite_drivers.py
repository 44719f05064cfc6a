"""Why a writer thread and not aiosqlite (docs/decisions/0001): the same unit of work as
bench/pg_drivers.py (an interview reply's statements: read the project, the interview and
the answer, write the answer, its revision and the interview) on one SQLite file,

- through our SQLite store: the unit runs whole on the writer thread, one hop per unit;
- through aiosqlite's public API: one connection, a transaction at a time (an asyncio lock),
  every statement awaited — each await is a hop to aiosqlite's thread and back while the
  write lock is held.

20 concurrent workers, each on its own project, while the event loop also serves other work
(a busy app); median of alternating rounds.

Run: `python -m bench.sqlite_drivers` (needs the `bench` extra: `.venv/bin/pip install -e
'.[bench]'`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
from pathlib import Path

from bench.pg_drivers import NOW, UNIT, _params, _seed, _timed, run_store

# SQLite has no row locks: the write transaction is the lock
SQLITE_UNIT = [sql.replace(" FOR UPDATE", "") for sql in UNIT]


async def run_aiosqlite(path: str, workers: int, projects: int, units: int, base: int) -> float:
    import aiosqlite

    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute("PRAGMA journal_mode = WAL")
    await conn.execute("PRAGMA synchronous = NORMAL")
    await conn.execute("PRAGMA busy_timeout = 5000")
    one_at_a_time = asyncio.Lock()

    async def worker(w: int) -> None:
        project = 1 + w % projects
        for n in range(units):
            params = _params(project, base + w * units + n)
            async with one_at_a_time:
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    for sql, args in zip(SQLITE_UNIT[:4], params[:4], strict=True):
                        async with conn.execute(sql, args) as cursor:
                            row = await cursor.fetchone()
                    assert row is not None
                    await conn.execute(SQLITE_UNIT[4], ("T1", row[0], NOW))
                    await conn.execute(SQLITE_UNIT[5], params[5])
                    await conn.execute("COMMIT")
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise

    try:
        return await _timed(workers, units, worker)
    finally:
        await conn.close()


async def main(rounds: int, workers: int, projects: int, units: int) -> None:
    rates: dict[str, list[float]] = {"writer thread (ours)": [], "aiosqlite": []}
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        url = f"sqlite:///{path}"
        await _seed(url, projects)
        base, step = 0, workers * units
        for _ in range(rounds):
            rates["writer thread (ours)"].append(
                await run_store(url, workers, projects, units, base, SQLITE_UNIT)
            )
            base += step
            rates["aiosqlite"].append(await run_aiosqlite(path, workers, projects, units, base))
            base += step
    print(
        f"reply-shaped units of work per second on one SQLite file, {workers} concurrent "
        f"workers x {units} units on {projects} project(s), {rounds} alternating rounds, "
        "event loop kept busy meanwhile"
    )
    for name, values in rates.items():
        print(
            f"  {name:<22}{statistics.median(values):8.0f} units/s   rounds: "
            + ", ".join(f"{v:.0f}" for v in values)
        )
    ratio = statistics.median(
        [a / b for a, b in zip(rates["writer thread (ours)"], rates["aiosqlite"], strict=True)]
    )
    print(f"  writer thread / aiosqlite: {ratio:.2f}x (median of per-round ratios)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--projects", type=int, default=20)
    parser.add_argument("--units", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.workers, args.projects, args.units))
