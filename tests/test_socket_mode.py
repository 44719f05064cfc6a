"""Socket Mode: the app connects through apps.connections.open and acks envelopes."""

from __future__ import annotations

import asyncio

from bot.runtime import Runtime
from sandbox.emulator import SlackEmulator
from tests.conftest import settings_for


async def test_mle_help_over_socket_mode(emulator: SlackEmulator, database: str) -> None:
    runtime = await Runtime.create(settings_for(emulator, database), socket_mode=True)
    try:
        await runtime.start_socket()
        await asyncio.wait_for(emulator.socket.connected.wait(), 5)
        result = await emulator.slash("help")
        assert result.status == 200
        assert "/mle new <project name>" in result.json()["text"]
        assert emulator.calls_to("apps.connections.open")
        unknown = await emulator.slash("bogus")
        assert "Usage:" in unknown.json()["text"]
    finally:
        await runtime.close()
    assert not emulator.socket.active


async def test_socket_mode_event_retry_is_dropped(emulator: SlackEmulator, database: str) -> None:
    runtime = await Runtime.create(settings_for(emulator, database), socket_mode=True)
    try:
        await runtime.start_socket()
        await asyncio.wait_for(emulator.socket.connected.wait(), 5)
        event = {
            "type": "app_mention",
            "user": "U0BOB",
            "text": "<@U0BOTUSER>",
            "channel": "C0MLTEAM",
            "ts": emulator.clock.next_ts(),
            "event_ts": emulator.clock.next_ts(),
        }
        await emulator.deliver_event(event)
        await emulator.redeliver(next(iter(emulator.delivered)))
        await runtime.services.activity.idle()
        assert len(emulator.bot_posts("C0MLTEAM")) == 1
    finally:
        await runtime.close()
