"""The lifecycle stages in order."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    PLANNING = "planning"
    SCOPING = "scoping"
    EXPERIMENTATION = "experimentation"
    DEVELOPMENT = "development"
    DEPLOYMENT = "deployment"
    EVALUATION = "evaluation"
    CLOSED = "closed"


ORDER = list(Stage)
INTERVIEW_STAGES = ORDER[:-1]


def next_stage(stage: Stage) -> Stage | None:
    index = ORDER.index(stage)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def stage_label(stage: str) -> str:
    """How a stage reads in messages: the closed stage's interview is the retrospective."""
    return "retrospective" if stage == Stage.CLOSED else stage
