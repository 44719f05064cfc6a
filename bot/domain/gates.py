"""Stage gates: a stage may be left only when its required questions are answered and no
go / no-go question of it was answered `no-go`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.domain.answers import Parsed, read_answer
from bot.domain.bank import NO_GO, Question, Sets


@dataclass(frozen=True)
class NoGo:
    """The team decided not to go on: who, when, why (the reason given after the choice)."""

    question: Question
    by: str
    at: datetime
    reason: str


@dataclass(frozen=True)
class Gate:
    missing: tuple[Question, ...]
    no_go: NoGo | None = None

    @property
    def passes(self) -> bool:
        return not self.missing and self.no_go is None


def gate(questions: Iterable[Question], statuses: Mapping[str, str]) -> Gate:
    """`statuses` maps question keys to answer status (answered, skipped, open, withdrawn)."""
    return Gate(tuple(q for q in questions if q.required and statuses.get(q.key) != "answered"))


@dataclass(frozen=True)
class Given:
    """An answer as the gate reads it."""

    status: str
    text: str
    author_id: str
    updated_at: datetime


def read_gate(questions: tuple[Question, ...], answers: Mapping[str, Given]) -> Gate:
    """The gate from the answers' content: required ones missing, and a `no-go` decision."""
    missing = gate(questions, {k: a.status for k, a in answers.items()}).missing
    for question in questions:
        given = answers.get(question.key)
        if question.sets is not Sets.DECISION or given is None or given.status != "answered":
            continue
        reading = read_answer(question, given.text)
        if isinstance(reading, Parsed) and reading.choice == NO_GO:
            return Gate(missing, NoGo(question, given.author_id, given.updated_at, reading.reason))
    return Gate(missing)
