"""`/mle help` ack latency and throughput: MLE Coach against a bare Bolt app that only acks.

Both run as separate processes served the same way (aiohttp, POST /slack/events), against the
same local emulator, in alternating rounds; medians of the rounds are reported with ratios.
Run: `make bench` (or `python -m bench.help_ack --rounds 5`); `--text status` acks a command
that is recorded in the inbox first (a commit before each 200).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time

import aiohttp

from bench.harness import Server, fire, median, percentile, start_server
from sandbox.emulator import SlackEmulator

_TRIGGERS = itertools.count(1)


def _payload(emu: SlackEmulator, text: str) -> dict[str, str]:
    """`/mle <text>`; each request its own trigger_id, as Slack's (a command other than help
    is recorded in the inbox before its ack: `--text status` measures that commit)."""
    return {
        "command": "/mle",
        "text": text,
        "user_id": "U0ALICE",
        "team_id": "T0SANDBOX",
        "channel_id": "C0MLTEAM",
        "trigger_id": f"1.2.{next(_TRIGGERS)}",
        "response_url": f"{emu.base_url}/response/bench",
    }


async def _latency(server: Server, emu: SlackEmulator, n: int, text: str) -> list[float]:
    async with aiohttp.ClientSession() as session:
        return [
            await fire(
                session, server.url, emu.signing_secret, "slash_commands", _payload(emu, text)
            )
            for _ in range(n)
        ]


async def _throughput(
    server: Server, emu: SlackEmulator, total: int, concurrency: int, text: str
) -> float:
    queue = list(range(total))
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            while queue:
                queue.pop()
                await fire(
                    session, server.url, emu.signing_secret, "slash_commands", _payload(emu, text)
                )

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return total / (time.perf_counter() - started)


async def main(rounds: int, n: int, total: int, concurrency: int, text: str) -> None:
    emu = SlackEmulator(rate_limits=False)
    await emu.start()
    env = {
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_SIGNING_SECRET": emu.signing_secret,
        "SLACK_API_URL": emu.api_url,
        "LOG_LEVEL": "WARNING",
    }
    with tempfile.TemporaryDirectory() as tmp:
        ours = await start_server(
            ["-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", "0"],
            {**env, "DATABASE_URL": f"sqlite:///{tmp}/bench.db"},
        )
        bare = await start_server(["-m", "bench.bare_bolt"], env)
        results: dict[str, dict[str, list[float]]] = {
            name: {"p50": [], "p99": [], "rps": []} for name in ("mle-coach", "bare bolt")
        }
        try:
            for server in (ours, bare):  # warm-up (auth.test, imports, connections)
                await _latency(server, emu, 50, text)
            for _ in range(rounds):
                for name, server in (("mle-coach", ours), ("bare bolt", bare)):
                    lat = await _latency(server, emu, n, text)
                    results[name]["p50"].append(percentile(lat, 50) * 1000)
                    results[name]["p99"].append(percentile(lat, 99) * 1000)
                    results[name]["rps"].append(
                        await _throughput(server, emu, total, concurrency, text)
                    )
        finally:
            await ours.stop()
            await bare.stop()
            await emu.stop()
    print(
        f"/mle {text} ack, {rounds} alternating rounds; {n} sequential requests per round for "
        f"latency, {total} at concurrency {concurrency} for throughput (medians of rounds)"
    )
    print(f"{'':12}{'p50 ms':>10}{'p99 ms':>10}{'req/s':>10}")
    for name, r in results.items():
        print(f"{name:12}{median(r['p50']):10.2f}{median(r['p99']):10.2f}{median(r['rps']):10.0f}")
    ours_r, bare_r = results["mle-coach"], results["bare bolt"]
    print(
        f"ratio p50 {median(ours_r['p50']) / median(bare_r['p50']):.2f}x  "
        f"p99 {median(ours_r['p99']) / median(bare_r['p99']):.2f}x  "
        f"throughput {median(ours_r['rps']) / median(bare_r['rps']):.2f}x of bare Bolt "
        "(target: p50 within 1.3x)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--total", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--text", default="help", help="the command's text (default: help)")
    args = parser.parse_args()
    asyncio.run(main(args.rounds, args.requests, args.total, args.concurrency, args.text))
