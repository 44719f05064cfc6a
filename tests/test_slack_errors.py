"""Slack errors end or wait, never loop (issue 26), against the emulator with the fault
injected: a post Slack took but answered 5xx is found, not repeated; an upload that timed
out after Slack took it is not followed by its text version; a permanent refusal ends its
row after one try without holding its thread; anything else backs off (at most a few hours
apart) and ends as failed after a day, told to the owner once; a look-up that cannot run
ends as failed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks import Post, section
from bot.scheduling import outbox
from bot.scheduling.policy import MAX_WAIT
from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message
from storage.rows import DeliveryRow, InterviewRow, NewDelivery
from storage.store import Tx
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import new_project, questions_asked, reply

TEAM = "T0SANDBOX"
KIND = "line"  # a line in a thread, with no hooks of its own
# Each refused for good: one try, then the row is failed (they were tried 29 times a day).
PERMANENT = [
    "restricted_action_read_only_channel",
    "restricted_action_thread_locked",
    "cannot_reply_to_message",
    "token_expired",
    "invalid_blocks_format",
    "no_permission",
    "access_denied",
    "message_limit_exceeded",
    "invalid_something_new",  # anything invalid_*
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "token_revoked",
    "invalid_auth",
    "missing_scope",
    "msg_too_long",
]


def _line(
    thread_ts: str | None, text: str, now: datetime, channel: str = "C0MLTEAM"
) -> NewDelivery:
    return outbox.message(
        TEAM, KIND, "x", channel, Post(text, [section(text)]), now, thread_ts=thread_ts
    )


async def _queue(h: Harness, *rows: NewDelivery) -> None:
    await h.runtime.services.store.write(lambda tx: tx.deliveries.add_many(list(rows)))


async def _row(h: Harness, key: str) -> DeliveryRow:
    def find(tx: Tx) -> DeliveryRow:
        [row] = [r for r in tx.deliveries.for_subject(TEAM, KIND, "x") if r.delivery_key == key]
        return row

    return await h.read(find)


async def _pass(h: Harness, now: datetime) -> None:
    await h.runtime.services.scheduler_pass(now)
    await h.idle()


def _texts(h: Harness, text: str) -> list[str]:
    return [m.text for m in h.emulator.bot_posts() if m.text == text]


async def test_a_question_slack_took_but_answered_500_is_posted_once(
    emulator: SlackEmulator, database: str
) -> None:
    async with running_app(emulator, database) as h:
        thread = await new_project(h)
        emulator.fail_after_next("chat.postMessage", status=500, error="internal_error")
        await reply(h, thread, "Cut churn by 2 points")
        assert [q.split(" ")[0] for q in questions_asked(h, thread)] == ["Q1/12", "Q2/12"]
        await h.runtime.services.scheduler_pass(datetime.now(UTC) + timedelta(minutes=2))
        await h.idle()
        assert [q.split(" ")[0] for q in questions_asked(h, thread)] == ["Q1/12", "Q2/12"]
        project = await h.only_project()

        def interview(tx: Tx) -> InterviewRow | None:
            return tx.interviews.get(TEAM, project.id, "planning")

        found = await h.read(interview)
        assert (
            found is not None
            and found.question_ts == h.emulator.bot_posts("C0MLTEAM", thread)[-1].ts
        )


async def _stats_chart_shared(h: Harness) -> tuple[list[Message], list[Message]]:
    """`/mle stats` (its chart uploaded), then a pass two minutes on: the channel's messages
    with a file, and the bot's posts of the chart's text version."""
    await h.emulator.slash("stats", user="U0BOB")
    await h.idle()
    await h.runtime.services.scheduler_pass(datetime.now(UTC) + timedelta(minutes=2))
    await h.idle()
    charts = [m for m in h.emulator.workspace.messages["C0MLTEAM"] if m.files]
    texts = [m for m in h.emulator.bot_posts("C0MLTEAM") if "project(s) in this channel" in m.text]
    return charts, texts


async def test_an_upload_that_timed_out_after_slack_took_it_is_not_posted_as_text_too(
    emulator: SlackEmulator, database: str
) -> None:
    async with running_app(emulator, database, web_api_timeout=1.0) as h:
        await new_project(h, user="U0BOB")
        emulator.slow_next("files.completeUploadExternal", 2.0)  # shared; the answer is late
        charts, texts = await _stats_chart_shared(h)
        assert len(charts) == 1 and texts == []  # the chart, found by its key; no text version
        [lookup] = emulator.calls_to("conversations.history")
        assert lookup.status == 200


async def test_an_upload_slack_took_but_answered_500_is_not_posted_as_text_too(
    emulator: SlackEmulator, database: str
) -> None:
    async with running_app(emulator, database) as h:
        await new_project(h, user="U0BOB")
        emulator.fail_after_next("files.completeUploadExternal", status=500)
        charts, texts = await _stats_chart_shared(h)
        assert len(charts) == 1 and texts == []
        assert len(emulator.calls_to("files.completeUploadExternal")) == 1


async def test_each_permanent_error_ends_its_row_after_one_try(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    now = clock.now
    keys = []
    for code in PERMANENT:
        h.emulator.fail_next("chat.postMessage", status=200, error=code)
        row = _line(None, f"refused with {code}", now)
        keys.append((code, row.key))
        await _queue(h, row)
        await _pass(h, now)
    reaction = outbox.reaction(TEAM, "C0MLTEAM", "1700000000.000100", "white_check_mark", now)
    h.emulator.fail_next("reactions.add", status=200, error="message_not_found")
    await h.runtime.services.store.write(lambda tx: tx.deliveries.add_many([reaction]))
    await _pass(h, now)
    for hours in range(1, 49, 4):  # two days of passes
        await _pass(h, now + timedelta(hours=hours))
    assert len(h.emulator.calls_to("chat.postMessage")) == len(PERMANENT)
    assert len(h.emulator.calls_to("reactions.add")) == 1
    for code, key in keys:
        row = await _row(h, key)
        assert (row.status, row.error, row.attempts) == ("failed", code, 1)


async def test_a_refused_row_does_not_hold_the_rest_of_its_thread(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    h.emulator.fail_next("chat.postMessage", status=200, error="restricted_action_thread_locked")
    first, second = _line(thread, "first", clock.now), _line(thread, "second", clock.now)
    await _queue(h, first, second)
    await _pass(h, clock.now)
    assert (await _row(h, first.key)).status == "failed"
    assert _texts(h, "second") == ["second"]


async def test_other_errors_back_off_at_most_hours_and_end_after_a_day_told_once(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    h.emulator.fail_next("chat.postMessage", status=200, error="something_odd", times=10_000)
    started = clock.now
    stuck, after = _line(thread, "stuck", started), _line(thread, "after it", started)
    await _queue(h, stuck, after)
    tried: list[datetime] = []
    step = timedelta(minutes=15)

    def stuck_calls() -> int:
        return len(
            [c for c in h.emulator.calls_to("chat.postMessage") if c.params.get("text") == "stuck"]
        )

    while clock.now - started < timedelta(hours=30):
        before = stuck_calls()
        await _pass(h, clock.now)
        if stuck_calls() > before:
            tried.append(clock.now)
        clock.advance(minutes=15)
    gaps = [b - a for a, b in zip(tried, tried[1:], strict=False)]
    assert max(gaps) <= MAX_WAIT + step  # backed off, never more than a few hours apart
    assert len(tried) < 30
    row = await _row(h, stuck.key)
    assert row.status == "failed" and "gave up after a day" in (row.error or "")
    assert timedelta(days=1) <= tried[-1] - started <= timedelta(days=1) + MAX_WAIT + step
    assert (await _row(h, after.key)).status in ("failed", "pending")  # no longer held back
    for _ in range(2):
        await h.emulator.slash("status", user="U0ALICE")
        await h.idle()
    notices = [e.text for e in h.emulator.ephemerals_for("U0ALICE") if e.text.startswith("⚠️")]
    assert len(notices) == 1 and "something_odd" in notices[0], notices


async def test_a_look_up_that_cannot_run_ends_as_failed_and_frees_the_thread(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    h.emulator.fail_after_next("chat.postMessage", status=503, error="service_unavailable")
    h.emulator.fail_next("conversations.replies", status=200, error="missing_scope", times=100)
    unsure, then = _line(thread, "unsure", clock.now), _line(thread, "then", clock.now)
    await _queue(h, unsure, then)
    await _pass(h, clock.now)
    assert (await _row(h, unsure.key)).status == "unknown"
    for minutes in range(2, 120, 10):
        await _pass(h, clock.now + timedelta(minutes=minutes))
    row = await _row(h, unsure.key)
    assert row.status == "failed" and "missing_scope" in (row.error or "")
    assert len(h.emulator.calls_to("conversations.replies")) <= 3
    assert _texts(h, "unsure") == ["unsure"]  # Slack had it: never posted again
    assert _texts(h, "then") == ["then"]


@pytest.mark.parametrize("method", ["chat.postMessage", "files.completeUploadExternal"])
async def test_the_web_api_client_never_retries_a_post_on_5xx(
    harness: Harness, method: str
) -> None:
    client = harness.runtime.services.slack.client
    harness.emulator.fail_after_next(method, status=500, error="internal_error")
    if method == "chat.postMessage":
        result = await harness.runtime.services.slack.post("C0MLTEAM", "once", key="k1")
        assert result.unknown
        assert _texts(harness, "once") == ["once"]
    else:
        shared = await harness.runtime.services.slack.upload(
            "C0MLTEAM", None, b"png", filename="c.png", title="t", comment="c", key="k2"
        )
        assert shared.unknown
        found = await harness.runtime.services.slack.find_posted("C0MLTEAM", None, "k2")
        assert found.ok
    assert len(harness.emulator.calls_to(method)) == 1
    assert client is not None
