"""What a thread reply means for the interview; pure."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.answers import Parsed, Rejected, read_answer
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
class Discussion:
    pass


@dataclass(frozen=True)
class Early:
    """Written before the current question was asked (or while it could not be posted)."""


@dataclass(frozen=True)
class Unreadable:
    reason: str


Reading = Answer | Skip | Discussion | Early | Unreadable


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


def read_edit(question: Question, text: str) -> Answer | Skip | Discussion | Unreadable:
    """A reply (or an edited answer) read by the question's kind."""
    if is_discussion(text):
        return Discussion()
    if text.strip().lower() in SKIP_WORDS:
        return Skip()
    result = read_answer(question, text)
    if isinstance(result, Rejected):
        return Unreadable(result.reason)
    return Answer(result)
