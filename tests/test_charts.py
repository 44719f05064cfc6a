"""Charts: drawn headless and checked against their data; shared with Slack's upload flow
(`/mle stats`, `/mle chart`, reminders, the monthly digest); the text version when the upload
fails. Bob owns the projects; Alice is an admin; Carol a teammate."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from PIL import Image

from bot import charts
from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import new_project, reply, thread_posts
from tests.test_home import home_text, open_home

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SLUG = "churn-reduction"


@pytest.fixture
def start() -> datetime:
    return START


def image(png: bytes) -> Image.Image:
    opened = Image.open(io.BytesIO(png))
    opened.load()
    return opened


STATS = {
    "outcomes": {"shipped": 2, "cancelled": 1, "active": 3},
    "reasons": [["over-experimentation", 2], ["data not available or not good enough", 1]],
    "stages": [["planning", 5, 7], ["scoping", 12, None], ["experimentation", 40, 21]],
    "months": [["2026-09", 0.0], ["2026-10", 0.5], ["2026-11", 1.0]],
}


def test_the_profile_chart_is_a_png_showing_its_data() -> None:
    drawn = charts.render({"kind": "stats", "data": STATS})
    shown = image(drawn.png)
    assert shown.format == "PNG" and shown.mode == "RGBA" and shown.size == (1100, 800)
    # 3 outcomes + 2 reasons + 3 stages + 2 time boxes; one point per month
    assert (drawn.bars, drawn.points) == (10, 3)
    empty = charts.render({"kind": "stats", "data": {}})
    assert (empty.bars, empty.points) == (0, 0) and image(empty.png).size == (1100, 800)


def test_the_kpi_chart_draws_each_value() -> None:
    points = [[f"2026-11-{d:02d}T09:00:00+00:00", 4.1 - d / 100] for d in (1, 8, 15, 22)]
    drawn = charts.render(
        {
            "kind": "kpi",
            "data": {
                "model": "churn-lgbm",
                "name": "monthly churn",
                "unit": "%",
                "direction": "lower",
                "baseline": 4.1,
                "target": 3.8,
                "points": points,
            },
        }
    )
    assert drawn.points == 4 and drawn.title == "churn-lgbm: monthly churn"
    assert image(drawn.png).size == (900, 500)


async def mle(h: Harness, text: str, user: str = "U0BOB", channel: str = "C0MLTEAM") -> str:
    result = await h.emulator.slash(text, user=user, channel=channel)
    assert result.status == 200
    await h.idle()
    said = h.emulator.ephemerals_for(user)
    return said[-1].text if said else ""


def shared(h: Harness, channel: str = "C0MLTEAM") -> list[Message]:
    return [m for m in h.emulator.workspace.messages.get(channel, []) if m.files]


async def test_stats_share_a_chart_and_tell_the_text(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await new_project(h, "Fraud alerts", user="U0BOB")
    await mle(h, f"close {SLUG} cancelled no labels")
    for answer in ("Churn unchanged", "9, over-experimentation", "Check labels first"):
        await reply(h, thread, answer)
    said = await mle(h, "stats")
    assert "*2 project(s) in this channel*: 1 cancelled, 1 active." in said
    assert "over-experimentation (1); data not available or not good enough (1)" in said
    [message] = shared(h)
    assert message.thread_ts is None
    assert (
        message.text == "📊 Why our ML projects fail — in this channel (`/mle stats` for the text)"
    )
    [file_id] = message.files
    uploaded = h.emulator.workspace.files[file_id]
    assert uploaded.title == "Why our ML projects fail — in this channel"
    assert image(uploaded.content or b"").size == (1100, 800)
    calls = [c.method for c in h.emulator.calls if c.method.startswith("files.")]
    assert calls == ["files.getUploadURLExternal", "files.completeUploadExternal"]
    await open_home(h, "U0BOB")  # the profile, as text, on the owner's Home
    home = home_text(h, "U0BOB")
    assert "Why your ML projects fail — so far" in home and "1 cancelled, 1 active" in home


async def test_stats_all_leaves_out_private_channels(harness: Harness) -> None:
    """The chart is posted where it is asked for: only what everyone there may read goes in."""
    h = harness
    await new_project(h, "Churn reduction", user="U0BOB")
    ws = h.emulator.workspace
    ws.add_channel("G0PRICING", "pricing", is_private=True, members=("U0ALICE", ws.bot_user_id))
    await new_project(h, "Secret pricing", user="U0ALICE", channel="G0PRICING")
    carol = await mle(h, "stats all", user="U0CAROL")
    alice = await mle(h, "stats all", user="U0ALICE")
    assert "*1 project(s) in this workspace's open channels*" in carol
    assert "*1 project(s) in this workspace's open channels*" in alice
    inside = await mle(h, "stats all", user="U0ALICE", channel="G0PRICING")
    assert "*2 project(s) in this workspace's open channels*" in inside


async def test_a_failed_upload_posts_the_text_version(harness: Harness) -> None:
    h = harness
    await new_project(h, user="U0BOB")
    h.emulator.fail_next("files.getUploadURLExternal", status=200, error="not_allowed_token_type")
    await mle(h, "stats")
    assert shared(h) == []
    posted = [m for m in h.emulator.bot_posts("C0MLTEAM") if "project(s) in this channel" in m.text]
    assert len(posted) == 1 and posted[0].thread_ts is None


async def test_a_kpi_chart_and_reminders_that_carry_it(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await mle(h, f"deploy {SLUG} churn-lgbm")
    none = await mle(h, "chart churn-lgbm")
    assert "has no reported KPI values yet" in none
    await mle(
        h, 'metric churn-lgbm "monthly churn" baseline=4.1% target=3.8% method=ab owner=<@U0BOB>'
    )
    for day, value in ((1, "4.3%"), (2, "4.2%"), (3, "4.4%")):
        clock.at(START + timedelta(days=day))
        await mle(h, f'metric churn-lgbm "monthly churn" {value}')
    said = await mle(h, "chart churn-lgbm")
    assert said == "Posting the chart of *churn-lgbm* in its project thread."
    [chart] = [m for m in thread_posts(h, thread) if m.files]
    assert "3 value(s), latest 4.4 %" in chart.text
    # the F7 reminder (no value for 37 days) carries the chart, right under it
    clock.at(START + timedelta(days=40))
    await h.runtime.services.scheduler_pass(clock())
    await h.idle()
    posts = thread_posts(h, thread)
    [reminder] = [i for i, m in enumerate(posts) if "cannot show its business value" in m.text]
    assert "F7" in posts[reminder].text
    assert posts[reminder + 1].files and "3 value(s)" in posts[reminder + 1].text


async def test_the_digest_carries_the_profile_once_a_month(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await new_project(h, user="U0BOB")
    await mle(h, "digest mon 09:00 UTC")
    for day in (7, 14):  # two Mondays of December
        clock.at(datetime(2026, 12, day, 9, 1, tzinfo=UTC))
        await h.runtime.services.scheduler_pass(clock())
        await h.idle()
    digests = [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach")]
    assert len(digests) == 2
    charts_shared = shared(h)
    assert len(charts_shared) == 1 and charts_shared[0].thread_ts == digests[0].ts
