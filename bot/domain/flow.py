"""What a thread reply means for the interview; pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.answers import NonAnswer, Parsed, Rejected, read_answer
from bot.domain.bank import Question
from bot.domain.names import ts_key

SKIP_WORDS = {"skip", "/skip", "pass"}


@dataclass(frozen=True)
class Answer:
    parsed: Parsed


@dataclass(frozen=True)
class Skip:
    pass


@dataclass(frozen=True)
class Open:
    """A non-answer (`tbd`, `unknown` …) to a required question: kept, the question open."""

    text: str


@dataclass(frozen=True)
class Discussion:
    pass


@dataclass(frozen=True)
class Early:
    """Written before the current question was asked (or while it could not be posted)."""


@dataclass(frozen=True)
class Unreadable:
    reason: str


Reading = Answer | Skip | Open | Discussion | Early | Unreadable


def after(ts: str, other: str) -> bool:
    """Slack message `ts` came after message `other`."""
    return ts_key(ts) > ts_key(other)


def is_discussion(text: str) -> bool:
    return text.lstrip().startswith("//")


def read_reply(question: Question, question_ts: str | None, reply_ts: str, text: str) -> Reading:
    """A reply answers the pending question only if it came after that question was posted."""
    if is_discussion(text):
        return Discussion()
    if question_ts is None or ts_key(reply_ts) <= ts_key(question_ts):
        return Early()
    return read_edit(question, text)


def read_edit(question: Question, text: str) -> Answer | Skip | Open | Discussion | Unreadable:
    """A reply (or an edited answer) read by the question's kind."""
    if is_discussion(text):
        return Discussion()
    if text.strip().lower() in SKIP_WORDS:
        return Skip()
    result = read_answer(question, text)
    if isinstance(result, Rejected):
        return Unreadable(result.reason)
    if isinstance(result, NonAnswer):
        return Open(result.text)
    return Answer(result)


def second_round(questions: tuple[Question, ...], statuses: Mapping[str, str]) -> tuple[str, ...]:
    """The required questions left open (skipped, a non-answer, unanswered) when the first
    round ends: asked once more before the brief."""
    return tuple(q.key for q in questions if q.required and statuses.get(q.key) != "answered")


def asking_order(questions: tuple[Question, ...], reask: tuple[str, ...] | None) -> tuple[int, ...]:
    """Indexes of the questions in the order asked: each once, then the second round's."""
    index = {q.key: i for i, q in enumerate(questions)}
    again = tuple(index[k] for k in reask or () if k in index)
    return tuple(range(len(questions))) + again
