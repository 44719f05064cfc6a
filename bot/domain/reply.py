"""What a person's reply in a project thread means: pure, decided from the state the service
loaded (`ReplyState`) and the reply itself. The service applies the decision: rows to write,
a reaction, a message, the next question."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.bank import Question, Sets
from bot.domain.extension import BadExtension, Extension, read_extension
from bot.domain.flow import Answer, Discussion, Early, Unreadable, after, is_discussion
from bot.domain.flow import read_reply as read_for_question


@dataclass(frozen=True)
class ReplyState:
    """The thread as the database has it when the reply is taken."""

    questions: tuple[Question, ...]  # the current stage's interview
    position: int | None  # the pending question's index; None: no interview in this stage
    question_ts: str | None  # when the pending question was posted (None: not yet)
    posting: bool  # the pending question is on its way to Slack (its ts not known yet)
    checkin_ts: str | None  # the latest check-in posted in the thread
    seen: bool  # this message was taken before (Slack delivered it again)


@dataclass(frozen=True)
class Reply:
    ts: str
    user: str
    text: str


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
class Record:
    """The pending question's answer (or `skipped`); the interview moves on."""

    question: Question
    number: int
    total: int
    answered: bool
    text: str
    time_box_days: int | None  # the answer sets the stage's time box
    finished: bool  # the last question: the brief comes next


Decision = Ignore | Wait | CheckinNote | Note | Record


def decide_reply(state: ReplyState, reply: Reply, *, patient: bool = True) -> Decision:
    """`patient` is False once the caller has waited long enough for a question's post."""
    if state.seen or is_discussion(reply.text):
        return Ignore()
    total = len(state.questions)
    asking = state.position is not None and state.position < total
    if asking and patient and state.posting:
        return Wait()
    if (
        state.checkin_ts is not None
        and after(reply.ts, state.checkin_ts)
        and (not asking or state.question_ts is None or after(state.checkin_ts, state.question_ts))
    ):
        return CheckinNote(read_extension(reply.text), ask_again=asking)
    if not asking or state.position is None:
        return Ignore()
    question = state.questions[state.position]
    number = state.position + 1
    reading = read_for_question(question, state.question_ts, reply.ts, reply.text)
    if isinstance(reading, Discussion):
        return Ignore()
    if isinstance(reading, Early):
        return Note(question, number, total, early=True)
    if isinstance(reading, Unreadable):
        return Note(question, number, total, early=False, reason=reading.reason)
    answered = isinstance(reading, Answer)
    time_box = None
    if isinstance(reading, Answer) and question.sets is Sets.TIME_BOX:
        time_box = reading.parsed.days
    return Record(
        question=question,
        number=number,
        total=total,
        answered=answered,
        text=reading.parsed.text if isinstance(reading, Answer) else reply.text,
        time_box_days=time_box,
        finished=number >= total,
    )
