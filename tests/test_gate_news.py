"""What an answer changed about its stage's gate, and the line the thread gets for it: table
by table, no store, no emulator. The thread must never say "moves on" while a no-go closes
the gate, and lifting a no-go says whether the way on is open now."""

from __future__ import annotations

from typing import NamedTuple

import pytest

from bot.bank_file import load_bank
from bot.domain.gates import GateNews, gate_news
from bot.interview.render import gate_lines

SCOPING = load_bank().questions("scoping")  # Q5 budget (required), Q7 go / no-go (required)
FILLED = {q.key: ("answered", "done") for q in SCOPING} | {"go_no_go": ("answered", "go")}
Stated = dict[str, tuple[str, str]]


def stated(**changes: tuple[str, str]) -> Stated:
    return {**FILLED, **changes}


SKIPPED = ("skipped", "skip")
NO_GO = ("answered", "no-go: no labels")
GO = ("answered", "go - labels arrived")


class Change(NamedTuple):
    what: str
    before: Stated
    after: Stated

    def news(self) -> GateNews:
        return gate_news(SCOPING, self.before, self.after)


# (the change, answered_all, no_go_decided, no_go_lifted)
NEWS = [
    (Change("the last open one answered", stated(budget=SKIPPED), stated()), True, False, False),
    (Change("a changed answer", stated(), stated(budget=("answered", "3k"))), False, False, False),
    (Change("a no-go given", stated(), stated(go_no_go=NO_GO)), False, True, False),
    (Change("a no-go lifted", stated(go_no_go=NO_GO), stated(go_no_go=GO)), False, False, True),
    (
        Change(
            "a no-go given again", stated(go_no_go=NO_GO), stated(go_no_go=("answered", "nogo"))
        ),
        False,
        False,
        False,
    ),
    (
        Change(
            "the last open one, under a no-go",
            stated(budget=SKIPPED, go_no_go=NO_GO),
            stated(go_no_go=NO_GO),
        ),
        True,
        False,
        False,
    ),
    (
        Change(
            "lifted, one still open",
            stated(budget=SKIPPED, go_no_go=NO_GO),
            stated(budget=SKIPPED, go_no_go=GO),
        ),
        False,
        False,
        True,
    ),
    (
        # a skip takes the decision back: the gate waits for it again, nothing is lifted
        Change("a no-go skipped", stated(go_no_go=NO_GO), stated(go_no_go=SKIPPED)),
        False,
        False,
        False,
    ),
]


@pytest.mark.parametrize(
    ("change", "all_", "decided", "lifted"), NEWS, ids=[n[0].what for n in NEWS]
)
def test_gate_news(change: Change, all_: bool, decided: bool, lifted: bool) -> None:
    news = change.news()
    assert (news.answered_all, news.no_go_decided, news.no_go_lifted) == (all_, decided, lifted)


# (the change, in the current stage?, said in the line, never said in it)
LINES = [
    (NEWS[0][0], True, "answered now: `/mle stage churn next` moves on", "no-go"),
    (NEWS[5][0], True, "but the team's *no-go* at Q7 still closes the gate", "moves on"),
    (NEWS[2][0], True, "⛔ This *no-go* closes the scoping gate", "moves on"),
    (
        NEWS[3][0],
        True,
        "lifted and the scoping gate passes now: `/mle stage churn next` moves on",
        "⛔",
    ),
    (NEWS[6][0], True, "still waits for 1 required question(s): Q5", "moves on"),
    (NEWS[0][0], False, "Every required scoping question is answered now.", "moves on"),
    (NEWS[2][0], False, "", "no-go"),  # a past stage's gate holds nothing any more
    (NEWS[1][0], True, "", "gate"),  # nothing changed about the gate: nothing said
]


@pytest.mark.parametrize(
    ("change", "current", "said", "unsaid"),
    LINES,
    ids=[f"{c.what}{'' if current else ', a past stage'}" for c, current, _, _ in LINES],
)
def test_gate_lines(change: Change, current: bool, said: str, unsaid: str) -> None:
    text = "\n".join(gate_lines(change.news(), SCOPING, "scoping", "churn", current))
    assert said in text
    assert unsaid not in text


def test_the_retrospective_has_no_stage_after_it() -> None:
    news = NEWS[0][0].news()  # every required question answered now
    said = "\n".join(gate_lines(news, SCOPING, "closed", "churn", True))
    assert "question is answered now." in said and "moves on" not in said
