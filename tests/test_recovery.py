"""Recovery after a crash is quick: a process killed with posts queued leaves them claimed; a
restart takes its claims over at once (its predecessor's pid is gone from this host), looks
in Slack only for the rows that were on their way, and posts the rest at once, paced as
Slack paces a channel. Before claims carried their owner and a `sending` mark, the same
burst waited two minutes for the claims to expire and each row was looked for in Slack."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.scheduling.poster import CHANNEL_GAP
from sandbox.emulator import SlackEmulator
from sandbox.emulator.web_api import RateLimiter
from storage.open import is_postgres
from tests.conftest import running_app
from tests.processes import clean_env, start_cli, wait_until

PROJECTS = 40  # one channel: Slack paces posts per channel, about one a second
CHANNEL = "C0RECOVER"


@pytest.fixture
async def paced() -> AsyncIterator[SlackEmulator]:
    emulator = SlackEmulator(rate_limits=True, echo_bot_messages=True, retry_delays=(0.02,) * 3)
    emulator.post_limiter = RateLimiter(burst=3, per_second=1.0, clock=emulator.now)
    await emulator.start()
    emulator.workspace.add_channel(
        CHANNEL, "recover", members=("U0ALICE", emulator.workspace.bot_user_id)
    )
    try:
        yield emulator
    finally:
        await emulator.stop()


def _rows(database: str, sql: str) -> list[tuple]:
    if is_postgres(database):
        import psycopg

        with psycopg.connect(database, autocommit=True) as conn:
            return conn.execute(sql).fetchall()  # type: ignore[arg-type]
    with sqlite3.connect(database.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


def _sending(database: str) -> int:
    sql = "SELECT COUNT(*) FROM deliveries WHERE sending_at IS NOT NULL AND status = 'posting'"
    return int(_rows(database, sql)[0][0])


def _asked(emulator: SlackEmulator, question: str) -> list[str]:
    return [m.thread_ts or "" for m in emulator.bot_posts(CHANNEL) if m.text.startswith(question)]


async def test_kill_9_with_forty_next_questions_queued_then_restart_posts_each_within_60_s_once(
    paced: SlackEmulator, database: str, tmp_path: Path
) -> None:
    emulator = paced
    # forty projects in one channel, each asking its first question (set up in virtual time)
    async with running_app(emulator, database) as setup:
        setup.runtime.services.ticker.min_gap = CHANNEL_GAP
        for i in range(PROJECTS):
            assert (await emulator.slash(f"new Recovery {i:02d}", channel=CHANNEL)).status == 200
        await wait_until(lambda: len(_asked(emulator, "Q1/")) == PROJECTS, "40 Q1s", 60)
        await setup.idle()
    threads = _asked(emulator, "Q1/")

    # the app as a process: forty answers, each acknowledged; the first posts of the next
    # questions reach Slack but their answers never come back before the kill
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database,
    )
    first, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    emulator.connect_http(line.split()[-1])
    emulator.slow_next("chat.postMessage", 5.0, times=3)
    replies = await asyncio.gather(
        *(emulator.say(f"Answer {i}", channel=CHANNEL, thread_ts=t) for i, t in enumerate(threads))
    )
    assert all(delivery.status == 200 for _, delivery in replies)
    await wait_until(
        lambda: _rows(database, "SELECT COUNT(*) FROM answers")[0][0] == PROJECTS,
        "forty answers recorded",
        30,
    )
    await wait_until(lambda: _sending(database) >= 1, "a post on its way", 15)
    first.kill()  # kill -9
    await first.communicate()
    emulator.slow.clear()  # Slack answers promptly again
    questions = "SELECT sending_at IS NOT NULL FROM deliveries WHERE status = 'posting'"
    claimed = [bool(sent) for (sent,) in _rows(database, questions)]
    on_their_way = sum(claimed)
    assert len(claimed) >= PROJECTS - 5  # most next questions were still to be posted ...
    assert on_their_way <= 5  # ... and only the few under way are marked as such
    lookups_before = len(emulator.calls_to("conversations.replies"))

    # the restart, as `serve` starts: its scheduler's first pass runs at once
    async with running_app(emulator, database) as second:
        second.runtime.services.ticker.min_gap = CHANNEL_GAP
        restarted = second.timing.monotonic()
        second.runtime.start_scheduler()
        await wait_until(lambda: len(_asked(emulator, "Q2/")) >= PROJECTS, "forty Q2s", 60)
        took = second.timing.monotonic() - restarted
        await second.idle()
    asked = _asked(emulator, "Q2/")
    assert sorted(asked) == sorted(threads)  # each thread's next question, once
    assert took <= 60, f"the last next question came {took:.0f} s after the restart"
    lookups = len(emulator.calls_to("conversations.replies")) - lookups_before
    assert lookups <= on_their_way  # never-sent rows were posted, not looked for
