"""Check-ins as a stand-up, blockers that stay visible, the digest's drift items and the small
things a new user hit — end to end through the emulator. Bob (New York) owns the project;
Alice (Berlin) is a workspace admin; Carol (Kolkata) a teammate."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import PLANNING, block_text, new_project, questions_asked, reply, valid_answer
from tests.test_checkins import submit_blocker
from tests.test_home import home_text, open_home

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
BOB_MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York
SLUG = "churn-reduction"


@pytest.fixture
def start() -> datetime:
    return START


async def tick(h: Harness, clock: ManualClock, moment: datetime) -> None:
    clock.at(moment)
    await h.runtime.services.scheduler_pass(moment)
    await h.idle()


async def mle(h: Harness, text: str, user: str = "U0BOB") -> str:
    result = await h.emulator.slash(text, user=user)
    assert result.status == 200
    await h.idle()
    if result.body.strip().startswith("{") and result.json().get("text"):
        return str(result.json()["text"])
    said = h.emulator.ephemerals_for(user)
    return said[-1].text if said else ""


def checkins(h: Harness, thread: str) -> list[Message]:
    return [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Check-in")]


def digest_text(h: Harness) -> str:
    [digest] = [
        m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach digest")
    ][-1:]
    return block_text(digest)


async def block(h: Harness, post: Message, user: str, what: str, who: str | None = None) -> None:
    await h.emulator.click(post, "checkin_blocked", user=user)
    await h.idle()
    await submit_blocker(h, user, what, who)


# ---- 1. the check-in asks


async def test_the_checkin_asks_quotes_the_last_notes_and_mentions_the_owner(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [first] = checkins(h, thread)
    text = block_text(first)
    assert "<@U0BOB>" in first.text and "<@U0BOB>" in text
    assert "1. What moved since the last check-in?" in text and "3. Is anything in the way?" in text
    await reply(h, thread, "Labelled 2k rows with finance", user="U0CAROL")
    await h.emulator.click(first, "checkin_on_track", user="U0ALICE")
    await h.idle()
    await tick(h, clock, BOB_MONDAY + timedelta(days=7))
    second = checkins(h, thread)[-1]
    quoted = block_text(second)
    assert "> Labelled 2k rows with finance — <@U0CAROL>" in quoted
    assert "> On track — <@U0ALICE>" in quoted
    status = await mle(h, f"status {SLUG}")
    del status
    blocks = str(h.emulator.ephemerals_for("U0BOB")[-1].blocks)
    assert "Labelled 2k rows with finance" in blocks and "<@U0CAROL>" in blocks


async def test_a_press_is_kept_when_slack_cannot_say_who_reads_the_channel(
    timed: tuple[Harness, ManualClock],
) -> None:
    """The button is in the channel the person is reading: whether they may see the project
    is not asked of Slack (which may fail), and the press is kept."""
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [first] = checkins(h, thread)
    h.emulator.fail_next("conversations.info", times=5)
    await h.emulator.click(first, "checkin_on_track", user="U0ALICE")
    await h.idle()
    assert not any("no longer exists" in e.text for e in h.emulator.ephemerals_for("U0ALICE"))
    await tick(h, clock, BOB_MONDAY + timedelta(days=7))
    assert "> On track — <@U0ALICE>" in block_text(checkins(h, thread)[-1])


async def test_the_nudge_asks_the_people_who_answered(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await reply(h, thread, valid_answer(PLANNING[0]), user="U0ALICE")
    await reply(h, thread, valid_answer(PLANNING[1]), user="U0CAROL")
    await tick(h, clock, BOB_MONDAY)
    await tick(h, clock, BOB_MONDAY + timedelta(hours=25))
    [nudge] = [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "nobody has" in m.text]
    assert nudge.text.startswith("<@U0ALICE> <@U0CAROL> nobody has answered")


# ---- 2. blocked is a state


async def test_a_blocker_shows_everywhere_until_cleared(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = checkins(h, thread)
    await block(h, post, "U0CAROL", "Waiting for labelled chargeback data", who="U0ALICE")
    view = [v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "blocker"]
    assert len(view) == 1  # opened through views.open with the click's trigger_id
    await tick(h, clock, BOB_MONDAY + timedelta(days=7))
    shown = block_text(checkins(h, thread)[-1])
    assert "🚧 *Blocked* since 2026-11-30: “Waiting for labelled chargeback data”" in shown
    assert "<@U0ALICE> can unblock it" in shown
    await mle(h, f"status {SLUG}")
    assert "Waiting for labelled chargeback data" in str(h.emulator.ephemerals_for("U0BOB")[-1])
    await mle(h, "digest now")
    assert "🚧 *Churn reduction* is blocked since 2026-11-30" in digest_text(h)
    await open_home(h, "U0BOB")
    assert "🚧 Blocked: “Waiting for labelled chargeback data”" in home_text(h, "U0BOB")
    # cleared by the command, with a note; recorded with who and how
    said = await mle(h, f"unblock {SLUG} the export arrived", user="U0CAROL")
    assert said == "Cleared the blocker on *Churn reduction*."
    line = h.emulator.bot_posts("C0MLTEAM", thread)[-1].text
    assert line.startswith("✅ Blocker cleared by <@U0CAROL> (`/mle unblock`: the export arrived)")
    assert "it lasted 7 days" in line
    assert await mle(h, f"unblock {SLUG}") == "*Churn reduction* has no open blocker."
    clock.at(clock() + timedelta(minutes=5))  # `digest now` is once a minute per channel
    await mle(h, "digest now")
    assert "is blocked" not in digest_text(h)
    project = await h.only_project()
    [blocker] = await h.read(lambda tx: tx.blockers.for_project("T0SANDBOX", project.id))
    assert (blocker.raised_by, blocker.cleared_by) == ("U0CAROL", "U0CAROL")


async def test_a_blocker_form_processed_twice_records_one_blocker(
    timed: tuple[Harness, ManualClock],
) -> None:
    """The inbox processes a form again after a crash: the same request is one blocker."""
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = checkins(h, thread)
    project = await h.only_project()
    checkin = post.blocks[-2]["elements"][0]["value"]  # the buttons' project:check-in
    for _ in range(2):
        await h.runtime.services.checkins.block(
            "T0SANDBOX", "U0CAROL", checkin, "No GPU quota", None, "form:trigger-1"
        )
    await h.idle()
    assert len(await h.read(lambda tx: tx.blockers.for_project("T0SANDBOX", project.id))) == 1
    lines = [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("🚧")]
    assert len(lines) == 1 and "<@U0BOB>, your project is blocked" in lines[0].text


EVENTS = ("on_track", "blocked", "note")


@pytest.mark.parametrize("order", list(itertools.permutations(EVENTS)))
async def test_notes_blockers_and_answers_never_mix_whatever_the_order(
    timed: tuple[Harness, ManualClock], order: tuple[str, ...]
) -> None:
    """Q1 is pending when the check-in comes; clicks, a form and a reply come in any order,
    then the answer."""
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = checkins(h, thread)
    assert "Q1 of the planning interview is still waiting: reply `Q1: …`" in block_text(post)
    for event in order:
        if event == "on_track":
            await h.emulator.click(post, "checkin_on_track", user="U0CAROL")
            await h.idle()
        elif event == "blocked":
            await block(h, post, "U0CAROL", "Legal has not approved the data use")
        else:
            await reply(h, thread, "Spent the week on the data contract", user="U0ALICE")
    asked = questions_asked(h, thread)
    assert [q.split(" ")[0] for q in asked] == ["Q1/12", "Q1/12"]  # asked again after the note
    await reply(h, thread, "Cut churn by 2 points", user="U0ALICE")
    project = await h.only_project()
    answers = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    assert [(a.question_key, a.text) for a in answers] == [("success", "Cut churn by 2 points")]
    notes = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert sorted(n.text for n in notes) == sorted(
        [
            "On track",
            "Blocked: Legal has not approved the data use",
            "Spent the week on the data contract",
        ]
    )
    assert questions_asked(h, thread)[-1].startswith("Q2/12 ")


# ---- 4. the digest sees what drifts


async def test_the_digest_flags_drift(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    await new_project(h, user="U0BOB")
    moved = await mle(h, f"stage {SLUG} experimentation --force")
    assert moved.startswith("Moved")
    await tick(h, clock, START + timedelta(days=31))
    await mle(h, "deploy churn-reduction churn-lgbm")
    await mle(
        h,
        'metric churn-lgbm "monthly churn" 4.6% baseline=4.5% target=3.8% owner=<@U0BOB> method=ab',
    )
    await tick(h, clock, START + timedelta(days=62))
    await mle(h, 'metric churn-lgbm "monthly churn" 4.7%')
    await mle(h, "digest now")
    text = digest_text(h)
    assert "🔬 *Churn reduction* has been in experimentation for" in text
    assert "with no time box (over-experimentation)" in text
    assert "⏭️ *Churn reduction*: 9 required question(s) of planning still open" in text
    assert "required question(s) of scoping still open" in text
    assert "📉 *churn-lgbm* (Churn reduction)" in text and "F8" in text
    await mle(h, "settings research=90d", user="U0ALICE")
    clock.at(clock() + timedelta(minutes=5))
    await mle(h, "digest now")
    assert "🔬" not in digest_text(h)


# ---- 5. small things


async def test_did_you_mean_and_the_forced_move_names_what_was_skipped(harness: Harness) -> None:
    thread = await new_project(harness, user="U0BOB")
    typo = await mle(harness, "metrc churn-lgbm x 1")
    assert "Did you mean `metric`?" in typo and "/mle new" not in typo
    unknown = await mle(harness, "status churn")
    assert "Did you mean *Churn reduction*?" in unknown
    await mle(harness, f"stage {SLUG} experimentation --force")
    moved = [m.text for m in harness.emulator.bot_posts("C0MLTEAM", thread) if "moved" in m.text]
    assert "skipped scoping (their questions were never asked)" in moved[-1]


async def test_status_lists_models_and_home_shows_times_in_the_viewers_zone(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    await new_project(h, user="U0ALICE")
    await mle(h, f"deploy {SLUG} churn-lgbm v2", user="U0ALICE")
    await mle(h, f"status {SLUG}", user="U0ALICE")
    status = str(h.emulator.ephemerals_for("U0ALICE")[-1].blocks)
    assert "*churn-lgbm* v2 — lacks business metrics: F1" in status
    await mle(h, 'metric churn-lgbm "monthly churn" 4.1% baseline=4.5% target=3.8%', user="U0ALICE")
    await open_home(h, "U0ALICE")
    shown = home_text(h, "U0ALICE")
    assert "Mon 30 Nov 10:00 CET" in shown and "UTC" not in shown  # alice is in Berlin
    assert "monthly churn: 4.5 % → 3.8 % (lower is better); latest 4.1 %" in shown


# ---- what a second lead trying it hit


async def test_a_numbered_reply_after_a_checkin_is_an_answer_not_a_note(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await reply(h, thread, "skip", user="U0ALICE")  # Q1 skipped; Q2 pending
    await tick(h, clock, BOB_MONDAY)
    answered = await reply(h, thread, "Q2: analysts pull a weekly list", user="U0ALICE")
    assert "white_check_mark" in answered.reactions
    await reply(h, thread, "Q1: cut churn by 2 points", user="U0ALICE")
    project = await h.only_project()
    answers = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    assert {a.question_key: a.text for a in answers} == {
        "success": "cut churn by 2 points",
        "current_process": "analysts pull a weekly list",
    }
    assert questions_asked(h, thread)[-1].startswith("Q3/12 ")


async def test_no_late_nudge_under_a_newer_checkin(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    # the app was down from Monday to the next Monday: one pass sees both
    await tick(h, clock, BOB_MONDAY + timedelta(days=7))
    nudges = [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "nobody has" in m.text]
    assert nudges == []


async def test_the_named_unblocker_sees_the_project_on_home(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    [post] = checkins(h, thread)
    await block(h, post, "U0ALICE", "Needs the DE queue", who="U0CAROL")
    await open_home(h, "U0CAROL")
    assert "🚧 Blocked: “Needs the DE queue”" in home_text(h, "U0CAROL")
    await mle(h, "digest now")
    assert "<@U0CAROL> can unblock it" in digest_text(h)


async def test_kpi_name_typos_and_a_stage_typo_get_did_you_mean(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")
    await mle(harness, f"deploy {SLUG} churn-lgbm")
    await mle(harness, 'metric churn-lgbm "monthly churn" baseline=4.1% target=3.8%')
    typo = await mle(harness, 'metric churn-lgbm "montly churn" 3.9%', user="U0CAROL")
    assert "Did you mean *monthly churn*? Nothing was recorded." in typo
    stray = await mle(harness, 'metric churn-lgbm "weekly revenue" 1200', user="U0CAROL")
    assert "A new KPI needs its `baseline=` and `target=`" in stray
    model = await harness.read(
        lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm")
    )
    assert model is not None
    kpis = await harness.read(lambda tx: tx.metrics.for_models([("T0SANDBOX", model.id)]))
    assert [k.name for k in kpis[model.id]] == ["monthly churn"]
    stage = await mle(harness, f"stage {SLUG} nxt")
    assert "Did you mean `next`?" in stage


async def test_the_add_metric_form_starts_from_the_kpi_as_it_stands(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")
    await mle(harness, f"deploy {SLUG} churn-lgbm")
    await mle(
        harness,
        'metric churn-lgbm "monthly churn" baseline=4.2% target=3.8% owner=<@U0CAROL> '
        "method=holdout",
    )
    model = await harness.read(
        lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm")
    )
    assert model is not None
    view = await harness.runtime.services.models.form("T0SANDBOX", model.id, "model_add_metric")
    assert view is not None
    inputs = {b["block_id"]: b for b in view["blocks"] if b.get("type") == "input"}
    assert inputs["baseline"]["element"]["initial_value"] == "4.2"
    assert inputs["baseline"]["label"]["text"].endswith("(in %)")
    assert inputs["owner"]["element"]["initial_user"] == "U0CAROL"
    assert inputs["method"]["element"]["initial_option"]["value"] == "holdout"
    assert inputs["direction"]["element"]["initial_option"]["value"] == "lower"


async def test_an_older_checkins_button_leaves_a_newer_blocker(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await tick(h, clock, BOB_MONDAY)
    await tick(h, clock, BOB_MONDAY + timedelta(days=7))
    old, new = checkins(h, thread)
    await block(h, new, "U0CAROL", "SME on holiday")
    await h.emulator.click(old, "checkin_on_track", user="U0CAROL")
    await h.idle()
    project = await h.only_project()
    [blocker] = await h.read(lambda tx: tx.blockers.for_project("T0SANDBOX", project.id))
    assert blocker.cleared_at is None
    await mle(h, "status")
    assert "🚧 blocked" in str(h.emulator.ephemerals_for("U0BOB")[-1].blocks)
