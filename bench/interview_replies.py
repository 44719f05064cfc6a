"""Thread replies fully handled per second: MLE Coach's interview (answer stored, ✅ added,
next question posted) against two bare Bolt apps: one that posts one reply per thread
message, and one that also adds the ✅ (the same two Slack calls per reply as the interview,
with nothing recorded).

Both are separate processes served the same way, driven by the same emulator (rate limits
off, and MLE Coach's own per-channel pacing off with them: bench/coach_server.py) in
alternating rounds. A reply counts when the app's next post in that thread appears;
threads run in parallel, replies within a thread one after another (as people answer).
Run: `python -m bench.interview_replies --rounds 3`.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack

from bench.harness import Server, median, start_server
from bench.pg import scratch_schema
from bot.bank_file import load_bank
from bot.domain.bank import Kind
from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message

BARE_MARK = "bare bolt ✅+reply"  # the same Slack calls per reply as the interview makes
FLOOR = "floor ✅+reply"  # no Bolt, no database: the least any app keeping the ✅ can do
ANSWERS = {
    Kind.TEXT: "Cut churn by 2 points",
    Kind.NUMBER: "0.061",
    Kind.USER: "<@U0BOB>",
    Kind.DURATION: "2 weeks",
}


class PostWatcher:
    """Resolves when the app posts in a thread."""

    def __init__(self, emu: SlackEmulator) -> None:
        self.waiting: dict[str, asyncio.Future[Message]] = {}
        self.posts: dict[str, int] = defaultdict(int)
        emu.subscribe(self._seen)

    def _seen(self, kind: str, item: object) -> None:
        if kind == "post" and isinstance(item, Message) and item.thread_ts:
            self.posts[item.thread_ts] += 1
            future = self.waiting.pop(item.thread_ts, None)
            if future is not None and not future.done():
                future.set_result(item)

    def expect(self, thread_ts: str) -> asyncio.Future[Message]:
        future: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.waiting[thread_ts] = future
        return future


async def _parent_threads(
    emu: SlackEmulator, watcher: PostWatcher, n: int, tag: str, ours: bool
) -> list[str]:
    threads = []
    for i in range(n):
        if ours:
            before = {m.ts for m in emu.bot_posts("C0MLTEAM") if not m.thread_ts}
            await emu.slash(f"new bench {tag} {i}")
            for _ in range(500):
                new = [
                    m for m in emu.bot_posts("C0MLTEAM") if not m.thread_ts and m.ts not in before
                ]
                if new and watcher.posts.get(new[0].ts):
                    threads.append(new[0].ts)
                    break
                await asyncio.sleep(0.01)
        else:
            parent, _ = await emu.say(f"thread {tag} {i}", user="U0BOB")
            threads.append(parent.ts)
    return threads


async def _drive(
    emu: SlackEmulator, watcher: PostWatcher, threads: list[str], answers: list[str]
) -> float:
    async def one_thread(thread_ts: str) -> None:
        for text in answers:
            future = watcher.expect(thread_ts)
            await emu.say(text, user="U0ALICE", thread_ts=thread_ts)
            await asyncio.wait_for(future, 30)

    started = time.perf_counter()
    await asyncio.gather(*(one_thread(t) for t in threads))
    return len(threads) * len(answers) / (time.perf_counter() - started)


def _fill_history(path: str, team_id: str, posts: int) -> None:
    """A channel with a past: `posts` messages the app posted there before, all finished."""
    stamp = "2026-01-05T09:00:00.000000Z"
    with sqlite3.connect(path, timeout=30) as db:
        db.executemany(
            "INSERT INTO deliveries (team_id, delivery_key, kind, subject, channel_id, thread_ts, "
            "due_at, next_attempt_at, status, created_at, posted_ts, posted_at) VALUES "
            "(?, ?, 'question', ?, 'C0MLTEAM', ?, ?, ?, 'posted', ?, ?, ?)",
            (
                (team_id, f"past:{i}", f"past {i // 12}", f"1600000000.{i // 12:06d}")
                + (stamp, stamp, stamp, f"1600000001.{i:06d}", stamp)
                for i in range(posts)
            ),
        )


async def main(rounds: int, threads: int, database_url: str | None, history: int) -> None:
    emu = SlackEmulator(rate_limits=False)
    await emu.start()
    watcher = PostWatcher(emu)
    planning = load_bank().questions("planning")
    answers = [q.choices[0] if q.kind is Kind.CHOICE else ANSWERS[q.kind] for q in planning]
    env = {
        "SLACK_BOT_TOKEN": emu.bot_token,
        "SLACK_SIGNING_SECRET": emu.signing_secret,
        "SLACK_API_URL": emu.api_url,
        "LOG_LEVEL": "WARNING",
    }
    rates: dict[str, list[float]] = {"mle-coach": [], "bare bolt": [], BARE_MARK: [], FLOOR: []}
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        database = f"sqlite:///{tmp}/bench.db"
        if database_url:
            database = stack.enter_context(scratch_schema(database_url))
        ours = await start_server(["-m", "bench.coach_server"], {**env, "DATABASE_URL": database})
        if history:
            _fill_history(f"{tmp}/bench.db", emu.workspace.team_id, history)
        bare = await start_server(["-m", "bench.bare_replier"], env)
        marking = await start_server(["-m", "bench.bare_replier"], {**env, "BARE_REACT": "1"})
        floor = await start_server(["-m", "bench.bare_floor"], env)
        servers: dict[str, Server] = {
            "mle-coach": ours,
            "bare bolt": bare,
            BARE_MARK: marking,
            FLOOR: floor,
        }
        try:
            for r in range(rounds):
                for name, server in servers.items():
                    emu.connect_http(server.url)
                    ts = await _parent_threads(emu, watcher, threads, f"{r}", name == "mle-coach")
                    rates[name].append(await _drive(emu, watcher, ts, answers))
        finally:
            for server in servers.values():
                await server.stop()
            await emu.stop()
    print(
        f"thread replies fully handled per second; {threads} threads in parallel x "
        f"{len(answers)} replies each, {rounds} alternating rounds (median); MLE Coach on "
        + ("PostgreSQL" if database_url else "SQLite")
    )
    for name, values in rates.items():
        print(
            f"{name:18}{median(values):10.1f} replies/s   rounds: "
            + ", ".join(f"{v:.1f}" for v in values)
        )
    early = sum(1 for m in emu.bot_posts() if "kept it as a note" in m.text)
    unreadable = sum(1 for m in emu.bot_posts() if "isn't recorded" in m.text)
    print(f"sanity: {early} replies taken as early notes, {unreadable} re-asks (both must be 0)")
    for baseline in ("bare bolt", BARE_MARK, FLOOR):
        ratio = median(rates["mle-coach"]) / median(rates[baseline])
        # rounds alternate, so each round's trio saw the same machine load: their ratio is the
        # steadier figure on a shared machine
        paired = median([a / b for a, b in zip(rates["mle-coach"], rates[baseline], strict=True)])
        print(
            f"ratio {paired:.2f}x of {baseline}, median of per-round ratios "
            f"({ratio:.2f}x as a ratio of medians)"
        )
    least = median([a / b for a, b in zip(rates[FLOOR], rates["bare bolt"], strict=True)])
    print(
        f"the floor itself: {least:.2f}x of bare bolt (the most any app keeping the ✅ can reach)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument(
        "--database-url", help="run MLE Coach on this PostgreSQL database (default: SQLite)"
    )
    parser.add_argument(
        "--history",
        type=int,
        default=0,
        help="SQLite: the channel already holds this many finished posts of the app's",
    )
    args = parser.parse_args()
    if args.history and args.database_url:
        parser.error("--history fills the SQLite database only")
    asyncio.run(main(args.rounds, args.threads, args.database_url, args.history))
