"""HTTP mode as Slack reaches it: signatures, url_verification, /mle help, /healthz."""

from __future__ import annotations

import json

import aiohttp

from tests import slack_http
from tests.conftest import Harness


def _help_command(text: str = "help") -> dict[str, str]:
    return {
        "command": "/mle",
        "text": text,
        "user_id": "U0ALICE",
        "channel_id": "C0MLTEAM",
        "team_id": "T0SANDBOX",
        "response_url": "http://127.0.0.1:9/none",
        "trigger_id": "1.2.3",
    }


async def test_mle_help_answers_with_usage(harness: Harness) -> None:
    result = await harness.emulator.slash("help")
    assert result.status == 200
    assert "/mle new <project name>" in result.json()["text"]
    shown = harness.emulator.ephemerals_for("U0ALICE")
    assert shown and "Usage:" in shown[-1].text


async def test_unknown_subcommand_gets_usage_not_error(harness: Harness) -> None:
    result = await harness.emulator.slash("frobnicate the model")
    assert result.status == 200
    text = result.json()["text"]
    assert "frobnicate" in text and "Usage:" in text


async def test_unsigned_request_is_refused(harness: Harness) -> None:
    body = "command=%2Fmle&text=help"
    status, _ = await slack_http.post(
        harness.url, body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert status == 401


async def test_badly_signed_request_is_refused(harness: Harness) -> None:
    status, _ = await slack_http.signed(
        harness.url, "not-the-secret", "slash_commands", _help_command()
    )
    assert status == 401


async def test_ten_minute_old_request_is_refused(harness: Harness) -> None:
    status, _ = await slack_http.signed(
        harness.url,
        harness.emulator.signing_secret,
        "slash_commands",
        _help_command(),
        age_seconds=600,
    )
    assert status == 401
    status, body = await slack_http.signed(
        harness.url, harness.emulator.signing_secret, "slash_commands", _help_command()
    )
    assert status == 200 and "Usage:" in body


async def test_url_verification_echoes_the_challenge(harness: Harness) -> None:
    payload = {"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV", "type": "url_verification"}
    status, body = await slack_http.signed(
        harness.url, harness.emulator.signing_secret, "events_api", payload
    )
    assert status == 200
    assert json.loads(body)["challenge"] == "3eZbrw1aBm2rZgRNFdxV"


async def test_healthz_reports_database_and_version(harness: Harness) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(harness.url.replace("/slack/events", "/healthz")) as resp:
            assert resp.status == 200
            body = await resp.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["schema_version"] >= 1 and body["version"]
