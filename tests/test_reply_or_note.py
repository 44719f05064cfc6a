"""A reply under a check-in that also reads as an answer to the pending question (a duration,
a number with its unit, a person) gets two buttons, *Answer to Q<n>* / *Check-in note*,
instead of a guess (issue 27, item 4)."""

from __future__ import annotations

import copy

import pytest

from bot.domain.bank import Kind
from bot.domain.reply import CheckinNote, Reply, ReplyState, Which, decide_reply
from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer
from tests.test_checkins import MONDAY, _checkins, _last_ephemeral, _tick
from tests.test_coaching import stored
from tests.test_reading import _question

BUILD = "3-4 wks build, ~$800/month to run"


def _state(kind: Kind) -> ReplyState:
    return ReplyState(
        questions=(_question(kind),),
        position=0,
        question_ts="100.000000",
        posting=False,
        checkin_ts="200.000000",  # the check-in came after the question
        seen=False,
    )


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [
        (Kind.DURATION, BUILD, Which),
        (Kind.NUMBER, "churn is at 4.1%", Which),
        (Kind.NUMBER, "3 people out this week", CheckinNote),  # a bare number: a note
        (Kind.USER, "<@U0CAROL> is on it", Which),
        (Kind.TEXT, "Waiting for the data export from finance", CheckinNote),
        (Kind.DURATION, "Waiting for the data export from finance", CheckinNote),
    ],
)
def test_which_is_asked_only_when_the_kind_matches(kind: Kind, text: str, expected: type) -> None:
    decision = decide_reply(_state(kind), Reply("300.000000", "U0ALICE", text))
    assert isinstance(decision, expected), decision


def test_said_to_be_an_answer_it_is_one() -> None:
    decision = decide_reply(
        _state(Kind.DURATION), Reply("300.000000", "U0ALICE", BUILD, as_answer=True)
    )
    assert not isinstance(decision, (Which, CheckinNote)), decision


async def _build_reply_under_a_checkin(h: Harness, clock: ManualClock) -> tuple[str, Message]:
    thread = await new_project(h)
    for question in PLANNING[:11]:
        await reply(h, thread, valid_answer(question))
    assert questions_asked(h, thread)[-1].startswith("Q12/12")
    await _tick(h, clock, MONDAY)
    assert _checkins(h, thread)
    await reply(h, thread, BUILD)
    asked = h.emulator.bot_posts("C0MLTEAM", thread)[-1]
    assert "could answer Q12" in asked.text, asked.text
    assert "planning_time_box" not in await stored(h)
    return thread, asked


async def test_the_answer_button_takes_it_as_the_answer(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread, asked = await _build_reply_under_a_checkin(h, clock)
    before = copy.deepcopy(asked)  # the buttons as shown before the press replaced them
    await h.emulator.click(asked, "reply_is_answer", user="U0BOB")  # not theirs to say
    await h.idle()
    assert "Only <@U0ALICE>" in _last_ephemeral(h, "U0BOB")
    assert "planning_time_box" not in await stored(h)
    await h.emulator.click(asked, "reply_is_answer", user="U0ALICE")
    await h.idle()
    assert (await stored(h))["planning_time_box"] == ("answered", BUILD)
    posts = "\n".join(m.text for m in h.emulator.bot_posts("C0MLTEAM", thread)[-3:])
    assert "time box set to *28 days*" in posts or "Planning brief" in posts, posts
    shown = [m.text for m in h.emulator.bot_posts("C0MLTEAM", thread)]
    assert any("reply taken as the answer" in t for t in shown)  # in place of the buttons
    assert not any("could answer Q12" in t for t in shown)
    await h.emulator.click(before, "reply_is_note", user="U0ALICE")  # a late second press
    await h.idle()
    assert "settled already" in _last_ephemeral(h, "U0ALICE")


async def test_the_note_button_keeps_it_as_a_checkin_note(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    _, asked = await _build_reply_under_a_checkin(h, clock)
    await h.emulator.click(asked, "reply_is_note", user="U0ALICE")
    await h.idle()
    assert "planning_time_box" not in await stored(h)
    project = await h.only_project()
    notes = await h.read(lambda tx: tx.notes.for_project("T0SANDBOX", project.id))
    assert [(n.kind, n.text) for n in notes] == [("checkin", BUILD)]
