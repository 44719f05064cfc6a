"""Where projects stand: day in stage, time box, open required questions, a no-go (batched
reads)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain import gates
from bot.domain.bank import Question, QuestionBank, Sets
from bot.domain.stages import ORDER
from bot.domain.timebox import day_in_stage
from storage.rows import ProjectRow
from storage.store import Tx


@dataclass(frozen=True)
class Progress:
    day: int
    time_box: int | None
    missing: tuple[Question, ...]  # required questions of the current stage not answered
    no_go: gates.NoGo | None = None  # the team decided not to go on: the gate stays closed

    @property
    def open_required(self) -> int:
        return len(self.missing)

    @property
    def gate(self) -> gates.Gate:
        return gates.Gate(self.missing, self.no_go)


def progress(
    tx: Tx, bank: QuestionBank, projects: list[ProjectRow], now: datetime
) -> dict[int, Progress]:
    """Project id → its progress, with four queries however many projects."""
    keys = [(p.team_id, p.id) for p in projects]
    statuses = tx.answers.statuses(keys)
    boxes = tx.projects.current_time_boxes(keys)
    decisions: dict[tuple[int, str], dict[str, gates.Given]] = {}
    for a in tx.answers.answered_to(keys, _decision_keys(bank)):
        decisions.setdefault((a.project_id, a.stage), {})[a.question_key] = gates.Given(
            a.status, a.text, a.author_id, a.updated_at
        )
    return {
        p.id: Progress(
            day=day_in_stage(p.stage_entered_at, now, p.tz),
            time_box=boxes.get((p.id, p.stage)),
            missing=gates.gate(bank.questions(p.stage), statuses.get((p.id, p.stage), {})).missing,
            no_go=gates.read_gate(
                bank.questions(p.stage), decisions.get((p.id, p.stage), {})
            ).no_go,
        )
        for p in projects
    }


def _decision_keys(bank: QuestionBank) -> list[str]:
    """The keys of every stage's go / no-go questions."""
    return sorted(
        {q.key for stage in ORDER for q in bank.questions(stage) if q.sets is Sets.DECISION}
    )
