"""Composers the ticker calls inside its claiming transaction."""

from __future__ import annotations

from datetime import datetime

from bot.checkins import render
from bot.domain import gates
from bot.domain.stages import Stage
from bot.domain.timebox import day_in_stage
from bot.interview.bank import QuestionBank
from bot.scheduling.compose import Composed, Composer
from storage.rows import DeliveryRow
from storage.sqlite.store import SqliteTx
from storage.timefmt import parse


def checkin_composer(bank: QuestionBank) -> Composer:
    def compose(tx: SqliteTx, row: DeliveryRow, now: datetime) -> Composed | None:
        project = tx.projects.get(row.team_id, int(row.subject))
        if project is None or project.thread_ts is None or project.stage == Stage.CLOSED:
            return None
        questions = bank.questions(project.stage)
        answers = tx.answers.for_project(project.team_id, project.id, project.stage)
        result = gates.gate(questions, {a.question_key: a.status for a in answers})
        post = render.checkin(
            name=project.name,
            slug=project.slug,
            stage=project.stage,
            day=day_in_stage(parse(project.stage_entered_at), now, project.tz),
            time_box=tx.projects.time_box(project.team_id, project.id, project.stage),
            questions=questions,
            result=result,
            value=f"{project.id}:{row.id}",
        )
        return Composed(
            project.channel_id,
            project.thread_ts,
            post.text,
            post.blocks,
            f"{project.name} ({project.stage})",
        )

    return compose


def nudge_composer(tx: SqliteTx, row: DeliveryRow, now: datetime) -> Composed | None:
    checkin = tx.deliveries.get(row.team_id, int(row.subject))
    if checkin is None or checkin.responded_at is not None:
        return None
    project = tx.projects.get(row.team_id, int(checkin.subject))
    if project is None or project.thread_ts is None:
        return None
    post = render.nudge(owner=project.owner_id, name=project.name)
    return Composed(
        project.channel_id,
        project.thread_ts,
        post.text,
        post.blocks,
        f"{project.name}: nobody answered the check-in",
    )
