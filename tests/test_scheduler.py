"""The scheduler core driven with fixed times: once per slot, whatever happens."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.scheduling.poster import DEAD
from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import new_project
from tests.processes import clean_env, run_cli

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)  # a Thursday
MONDAY_10_BERLIN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def checkins(h: Harness, thread: str) -> list[Message]:
    return [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Check-in")]


async def tick(h: Harness, clock: ManualClock, moment: datetime) -> list[str]:
    clock.at(moment)
    lines = await h.runtime.services.scheduler_pass(moment)
    await h.idle()
    return [str(line) for line in lines]


async def test_default_weekly_checkin_posts_once_per_slot(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)  # alice: Europe/Berlin → Mondays 10:00 Berlin = 09:00 UTC
    assert await tick(h, clock, MONDAY_10_BERLIN - timedelta(minutes=1)) == []
    lines = await tick(h, clock, MONDAY_10_BERLIN)
    assert lines == ["posted: checkin [2026-11-30T10:00] Churn reduction (planning)"]
    assert len(checkins(h, thread)) == 1
    assert await tick(h, clock, MONDAY_10_BERLIN) == []  # same time again
    assert await tick(h, clock, MONDAY_10_BERLIN + timedelta(minutes=5)) == []
    assert len(checkins(h, thread)) == 1
    await tick(h, clock, MONDAY_10_BERLIN + timedelta(days=7))
    assert len(checkins(h, thread)) == 2


async def test_dry_run_changes_nothing(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    clock.at(MONDAY_10_BERLIN)
    lines = await h.runtime.services.scheduler_pass(MONDAY_10_BERLIN, dry_run=True)
    assert [str(x) for x in lines] == [
        "would post: checkin [2026-11-30T10:00] Churn reduction (planning)"
    ]
    assert checkins(h, thread) == []
    assert len(await tick(h, clock, MONDAY_10_BERLIN)) == 1


async def test_missed_slot_posts_once_when_less_than_six_hours_late(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    await tick(h, clock, MONDAY_10_BERLIN + timedelta(hours=5))  # app was down; 5 h late
    assert len(checkins(h, thread)) == 1
    lines = await tick(h, clock, MONDAY_10_BERLIN + timedelta(days=7, hours=7))  # 7 h late
    assert lines == ["skipped (missed by more than 6:00:00): checkin [2026-12-07T10:00] for 1"]
    assert len(checkins(h, thread)) == 1
    project = await h.only_project()
    rows = await h.read(
        lambda tx: tx.deliveries.for_subject("T0SANDBOX", "checkin", str(project.id))
    )
    assert [(r.slot, r.status) for r in rows] == [
        ("2026-11-30T10:00", "posted"),
        ("2026-12-07T10:00", "skipped"),
    ]


async def test_slack_500_is_retried_by_a_later_tick(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    # a post is never retried blindly on a 5xx (Slack may have taken it): looked for first
    h.emulator.fail_next("chat.postMessage", status=500)
    lines = await tick(h, clock, MONDAY_10_BERLIN)
    assert lines == [
        "outcome unknown (internal_error), looked for again later: checkin "
        "[2026-11-30T10:00] Churn reduction (planning)"
    ]
    assert checkins(h, thread) == []
    assert await tick(h, clock, MONDAY_10_BERLIN + timedelta(seconds=30)) == []  # waiting
    assert len(await tick(h, clock, MONDAY_10_BERLIN + timedelta(minutes=2))) == 1
    assert len(checkins(h, thread)) == 1
    assert len(h.emulator.calls_to("conversations.replies")) == 1


async def test_429_retry_after_is_honoured(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    h.emulator.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    await tick(h, clock, MONDAY_10_BERLIN)
    assert len(checkins(h, thread)) == 1
    calls = [c for c in h.emulator.calls_to("chat.postMessage")][-2:]
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0


async def test_permanent_refusal_is_recorded_not_retried(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await new_project(h)
    h.emulator.workspace.channels["C0MLTEAM"].is_archived = True
    lines = await tick(h, clock, MONDAY_10_BERLIN)
    assert lines == ["failed (is_archived): checkin [2026-11-30T10:00] Churn reduction (planning)"]
    assert await tick(h, clock, MONDAY_10_BERLIN + timedelta(hours=1)) == []


async def test_claim_left_by_a_dead_process_is_posted_once(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    ticker = h.runtime.services.ticker
    clock.at(MONDAY_10_BERLIN)
    # the pass's own steps, on the pass's own store (its slots wake no poster)
    await ticker.store.write(lambda tx: ticker._materialize(tx, MONDAY_10_BERLIN))
    claims, taken = await ticker.store.write(lambda tx: ticker._claim(tx, MONDAY_10_BERLIN, []))
    # claimed and committed (with the Home publish /mle new queued), then the process "died"
    # before posting
    assert [row.kind for row, _ in claims] == ["home", "checkin"] and taken == 2
    # its owner may be alive until it has been silent for DEAD (this one never beat); claims
    # are held on the wall clock, whatever time a pass is told it is
    await h.timing.sleep(5)
    assert await tick(h, clock, MONDAY_10_BERLIN + timedelta(hours=1)) == []
    await h.timing.sleep(DEAD.total_seconds() - 4)
    assert len(await tick(h, clock, MONDAY_10_BERLIN + timedelta(minutes=1))) == 1
    assert len(checkins(h, thread)) == 1


def _tick_process(emulator: SlackEmulator, database: str, at: datetime) -> subprocess.Popen[str]:
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "tick", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tempfile.mkdtemp(),
    )


async def _finish(proc: subprocess.Popen[str]) -> tuple[int, str]:
    out, err = await asyncio.to_thread(proc.communicate, timeout=60)
    return proc.returncode, out + err


async def test_two_tick_processes_at_once_post_once(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    thread = await new_project(h)
    await new_project(h, "Fraud alerts")
    procs = [_tick_process(h.emulator, h.database, MONDAY_10_BERLIN) for _ in range(3)]
    results = [await _finish(p) for p in procs]
    assert all(code == 0 for code, _ in results), results
    assert sum(out.count("posted: checkin") for _, out in results) == 2
    assert len(checkins(h, thread)) == 1
    assert len([m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("Check-in")]) == 2


async def test_kill_9_during_a_tick_then_restart_posts_once(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    thread = await new_project(h)
    h.emulator.stall_next("chat.postMessage", 3.0)  # the tick is stuck before Slack acts
    proc = _tick_process(h.emulator, h.database, MONDAY_10_BERLIN)
    for _ in range(200):
        await asyncio.sleep(0.05)
        if h.emulator.stalls.get("chat.postMessage") == []:
            break  # the request is being held: the claim has committed
    os.kill(proc.pid, signal.SIGKILL)
    await _finish(proc)
    await asyncio.sleep(3.2)
    assert checkins(h, thread) == []
    # a process of this host whose pid is gone: its claim is taken over at once, and the post
    # it was sending is looked for in Slack before it is posted
    looked = lambda: len(h.emulator.calls_to("conversations.replies"))  # noqa: E731
    before = looked()
    soon = _tick_process(h.emulator, h.database, MONDAY_10_BERLIN + timedelta(seconds=1))
    code, out = await _finish(soon)
    assert code == 0 and "posted: checkin" in out and "is gone" in out, out
    assert looked() == before + 1
    assert len(checkins(h, thread)) == 1


async def test_running_app_ticks_on_its_own(emulator: SlackEmulator, database: str) -> None:
    from bot.runtime import Runtime
    from tests.conftest import settings_for, virtual_time

    timing = virtual_time(emulator)
    runtime = await Runtime.create(settings_for(emulator, database, TICK_SECONDS=1), timing=timing)
    try:
        port = await runtime.start_http("127.0.0.1", 0)
        emulator.connect_http(f"http://127.0.0.1:{port}/slack/events")
        h = Harness(emulator, runtime, "", database, timing)
        thread = await new_project(h)
        project = await h.only_project()
        overdue = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        await runtime.services.store.write(
            lambda tx: tx.conn.execute(
                "UPDATE schedules SET next_due_at = ? WHERE subject = ?", (overdue, str(project.id))
            )
        )
        runtime.start_scheduler()
        for _ in range(60):
            await asyncio.sleep(0.1)
            if checkins(h, thread):
                break
        assert len(checkins(h, thread)) == 1
    finally:
        await runtime.close()


async def test_tick_cli_dry_run_needs_no_token_and_changes_nothing(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    thread = await new_project(h)
    env = clean_env(DATABASE_URL=h.database)
    cwd = Path(tempfile.mkdtemp())
    code, text, err = await run_cli(
        "tick", "--at", "2026-11-30T09:00:00Z", "--dry-run", env=env, cwd=cwd
    )
    assert code == 0, err
    assert "(dry run): 1 item(s)" in text
    assert "would post: checkin [2026-11-30T10:00] Churn reduction (planning)" in text
    assert checkins(h, thread) == []
    code, _, err = await run_cli("tick", "--at", "next monday", env=env, cwd=cwd)
    assert code == 2 and "is not an ISO-8601 time" in err
    code, _, err = await run_cli("tick", env=env, cwd=cwd)
    assert code == 2 and "SLACK_BOT_TOKEN is required" in err


async def test_missed_slot_window_is_a_workspace_setting(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    result = await h.emulator.slash("settings missed=1h")
    await h.idle()
    assert result.status == 200
    assert "up to 1 hours late" in h.emulator.ephemerals_for("U0ALICE")[-1].text
    lines = await tick(h, clock, MONDAY_10_BERLIN + timedelta(hours=2))
    assert lines == ["skipped (missed by more than 1:00:00): checkin [2026-11-30T10:00] for 1"]
    assert checkins(h, thread) == []
    bad = await h.emulator.slash("settings missed=a week")
    assert "needs hours" in bad.json()["text"]
