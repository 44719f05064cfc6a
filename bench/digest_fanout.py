"""Digests for many channels against the emulator with its rate limits on.

1,000 channels with 10 projects each, every digest due now, one scheduler pass through the
real ticker, Slack gateway and client. The emulator limits chat.postMessage per channel
(~1/s, burst 3) and across the workspace (`--workspace-rate` posts/s, same burst); the bound is
the time the workspace limit alone needs for every post. Reported: wall time against that
bound, and composition time per digest. Run: `python -m bench.digest_fanout`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta

import aiohttp

from bot.app import build_client
from bot.bank_file import load_bank
from bot.digests.compose import digest_composer
from bot.scheduling.kinds import DeliveryKind
from bot.scheduling.ticker import Ticker
from bot.slack_gateway import SlackGateway
from sandbox.emulator import SlackEmulator
from storage.sqlite.store import SqliteStore
from storage.timefmt import iso

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def populate(path: str, channels: int, per_channel: int) -> None:
    conn = sqlite3.connect(path)
    created = iso(NOW - timedelta(days=5))
    rows = [(c * per_channel + i + 1, c, i) for c in range(channels) for i in range(per_channel)]
    conn.executemany(
        "INSERT INTO projects (id, team_id, name, name_key, slug, channel_id, thread_ts, owner_id,"
        " tz, stage, stage_entered_at, created_at) VALUES (?, 'T0SANDBOX', ?, ?, ?, ?, ?, "
        "'U0ALICE', 'Europe/Berlin', 'planning', ?, ?)",
        (
            (
                pid,
                f"Project {c}-{i}",
                f"project {c}-{i}",
                f"project-{c}-{i}",
                f"CB{c:05d}",
                f"1780000000.{pid:06d}",
                created,
                created,
            )
            for pid, c, i in rows
        ),
    )
    conn.executemany(
        "INSERT INTO stage_history (team_id, project_id, stage, entered_at, entered_by, "
        "time_box_days) VALUES ('T0SANDBOX', ?, 'planning', ?, 'U0ALICE', 14)",
        ((pid, created) for pid, _, _ in rows),
    )
    conn.executemany(
        "INSERT INTO schedules (team_id, kind, subject, channel_id, days, at_time, tz, "
        "next_due_at) VALUES ('T0SANDBOX', 'digest', ?, ?, 'mon', '09:00', 'UTC', ?)",
        ((f"CB{c:05d}", f"CB{c:05d}", iso(NOW)) for c in range(channels)),
    )
    conn.commit()
    conn.close()


async def main(channels: int, per_channel: int, workspace_rate: float) -> None:
    emu = SlackEmulator(rate_limits=True, workspace_rate=workspace_rate)
    await emu.start()
    for c in range(channels):
        emu.workspace.add_channel(
            f"CB{c:05d}", f"bench-{c}", members=("U0ALICE", emu.workspace.bot_user_id)
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = f"{tmp}/bench.db"
        await (await SqliteStore.open(path)).close()
        populate(path, channels, per_channel)
        store = await SqliteStore.open(path)
        session = aiohttp.ClientSession()
        gateway = SlackGateway(build_client(emu.bot_token, emu.api_url, session))
        kinds = [DeliveryKind("digest", compose=digest_composer(load_bank()))]
        ticker = Ticker(store, gateway, kinds, lambda: NOW)
        composing: list[float] = []
        original = ticker._claim

        def timed_claim(*args, **kwargs):  # type: ignore[no-untyped-def]
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                composing.append(time.perf_counter() - started)

        ticker._claim = timed_claim  # type: ignore[method-assign]
        started = time.perf_counter()
        lines = await ticker.tick(NOW)
        wall = time.perf_counter() - started
        await session.close()
        await store.close()
    await emu.stop()
    posted = sum(1 for line in lines if line.outcome == "posted")
    limited = sum(1 for c in emu.calls_to("chat.postMessage") if c.status == 429)
    bound = max(0.0, (posted - workspace_rate) / workspace_rate)
    per_digest = sum(composing) / max(1, posted) * 1000
    print(
        f"{channels:,} channel digests of {per_channel} projects each; workspace limit "
        f"{workspace_rate:g} posts/s (burst {workspace_rate:g}), per channel ~1/s (burst 3)"
    )
    print(f"  posted {posted:,}; 429s answered {limited:,}; other outcomes {len(lines) - posted}")
    print(
        f"  wall time {wall:.2f} s; bound set by the rate limit {bound:.2f} s; "
        f"ratio {wall / bound:.2f}x (target ≤ 1.5x)"
        if bound
        else f"  wall time {wall:.2f} s"
    )
    print(
        f"  composition: {per_digest:.2f} ms per digest "
        f"(claim + compose batches: {', '.join(f'{c:.2f}' for c in composing)} s; "
        f"median {statistics.median(composing):.2f} s)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--projects", type=int, default=10)
    parser.add_argument("--workspace-rate", type=float, default=100.0)
    args = parser.parse_args()
    asyncio.run(main(args.channels, args.projects, args.workspace_rate))
