"""Composers the ticker calls inside its claiming transaction."""

from __future__ import annotations

from datetime import datetime

from bot.checkins import render
from bot.domain import gates
from bot.domain.bank import QuestionBank
from bot.domain.stages import Stage
from bot.projects.progress import progress
from bot.scheduling.compose import Composed, Composer
from storage.rows import DeliveryRow
from storage.store import Tx


def checkin_composer(bank: QuestionBank) -> Composer:
    def compose(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
        keys = [(r.team_id, int(r.subject)) for r in rows]
        projects = tx.projects.many(keys)
        where = progress(tx, bank, list(projects.values()), now)
        out: list[Composed | None] = []
        for row in rows:
            project = projects.get((row.team_id, int(row.subject)))
            if project is None or project.thread_ts is None or project.stage == Stage.CLOSED:
                out.append(None)
                continue
            stands = where[project.id]
            post = render.checkin(
                name=project.name,
                slug=project.slug,
                stage=project.stage,
                day=stands.day,
                time_box=stands.time_box,
                questions=bank.questions(project.stage),
                result=gates.Gate(stands.missing),
                value=f"{project.id}:{row.id}",
            )
            out.append(
                Composed(
                    project.channel_id,
                    project.thread_ts,
                    post.text,
                    post.blocks,
                    f"{project.name} ({project.stage})",
                )
            )
        return out

    return compose


def nudge_composer(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
    return [_nudge(tx, row) for row in rows]


def _nudge(tx: Tx, row: DeliveryRow) -> Composed | None:
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
