"""Closing a project with an outcome and a retrospective in its thread; reopening it. Bob owns
the project; Alice is a workspace admin; Carol a teammate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import block_text, new_project, questions_asked, reply, thread_posts
from tests.test_home import home_text, open_home

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
SLUG = "churn-reduction"


@pytest.fixture
def start() -> datetime:
    return START


async def mle(h: Harness, text: str, user: str = "U0BOB") -> str:
    result = await h.emulator.slash(text, user=user)
    assert result.status == 200
    await h.idle()
    if result.body.strip().startswith("{") and result.json().get("text"):
        return str(result.json()["text"])
    return h.emulator.ephemerals_for(user)[-1].text


def retrospectives(h: Harness, thread: str) -> list[str]:
    return [block_text(m) for m in thread_posts(h, thread) if m.text.startswith("Retrospective")]


async def test_close_asks_a_retrospective_and_records_what_is_known(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await mle(h, f"stage {SLUG} scoping --force")
    clock.at(START + timedelta(days=10))
    await mle(h, f"deploy {SLUG} churn-lgbm")
    await mle(h, 'metric churn-lgbm "monthly churn" 3.7% baseline=4.1% target=3.8%')
    refused = await mle(h, f"close {SLUG} shipped", user="U0CAROL")
    assert "Only the owner" in refused and (await h.only_project()).stage == "scoping"
    said = await mle(h, f"close {SLUG} shipped - the churn model is live")
    assert (
        said
        == "Closed *Churn reduction* (shipped). 1 model(s) still deployed keep their reminders."
    )
    project = await h.only_project()
    assert (project.stage, project.outcome, project.reopen_stage) == (
        "closed",
        "shipped",
        "scoping",
    )
    line = [m.text for m in thread_posts(h, thread) if m.text.startswith("🏁")][0]
    assert "*churn-lgbm* is still deployed" in line and "3 questions" in line
    assert "For Q1, the KPI as recorded:\n• *churn-lgbm* monthly churn: 3.7 %" in line
    assert questions_asked(h, thread)[-1].startswith("Q1/3 ")
    await reply(h, thread, "Churn down to 3.7% against a 3.8% target")
    listing = thread_posts(h, thread)[-1]
    assert "5. over-experimentation" in block_text(listing)
    await reply(h, thread, "2, over-experimentation")
    await reply(h, thread, "Time-box experimentation from day one")
    [retro] = retrospectives(h, thread)
    assert "*Outcome:* shipped: the churn model is live" in retro
    assert "*Failure reasons:* too little scoping or research; over-experimentation" in retro
    assert "• planning: 0 days" in retro and "• scoping: 10 days" in retro
    assert "gates forced: into scoping" in retro
    assert (
        "*churn-lgbm* monthly churn: 3.7 % (baseline 4.1 %, target 3.8 %) — reached its target ✅"
    ) in retro
    # closed projects leave the digest's project list; their deployed models stay
    await mle(h, "digest now")
    digest = [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach")][-1]
    assert "Churn reduction* —" not in block_text(digest) and "churn-lgbm" in block_text(digest)
    # and stay in status
    await mle(h, f"status {SLUG}")
    assert "closed" in h.emulator.ephemerals_for("U0BOB")[-1].text
    again = await mle(h, f"close {SLUG} cancelled")
    assert "already closed (shipped)" in again


async def test_reopen_puts_it_back_and_checkins_resume(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    assert (await mle(h, f"close {SLUG} paused waiting for budget")).startswith("Closed")
    clock.at(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # Monday 10:00 in New York
    await h.runtime.services.scheduler_pass(clock())
    await h.idle()
    assert not [m for m in thread_posts(h, thread) if m.text.startswith("Check-in")]
    for week in (1, 2, 3):  # held while closed: no slot comes due, nothing is written for it
        clock.at(datetime(2026, 11, 30, 15, 0, tzinfo=UTC) + timedelta(weeks=week))
        assert await h.runtime.services.ticker.tick(clock()) == []
    closed = await h.only_project()
    rows = await h.read(
        lambda tx: tx.deliveries.for_subject("T0SANDBOX", "checkin", str(closed.id))
    )
    assert rows == []
    clock.at(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    assert await mle(h, f"reopen {SLUG}", user="U0CAROL") == (
        "Only the owner of *Churn reduction* (<@U0BOB>) or a workspace admin can reopen it."
    )
    assert await mle(h, f"reopen {SLUG}", user="U0ALICE") == "Reopened *Churn reduction*."
    project = await h.only_project()
    assert (project.stage, project.outcome) == ("planning", None)
    posts = [m.text for m in thread_posts(h, thread)]
    assert "back in planning" in posts[-2]
    assert posts[-1].startswith("Q1/12 ")  # the interview's waiting question, asked again
    clock.at(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    await h.runtime.services.scheduler_pass(clock())
    await h.idle()
    assert [m for m in thread_posts(h, thread) if m.text.startswith("Check-in")]
    assert await mle(h, f"reopen {SLUG}") == "*Churn reduction* is not closed; it is in planning."


async def test_close_names_the_outcomes_it_takes(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")
    bad = await mle(harness, f"close {SLUG} finished")
    assert "`shipped`, `cancelled` or `paused`" in bad


async def test_an_item_named_loosely_is_not_dropped_in_silence(harness: Harness) -> None:
    thread = await new_project(harness, user="U0BOB")
    await mle(harness, f"close {SLUG} cancelled no labels")
    await reply(harness, thread, "n/a, never got a KPI")
    await reply(harness, thread, "3, 5 and the data one")
    said = block_text(thread_posts(harness, thread)[-1])
    assert "read as: *too much research; over-experimentation*" in said
    assert (
        "I couldn't place “data” — did you mean *9. data not available or not good enough*? "
        "If so, reply `Q2: 3, 5, 9`."
    ) in said


async def test_reopen_and_close_again_keep_one_record(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    clock.at(START + timedelta(days=47))
    await mle(h, f"close {SLUG} cancelled no labels")
    await reply(h, thread, "n/a, never got a KPI")  # optional: taken as it is
    refused = await reply(h, thread, "9, none")
    del refused
    assert "names items and `none` at once" in thread_posts(h, thread)[-1].text
    await reply(h, thread, "data not good enough, stakeholders changed")
    assert "read as: *data not available or not good enough; priorities or stakeholders" in (
        block_text(thread_posts(h, thread)[-1])
    )
    await reply(h, thread, "Ask for labels before planning")
    await mle(h, f"reopen {SLUG}")
    said = await mle(h, f"close {SLUG} cancelled still no labels")
    assert said.startswith("Closed")
    line = [m.text for m in thread_posts(h, thread) if m.text.startswith("🏁")][-1]
    assert "retrospective from the earlier close stands" in line
    assert len([m for m in thread_posts(h, thread) if m.text.startswith("Q1/3")]) == 1
    await mle(h, f"brief {SLUG} closed")
    [*_, retro] = retrospectives(h, thread)
    assert retro.count("• planning:") == 1 and "• planning: 47 days" in retro
    await mle(h, "digest now")
    digest = [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach")][-1]
    assert "No open projects in this channel (1 closed" in block_text(digest)
    await open_home(h, "U0BOB")
    assert "|Churn reduction> — closed (cancelled)" in home_text(h, "U0BOB")
    assert "next check-in" not in home_text(h, "U0BOB")
    finished = await mle(h, f"close {SLUG} finished")
    assert "`finished` is not an outcome" in finished


async def test_reopen_keeps_the_day_count(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    await new_project(h, user="U0BOB")
    clock.at(START + timedelta(days=14))
    await mle(h, f"close {SLUG} paused")
    clock.at(START + timedelta(days=20))
    await mle(h, f"reopen {SLUG}")
    status = await mle(h, f"status {SLUG}")
    assert "planning, day 21" in status


async def test_what_people_type_never_becomes_a_broadcast(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    clock.at(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    await h.runtime.services.scheduler_pass(clock())
    await h.idle()
    [checkin] = [m for m in thread_posts(h, thread) if m.text.startswith("Check-in")]
    await h.emulator.click(checkin, "checkin_blocked", user="U0CAROL")
    await h.idle()
    [view] = [v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "blocker"]
    await h.emulator.submit_view(
        view.id,
        {"what": {"value": {"type": "plain_text_input", "value": "<!channel> <http://x|y>"}}},
        user="U0CAROL",
    )
    await h.idle()
    await mle(h, f"close {SLUG} cancelled <!channel> look <!here>")
    await reply(h, thread, "<!everyone> nothing moved")
    await mle(h, "stats")
    posted = [f"{m.text}\n{block_text(m)}" for m in h.emulator.bot_posts("C0MLTEAM")]
    assert not any(
        token in text for text in posted for token in ("<!channel>", "<!here>", "<!everyone>")
    )
    assert not any("<http://x|y>" in text for text in posted)


async def test_the_projects_message_in_the_channel_follows_its_stage_and_its_end(
    harness: Harness,
) -> None:
    """The parent message is what everyone in the channel sees: it shows the stage the
    project is in, then how it ended, then the stage it was reopened in."""
    thread = await new_project(harness, user="U0BOB")
    parent = harness.emulator.workspace.find_message("C0MLTEAM", thread)
    assert parent is not None and "Stage: *planning*" in block_text(parent)
    assert (await mle(harness, f"stage {SLUG} next --force")).startswith("Moved")
    assert "Stage: *scoping* (since 2026-" in block_text(parent)
    assert parent.text.endswith("stage scoping.")
    await mle(harness, f"close {SLUG} shipped it works")
    assert "*closed (shipped) on 2026-" in block_text(parent)
    assert f"/mle brief {SLUG} closed" in block_text(parent)
    await mle(harness, f"reopen {SLUG}")
    assert "Stage: *scoping*" in block_text(parent)
    assert (await mle(harness, f"stage {SLUG} planning --force")).startswith("Moved")
    assert "Stage: *planning* (since 2026-" in block_text(parent)  # back, not "a new project"
    assert "a new ML project" not in block_text(parent)
    # one update per change, each composed from the project as it then was
    updates = harness.emulator.calls_to("chat.update")
    assert len(updates) == 4
