"""Faults end to end: Slack outages, 429 storms, a locked database, restarts mid-interview."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 Berlin


def checkin_count(h: Harness) -> int:
    return len([m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("Check-in")])


async def test_slack_outage_then_every_due_post_exactly_once(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    for i in range(3):
        await new_project(h, f"Project {i}")
    h.emulator.fail_next("chat.postMessage", status=503, error="service_unavailable", times=10_000)
    for minutes in (0, 3, 30):
        clock.at(MONDAY + timedelta(minutes=minutes))
        await h.runtime.services.scheduler_pass(clock.now)
    assert checkin_count(h) == 0
    h.emulator.faults.clear()  # Slack is back
    for minutes in (90, 95, 180):
        clock.at(MONDAY + timedelta(minutes=minutes))
        await h.runtime.services.scheduler_pass(clock.now)
    await h.idle()
    assert checkin_count(h) == 3


async def test_429_storm_all_delivered_waiting_as_told(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    for i in range(3):
        await new_project(h, f"Project {i}")
    h.emulator.fail_next(
        "chat.postMessage", status=429, error="ratelimited", retry_after=1, times=6
    )
    started = h.timing.monotonic()
    clock.at(MONDAY)
    await h.runtime.services.scheduler_pass(MONDAY)
    await h.idle()
    assert checkin_count(h) == 3
    limited = [c for c in h.emulator.calls_to("chat.postMessage") if c.status == 429]
    assert len(limited) == 6
    assert h.timing.monotonic() - started >= 2.0  # Retry-After honoured, not a busy loop
    during = [c for c in h.emulator.calls_to("chat.postMessage") if c.at >= started]
    assert len(during) == 6 + 3  # each 429 waited out, then one success per check-in


async def test_database_locked_by_another_writer_requests_wait(
    harness: Harness, sqlite_only: None
) -> None:
    h = harness
    locked = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        conn = sqlite3.connect(h.database.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        locked.set()
        release.wait(10)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    locked.wait(5)
    threading.Timer(2.0, release.set).start()
    started = time.monotonic()
    result = await h.emulator.slash("new Locked out")
    await h.idle()
    holder.join()
    assert result.status == 200
    assert time.monotonic() - started >= 1.5
    assert [m for m in h.emulator.bot_posts("C0MLTEAM") if "Locked out" in m.text]


async def test_restart_mid_interview_loses_and_doubles_nothing(
    emulator: SlackEmulator, database: str
) -> None:
    async with running_app(emulator, database) as first:
        thread = await new_project(first)
        await reply(first, thread, valid_answer(PLANNING[0]))
        # the next answer arrives while the process is going away: Slack retries it later
        message, _ = await emulator.say(valid_answer(PLANNING[1]), thread_ts=thread)
        await first.idle()
    event_id = list(emulator.delivered)[-1]
    async with running_app(emulator, database) as second:
        await emulator.redeliver(event_id, 1)
        await emulator.redeliver(event_id, 2)
        await second.idle()
        await reply(second, thread, valid_answer(PLANNING[2]))
        project = await second.only_project()
        answers = await second.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    assert [a.question_key for a in answers] == ["success", "current_process", "why_and_for_whom"]
    asked = [q.split(" ")[0] for q in questions_asked(second, thread)]
    assert asked == ["Q1/12", "Q2/12", "Q3/12", "Q4/12"]
    await asyncio.sleep(0)


async def test_refused_posts_are_told_to_the_owner_once_and_shown_in_status(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await new_project(h, "Kicked out", user="U0BOB")
    await new_project(h, "Still fine", user="U0CAROL")
    ws = h.emulator.workspace
    ws.channels["C0MLTEAM"].members.discard(ws.bot_user_id)  # somebody removed the bot
    clock.at(MONDAY + timedelta(hours=6))  # both owners' Monday 10:00 have passed
    lines = [str(x) for x in await h.runtime.services.scheduler_pass(clock.now)]
    assert any("failed (not_in_channel)" in line and "Kicked out" in line for line in lines)
    ws.channels["C0MLTEAM"].members.add(ws.bot_user_id)
    await h.emulator.slash("help", user="U0BOB")  # help is answered at once: no notice yet
    await h.emulator.slash("status", user="U0BOB")
    await h.idle()
    shown = [e.text for e in h.emulator.ephemerals_for("U0BOB")]
    notice = [t for t in shown if t.startswith("⚠️")]
    assert len(notice) == 1 and "Kicked out" in notice[0] and "/invite @MLE Coach" in notice[0]
    assert "Still fine" not in notice[0]
    status = h.emulator.ephemerals_for("U0BOB")[-1]
    assert "Delivery problems" in "\n".join(b["text"]["text"] for b in status.blocks or [])
    await h.emulator.slash("status", user="U0BOB")
    await h.idle()
    assert len([e for e in h.emulator.ephemerals_for("U0BOB") if e.text.startswith("⚠️")]) == 1
