"""Channel digests: content, overflow into the thread, once per slot, `now`, failing channels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, reply, valid_answer

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


async def mle(h: Harness, text: str, channel: str = "C0MLTEAM") -> None:
    result = await h.emulator.slash(text, channel=channel)
    assert result.status == 200, result.body
    await h.idle()


def digests(h: Harness, channel: str = "C0MLTEAM") -> list[Message]:
    return [
        m
        for m in h.emulator.bot_posts(channel)
        if m.thread_ts is None and m.text.startswith("MLE Coach digest")
    ]


def shown(message: Message) -> str:
    return "\n".join(
        b["text"]["text"] for b in message.blocks or [] if isinstance(b.get("text"), dict)
    )


async def _tick(h: Harness, clock: ManualClock, moment: datetime) -> list[str]:
    clock.at(moment)
    lines = await h.runtime.services.scheduler_pass(moment)
    await h.idle()
    return [str(x) for x in lines]


async def test_each_attention_item_present_and_absent(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    await mle(h, "digest now")
    [empty] = digests(h)
    assert "*Needs attention*: nothing" in shown(empty) and "No projects" in shown(empty)

    done = await new_project(h, "Churn reduction")
    for question in PLANNING[:-1]:
        await reply(h, done, valid_answer(question))
    await reply(h, done, "2 days")  # a 2-day planning time box
    await new_project(h, "Fraud alerts")
    await mle(h, "deploy churn-reduction churn-v2")
    await mle(h, "deploy churn-reduction churn-v3")
    await mle(
        h,
        'metric churn-v3 "monthly churn" 0.05 baseline=0.06 target=0.04 '
        "owner=<@U0BOB> method=ab lower",
    )
    await _tick(h, clock, MONDAY_9_BERLIN + timedelta(hours=1))  # the Monday check-ins
    clock.at(MONDAY_9_BERLIN + timedelta(days=1, hours=2))  # unanswered for more than a day
    await mle(h, "digest now")
    text = shown(digests(h)[-1])
    assert "⚠️ *churn-v2* (Churn reduction) lacks business metrics: F1 no business KPI" in text
    assert "churn-v3* (Churn reduction) lacks" not in text
    assert "⏰ *Churn reduction* is past its planning time box (day 6 of 2" in text
    assert "⏰ *Fraud alerts*" not in text
    assert "❓ *Fraud alerts*: 9 unanswered required question(s) in planning" in text
    assert "❓ *Churn reduction*" not in text
    assert "💤 *Churn reduction*: nobody answered the check-in of 2026-11-30" in text
    assert (
        "*churn-v3* (Churn reduction): monthly churn 0.05 ↓ vs baseline 0.06 "
        "(better ✅; lower is better)"
    ) in text
    # answering the check-in clears that item
    checkin = [m for m in h.emulator.bot_posts("C0MLTEAM", done) if m.text.startswith("Check-in")]
    await h.emulator.click(checkin[-1], "checkin_on_track", user="U0BOB")
    await h.idle()
    clock.advance(minutes=2)
    await mle(h, "digest now")
    assert "💤 *Churn reduction*" not in shown(digests(h)[-1])


async def test_sixty_projects_overflow_into_the_thread(timed: tuple[Harness, ManualClock]) -> None:
    h, _ = timed
    for i in range(60):
        await h.emulator.slash(f"new Project number {i:02d}")
    await h.idle()
    await mle(h, "digest now")
    [parent] = digests(h)
    replies = [m for m in h.emulator.bot_posts("C0MLTEAM", parent.ts)]
    assert replies and all("continued" in m.text for m in replies if not m.files)
    assert sum(1 for m in replies if m.files) == 1  # the month's profile chart
    everything = shown(parent) + "\n".join(shown(m) for m in replies)
    for i in range(60):
        assert f"*Project number {i:02d}* — planning" in everything
    assert all(len(m.blocks or []) <= 50 for m in [parent, *replies])


async def test_scheduled_digest_once_per_slot(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    await new_project(h)
    await mle(h, "checkin churn-reduction off")
    await mle(h, "digest mon 09:00")  # alice: Europe/Berlin
    assert await _tick(h, clock, MONDAY_9_BERLIN - timedelta(minutes=1)) == []
    lines = await _tick(h, clock, MONDAY_9_BERLIN)
    assert lines == [
        "posted: digest [2026-11-30T09:00] digest for <#C0MLTEAM>",
        "posted: stats monthly stats",  # the first digest of the month carries the chart
    ]
    assert await _tick(h, clock, MONDAY_9_BERLIN) == []
    assert await _tick(h, clock, MONDAY_9_BERLIN + timedelta(minutes=3)) == []
    assert len(digests(h)) == 1
    await mle(h, "digest off")
    await _tick(h, clock, MONDAY_9_BERLIN + timedelta(days=7))
    assert len(digests(h)) == 1


async def test_now_twice_within_a_minute_is_one_digest(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    await new_project(h)
    await mle(h, "digest now")
    clock.advance(seconds=40)
    await mle(h, "digest now")
    assert len(digests(h)) == 1
    assert "less than a minute ago" in h.emulator.ephemerals_for("U0ALICE")[-1].text
    clock.advance(seconds=30)
    await mle(h, "digest now")
    assert len(digests(h)) == 2


async def test_an_archived_channel_does_not_hold_up_the_others(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    ws = h.emulator.workspace
    for i in range(4):
        ws.add_channel(f"C0TEAM{i}", f"team-{i}", members=("U0ALICE", ws.bot_user_id))
        await mle(h, "digest mon 09:00", channel=f"C0TEAM{i}")
    ws.channels["C0TEAM2"].is_archived = True
    lines = await _tick(h, clock, MONDAY_9_BERLIN)
    assert sorted(lines) == sorted(
        [f"posted: digest [2026-11-30T09:00] digest for <#C0TEAM{i}>" for i in (0, 1, 3)]
        + ["failed (is_archived): digest [2026-11-30T09:00] digest for <#C0TEAM2>"]
    )
    for i in (0, 1, 3):
        assert len(digests(h, f"C0TEAM{i}")) == 1
    assert await _tick(h, clock, MONDAY_9_BERLIN + timedelta(hours=1)) == []


async def test_posts_to_one_channel_are_paced_after_a_short_burst(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    for i in range(30):
        await h.emulator.slash(f"new Spaced project {i:02d}")
    await h.idle()
    h.runtime.services.ticker.min_gap = 0.3
    started = h.timing.monotonic()
    await mle(h, "digest now")
    for i in range(3):  # the digest, and three projects: their parents and first questions
        await h.emulator.slash(f"new Late project {i}")
    await h.idle()
    posts: list[Any] = [
        c
        for c in h.emulator.calls_to("chat.postMessage")
        if c.response.get("ok") and c.at >= started
    ]
    assert len(posts) >= 7
    gaps = [b.at - a.at for a, b in zip(posts, posts[1:], strict=False)]
    burst = 3  # Slack lets a channel burst a little, then about one post per interval
    assert min(gaps[burst:]) >= 0.25, gaps
    assert posts[-1].at - posts[0].at >= (len(posts) - burst) * 0.3 * 0.9
