"""Check-ins: the post, its buttons (signed block_actions), replies, nudges, settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, alice's zone
BOB_MONDAY = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 10:00 in New York, bob's zone


async def _tick(h: Harness, clock: ManualClock, moment: datetime) -> None:
    clock.at(moment)
    await h.runtime.services.scheduler_pass(moment)
    await h.idle()


def _checkins(h: Harness, thread: str) -> list[Message]:
    return [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Check-in")]


def _last_ephemeral(h: Harness, user: str = "U0ALICE") -> str:
    return h.emulator.ephemerals_for(user)[-1].text


async def _monday_checkin(h: Harness, clock: ManualClock, *replies: str) -> tuple[Message, str]:
    """A new project with these replies in its thread, then Monday's check-in and its text."""
    thread = await new_project(h)
    for text in replies:
        await reply(h, thread, text)
    await _tick(h, clock, MONDAY)
    [post] = _checkins(h, thread)
    return post, "\n".join(b["text"]["text"] for b in post.blocks or [] if b.get("text"))


async def test_checkin_shows_stage_day_open_questions_and_buttons(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    post, text = await _monday_checkin(h, clock, valid_answer(PLANNING[0]))
    assert "Stage: *planning*, day 5 (no time box)" in text
    assert "Open required questions (8)" in text and "Q2. How is this done today" in text
    buttons = [
        e["action_id"] for b in post.blocks or [] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["checkin_on_track", "checkin_blocked", "checkin_next"]


async def test_past_the_time_box_says_so_plainly(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    for question in PLANNING[:-1]:
        await reply(h, thread, valid_answer(question))
    await reply(h, thread, "2 days")  # planning time box
    await _tick(h, clock, MONDAY)
    [post] = _checkins(h, thread)
    assert "Past the time box" in post.text
    shown = "\n".join(b["text"]["text"] for b in post.blocks or [] if b.get("text"))
    assert "Past the 2-day time box (day 5)" in shown and "extend 1 week" in shown
    assert "/mle stage churn-reduction next" in shown


async def test_past_the_time_box_with_the_gate_closed_offers_no_move_that_would_be_refused(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    # the time box, answered early
    _, shown = await _monday_checkin(
        h, clock, valid_answer(PLANNING[0]), f"Q{len(PLANNING)}: 2 days"
    )
    assert "Past the 2-day time box (day 5)" in shown
    assert "move on with `/mle stage churn-reduction next`" not in shown
    assert "the gate waits for the open questions above" in shown
    assert "`/mle stage churn-reduction next --force` (recorded)" in shown


async def submit_blocker(h: Harness, user: str, what: str, who: str | None = None) -> None:
    [view] = [v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "blocker"]
    values: dict[str, dict[str, dict[str, object]]] = {
        "what": {"value": {"type": "plain_text_input", "value": what}}
    }
    if who:
        values["who"] = {"value": {"type": "users_select", "selected_user": who}}
    result = await h.emulator.submit_view(view.id, values, user=user)
    await h.idle()
    assert result.status == 200


async def test_buttons_on_track_blocked_and_next(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await _tick(h, clock, BOB_MONDAY)
    [post] = _checkins(h, thread)
    asked = len(questions_asked(h, thread))
    result = await h.emulator.click(post, "checkin_on_track", user="U0CAROL")
    await h.idle()
    assert result.status == 200
    assert "on track" in _last_ephemeral(h, "U0CAROL")
    line = h.emulator.bot_posts("C0MLTEAM", thread)[-1].text
    assert line == "👍 *Churn reduction* is on track: a check-in answer, noted."  # no ping
    # Blocked opens a form (views.open); the blocker is recorded when it is submitted
    await h.emulator.click(post, "checkin_blocked", user="U0CAROL")
    await h.idle()
    await submit_blocker(h, "U0CAROL", "Waiting for labelled chargeback data", who="U0ALICE")
    line = h.emulator.bot_posts("C0MLTEAM", thread)[-1].text
    assert "🚧 *Churn reduction* is blocked: “Waiting for labelled chargeback data”" in line
    assert "<@U0ALICE>" in line and "<@U0CAROL>" not in line  # the clicker is not pinged
    await h.emulator.click(post, "checkin_next", user="U0CAROL")
    await h.idle()
    assert "gate of *Churn reduction* is closed" in _last_ephemeral(h, "U0CAROL")
    assert len(questions_asked(h, thread)) == asked  # the buttons never re-post a question
    project = await h.only_project()
    notes = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert [(n.kind, n.text, n.author_id) for n in notes][:3] == [
        ("checkin", "On track", "U0CAROL"),
        ("checkin", "Blocked: Waiting for labelled chargeback data", "U0CAROL"),
        ("checkin", "Ready for next stage (it moved nothing: the gate is closed)", "U0CAROL"),
    ]
    assert await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id)) == []
    # a Ready that moved nothing leaves the blocker; On track clears it, with who and how
    [blocker] = await h.read(lambda tx: tx.blockers.for_project("T0SANDBOX", project.id))
    assert blocker.cleared_at is None
    await h.emulator.click(post, "checkin_on_track", user="U0CAROL")
    await h.idle()
    [blocker] = await h.read(lambda tx: tx.blockers.for_project("T0SANDBOX", project.id))
    assert (blocker.cleared_by, blocker.cleared_how) == ("U0CAROL", "*On track*")
    assert any(
        m.text.startswith("✅ Blocker cleared (*On track*)")
        for m in h.emulator.bot_posts("C0MLTEAM", thread)
    )


async def test_reply_to_a_checkin_is_a_note_then_the_question_is_asked_again(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    await _tick(h, clock, MONDAY)
    note = await reply(h, thread, "Waiting for the data export from finance")
    assert "memo" in note.reactions
    project = await h.only_project()
    assert await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id)) == []
    asked = questions_asked(h, thread)
    assert len(asked) == 2 and asked[-1].startswith("Q1/12")  # asked again after the check-in
    await reply(h, thread, valid_answer(PLANNING[0]))
    answers = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", project.id))
    assert [a.question_key for a in answers] == ["success"]


async def test_extend_needs_a_reason_and_then_extends(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    for question in PLANNING[:-1]:
        await reply(h, thread, valid_answer(question))
    await reply(h, thread, "3 days")
    await _tick(h, clock, MONDAY)
    await reply(h, thread, "extend 1 week")
    assert "needs a reason" in h.emulator.bot_posts("C0MLTEAM", thread)[-1].text
    await reply(h, thread, "extend 1 week: the labelled sample arrives Friday")
    assert "extended the planning time box by 7 days to 10 days" in (
        h.emulator.bot_posts("C0MLTEAM", thread)[-1].text
    )
    project = await h.only_project()
    assert await h.read(lambda tx: tx.projects.time_box("T0SANDBOX", project.id, "planning")) == 10


async def test_extend_without_a_time_box_says_it_sets_one(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    await reply(h, thread, valid_answer(PLANNING[0]))  # no time box given yet
    await _tick(h, clock, MONDAY)
    await reply(h, thread, "extend 1 week: SRE needs time for the canary setup")
    [said] = [m.text for m in h.emulator.bot_posts("C0MLTEAM", thread) if "⏱️" in m.text]
    assert "set a planning time box of 12 days (day 5 + 7; there was none)" in said
    assert "extended" not in said


async def test_one_nudge_after_a_day_without_response(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await _tick(h, clock, BOB_MONDAY)
    await _tick(h, clock, BOB_MONDAY + timedelta(hours=23))
    nudges = [
        m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "nobody has answered" in m.text
    ]
    assert nudges == []
    await _tick(h, clock, BOB_MONDAY + timedelta(hours=24, minutes=1))
    await _tick(h, clock, BOB_MONDAY + timedelta(hours=30))
    nudges = [
        m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "nobody has answered" in m.text
    ]
    assert len(nudges) == 1 and nudges[0].text.startswith("<@U0BOB>")


async def test_no_nudge_once_someone_responded(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    await _tick(h, clock, MONDAY)
    [post] = _checkins(h, thread)
    await h.emulator.click(post, "checkin_on_track", user="U0BOB")
    await h.idle()
    await _tick(h, clock, MONDAY + timedelta(hours=25))
    assert not [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "nobody has" in m.text]


async def test_checkin_schedule_command(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    for text, expected in [
        ("checkin churn-reduction mon,thu 09:30 Europe/Paris", "Only the owner"),
    ]:
        await h.emulator.slash(text, user="U0CAROL")
        await h.idle()
        assert expected in _last_ephemeral(h, "U0CAROL")
    for text, expected in [
        ("checkin churn-reduction someday 09:30", "is not a day"),
        ("checkin churn-reduction mon 25:00", "is not a time"),
        ("checkin churn-reduction mon 09:30 Mars/Olympus", "is not an IANA time zone"),
        ("checkin churn-reduction mon 09:30 europe/paris", "Did you mean `Europe/Paris`"),
        ("checkin churn-reduction mon,thu 09:30 Europe/Paris", "mon,thu at 09:30 (Europe/Paris)"),
        ("checkin churn-reduction mon,thu 09:30 Europe/Paris", "|Thu 26 Nov 09:30 CET>"),
    ]:
        await h.emulator.slash(text, user="U0BOB")
        await h.idle()
        assert expected in _last_ephemeral(h, "U0BOB"), text
    await _tick(h, clock, datetime(2026, 11, 26, 8, 30, tzinfo=UTC))  # Thu 09:30 Paris
    assert len(_checkins(h, thread)) == 1
    await h.emulator.slash("checkin churn-reduction off", user="U0BOB")
    await h.idle()
    assert "are off" in _last_ephemeral(h, "U0BOB")
    await _tick(h, clock, datetime(2026, 11, 30, 8, 30, tzinfo=UTC))
    assert len(_checkins(h, thread)) == 1


async def test_checkin_for_a_closed_or_gone_project_is_skipped(
    emulator: SlackEmulator,
    database: str,
) -> None:
    clock = ManualClock(START)
    async with running_app(emulator, database, clock=clock) as h:
        thread = await new_project(h)
        await h.emulator.slash("stage churn-reduction closed --force")
        await h.idle()
        await _tick(h, clock, MONDAY)
        assert _checkins(h, thread) == []
        assert await h.runtime.services.ticker.tick(MONDAY + timedelta(weeks=1)) == []  # held
        await h.emulator.slash("checkin churn-reduction tue 09:00")
        await h.idle()
        assert "start when it is reopened" in _last_ephemeral(h)
        assert await h.runtime.services.ticker.tick(MONDAY + timedelta(weeks=2)) == []


async def test_an_old_checkins_next_button_moves_nothing_after_the_stage_changed(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await new_project(h)
    await _tick(h, clock, MONDAY)
    [post] = _checkins(h, thread)
    clock.at(MONDAY + timedelta(hours=1))
    await h.emulator.slash("stage churn-reduction next --force")
    await h.idle()
    assert (await h.only_project()).stage == "scoping"
    clock.at(MONDAY + timedelta(hours=2))
    await h.emulator.click(post, "checkin_next")  # the planning check-in's button
    await h.idle()
    assert "no longer moves the project" in _last_ephemeral(h)
    assert (await h.only_project()).stage == "scoping"
