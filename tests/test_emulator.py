"""The emulator answers like Slack: errors, Block Kit limits, rate limits, injected faults."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import build_client
from sandbox.emulator import SlackEmulator


@pytest.fixture
async def slack() -> AsyncIterator[SlackEmulator]:
    emu = SlackEmulator(rate_limits=True)
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


def _plain_client(emu: SlackEmulator, token: str | None = None) -> AsyncWebClient:
    return AsyncWebClient(token=token or emu.bot_token, base_url=emu.api_url)


async def test_unknown_method_and_bad_token(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    with pytest.raises(SlackApiError) as unknown:
        await client.api_call("chat.frobnicate")
    assert unknown.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as bad:
        await _plain_client(slack, "xoxb-wrong").chat_postMessage(channel="C0MLTEAM", text="hi")
    assert bad.value.response["error"] == "invalid_auth"


async def test_posting_checks_channel_membership_and_archival(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    for channel, error in (("C0GENERAL", "not_in_channel"), ("C0NOPE", "channel_not_found")):
        with pytest.raises(SlackApiError) as exc:
            await client.chat_postMessage(channel=channel, text="hi")
        assert exc.value.response["error"] == error
    slack.workspace.channels["C0MLTEAM"].is_archived = True
    with pytest.raises(SlackApiError) as archived:
        await client.chat_postMessage(channel="C0MLTEAM", text="hi")
    assert archived.value.response["error"] == "is_archived"


async def test_over_long_section_is_invalid_blocks(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel="C0MLTEAM", text="fallback", blocks=[block])
    assert exc.value.response["error"] == "invalid_blocks"
    block["text"]["text"] = "x" * 3000
    ok = await client.chat_postMessage(channel="C0MLTEAM", text="fallback", blocks=[block])
    assert ok["ok"]


async def test_fifty_one_blocks_are_refused_fifty_accepted(slack: SlackEmulator) -> None:
    slack.rate_limits = False
    client = _plain_client(slack)
    blocks = [{"type": "divider"} for _ in range(51)]
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel="C0MLTEAM", text="t", blocks=blocks)
    assert exc.value.response["error"] == "invalid_blocks"
    assert (await client.chat_postMessage(channel="C0MLTEAM", text="t", blocks=blocks[:50]))["ok"]


async def test_text_limits(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    with pytest.raises(SlackApiError) as long:
        await client.chat_postMessage(channel="C0MLTEAM", text="x" * 40_001)
    assert long.value.response["error"] == "msg_too_long"
    with pytest.raises(SlackApiError) as empty:
        await client.api_call("chat.postMessage", json={"channel": "C0MLTEAM", "text": ""})
    assert empty.value.response["error"] == "no_text"


async def test_modal_title_over_24_characters_is_refused(slack: SlackEmulator) -> None:
    slack.triggers["trig"] = "U0ALICE"
    view = {"type": "modal", "title": {"type": "plain_text", "text": "x" * 25}, "blocks": []}
    with pytest.raises(SlackApiError) as exc:
        await _plain_client(slack).views_open(trigger_id="trig", view=view)
    assert exc.value.response["error"] == "invalid_arguments"


async def test_per_channel_rate_limit_answers_429_with_retry_after(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    statuses = []
    for _ in range(6):
        try:
            await client.chat_postMessage(channel="C0MLTEAM", text="burst")
            statuses.append(200)
        except SlackApiError as exc:
            statuses.append(exc.response.status_code)
            assert exc.response["error"] == "ratelimited"
            assert int(exc.response.headers["Retry-After"]) >= 1
    assert statuses[:3] == [200, 200, 200] and 429 in statuses
    # another channel has its own budget
    slack.workspace.channels["C0GENERAL"].members.add(slack.workspace.bot_user_id)
    assert (await client.chat_postMessage(channel="C0GENERAL", text="elsewhere"))["ok"]


async def test_app_client_waits_out_a_429(slack: SlackEmulator) -> None:
    slack.rate_limits = False
    slack.fail_next("chat.postMessage", status=429, error="ratelimited", retry_after=1)
    response = await build_client(slack.bot_token, slack.api_url).chat_postMessage(
        channel="C0MLTEAM", text="eventually"
    )
    assert response["ok"]
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]


async def test_injected_server_error_then_recovery(slack: SlackEmulator) -> None:
    slack.fail_next("reactions.add", status=500, error="internal_error", times=2)
    client = _plain_client(slack)
    posted = await client.chat_postMessage(channel="C0MLTEAM", text="react to me")
    for _ in range(2):
        with pytest.raises(SlackApiError):
            await client.reactions_add(
                channel="C0MLTEAM", timestamp=posted["ts"], name="white_check_mark"
            )
    assert (
        await client.reactions_add(
            channel="C0MLTEAM", timestamp=posted["ts"], name="white_check_mark"
        )
    )["ok"]
    assert [c.status for c in slack.calls_to("reactions.add")] == [500, 500, 200]


async def test_response_url_shows_ephemeral_and_expires_after_five_uses(
    slack: SlackEmulator,
) -> None:
    url = slack.response_url_for("C0MLTEAM", "U0BOB")
    async with aiohttp.ClientSession() as session:
        statuses = []
        for n in range(6):
            async with session.post(url, json={"text": f"reply {n}"}) as resp:
                statuses.append(resp.status)
    assert statuses == [200] * 5 + [404]
    assert [e.text for e in slack.ephemerals_for("U0BOB")] == [f"reply {n}" for n in range(5)]


async def test_users_info_and_permalink(slack: SlackEmulator) -> None:
    client = _plain_client(slack)
    user = await client.users_info(user="U0BOB")
    assert user["user"]["tz"] == "America/New_York"
    posted = await client.chat_postMessage(channel="C0MLTEAM", text="parent")
    link = await client.chat_getPermalink(channel="C0MLTEAM", message_ts=posted["ts"])
    assert "C0MLTEAM" in link["permalink"]


async def test_events_are_redelivered_with_retry_headers_until_a_2xx() -> None:
    from aiohttp import web

    from bot.http_site import start_site

    seen: list[tuple[str | None, str | None]] = []

    async def flaky(request: web.Request) -> web.Response:
        seen.append(
            (request.headers.get("X-Slack-Retry-Num"), request.headers.get("X-Slack-Signature"))
        )
        return web.Response(status=500 if len(seen) < 3 else 200)

    app = web.Application()
    app.router.add_post("/slack/events", flaky)
    runner, port = await start_site(app, "127.0.0.1", 0)
    emu = SlackEmulator(retry_delays=(0.01, 0.01, 0.01))
    await emu.start()
    try:
        emu.connect_http(f"http://127.0.0.1:{port}/slack/events")
        result = await emu.deliver_event(
            {
                "type": "app_mention",
                "user": "U0ALICE",
                "text": "hi",
                "channel": "C0MLTEAM",
                "ts": "1.000001",
                "event_ts": "1.000001",
            }
        )
    finally:
        await emu.stop()
        await runner.cleanup()
    assert result.status == 200 and result.attempts == 3
    assert [retry for retry, _ in seen] == [None, "1", "2"]
    assert all(signature and signature.startswith("v0=") for _, signature in seen)
