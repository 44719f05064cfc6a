"""Three `mle-coach serve` processes on one PostgreSQL database, behind a round-robin load
balancer (the emulator takes turns among their Request URLs, retries included), each
running its own scheduler every second.

Needs TEST_DATABASE_URL; under CI it fails without it rather than skip.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from sandbox.emulator import SlackEmulator
from tests.interviews import PLANNING, Q_PREFIX, valid_answer
from tests.pg import fresh_schema
from tests.processes import clean_env, spawn_cli, start_cli, wait_until

REPLICAS = 3


async def _serve(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    serve = ["serve", "--host", "127.0.0.1", "--port", "0"]
    proc, line = await start_cli(serve, env, cwd, "listening on", timeout=60)
    return proc, line.split("listening on ", 1)[1].split()[0]


@pytest.fixture
async def replicas(
    emulator: SlackEmulator, tmp_path: Path
) -> AsyncIterator[tuple[str, list[asyncio.subprocess.Process]]]:
    with fresh_schema() as url:
        env = clean_env(
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_SIGNING_SECRET=emulator.signing_secret,
            SLACK_API_URL=emulator.api_url,
            DATABASE_URL=url,
            DATABASE_POOL_SIZE="4",
            TICK_SECONDS="1",
        )
        # started together: they migrate the empty schema at the same moment
        started = await asyncio.gather(*(_serve(env, tmp_path) for _ in range(REPLICAS)))
        procs = [proc for proc, _ in started]
        try:
            emulator.connect_http(*(address for _, address in started))
            yield url, procs
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()
            for proc in procs:
                _, err = await asyncio.wait_for(proc.communicate(), 30)
                assert proc.returncode == 0, err.decode()[-2000:]
                assert "Traceback" not in err.decode(), err.decode()[-2000:]


def _sql(url: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query.encode()).fetchall()


def _asked(emulator: SlackEmulator, thread: str) -> list[str]:
    return [
        m.text.split(" ")[0]
        for m in emulator.bot_posts("C0MLTEAM", thread)
        if Q_PREFIX.match(m.text)
    ]


async def test_one_interview_spread_over_three_replicas_records_each_answer_once(
    emulator: SlackEmulator, replicas: tuple[str, list[asyncio.subprocess.Process]]
) -> None:
    url, _ = replicas
    assert (await emulator.slash("new Churn reduction")).status == 200
    await wait_until(
        lambda: any(m.thread_ts is None for m in emulator.bot_posts("C0MLTEAM")), "parent"
    )
    thread = next(m.ts for m in emulator.bot_posts("C0MLTEAM") if m.thread_ts is None)
    total = len(PLANNING)
    for number, question in enumerate(PLANNING, start=1):
        await wait_until(lambda n=number: len(_asked(emulator, thread)) >= n, f"Q{number}")
        _, delivery = await emulator.say(valid_answer(question), thread_ts=thread)
        assert delivery.status == 200
        event_id = list(emulator.delivered)[-1]
        # Slack's retries of that reply reach the other replicas, at the same moment
        retries = await asyncio.gather(
            emulator.redeliver(event_id, 1), emulator.redeliver(event_id, 2)
        )
        assert [r.status for r in retries] == [200, 200]
    brief_posted = lambda: any(  # noqa: E731
        "Planning brief" in m.text for m in emulator.bot_posts("C0MLTEAM", thread)
    )
    await wait_until(brief_posted, "the planning brief")
    await asyncio.sleep(1.5)  # every replica has ticked since: nothing more may appear
    assert _asked(emulator, thread) == [f"Q{n}/{total}" for n in range(1, total + 1)]
    briefs = [m for m in emulator.bot_posts("C0MLTEAM", thread) if "Planning brief" in m.text]
    assert len(briefs) == 1
    keys = [str(r[0]) for r in _sql(url, "SELECT question_key FROM answers ORDER BY id")]
    assert keys == [q.key for q in PLANNING]
    revisions = _sql(url, "SELECT COUNT(*) FROM answer_revisions")
    assert revisions == [(total,)]
    reactions = [c for c in emulator.calls_to("reactions.add") if c.response.get("ok")]
    assert len(reactions) == total  # one ✓ per answer, none for the retries


async def test_concurrent_ticks_of_three_replicas_post_every_checkin_once(
    emulator: SlackEmulator,
    replicas: tuple[str, list[asyncio.subprocess.Process]],
    tmp_path: Path,
) -> None:
    url, _ = replicas
    projects = 24
    for i in range(projects):  # the commands themselves land on every replica in turn
        assert (await emulator.slash(f"new Project {i:02d}")).status == 200
    parents = lambda: [m for m in emulator.bot_posts("C0MLTEAM") if m.thread_ts is None]  # noqa: E731
    # each replica paces its posts to the channel (about one a second after a short burst)
    await wait_until(
        lambda: len(parents()) == projects, "every project's parent message", timeout=90
    )
    overdue = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE schedules SET next_due_at = %s WHERE kind = 'checkin'", (overdue,))
    # besides the replicas' own passes, three `mle-coach tick` runs started at one instant
    env = clean_env(SLACK_BOT_TOKEN=emulator.bot_token, SLACK_API_URL=emulator.api_url)
    runs = await asyncio.gather(
        *(spawn_cli(["tick"], env | {"DATABASE_URL": url}, tmp_path) for _ in range(3))
    )
    for run in runs:
        _, err = await asyncio.wait_for(run.communicate(), 60)
        assert run.returncode == 0, err.decode()

    def checkins() -> list[tuple[str | None, str]]:
        return [
            (m.thread_ts, m.text)
            for m in emulator.bot_posts("C0MLTEAM")
            if m.text.startswith("Check-in")
        ]

    await wait_until(lambda: len(checkins()) >= projects, "every check-in", timeout=60)
    await asyncio.sleep(2.5)  # two more passes of every replica: nothing is posted twice
    threads = [thread for thread, _ in checkins()]
    assert len(threads) == projects and len(set(threads)) == projects
    assert set(threads) == {m.ts for m in parents()}
    rows = _sql(
        url, "SELECT status, COUNT(*) FROM deliveries WHERE kind = 'checkin' GROUP BY status"
    )
    assert rows == [("posted", projects)]


async def test_closing_and_the_retrospective_happen_once_across_replicas(
    emulator: SlackEmulator, replicas: tuple[str, list[asyncio.subprocess.Process]]
) -> None:
    url, _ = replicas
    assert (await emulator.slash("new Churn reduction")).status == 200
    await wait_until(lambda: bool(emulator.bot_posts("C0MLTEAM")), "parent")
    thread = next(m.ts for m in emulator.bot_posts("C0MLTEAM") if m.thread_ts is None)
    await wait_until(lambda: len(_asked(emulator, thread)) >= 1, "Q1")
    # two people close it at the same moment, through different replicas
    closes = await asyncio.gather(
        emulator.slash("close churn-reduction cancelled no labels"),
        emulator.slash("close churn-reduction shipped", user="U0ALICE"),
    )
    assert [c.status for c in closes] == [200, 200]
    await wait_until(lambda: "Q1/3" in _asked(emulator, thread), "the retrospective's Q1")
    for number, answer in enumerate(
        ("Churn unchanged", "2, over-experimentation", "Check the labels first"), start=1
    ):
        await wait_until(lambda n=number: f"Q{n}/3" in _asked(emulator, thread), f"Q{number}")
        _, delivery = await emulator.say(answer, thread_ts=thread)
        assert delivery.status == 200
        event_id = list(emulator.delivered)[-1]
        await asyncio.gather(emulator.redeliver(event_id, 1), emulator.redeliver(event_id, 2))
    retro = lambda: [  # noqa: E731
        m for m in emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Retrospective")
    ]
    await wait_until(lambda: bool(retro()), "the retrospective")
    await asyncio.sleep(1.5)  # every replica has ticked since
    assert len(retro()) == 1
    assert _asked(emulator, thread) == ["Q1/12", "Q1/3", "Q2/3", "Q3/3"]
    closed = [m for m in emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("🏁")]
    assert len(closed) == 1
    rows = _sql(url, "SELECT stage, outcome FROM projects")
    assert rows in ([("closed", "cancelled")], [("closed", "shipped")])
    keys = _sql(url, "SELECT question_key FROM answers WHERE stage = 'closed' ORDER BY id")
    assert [k[0] for k in keys] == ["outcome_vs_target", "failure_reasons", "do_differently"]
