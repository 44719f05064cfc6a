"""What the product already knows about a project, for its retrospective: days per stage
against each time box, gates forced, blockers and how long they lasted, and where each
model's business KPI stood at close."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import clip, esc
from bot.domain.business_rules import beats
from bot.domain.reading import show
from bot.domain.stages import INTERVIEW_STAGES, Stage
from storage.rows import ProjectRow
from storage.store import Tx


def days_between(start: datetime, end: datetime) -> int:
    """Whole days, rounded: a stay from one Monday 10:00 to the next is 7 days."""
    return max(0, round((end - start).total_seconds() / 86400))


def stage_days(tx: Tx, project: ProjectRow, now: datetime) -> list[tuple[str, int, int | None]]:
    """(stage, days spent, time box) for each stage the project was in, in order; a stage
    entered again (after a reopen, or a move back) adds to its first stay."""
    timeline = tx.projects.timeline(project.team_id, project.id)
    spent: dict[str, int] = {}
    boxes: dict[str, int | None] = {}
    for (stage, entered, _, box), following in zip(timeline, [*timeline[1:], None], strict=True):
        if stage == Stage.CLOSED:
            continue
        end = following[1] if following else now
        spent[stage] = spent.get(stage, 0) + days_between(entered, end)
        boxes[stage] = box if box is not None else boxes.get(stage)
    return [(stage, days, boxes[stage]) for stage, days in spent.items()]


def record_lines(tx: Tx, project: ProjectRow, now: datetime) -> list[str]:
    lines = []
    for stage, days, box in stage_days(tx, project, now):
        limit = f" of a {box}-day time box" + (" ⚠️" if days > box else "") if box else ""
        lines.append(f"• {stage}: {days} day{'s' if days != 1 else ''}{limit}")
    forced = [
        stage
        for stage, _, was_forced, _ in tx.projects.timeline(project.team_id, project.id)
        if was_forced
    ]
    if forced:
        lines.append(f"• gates forced: into {', '.join(forced)}")
    entered = {stage for stage, _, _, _ in tx.projects.timeline(project.team_id, project.id)}
    reached = [s.value for s in INTERVIEW_STAGES if s.value in entered]
    if reached:
        last = max(INTERVIEW_STAGES.index(Stage(s)) for s in reached)
        never = [s.value for s in INTERVIEW_STAGES[:last] if s.value not in entered]
        if never:
            lines.append(f"• stages skipped: {', '.join(never)}")
    for blocker in tx.blockers.for_project(project.team_id, project.id):
        end = blocker.cleared_at if blocker.cleared_at else now
        state = "" if blocker.cleared_at else " (still open)"
        lines.append(
            f"• blocked {days_between(blocker.raised_at, end)} day(s){state}: "
            f"“{esc(clip(blocker.what, 120))}”"
        )
    return [*lines, *kpi_lines(tx, project)]


def kpi_lines(tx: Tx, project: ProjectRow) -> list[str]:
    """Where each model's business KPI stands: the latest value against baseline and target."""
    lines = []
    models = tx.models.for_project(project.team_id, project.id)
    metrics = tx.metrics.for_models([(m.team_id, m.id) for m in models])
    values = tx.metrics.values_for(
        [(project.team_id, k.id) for found in metrics.values() for k in found]
    )
    for model in models:
        kpis = metrics.get(model.id, [])
        if not kpis:
            lines.append(f"• *{esc(model.name)}*: no business KPI was ever defined")
        for kpi in kpis:
            seen = values.get(kpi.id, [])
            latest = seen[-1].value if seen else None
            where = "no value reported" if latest is None else show(latest, kpi.unit)
            verdict = ""
            if latest is not None and kpi.baseline is not None:
                better = beats(latest, kpi.baseline, kpi.direction)
                verdict = " — beats its baseline" if better else " — does not beat its baseline"
                if kpi.target is not None and (
                    latest == kpi.target or beats(latest, kpi.target, kpi.direction)
                ):
                    verdict = " — reached its target ✅"
            bounds = ", ".join(
                f"{label} {show(value, kpi.unit)}"
                for label, value in (("baseline", kpi.baseline), ("target", kpi.target))
                if value is not None
            )
            shown = f"{where} ({bounds})" if bounds else where
            lines.append(f"• *{esc(model.name)}* {esc(kpi.name)}: {shown}{verdict}")
    return lines
