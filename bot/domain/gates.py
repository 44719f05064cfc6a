"""Stage gates: a stage may be left only when its required questions are answered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.domain.bank import Question


@dataclass(frozen=True)
class Gate:
    missing: tuple[Question, ...]

    @property
    def passes(self) -> bool:
        return not self.missing


def gate(questions: Iterable[Question], statuses: Mapping[str, str]) -> Gate:
    """`statuses` maps question keys to answer status (answered, skipped, withdrawn)."""
    return Gate(tuple(q for q in questions if q.required and statuses.get(q.key) != "answered"))
