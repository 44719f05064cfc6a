"""The gateway's posts and reactions with the client the app builds (bot/app.py): a 429
waits `Retry-After` (twice) before the poster is told, a 5xx is tried once more, Slack's
errors and the shared session's timeout come back as codes the poster acts on."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.app import build_client
from bot.slack_gateway import SlackGateway
from sandbox.emulator import SlackEmulator
from tests.conftest import virtual_time


@pytest.fixture
async def gateway(emulator: SlackEmulator) -> AsyncIterator[SlackGateway]:
    """The app's gateway, waiting in the emulator's virtual time."""
    timing = virtual_time(emulator)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1.0)) as session:
        yield SlackGateway(build_client(emulator.bot_token, emulator.api_url, session, timing))


async def test_a_post_carries_its_thread_blocks_and_key(
    emulator: SlackEmulator, gateway: SlackGateway
) -> None:
    parent = await gateway.post("C0MLTEAM", "parent")
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Q1/12*"}}]
    posted = await gateway.post("C0MLTEAM", "Q1/12", blocks, thread_ts=parent.ts, key="q:1:0")
    assert posted.ok
    [message] = emulator.bot_posts("C0MLTEAM", parent.ts)
    assert (message.ts, message.text, message.blocks) == (posted.ts, "Q1/12", blocks)
    assert (await gateway.find_posted("C0MLTEAM", parent.ts, "q:1:0")).ts == posted.ts
    [call] = [c for c in emulator.calls_to("chat.postMessage") if c.params.get("thread_ts")]
    assert call.params["unfurl_links"] is False and call.params["unfurl_media"] is False


async def test_a_429_is_waited_out_twice_then_handed_to_the_poster(
    emulator: SlackEmulator, gateway: SlackGateway
) -> None:
    emulator.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    started = emulator.now()
    assert (await gateway.post("C0MLTEAM", "eventually")).ok
    assert emulator.now() - started >= 1.0  # Retry-After was honoured
    emulator.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=1, times=3)
    refused = await gateway.post("C0MLTEAM", "not now")
    assert (refused.error, refused.retry_after) == ("ratelimited", 1)
    statuses = [c.status for c in emulator.calls_to("chat.postMessage")]
    assert statuses == [429, 200, 429, 429, 429]


async def test_a_server_error_is_tried_once_more(
    emulator: SlackEmulator, gateway: SlackGateway
) -> None:
    posted = await gateway.post("C0MLTEAM", "react to me")
    assert posted.ts is not None
    emulator.fail_next("reactions.add", status=500, error="internal_error")
    assert await gateway.react("C0MLTEAM", posted.ts, "white_check_mark")
    emulator.fail_next("reactions.add", status=503, error="service_unavailable", times=2)
    assert not await gateway.react("C0MLTEAM", posted.ts, "memo")
    assert [c.status for c in emulator.calls_to("reactions.add")] == [500, 200, 503, 503]
    # a reaction already there is done, not a failure
    assert await gateway.react("C0MLTEAM", posted.ts, "white_check_mark")


async def test_slack_errors_and_timeouts_become_codes(
    emulator: SlackEmulator, gateway: SlackGateway
) -> None:
    assert (await gateway.post("C0NOSUCH", "lost")).error == "channel_not_found"
    emulator.slow_next("chat.postMessage", 2.0)  # Slack takes it, the answer comes too late
    late = await gateway.post("C0MLTEAM", "slow")
    assert late.error == "timeout" and late.unknown
    emulator.fail_next("chat.postMessage", status=502, error="bad_gateway", times=2)
    failed = await gateway.post("C0MLTEAM", "down")
    assert failed.error == "bad_gateway" and not failed.ok
