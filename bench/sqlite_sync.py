"""What `synchronous = FULL` costs a SQLite commit on this disk, against NORMAL
(docs/decisions/0004).

The app's own SQLite store (writer thread, WAL, group commit) on a file in a temporary
directory, each unit recording one inbox row as a thread reply's ack does:

- one at a time: each unit waits for its commit before the next starts (a reply arriving
  alone: the latency Slack's 200 waits for);
- `--concurrency` at once: units queued while the writer is busy share one commit.

Alternating rounds per setting; medians. Run: `python -m bench.sqlite_sync`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime

from storage.sqlite.store import SqliteStore
from storage.store import Tx

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def _record(key: str) -> Callable[[Tx], int | None]:
    """One unit: an inbox row, as a request's record before its ack."""
    return lambda tx: tx.inbox.record("T0", key, "event", "{}", NOW)


def _synchronous(mode: str) -> Callable[[sqlite3.Connection], object]:
    pragma = {"NORMAL": "PRAGMA synchronous = NORMAL", "FULL": "PRAGMA synchronous = FULL"}[mode]
    return lambda conn: conn.execute(pragma)


async def _one_at_a_time(store: SqliteStore, n: int, tag: str) -> list[float]:
    took = []
    for i in range(n):
        started = time.perf_counter()
        await store.write(_record(f"{tag}:{i}"))
        took.append(time.perf_counter() - started)
    return took


async def _at_once(store: SqliteStore, n: int, concurrency: int, tag: str) -> float:
    """Units per second with `concurrency` writers."""
    started = time.perf_counter()

    async def writer(w: int) -> None:
        for i in range(n // concurrency):
            await store.write(_record(f"{tag}:{w}:{i}"))

    await asyncio.gather(*(writer(w) for w in range(concurrency)))
    return (n // concurrency * concurrency) / (time.perf_counter() - started)


async def main(rounds: int, n: int, concurrency: int) -> None:
    results: dict[str, dict[str, list[float]]] = {
        mode: {"p50": [], "p99": [], "rps": []} for mode in ("NORMAL", "FULL")
    }
    with tempfile.TemporaryDirectory() as tmp:
        stores = {}
        for mode in results:
            store = await SqliteStore.open(f"{tmp}/{mode}.db")
            await store.db.on_writer(_synchronous(mode))
            stores[mode] = store
        try:
            for r in range(rounds):
                for mode, store in stores.items():
                    took = sorted(await _one_at_a_time(store, n, f"seq{r}"))
                    results[mode]["p50"].append(took[len(took) // 2] * 1000)
                    results[mode]["p99"].append(took[int(len(took) * 0.99)] * 1000)
                    results[mode]["rps"].append(await _at_once(store, n, concurrency, f"par{r}"))
        finally:
            for store in stores.values():
                await store.close()
    print(
        f"SQLite commits of one inbox row, {rounds} alternating rounds (medians); {n} one at a "
        f"time for latency, {n} by {concurrency} concurrent writers for throughput"
    )
    print(f"{'':8}{'p50 ms':>10}{'p99 ms':>10}{'units/s':>10}")
    for mode, got in results.items():
        print(
            f"{mode:8}{statistics.median(got['p50']):10.3f}{statistics.median(got['p99']):10.3f}"
            f"{statistics.median(got['rps']):10.0f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.units, args.concurrency))
