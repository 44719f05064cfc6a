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


def no_go_in(
    questions: Iterable[Question], answered: Mapping[str, str]
) -> tuple[Question, str] | None:
    """The first go / no-go question answered `no-go`, with the reason given after it;
    `answered` maps the keys of answered questions to their text."""
    for question in questions:
        text = answered.get(question.key)
        if question.sets is not Sets.DECISION or text is None:
            continue
        reading = read_answer(question, text)
        if isinstance(reading, Parsed) and reading.choice == NO_GO:
            return question, reading.reason
    return None


def read_gate(questions: tuple[Question, ...], answers: Mapping[str, Given]) -> Gate:
    """The gate from the answers' content: required ones missing, and a `no-go` decision."""
    missing = gate(questions, {k: a.status for k, a in answers.items()}).missing
    answered = {k: a.text for k, a in answers.items() if a.status == "answered"}
    found = no_go_in(questions, answered)
    if found is None:
        return Gate(missing)
    question, reason = found
    given = answers[question.key]
    return Gate(missing, NoGo(question, given.author_id, given.updated_at, reason))


@dataclass(frozen=True)
class GateNews:
    """What an answer changed about its stage's gate, worth a line in the thread: all
    required questions answered now (`answered_all`), a no-go decided or lifted; with what
    still holds the gate after it (`missing`, `no_go`)."""

    answered_all: bool
    no_go_decided: bool
    no_go_lifted: bool
    missing: tuple[Question, ...]
    no_go: Question | None

    @property
    def any(self) -> bool:
        return self.answered_all or self.no_go_decided or self.no_go_lifted


def gate_news(
    questions: tuple[Question, ...],
    before: Mapping[str, tuple[str, str]],
    after: Mapping[str, tuple[str, str]],
) -> GateNews:
    """The gate before and after an answer; `before`/`after` map question keys to (status,
    text)."""

    def read(stated: Mapping[str, tuple[str, str]]) -> tuple[tuple[Question, ...], Question | None]:
        missing = gate(questions, {k: status for k, (status, _) in stated.items()}).missing
        answered = {k: text for k, (status, text) in stated.items() if status == "answered"}
        found = no_go_in(questions, answered)
        return missing, found[0] if found else None

    was_missing, was_no_go = read(before)
    missing, no_go = read(after)
    # lifted: the decision answered otherwise (a skip only takes the decision back: the gate
    # then waits for it as for any open question, and says nothing of a lift)
    decided_again = was_no_go is not None and after.get(was_no_go.key, ("", ""))[0] == "answered"
    return GateNews(
        answered_all=bool(was_missing) and not missing,
        no_go_decided=was_no_go is None and no_go is not None,
        no_go_lifted=was_no_go is not None and no_go is None and decided_again,
        missing=missing,
        no_go=no_go,
    )
