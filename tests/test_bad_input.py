"""Nothing a user or a stranger sends can crash a handler or leave a partial write."""

from __future__ import annotations

import io
import json
import time

import aiohttp
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.commands import parser
from sandbox.emulator.delivery import encode, signed_headers
from tests import slack_http
from tests.conftest import Harness

WORDS = st.sampled_from(
    [
        "new",
        "status",
        "stage",
        "checkin",
        "deploy",
        "metric",
        "retire",
        "digest",
        "settings",
        "help",
        "next",
        "--force",
        "off",
        "now",
        "baseline=",
        "target=1",
        "owner=<@U1>",
        "method=ab",
        "window=3d",
        "mon,thu",
        "09:30",
        "25:99",
        "Europe/Paris",
        '"',
        "'",
        "“",
        "=",
        "",
    ]
)
TEXT = st.one_of(st.text(max_size=300), st.lists(WORDS, max_size=8).map(" ".join))


@given(TEXT)
@settings(max_examples=500, deadline=None)
def test_any_text_parses_or_gets_usage(text: str) -> None:
    result = parser.parse(text)
    assert isinstance(result, parser.Command.__args__)  # type: ignore[attr-defined]
    if isinstance(result, parser.Invalid):
        assert "Usage" in result.message and len(result.message) < 3000


def test_a_misspelt_metric_option_gets_did_you_mean() -> None:
    for typed, meant in (
        ("baselne=4.2%", "baseline"),
        ("tagret=3", "target"),
        ("windw=30", "window"),
    ):
        result = parser.parse(f'metric churn-lgbm "monthly churn" {typed}')
        assert isinstance(result, parser.Invalid)
        assert f"Did you mean `{meant}=`?" in result.message
    result = parser.parse('metric churn-lgbm "monthly churn" colour=3')
    assert isinstance(result, parser.Invalid) and "Did you mean" not in result.message


async def _post(
    h: Harness, body: str | bytes, content_type: str, signed: bool = True
) -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    headers = (
        signed_headers(h.emulator.signing_secret, data.decode("utf-8", "replace"), content_type)
        if signed
        else {"Content-Type": content_type}
    )
    async with aiohttp.ClientSession() as session:
        async with session.post(h.url, data=io.BytesIO(data), headers=headers) as resp:
            return resp.status, await resp.text()


async def _rows(h: Harness) -> int:
    return await h.runtime.services.store.read(
        lambda tx: sum(
            tx.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("projects", "answers", "thread_notes", "models", "deliveries")
        )
    )


async def test_malformed_requests_get_a_4xx_or_a_harmless_200(harness: Harness) -> None:
    h = harness
    before = await _rows(h)
    cases = [
        ("{not json", "application/json"),
        (json.dumps({"type": "event_callback"}), "application/json"),
        (
            json.dumps(
                {
                    "type": "event_callback",
                    "event_id": "Ev1",
                    "team_id": "T0SANDBOX",
                    "event": {"type": "made_up_event"},
                }
            ),
            "application/json",
        ),
        (
            json.dumps(
                {
                    "type": "event_callback",
                    "event_id": "Ev2",
                    "team_id": "T0SANDBOX",
                    "event": {
                        "type": "message",
                        "channel": 5,
                        "ts": None,
                        "thread_ts": [],
                        "user": {"x": 1},
                        "text": 12,
                    },
                }
            ),
            "application/json",
        ),
        (json.dumps([1, 2, 3]), "application/json"),
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded"),
        (
            "payload="
            + json.dumps(
                {
                    "type": "block_actions",
                    "actions": [{"action_id": "no_such_button", "value": "x"}],
                    "user": {"id": "U0ALICE"},
                    "team": {"id": "T0SANDBOX"},
                }
            ),
            "application/x-www-form-urlencoded",
        ),
        (
            "payload="
            + json.dumps(
                {
                    "type": "block_actions",
                    "actions": [{"action_id": "checkin_on_track", "value": "nonsense"}],
                    "user": {"id": "U0ALICE"},
                    "team": {"id": "T0SANDBOX"},
                    "response_url": "http://127.0.0.1:9/x",
                }
            ),
            "application/x-www-form-urlencoded",
        ),
        (
            "payload="
            + json.dumps(
                {
                    "type": "view_submission",
                    "view": {
                        "callback_id": "add_metric",
                        "private_metadata": "{]",
                        "state": {"values": {}},
                    },
                    "user": {"id": "U0ALICE"},
                    "team": {"id": "T0SANDBOX"},
                }
            ),
            "application/x-www-form-urlencoded",
        ),
        ("command=%2Fmle&text=" + "x" * 5000, "application/x-www-form-urlencoded"),
        ("command=%2Fnot-ours&text=help", "application/x-www-form-urlencoded"),
    ]
    for body, content_type in cases:
        status, _ = await _post(h, body, content_type)
        assert status < 500, (status, body[:80])
    huge = "x" * (1024 * 1024 + 10)
    status, _ = await _post(
        h, json.dumps({"type": "event_callback", "pad": huge}), "application/json"
    )
    assert status == 413
    await h.idle()
    assert await _rows(h) == before
    # the app still works
    assert "Usage:" in (await h.emulator.slash("help")).json()["text"]


async def test_replayed_request_with_a_stale_timestamp_is_refused(harness: Harness) -> None:
    body, content_type = encode("slash_commands", {"command": "/mle", "text": "help"})
    old = int(time.time()) - 301
    headers = signed_headers(harness.emulator.signing_secret, body, content_type, old)
    status, _ = await slack_http.post(harness.url, body, headers)
    assert status == 401


async def test_many_odd_replies_never_crash_the_interview(harness: Harness) -> None:
    from tests.interviews import new_project

    h = harness
    thread = await new_project(h)
    odd = [
        "",
        " ",
        "\u0000",
        "😀" * 500,
        "<@U0BOB|bob>",
        "<!channel>",
        "&lt;script&gt;",
        "'; DROP TABLE answers;--",
        "\n\n\n",
        "skip",
        "SKIP",
        "// hi",
        "//",
        "x" * 40_000,
        "\u202e reversed",
        "0" * 5000,
        "nan",
        "-inf",
    ]
    for text in odd:
        message, delivery = await h.emulator.say(text, thread_ts=thread)
        assert delivery.status == 200
    await h.idle()
    project = await h.only_project()
    answers = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    notes = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert len(answers) + len(notes) >= 10
