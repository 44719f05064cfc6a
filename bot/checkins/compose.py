"""Composers the ticker calls inside its claiming transaction."""

from __future__ import annotations

from datetime import datetime

from bot.checkins import render
from bot.domain import flow
from bot.domain.bank import QuestionBank
from bot.domain.stages import Stage
from bot.projects.progress import progress
from bot.scheduling.compose import Composed, Composer
from storage.rows import DeliveryRow, ProjectRow
from storage.store import Tx


def checkin_composer(bank: QuestionBank) -> Composer:
    def compose(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
        keys = [(r.team_id, int(r.subject)) for r in rows]
        projects = tx.projects.many(keys)
        where = progress(tx, bank, list(projects.values()), now)
        blockers = tx.blockers.open_for(keys)
        last = _last_notes(tx, rows)
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
                result=stands.gate,
                value=f"{project.id}:{row.id}",
                owner=project.owner_id,
                pending=_pending_question(tx, bank, project),
                last=last.get((row.team_id, row.subject), ()),
                blocked=tuple(
                    render.Blocked(b.what, f"{b.raised_at:%Y-%m-%d}", b.unblocker_id)
                    for b in blockers.get(project.id, [])
                ),
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


def _pending_question(tx: Tx, bank: QuestionBank, project: ProjectRow) -> int | None:
    """The number of the interview question waiting for an answer, if any."""
    interview = tx.interviews.get(project.team_id, project.id, project.stage)
    if interview is None or interview.status != "active" or interview.question_ts is None:
        return None
    questions = bank.questions(project.stage)
    order = flow.asking_order(questions, interview.second_round())
    return order[interview.position] + 1 if interview.position < len(order) else None


def _last_notes(tx: Tx, rows: list[DeliveryRow]) -> dict[tuple[str, str], tuple[render.Said, ...]]:
    """(team, project id) → the notes replied to its previous check-in (the one posted last)."""
    out: dict[tuple[str, str], tuple[render.Said, ...]] = {}
    teams = sorted({r.team_id for r in rows})
    for team_id in teams:
        subjects = [r.subject for r in rows if r.team_id == team_id]
        previous = tx.deliveries.latest_posted_many(team_id, "checkin", subjects)
        notes = tx.notes.for_deliveries(team_id, [d.id for d in previous.values()])
        for subject, delivery in previous.items():
            said = notes.get(delivery.id, [])
            out[(team_id, subject)] = tuple(render.Said(n.author_id, n.text) for n in said)
    return out


def nudge_composer(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
    return [_nudge(tx, row) for row in rows]


def _nudge(tx: Tx, row: DeliveryRow) -> Composed | None:
    checkin = tx.deliveries.get(row.team_id, int(row.subject))
    if checkin is None or checkin.responded_at is not None:
        return None
    project = tx.projects.get(row.team_id, int(checkin.subject))
    if project is None or project.thread_ts is None or project.stage == Stage.CLOSED:
        return None
    newer = [
        d
        for d in tx.deliveries.for_subject(row.team_id, "checkin", checkin.subject)
        if d.id > checkin.id
    ]
    if newer:
        return None  # a newer check-in is out (or going out): a nudge would be noise
    answered = {
        n.author_id for n in tx.notes.for_deliveries(row.team_id, [checkin.id]).get(checkin.id, [])
    }
    people = tuple(
        dict.fromkeys(
            a.author_id
            for a in tx.answers.for_project(project.team_id, project.id)
            if a.author_id not in answered
        )
    )
    post = render.nudge(people=people or (project.owner_id,), name=project.name)
    return Composed(
        project.channel_id,
        project.thread_ts,
        post.text,
        post.blocks,
        f"{project.name}: nobody answered the check-in",
    )
