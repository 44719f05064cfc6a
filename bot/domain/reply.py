"""What a person's reply in a project thread means: pure, decided from the state the service
loaded (`ReplyState`) and the reply itself. The service applies the decision: rows to write,
a reaction, a message, the next question."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.answers import named_person, with_author, with_people
from bot.domain.bank import Kind, Question, Sets
from bot.domain.extension import BadExtension, Extension, read_extension
from bot.domain.flow import (
    Answer,
    Discussion,
    Early,
    Open,
    Unreadable,
    after,
    is_discussion,
    read_edit,
)
from bot.domain.flow import read_reply as read_for_question
from bot.domain.reading import model_metric_named

# `Q4: …` (or `q4 - …`, `Q4) …`) answers question 4 of the stage whenever it comes.
_NUMBERED = re.compile(r"^\s*[Qq](?P<n>\d{1,2})\s*[:.)\-–—]\s*(?P<text>\S.*)$", re.DOTALL)


@dataclass(frozen=True)
class ReplyState:
    """The thread as the database has it when the reply is taken."""

    questions: tuple[Question, ...]  # the current stage's interview
    position: int | None  # the pending question's index in `order`; None: no interview
    question_ts: str | None  # when the pending question was posted (None: not yet)
    posting: bool  # the pending question is on its way to Slack (its ts not known yet)
    checkin_ts: str | None  # the latest check-in posted in the thread
    seen: bool  # this message was taken before (Slack delivered it again)
    warned: bool = False  # the pending KPI question was told it got a model metric
    order: tuple[int, ...] = ()  # the questions as asked (indexes): every one, then a second
    # round of required ones left open; empty: every question once, in bank order

    def asking(self) -> tuple[int, ...]:
        return self.order or tuple(range(len(self.questions)))


@dataclass(frozen=True)
class Reply:
    ts: str
    user: str
    text: str
    # members named without the @ (name → user id), as looked up; None: not looked up
    people: Mapping[str, str] | None = None
    as_answer: bool = False  # the person said it answers the pending question (a button)


@dataclass(frozen=True)
class Ignore:
    """Discussion, a repeat, or a thread with nothing pending."""


@dataclass(frozen=True)
class Wait:
    """The pending question is being posted: decide again once its ts is known."""


@dataclass(frozen=True)
class CheckinNote:
    """A reply to the latest check-in; when it came after the pending question was asked,
    that question is asked again below it (`ask_again`)."""

    extension: Extension | BadExtension | None
    ask_again: bool


@dataclass(frozen=True)
class Note:
    """Kept, but not an answer: written before the question was asked (`early`), or not
    readable as the question's kind (`reason` says why); the question is asked again."""

    question: Question
    number: int
    total: int
    early: bool
    reason: str = ""


@dataclass(frozen=True)
class Challenge:
    """The KPI question answered with a model metric: kept as a note, explained, asked again;
    the same answer a second time is recorded (flagged)."""

    question: Question
    number: int
    total: int
    metric: str


@dataclass(frozen=True)
class Record:
    """An answer (`status` answered), a skip, or a non-answer that leaves the question open.
    `pending`: it answers the pending question and the interview moves on; otherwise (a
    `Q4: …` reply) it answers another question of the stage and the pending one stays."""

    question: Question
    number: int
    total: int
    status: str  # answered | skipped | open
    text: str
    time_box_days: int | None  # the answer sets the stage's time box
    finished: bool  # the last question: what comes next is decided by the service
    pending: bool = True
    flagged: str | None = None  # a model metric kept as the KPI after the challenge

    @property
    def answered(self) -> bool:
        return self.status == "answered"


@dataclass(frozen=True)
class Refused:
    """A `Q4: …` reply that could not be taken (no such question, unreadable). `unreadable`:
    why the answer could not be read, when that was it."""

    reason: str
    unreadable: str = ""


@dataclass(frozen=True)
class Which:
    """A reply to the latest check-in that also reads as an answer of the pending question's
    kind (a duration, a number with its unit, a person): asked with two buttons, not guessed."""

    question: Question
    number: int


Decision = Ignore | Wait | CheckinNote | Which | Note | Challenge | Record | Refused


def _reads_as_answer(question: Question, text: str) -> bool:
    """Whether a reply gives what the question asks for, beyond doubt of its kind."""
    if question.kind not in (Kind.DURATION, Kind.NUMBER, Kind.USER):
        return False
    reading = read_edit(question, text)
    if not isinstance(reading, Answer):
        return False
    return question.kind is not Kind.NUMBER or bool(reading.parsed.unit)


def numbered(text: str) -> tuple[int, str] | None:
    """(4, "the answer") for a reply `Q4: the answer`; None otherwise."""
    match = _NUMBERED.match(text)
    return (int(match.group("n")), match.group("text").strip()) if match else None


def name_to_look_up(state: ReplyState, reply: Reply) -> str | None:
    """The name to look up among the members before the reply is read (`carol from
    finance` to a person question); None when there is none or it was looked up."""
    if reply.people is not None or state.seen or not state.questions:
        return None
    prefixed = numbered(reply.text)
    text = reply.text
    if prefixed is not None:
        number, text = prefixed
        question = state.questions[number - 1] if 1 <= number <= len(state.questions) else None
    else:
        order, position = state.asking(), state.position
        asking = position is not None and position < len(order)
        question = state.questions[order[position]] if position is not None and asking else None
    if question is None or question.kind is not Kind.USER:
        return None
    return named_person(text)


def _numbered_answer(
    state: ReplyState, number: int, text: str, user: str, people: Mapping[str, str]
) -> Decision:
    """`Q4: …` answers Q4 of the stage, whenever it comes; pending or not."""
    total = len(state.questions)
    if not 1 <= number <= total:
        return Refused(f"this stage has questions Q1 to Q{total}; there is no Q{number}")
    question = state.questions[number - 1]
    reading = read_edit(question, with_people(question, with_author(question, text, user), people))
    if isinstance(reading, Discussion):
        return Ignore()
    if isinstance(reading, Unreadable):
        return Refused(f"Q{number} not recorded: {reading.reason}", reading.reason)
    order = state.asking()
    asking = state.position is not None and state.position < len(order)
    pending = asking and state.position is not None and order[state.position] == number - 1
    return _record(state, question, number, reading, text, pending=pending)


def _record(
    state: ReplyState,
    question: Question,
    number: int,
    reading: Answer | Open | object,
    text: str,
    *,
    pending: bool,
    flagged: str | None = None,
) -> Record:
    total = len(state.questions)
    status = "answered" if isinstance(reading, Answer) else "open"
    if not isinstance(reading, (Answer, Open)):
        status = "skipped"
    time_box = None
    if isinstance(reading, Answer) and question.sets is Sets.TIME_BOX:
        time_box = reading.parsed.days
    position = state.position if state.position is not None else 0
    return Record(
        question=question,
        number=number,
        total=total,
        status=status,
        text=reading.parsed.text if isinstance(reading, Answer) else text.strip(),
        time_box_days=time_box,
        finished=pending and position + 1 >= len(state.asking()),
        pending=pending,
        flagged=flagged,
    )


def decide_reply(state: ReplyState, reply: Reply, *, patient: bool = True) -> Decision:
    """`patient` is False once the caller has waited long enough for a question's post."""
    if state.seen or is_discussion(reply.text):
        return Ignore()
    order = state.asking()
    asking = state.position is not None and state.position < len(order)
    if asking and patient and state.posting:
        return Wait()
    prefixed = numbered(reply.text)
    if prefixed is not None and state.questions:
        number, text = prefixed  # `Q4: …` answers Q4, whenever it comes
        return _numbered_answer(state, number, text, reply.user, reply.people or {})
    if (
        not reply.as_answer
        and state.checkin_ts is not None
        and after(reply.ts, state.checkin_ts)
        and (not asking or state.question_ts is None or after(state.checkin_ts, state.question_ts))
    ):
        if asking and state.position is not None and state.question_ts is not None:
            index = order[state.position]
            question = state.questions[index]
            said = with_people(
                question, with_author(question, reply.text, reply.user), reply.people or {}
            )
            if _reads_as_answer(question, said):
                return Which(question, index + 1)
        return CheckinNote(read_extension(reply.text), ask_again=asking)
    if not asking or state.position is None:
        return Ignore()
    index = order[state.position]
    question = state.questions[index]
    number = index + 1
    total = len(state.questions)
    said = with_people(question, with_author(question, reply.text, reply.user), reply.people or {})
    reading = read_for_question(question, state.question_ts, reply.ts, said)
    if isinstance(reading, Discussion):
        return Ignore()
    if isinstance(reading, Early):
        return Note(question, number, total, early=True)
    if isinstance(reading, Unreadable):
        return Note(question, number, total, early=False, reason=reading.reason)
    flagged = None
    if isinstance(reading, Answer) and question.sets is Sets.KPI:
        flagged = model_metric_named(reading.parsed.text)
        if flagged and not state.warned:
            return Challenge(question, number, total, flagged)
    return _record(state, question, number, reading, reply.text, pending=True, flagged=flagged)
