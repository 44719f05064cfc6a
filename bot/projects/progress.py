"""Where projects stand: day in stage, time box, open required questions (batched reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import gates
from bot.domain.bank import Question, QuestionBank
from bot.domain.timebox import day_in_stage
from storage.rows import ProjectRow
from storage.store import Tx


@dataclass(frozen=True)
class Progress:
    day: int
    time_box: int | None
    missing: tuple[Question, ...]  # required questions of the current stage not answered

    @property
    def open_required(self) -> int:
        return len(self.missing)


def progress(
    tx: Tx, bank: QuestionBank, projects: list[ProjectRow], now: datetime
) -> dict[int, Progress]:
    """Project id → its progress, with three queries however many projects."""
    keys = [(p.team_id, p.id) for p in projects]
    statuses = tx.answers.statuses(keys)
    boxes = tx.projects.current_time_boxes(keys)
    return {
        p.id: Progress(
            day=day_in_stage(p.stage_entered_at, now, p.tz),
            time_box=boxes.get((p.id, p.stage)),
            missing=gates.gate(bank.questions(p.stage), statuses.get((p.id, p.stage), {})).missing,
        )
        for p in projects
    }
