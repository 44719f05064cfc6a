"""The question bank: its types, and YAML text validated with pydantic (bot/bank_file.py
reads the file)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.domain.stages import INTERVIEW_STAGES, Stage

SOURCE_KEYS = ("W", "MTS", "RoML", "MLC", "CD", "CMQ", "FSDL", "SC", "MLF")


NO_GO = "no-go"


class Kind(StrEnum):
    TEXT = "text"
    DURATION = "duration"
    NUMBER = "number"
    USER = "user"
    CHOICE = "choice"
    CHOICES = "choices"  # several of a numbered list: `1, 5` or their names


class Sets(StrEnum):
    TIME_BOX = "time_box"
    KPI = "kpi"  # the business KPI's name
    KPI_BASELINE = "kpi_baseline"
    KPI_TARGET = "kpi_target"
    KPI_OWNER = "kpi_owner"
    DECISION = "decision"  # a go / no-go: `no-go` closes the way to the next stage


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z][a-z0-9_]{0,40}$")
    text: str = Field(min_length=3, max_length=500)
    why: str = Field(min_length=3, max_length=600)
    required: bool = False
    kind: Kind = Kind.TEXT
    choices: tuple[str, ...] = ()
    sets: Sets | None = None
    # for a yes/no question written as text: the answer a brief lists under Risks
    risk_if: Literal["yes", "no"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind in (Kind.CHOICE, Kind.CHOICES) and len(self.choices) < 2:
            raise ValueError(f"a {self.kind} question needs at least two choices")
        if self.kind not in (Kind.CHOICE, Kind.CHOICES) and self.choices:
            raise ValueError("choices are only for kind: choice or choices")
        if self.risk_if is not None and self.kind is not Kind.TEXT:
            raise ValueError("risk_if is for kind: text (a yes/no question answered in words)")
        if self.sets is Sets.TIME_BOX and self.kind is not Kind.DURATION:
            raise ValueError("sets: time_box needs kind: duration")
        if self.sets in (Sets.KPI_BASELINE, Sets.KPI_TARGET) and self.kind is not Kind.NUMBER:
            raise ValueError(f"sets: {self.sets} needs kind: number")
        if self.sets is Sets.KPI_OWNER and self.kind is not Kind.USER:
            raise ValueError("sets: kpi_owner needs kind: user")
        if self.sets is Sets.DECISION and (
            self.kind is not Kind.CHOICE or NO_GO not in self.choices
        ):
            raise ValueError(f"sets: decision needs kind: choice with the choice `{NO_GO}`")
        if not any(key in self.why for key in SOURCE_KEYS):
            raise ValueError(f"why must cite a source key ({', '.join(SOURCE_KEYS)})")
        return self


class QuestionBank(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    stages: dict[Stage, tuple[Question, ...]]

    @model_validator(mode="after")
    def _complete(self) -> QuestionBank:
        for stage in INTERVIEW_STAGES:
            questions = self.stages.get(stage)
            if not questions:
                raise ValueError(f"stage {stage.value} has no questions")
            keys = [q.key for q in questions]
            duplicate = next((k for k in keys if keys.count(k) > 1), None)
            if duplicate:
                raise ValueError(f"stage {stage.value}: question key {duplicate} is repeated")
        return self  # `closed`, if present, is the retrospective asked when a project closes

    def questions(self, stage: Stage | str) -> tuple[Question, ...]:
        return self.stages.get(Stage(stage), ())


def numbers(questions: tuple[Question, ...]) -> dict[str, int]:
    """Question key → its number in the stage's interview (1-based)."""
    return {q.key: i for i, q in enumerate(questions, start=1)}


class BankError(Exception):
    """An invalid question bank file: names the file, the entry and what is wrong."""


def _where(loc: tuple[Any, ...], data: Any) -> str:
    parts = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            entry = node[part]
            key = entry.get("key") if isinstance(entry, dict) else None
            parts.append(f"question {part + 1}" + (f" ({key})" if key else ""))
            node = entry
        elif isinstance(node, dict) and part in node:
            parts.append(str(part))
            node = node[part]
        elif i < len(loc):
            parts.append(str(part))
    return " › ".join(parts) or "top level"


def parse_bank(text: str, name: str) -> QuestionBank:
    """A bank from its YAML text; `name` says where it came from in errors."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise BankError(f"{name}: not valid YAML ({str(exc).splitlines()[0]})") from None
    try:
        return QuestionBank.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        raise BankError(f"{name}: {_where(tuple(error['loc']), data)}: {message}") from None
