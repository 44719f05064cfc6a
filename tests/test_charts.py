"""Charts: drawn headless and checked against their data; shared with Slack's upload flow
(`/mle stats`, `/mle chart`, reminders, the monthly digest); the text version when the upload
fails. Bob owns the projects; Alice is an admin; Carol a teammate."""

from __future__ import annotations

import io
import math
import warnings
from datetime import UTC, date, datetime, timedelta

import pytest
from matplotlib.axes import Axes
from matplotlib.dates import num2date
from PIL import Image

from bot import charts
from bot.status import stats
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


def panel(drawn: charts.Drawing, title: str) -> Axes:
    [ax] = [ax for ax in drawn.figure.axes if ax.get_title() == title]
    return ax


def said_on(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.texts]


def day_of(x: float) -> date:
    return num2date(x).date()


def marked(ax: Axes) -> list[tuple[float, float]]:
    """The points drawn with a marker, as (x, y)."""
    return [
        (float(x), float(y))
        for line in ax.lines
        if line.get_marker() not in (None, "", "None", " ")
        for x, y in line.get_xydata()
        if math.isfinite(x) and math.isfinite(y)
    ]


def segments(ax: Axes) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The straight pieces of the lines drawn through the data (not the baseline or target,
    which span the axes)."""
    pieces = []
    for line in ax.lines:
        if line.get_linestyle() in ("None", "", " ") or line.get_transform() != ax.transData:
            continue
        xy = [(float(x), float(y)) for x, y in line.get_xydata()]
        for a, b in zip(xy, xy[1:], strict=False):
            if all(math.isfinite(v) for v in (*a, *b)):
                pieces.append((a, b))
    return pieces


def kpi(points: list[list[object]], **more: object) -> charts.Drawing:
    data = {"model": "churn-lgbm", "name": "monthly churn", "unit": "%", "direction": "lower"}
    return charts.draw({"kind": "kpi", "data": {**data, **more, "points": points}})


def test_an_empty_panel_says_so_without_axes() -> None:
    empty = charts.draw({"kind": "stats", "data": {}})
    for title, sentence in (
        ("Projects by outcome", "no projects yet"),
        ("Failure reasons (retrospectives)", "no retrospectives yet"),
        ("Days per stage", "no stage finished yet"),
        ("Deployed models with complete business metrics", "no deployed models yet"),
    ):
        ax = panel(empty, title)
        assert not ax.axison, f"{title}: axes around nothing"
        assert said_on(ax) == [sentence]
    full = charts.draw({"kind": "stats", "data": STATS})
    assert all(ax.axison and not said_on(ax) for ax in full.figure.axes)
    none = kpi([])
    [ax] = none.figure.axes
    assert not ax.axison and said_on(ax) == ["no values reported yet"]


def test_a_stage_that_took_no_days_shows_a_marker() -> None:
    stages = [["planning", 0, 7], ["scoping", 12, 0], ["experimentation", 40, None]]
    drawn = charts.draw({"kind": "stats", "data": {**STATS, "stages": stages}})
    ax = panel(drawn, "Days per stage")
    assert sorted(marked(ax)) == [(-0.2, 0.0), (1.2, 0.0)]  # planning spent, scoping's box
    low, high = ax.get_ylim()
    assert low == 0 and high >= 40  # on the axis, not in the middle of a ±0.05 range
    assert drawn.bars == 3 + 2 + 3 + 2  # outcomes, reasons, days spent, time boxes


def test_a_gap_longer_than_the_cadence_is_not_bridged() -> None:
    weekly = ["2026-11-01", "2026-11-08", "2026-11-15", "2026-12-20", "2026-12-27"]
    points: list[list[object]] = [
        [f"{d}T09:00:00+00:00", 4.3 - i / 10] for i, d in enumerate(weekly)
    ]
    ax = kpi(points).figure.axes[0]
    assert sorted(day_of(x) for x, _ in marked(ax)) == [date.fromisoformat(d) for d in weekly]
    joined = {(day_of(a[0]), day_of(b[0])) for a, b in segments(ax)}
    assert joined == {
        (date(2026, 11, 1), date(2026, 11, 8)),
        (date(2026, 11, 8), date(2026, 11, 15)),
        (date(2026, 12, 20), date(2026, 12, 27)),
    }  # five weeks without a value (the default cadence is 30 days) stay a gap
    tighter = kpi(points, cadence_days=5).figure.axes[0]
    assert segments(tighter) == []  # a workspace reviewing every 5 days: every week is a gap


def test_several_values_on_one_day_are_points() -> None:
    points: list[list[object]] = [
        ["2026-11-01T09:00:00+00:00", 4.3],
        ["2026-11-01T15:00:00+00:00", 3.1],
        ["2026-11-08T09:00:00+00:00", 4.2],
    ]
    drawn = kpi(points)
    ax = drawn.figure.axes[0]
    assert sorted((day_of(x), y) for x, y in marked(ax)) == [
        (date(2026, 11, 1), 3.1),
        (date(2026, 11, 1), 4.3),
        (date(2026, 11, 8), 4.2),
    ]
    # no segment between two values of the same day; the line leaves from the day's latest
    joined = [(day_of(a[0]), a[1], day_of(b[0]), b[1]) for a, b in segments(ax)]
    assert joined == [(date(2026, 11, 1), 3.1, date(2026, 11, 8), 4.2)]
    assert drawn.points == 3


def test_emoji_in_names_are_left_out_not_drawn_as_boxes() -> None:
    stats = {**STATS, "title": "Why our ML projects fail 🚀", "reasons": [["data 📉 drift", 1]]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = charts.draw({"kind": "stats", "data": stats})
        shown = kpi(
            [["2026-11-01T09:00:00+00:00", 4.3]], model="churn-lgbm 🤖", name="monthly churn 📉🙂"
        )
        charts.render({"kind": "stats", "data": stats})
        charts.render(
            {
                "kind": "kpi",
                "data": {
                    "model": "👩\u200d💻 lgbm",
                    "name": "churn ✅️",
                    "points": [["2026-11-01", 1]],
                },
            }
        )
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert missing == []
    assert drawn.figure.get_suptitle() == "Why our ML projects fail"
    assert shown.figure.axes[0].get_title() == "churn-lgbm: monthly churn"
    assert shown.title == "churn-lgbm: monthly churn"
    assert charts.label("✓ done — 3 → 4 %") == "✓ done — 3 → 4 %"  # what the font has stays


def test_withdrawn_values_are_not_drawn_and_corrected_ones_at_their_value() -> None:
    points: list[list[object]] = [
        ["2026-11-01T09:00:00+00:00", 4.3],
        ["2026-11-08T09:00:00+00:00", 0.038, {"withdrawn": True}],
        ["2026-11-15T09:00:00+00:00", 3.8, {"corrected_from": 0.038}],
    ]
    drawn = kpi(points)
    ax = drawn.figure.axes[0]
    assert sorted((day_of(x), y) for x, y in marked(ax)) == [
        (date(2026, 11, 1), 4.3),
        (date(2026, 11, 15), 3.8),
    ]
    assert drawn.points == 2


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


async def test_the_kpi_chart_breaks_at_the_workspaces_cadence(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await new_project(h, user="U0BOB")
    await mle(h, f"deploy {SLUG} churn-lgbm")
    assert "Saved. " in await mle(h, "settings cadence=10", user="U0ALICE")
    await mle(h, 'metric churn-lgbm "monthly churn" baseline=4.1% target=3.8% owner=<@U0BOB>')
    for day, value in ((1, "4.3%"), (8, "4.2%"), (22, "4.0%"), (29, "3.9%")):
        clock.at(START + timedelta(days=day))
        await mle(h, f'metric churn-lgbm "monthly churn" {value}')
    model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm"))
    assert model is not None
    spec = await h.read(lambda tx: stats.kpi_spec(tx, model))
    assert spec is not None and spec["data"]["cadence_days"] == 10
    ax = charts.draw(spec).figure.axes[0]
    assert len(marked(ax)) == 4
    joined = [(day_of(a[0]).day, day_of(b[0]).day) for a, b in segments(ax)]
    assert joined == [(27, 4), (18, 25)]  # 14 days without a value, at a 10-day cadence: a gap
