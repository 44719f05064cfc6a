"""The inbox: a reply, a command, a button or a form is written to the database before Slack
gets its answer; when the database cannot take it Slack is told so (and re-sends events),
and what a crash left unprocessed is processed after the restart."""

from __future__ import annotations

import asyncio
import random
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.projects.delete import CONFIRM
from sandbox.emulator import SlackEmulator
from storage.open import is_postgres
from tests.conftest import Harness
from tests.interviews import new_project, questions_asked, reply
from tests.processes import clean_env, run_cli, start_cli, wait_until


def _execute(database: str, *statements: str) -> list[tuple]:
    """Run SQL beside the app, as an operator (or a failing disk) would."""
    rows: list[tuple] = []
    if is_postgres(database):
        import psycopg

        with psycopg.connect(database, autocommit=True) as conn:
            for statement in statements:
                cur = conn.execute(statement)  # type: ignore[arg-type]
                rows = cur.fetchall() if cur.description else []
        return rows
    import sqlite3

    conn = sqlite3.connect(database.removeprefix("sqlite:///"), timeout=10)
    try:
        for statement in statements:
            rows = conn.execute(statement).fetchall()
        conn.commit()
    finally:
        conn.close()
    return rows


@contextmanager
def inbox_refuses_writes(database: str) -> Iterator[None]:
    """Every insert into the inbox fails the way a full disk fails it."""
    if is_postgres(database):
        _execute(
            database,
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$",
            "CREATE TRIGGER disk_full BEFORE INSERT ON inbox "
            "FOR EACH ROW EXECUTE FUNCTION disk_full()",
        )
        undo = ["DROP TRIGGER disk_full ON inbox", "DROP FUNCTION disk_full()"]
    else:
        _execute(
            database,
            "CREATE TRIGGER disk_full BEFORE INSERT ON inbox "
            "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
        )
        undo = ["DROP TRIGGER disk_full"]
    try:
        yield
    finally:
        _execute(database, *undo)


def _answers(database: str) -> list[str]:
    return [r[0] for r in _execute(database, "SELECT message_ts FROM answers ORDER BY id")]


async def test_a_reply_is_in_the_inbox_and_done_once_answered(harness: Harness) -> None:
    thread = await new_project(harness)
    message = await reply(harness, thread, "Cut churn by 2 points")
    rows = _execute(harness.database, "SELECT kind, done_at, error FROM inbox ORDER BY id")
    assert [(kind, done is not None, error) for kind, done, error in rows] == [
        ("command", True, None),
        ("message", True, None),
    ]
    assert _answers(harness.database) == [message.ts]


async def test_slacks_200_to_a_reply_means_the_answer_is_recorded_already(
    harness: Harness,
) -> None:
    """A thread reply is taken in the transaction that records it: when Slack has its 200
    the answer is in the database and the inbox row done, so a crash right after the 200
    loses nothing and processes nothing twice."""
    thread = await new_project(harness)
    await harness.idle()
    message, delivery = await harness.emulator.say("Cut churn by 2 points", thread_ts=thread)
    assert delivery.status == 200
    assert _answers(harness.database) == [message.ts]  # no waiting for background work
    rows = _execute(harness.database, "SELECT done_at, attempts FROM inbox WHERE kind = 'message'")
    assert [(done is not None, attempts) for done, attempts in rows] == [(True, 1)]
    await harness.idle()
    assert [q.split(" ")[0] for q in questions_asked(harness, thread)] == ["Q1/12", "Q2/12"]


async def test_a_reply_answered_at_once_leaves_no_text_in_the_inbox_one_that_waits_keeps_it(
    harness: Harness,
) -> None:
    """Once a reply is answered its row only recognises Slack's retries: what the person typed
    is in the answer, not kept twice. A reply that must wait (its question is still being
    posted) keeps its body, so a crash before it is answered loses nothing; no row keeps the
    legacy verification token Slack sends in every body."""
    thread = await new_project(harness)
    emulator = harness.emulator
    emulator.slow_next("chat.postMessage", 0.5)  # Q2 appears at once, Slack answers late
    first, _ = await emulator.say("Cut churn by 2 points", thread_ts=thread)
    await wait_until(lambda: len(questions_asked(harness, thread)) == 2, "Q2", timeout=5)
    early, delivery = await emulator.say("Spreadsheets", user="U0BOB", thread_ts=thread)
    assert delivery.status == 200
    query = "SELECT body, done_at FROM inbox WHERE kind = 'message' ORDER BY id"
    [(body, done), (waiting, open_)] = _execute(harness.database, query)
    assert body == "" and done is not None  # answered at once
    assert "Spreadsheets" in waiting and open_ is None  # recorded whole, to be answered
    assert '"token"' not in waiting  # but not Slack's legacy verification token
    await harness.idle()
    assert _answers(harness.database) == [first.ts, early.ts]
    assert [(body, done is not None) for body, done in _execute(harness.database, query)] == [
        ("", True),
        ("", True),
    ]


@contextmanager
def answers_refused(database: str) -> Iterator[None]:
    """Recording an answer fails (as a bug or a broken disk page would make it fail) while
    the inbox still takes writes."""
    if is_postgres(database):
        _execute(
            database,
            "CREATE FUNCTION broken() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'broken answers table'; END $$",
            "CREATE TRIGGER broken BEFORE INSERT ON answers FOR EACH ROW EXECUTE FUNCTION broken()",
        )
        undo = ["DROP TRIGGER broken ON answers", "DROP FUNCTION broken()"]
    else:
        _execute(
            database,
            "CREATE TRIGGER broken BEFORE INSERT ON answers "
            "BEGIN SELECT RAISE(FAIL, 'broken answers table'); END",
        )
        undo = ["DROP TRIGGER broken"]
    try:
        yield
    finally:
        _execute(database, *undo)


async def test_a_reply_whose_processing_fails_is_kept_and_answered_once_it_can_be(
    harness: Harness,
) -> None:
    emulator = harness.emulator
    thread = await new_project(harness)
    await harness.idle()
    with answers_refused(harness.database):
        message, delivery = await emulator.say("Cut churn by 2 points", thread_ts=thread)
        await harness.idle()
    assert delivery.status == 200 and delivery.attempts == 1  # recorded: Slack need not retry
    assert _answers(harness.database) == []
    [(done, error)] = _execute(
        harness.database, "SELECT done_at, error FROM inbox WHERE kind = 'message'"
    )
    assert done is None and "broken answers table" in error
    assert "white_check_mark" not in (message.reactions or {})
    # the next pass after the claim went stale takes it again
    await harness.runtime.services.scheduler_pass(datetime.now(UTC) + timedelta(minutes=1))
    await harness.idle()
    assert _answers(harness.database) == [message.ts]
    assert "white_check_mark" in (message.reactions or {})
    assert [q.split(" ")[0] for q in questions_asked(harness, thread)] == ["Q1/12", "Q2/12"]


async def test_a_reply_the_database_cannot_take_gets_503_and_slacks_retry_is_recorded(
    harness: Harness,
) -> None:
    emulator = harness.emulator
    thread = await new_project(harness)
    with inbox_refuses_writes(harness.database):
        message, delivery = await emulator.say("Cut churn by 2 points", thread_ts=thread)
        await harness.idle()
    assert delivery.status == 503 and delivery.attempts == 4  # the first try and 3 retries
    assert _answers(harness.database) == []
    assert "white_check_mark" not in (message.reactions or {})
    # space is freed; Slack's next retry (its last, ~5 minutes later) is taken
    event_id = list(emulator.delivered)[-1]
    again = await emulator.redeliver(event_id, retry_num=3)
    await harness.idle()
    assert again.status == 200
    assert _answers(harness.database) == [message.ts]
    assert [q.split(" ")[0] for q in questions_asked(harness, thread)] == ["Q1/12", "Q2/12"]


async def test_a_command_the_database_cannot_take_says_so_and_changes_nothing(
    harness: Harness,
) -> None:
    emulator = harness.emulator
    with inbox_refuses_writes(harness.database):
        result = await emulator.slash("new Churn reduction")
        await harness.idle()
    assert result.status == 200
    assert "couldn't take that command" in result.json()["text"]
    assert emulator.bot_posts("C0MLTEAM") == []
    assert _execute(harness.database, "SELECT COUNT(*) FROM projects") == [(0,)]
    await new_project(harness)  # typed again once the database is back: it works


async def test_a_button_the_database_cannot_take_says_so(harness: Harness) -> None:
    emulator = harness.emulator
    await new_project(harness, "Doomed")
    result = await emulator.slash("delete Doomed")
    assert result.status == 200
    await harness.idle()
    [confirm] = [e for e in emulator.ephemerals_for("U0ALICE") if e.blocks]
    with inbox_refuses_writes(harness.database):
        await emulator.click_ephemeral(confirm, CONFIRM)
        await harness.idle()
    assert "Not saved" in emulator.ephemerals_for("U0ALICE")[-1].text
    assert _execute(harness.database, "SELECT COUNT(*) FROM projects") == [(1,)]


async def _start_serve(env: dict[str, str], cwd: Path) -> tuple[asyncio.subprocess.Process, str]:
    proc, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, cwd, "listening on"
    )
    found = re.search(r"(http://\S+/slack/events)", line)
    assert found is not None, line
    return proc, found.group(1)


@pytest.mark.parametrize("kill_after_ms", [10, 15, 25])
async def test_kill_9_during_a_burst_of_replies_loses_no_acknowledged_reply(
    emulator: SlackEmulator, database: str, tmp_path: Path, kill_after_ms: int
) -> None:
    """Forty replies in forty project threads at once; the app is killed 25–45 ms later.
    Every reply Slack got a 200 for is answered after the restart, each next question once."""
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database,
    )
    first, url = await _start_serve(env, tmp_path)
    emulator.connect_http(url)
    projects = 40  # one per channel: Slack paces posts per channel
    channels = [f"C0BURST{i:02d}" for i in range(projects)]
    for channel in channels:
        emulator.workspace.add_channel(
            channel, channel.lower(), members=("U0ALICE", emulator.workspace.bot_user_id)
        )
    for i, channel in enumerate(channels):
        assert (await emulator.slash(f"new Project {i}", channel=channel)).status == 200
    await wait_until(lambda: len(_firsts(emulator)) == projects, "40 first questions", 60)
    burst = [
        asyncio.create_task(
            emulator.say(f"Answer for thread {i}", channel=m.channel, thread_ts=m.thread_ts)
        )
        for i, m in enumerate(_firsts(emulator))
    ]
    await asyncio.sleep((kill_after_ms + random.uniform(-2, 2)) / 1000)
    first.kill()
    await first.communicate()
    results = await asyncio.gather(*burst)
    acknowledged = {message.ts for message, delivery in results if delivery.status == 200}
    second, url = await _start_serve(env, tmp_path)
    try:
        emulator.connect_http(url)
        later = (datetime.now(UTC) + timedelta(minutes=2)).isoformat()
        code, _, err = await run_cli("tick", "--at", later, env=env, cwd=tmp_path)
        assert code == 0, err
        await wait_until(
            lambda: acknowledged <= set(_answers(database)), "every acknowledged reply", 30
        )
        answered = set(_answers(database))
        await wait_until(
            lambda: len(_seconds(emulator)) >= len(answered), "the second questions", 30
        )
    finally:
        second.send_signal(signal.SIGTERM)
        await asyncio.wait_for(second.communicate(), 15)
    assert len(answered) == len(_answers(database))  # no reply recorded twice
    seconds = [m.thread_ts for m in _seconds(emulator)]
    assert len(seconds) == len(set(seconds)) == len(answered)  # each Q2 once
    assert _execute(database, "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL") == [(0,)]


def _firsts(emulator: SlackEmulator) -> list:
    return [m for m in emulator.bot_posts() if m.text.startswith("Q1/")]


def _seconds(emulator: SlackEmulator) -> list:
    return [m for m in emulator.bot_posts() if m.text.startswith("Q2/")]
