"""A burst of signed events and commands at high concurrency against `mle-coach serve`.

5,000 requests at concurrency 50 through the emulator's signed HTTP delivery: thread replies
to 400 interviews (at most 10 each, fewer than the 12 planning questions, so every reply must
end up an answer or a note) and `/mle help` / `/mle status`. Reported: ack latency p50/p99,
how many were not answered 2xx within Slack's 3 seconds, and how many replies were not stored
exactly once (both must be 0). Run: `python -m bench.load_burst`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time

from bench.harness import percentile, start_server
from sandbox.emulator import SlackEmulator


async def main(total: int, concurrency: int, threads: int) -> None:
    emu = SlackEmulator(rate_limits=False)
    await emu.start()
    with tempfile.TemporaryDirectory() as tmp:
        db = f"{tmp}/load.db"
        env = {
            "SLACK_BOT_TOKEN": emu.bot_token,
            "SLACK_SIGNING_SECRET": emu.signing_secret,
            "SLACK_API_URL": emu.api_url,
            "LOG_LEVEL": "WARNING",
            "DATABASE_URL": f"sqlite:///{db}",
        }
        server = await start_server(
            ["-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"], env
        )
        emu.connect_http(server.url)
        for i in range(threads):
            await emu.slash(f"new Load project {i}")
        await asyncio.sleep(1.0)
        parents = [m.ts for m in emu.bot_posts("C0MLTEAM") if m.thread_ts is None][:threads]
        assert len(parents) == threads, len(parents)
        latencies: list[float] = []
        failures = 0
        replies = 0
        queue = list(range(total))

        async def worker() -> None:
            nonlocal failures, replies
            while queue:
                n = queue.pop()
                started = time.perf_counter()
                if n % 5 == 0:
                    result = await emu.slash("help" if n % 10 else "status")
                else:
                    replies += 1
                    _, result = await emu.say(
                        f"answer {n}", user="U0BOB", thread_ts=parents[n % threads]
                    )
                took = time.perf_counter() - started
                latencies.append(took)
                if not 200 <= result.status < 300 or took > 3.0 or result.attempts > 1:
                    failures += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall = time.perf_counter() - started
        stored, steady = -1, 0
        for _ in range(240):  # let the app finish what it acknowledged: 4 s without change
            await asyncio.sleep(0.5)
            with sqlite3.connect(db) as conn:
                now = conn.execute(
                    "SELECT (SELECT COUNT(*) FROM answers) + (SELECT COUNT(*) FROM thread_notes)"
                ).fetchone()[0]
            steady = steady + 1 if now == stored else 0
            stored = now
            if steady >= 8:
                break
        await server.stop()
    await emu.stop()
    print(
        f"{total:,} signed requests ({replies:,} thread replies, {total - replies:,} commands) "
        f"at concurrency {concurrency} in {wall:.1f} s"
    )
    print(
        f"  ack latency p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms, max {max(latencies) * 1000:.0f} ms"
    )
    print(f"  not answered 2xx within 3 s (or retried): {failures}")
    print(
        f"  replies stored as answers or notes: {stored:,} of {replies:,}; lost or doubled: "
        f"{abs(replies - stored)}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--total", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument(
        "--threads", type=int, default=400
    )  # ≤ 10 replies each: all answers or notes
    args = parser.parse_args()
    asyncio.run(main(args.total, args.concurrency, args.threads))
