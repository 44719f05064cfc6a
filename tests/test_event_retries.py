"""A Slack retry of an event already handled is answered 200 and does nothing, even after a
restart of the app."""

from __future__ import annotations

from sandbox.emulator import SlackEmulator
from tests.conftest import Harness, running_app


def _mention(emulator: SlackEmulator) -> dict:
    return {
        "type": "app_mention",
        "user": "U0ALICE",
        "text": "<@U0BOTUSER> hi",
        "channel": "C0MLTEAM",
        "ts": emulator.clock.next_ts(),
        "event_ts": emulator.clock.next_ts(),
    }


async def test_retried_event_is_handled_once(harness: Harness) -> None:
    emulator = harness.emulator
    first = await emulator.deliver_event(_mention(emulator))
    await harness.idle()
    assert first.status == 200
    assert len(emulator.bot_posts("C0MLTEAM")) == 1
    event_id = next(iter(emulator.delivered))
    for retry in (1, 2, 3):
        again = await emulator.redeliver(event_id, retry_num=retry)
        assert again.status == 200
    await harness.idle()
    assert len(emulator.bot_posts("C0MLTEAM")) == 1


async def test_retry_after_restart_is_still_dropped(emulator: SlackEmulator, database: str) -> None:
    async with running_app(emulator, database) as first:
        await emulator.deliver_event(_mention(emulator))
        await first.idle()
    event_id = next(iter(emulator.delivered))
    async with running_app(emulator, database) as second:
        assert (await emulator.redeliver(event_id)).status == 200
        await second.idle()
    assert len(emulator.bot_posts("C0MLTEAM")) == 1


async def test_distinct_events_are_each_handled(harness: Harness) -> None:
    emulator = harness.emulator
    for _ in range(3):
        await emulator.deliver_event(_mention(emulator))
    await harness.idle()
    assert len(emulator.bot_posts("C0MLTEAM")) == 3
