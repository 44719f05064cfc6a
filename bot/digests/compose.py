"""Gather a channel's digest inside the scheduler's claiming transaction."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import Post
from bot.digests import render
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import business_metrics, findings
from bot.models.facts import load_models
from bot.models.reminders import team_settings
from bot.projects.progress import progress
from bot.scheduling.compose import Composed, Composer
from storage.rows import DeliveryRow
from storage.store import Tx
from storage.timefmt import parse


def channel_digest(
    tx: Tx, bank: QuestionBank, team_id: str, channel: str, now: datetime
) -> list[Post]:
    projects = tx.projects.in_channel(team_id, channel)
    keys = [(team_id, p.id) for p in projects]
    where = progress(tx, bank, projects, now)
    project_facts = []
    for p in projects:
        checkin = tx.deliveries.latest_posted(team_id, "checkin", str(p.id))
        quiet = (
            parse(checkin.posted_at)
            if checkin and checkin.posted_at and checkin.responded_at is None
            else None
        )
        project_facts.append(
            render.ProjectFacts(
                name=p.name,
                stage=p.stage,
                day=where[p.id].day,
                time_box=where[p.id].time_box,
                open_required=where[p.id].open_required,
                unanswered_checkin=quiet,
            )
        )
    names = {p.id: p.name for p in projects}
    models = tx.models.deployed_in(keys)
    facts = load_models(tx, models)
    settings = team_settings(tx, team_id)
    model_facts = []
    for m in models:
        rules, _ = facts[m.id]
        failing = tuple(f.code for f in findings(rules, now, settings) if f.code != "F8")
        kpis = business_metrics(rules)
        kpi = kpis[0] if kpis else None
        model_facts.append(
            render.ModelFacts(
                name=m.name,
                project=names.get(m.project_id, "?"),
                failing=failing,
                kpi=kpi.name if kpi else None,
                latest=kpi.values[-1][0] if kpi and kpi.values else None,
                baseline=kpi.baseline if kpi else None,
                target=kpi.target if kpi else None,
                direction=kpi.direction if kpi else "higher",
                unit=kpi.unit if kpi else "",
            )
        )
    return render.digest(project_facts, model_facts)


def digest_composer(bank: QuestionBank) -> Composer:
    def compose(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
        out: list[Composed | None] = []
        for row in rows:
            posts = channel_digest(tx, bank, row.team_id, row.channel_id, now)
            first, rest = posts[0], posts[1:]
            out.append(
                Composed(
                    row.channel_id,
                    None,
                    first.text,
                    first.blocks,
                    f"digest for <#{row.channel_id}>",
                    tuple((p.text, p.blocks) for p in rest),
                )
            )
        return out

    return compose
