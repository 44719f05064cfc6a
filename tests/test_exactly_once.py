"""Commands, buttons and forms are processed exactly once: a crash after their change was
committed never runs them again, and an answer to the person that cannot be sent is not a
reason to run them again either."""

from __future__ import annotations

import asyncio
import random
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message
from tests import slack_http
from tests.conftest import Harness
from tests.interviews import new_project
from tests.processes import clean_env, run_cli, wait_until
from tests.test_inbox import _execute, _start_serve

COUNT = 20
KPI = "monthly churn"


def _values(database: str) -> dict[str, int]:
    """Model name → how many KPI values it has."""
    rows = _execute(
        database,
        "SELECT m.name, COUNT(v.id) FROM models m JOIN business_metrics k ON k.model_id = m.id "
        "LEFT JOIN metric_values v ON v.metric_id = k.id GROUP BY m.name",
    )
    return {str(name): int(count) for name, count in rows}


def _on_track_lines(emulator: SlackEmulator, channel: str) -> int:
    return sum(1 for m in emulator.bot_posts(channel) if "is on track: a check-in" in m.text)


def _checkin(emulator: SlackEmulator, channel: str) -> Message | None:
    found = [m for m in emulator.bot_posts(channel) if m.text.startswith("Check-in")]
    return found[-1] if found else None


async def _stop(proc: asyncio.subprocess.Process) -> None:
    proc.send_signal(signal.SIGTERM)
    await asyncio.wait_for(proc.communicate(), 15)


async def test_kill_9_after_commands_and_clicks_runs_none_of_them_twice(
    emulator: SlackEmulator, database: str, tmp_path: Path
) -> None:
    """Twenty `/mle metric … <value>` reports and twenty *On track* presses at once, the app
    killed 40 to 300 ms later, restarted, one `tick`: every request Slack got a 200 for is
    done once — one value per report, one "on track" line per press — in every round."""
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database,
    )
    channels = [f"C0ONCE{i:02d}" for i in range(COUNT)]  # one per channel: posts are paced
    for channel in channels:
        emulator.workspace.add_channel(
            channel, channel.lower(), members=("U0ALICE", emulator.workspace.bot_user_id)
        )
    proc, url = await _start_serve(env, tmp_path)
    emulator.connect_http(url)
    try:
        # each step once the one before is done: commands are processed after their ack
        steps = (
            ("new Once {i}", "SELECT COUNT(*) FROM projects"),
            ("deploy once-{i} m{i}", "SELECT COUNT(*) FROM models"),
            (
                'metric m{i} "' + KPI + '" baseline=4.1% target=3.8%',
                "SELECT COUNT(*) FROM business_metrics",
            ),
        )
        for command, count in steps:
            for i, channel in enumerate(channels):
                result = await emulator.slash(command.format(i=i), channel=channel)
                assert result.status == 200
            await wait_until(lambda q=count: _execute(database, q) == [(COUNT,)], count, 60)
        await wait_until(lambda: len(_values(database)) == COUNT, "the KPIs", 60)
    finally:
        await _stop(proc)
    # Monday's check-ins, posted by one pass at their slot
    [(slot,)] = _execute(database, "SELECT MIN(next_due_at) FROM schedules WHERE kind = 'checkin'")
    code, _, err = await run_cli("tick", "--at", str(slot), env=env, cwd=tmp_path, timeout=120)
    assert code == 0, err
    await wait_until(lambda: all(_checkin(emulator, c) for c in channels), "check-ins", 60)
    checkins = {c: _checkin(emulator, c) for c in channels}
    [(set_up,)] = _execute(database, "SELECT COUNT(*) FROM inbox WHERE kind = 'command'")

    reported: dict[str, int] = {f"m{i}": 0 for i in range(COUNT)}
    pressed: dict[str, int] = dict.fromkeys(channels, 0)
    later = datetime.now(UTC)
    for round_, kill_after_ms in enumerate((40, 80, 120, 200, 300)):
        proc, url = await _start_serve(env, tmp_path)
        emulator.connect_http(url)
        value = f"{4.0 - round_ / 10:.1f}%"
        commands = [
            asyncio.create_task(emulator.slash(f'metric m{i} "{KPI}" {value}', channel=channels[i]))
            for i in range(COUNT)
        ]
        clicks = [
            asyncio.create_task(emulator.click(checkins[c], "checkin_on_track"))  # type: ignore[arg-type]
            for c in channels
        ]
        await asyncio.sleep((kill_after_ms + random.uniform(-2, 2)) / 1000)
        proc.kill()
        await proc.communicate()
        said = await asyncio.gather(*commands, return_exceptions=True)
        clicked = await asyncio.gather(*clicks, return_exceptions=True)
        for i, result in enumerate(said):
            if not isinstance(result, BaseException) and result.status == 200:
                reported[f"m{i}"] += 1
        for channel, delivery in zip(channels, clicked, strict=True):
            if not isinstance(delivery, BaseException) and delivery.status == 200:
                pressed[channel] += 1
        # restarted: one pass takes what the killed process left, as after any crash
        proc, url = await _start_serve(env, tmp_path)
        emulator.connect_http(url)
        try:
            later += timedelta(minutes=5)  # every claim of the killed process is stale
            code, _, err = await run_cli("tick", "--at", later.isoformat(), env=env, cwd=tmp_path)
            assert code == 0, err
            await wait_until(
                lambda: (
                    _execute(database, "SELECT COUNT(*) FROM inbox WHERE done_at IS NULL") == [(0,)]
                ),
                "every request done",
                60,
            )
            await wait_until(
                lambda: all(_on_track_lines(emulator, c) >= pressed[c] for c in channels),
                "the on-track lines",
                60,
            )
        finally:
            await _stop(proc)
    # every request recorded in the inbox was done exactly once: as many values as reports
    # recorded, as many "on track" lines as presses recorded (the ones whose 200 the crash
    # swallowed included), and each acknowledged one among them
    [(commands_recorded,)] = _execute(database, "SELECT COUNT(*) FROM inbox WHERE kind = 'command'")
    [(presses_recorded,)] = _execute(database, "SELECT COUNT(*) FROM inbox WHERE kind = 'button'")
    values = _values(database)
    assert sum(values.values()) == commands_recorded - set_up
    assert all(values[m] >= acknowledged for m, acknowledged in reported.items()), values
    lines = {c: _on_track_lines(emulator, c) for c in channels}
    assert sum(lines.values()) == presses_recorded
    assert all(lines[c] >= acknowledged for c, acknowledged in pressed.items()), lines
    assert sum(reported.values()) > 0 and sum(pressed.values()) > 0  # the test did something


@pytest.mark.parametrize("kind", ["metric", "answer"])
async def test_an_unreachable_response_url_does_not_run_a_command_again(
    harness: Harness, kind: str
) -> None:
    """The change is committed before the person is answered; an answer that cannot be sent
    is logged, and the command is not processed again (it was five times)."""
    h = harness
    await new_project(h)
    if kind == "metric":
        for text in ("deploy churn-reduction alpha-model", f'metric alpha-model "{KPI}"'):
            assert (await h.emulator.slash(text)).status == 200
            await h.idle()
        text = f'metric alpha-model "{KPI}" 4.1%'
    else:
        text = "answer churn-reduction Q2 spreadsheets and a weekly call"
    status, _ = await slack_http.signed(
        h.url,
        h.emulator.signing_secret,
        "slash_commands",
        {
            "command": "/mle",
            "text": text,
            "user_id": "U0ALICE",
            "team_id": "T0SANDBOX",
            "channel_id": "C0MLTEAM",
            "trigger_id": "trig.unreachable.1",
            "response_url": "http://127.0.0.1:9/nobody-listens",
        },
    )
    assert status == 200
    await h.idle()
    for _ in range(3):  # later passes find nothing left to do
        await h.runtime.services.scheduler_pass(datetime.now(UTC) + timedelta(minutes=10))
        await h.idle()
    rows = _execute(h.database, "SELECT done_at, attempts, error FROM inbox WHERE kind='command'")
    assert all(done is not None and attempts == 1 for done, attempts, _ in rows), rows
    posts = [m.text for m in h.emulator.bot_posts("C0MLTEAM")]
    if kind == "metric":
        assert _values(h.database) == {"alpha-model": 1}
        assert sum("4.1" in p and "alpha-model" in p for p in posts) == 1, posts
    else:
        answered = [p for p in posts if p.startswith("✏️ <@U0ALICE> answered planning Q2")]
        assert len(answered) == 1, posts
