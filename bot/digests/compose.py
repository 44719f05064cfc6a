"""Gather a channel's digest inside the scheduler's claiming transaction."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from bot.blocks import Post
from bot.digests import render
from bot.domain import gates
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import business_metrics, findings
from bot.domain.stages import ORDER, Stage
from bot.models.facts import load_models
from bot.models.reminders import team_settings
from bot.projects.progress import progress
from bot.scheduling.compose import Composed, Composer
from storage.rows import DeliveryRow
from storage.store import Tx

QUIET = timedelta(days=1)
RESEARCH_DAYS = 30  # scoping or experimentation without a time box: flagged after this


def channel_digest(
    tx: Tx, bank: QuestionBank, team_id: str, channel: str, now: datetime
) -> list[Post]:
    everything = tx.projects.in_channel(team_id, channel)
    projects = [p for p in everything if p.stage != Stage.CLOSED]  # closed ones leave it
    keys = [(team_id, p.id) for p in projects]
    where = progress(tx, bank, projects, now)
    blockers = tx.blockers.open_for(keys)
    statuses = tx.answers.statuses(keys)
    stored = tx.workspaces.settings([team_id]).get(team_id, {})
    research = stored.get("research_days", RESEARCH_DAYS)
    project_facts = []
    for p in projects:
        checkin = tx.deliveries.latest_posted(team_id, "checkin", str(p.id))
        quiet = (
            checkin.posted_at
            if checkin and checkin.posted_at and checkin.responded_at is None
            else None
        )
        if quiet is not None and now - quiet < QUIET:
            quiet = None  # a check-in gets a day before it counts as unanswered
        project_facts.append(
            render.ProjectFacts(
                name=p.name,
                stage=p.stage,
                day=where[p.id].day,
                time_box=where[p.id].time_box,
                open_required=where[p.id].open_required,
                unanswered_checkin=quiet,
                blocked=tuple(
                    (b.what, f"{b.raised_at:%Y-%m-%d}", b.unblocker_id)
                    for b in blockers.get(p.id, [])
                ),
                research_limit=research if isinstance(research, int) else RESEARCH_DAYS,
                left_open=_left_open(bank, p.stage, statuses, p.id),
            )
        )
    names = {p.id: p.name for p in everything}
    models = tx.models.deployed_in([(team_id, p.id) for p in everything])  # still deployed
    facts = load_models(tx, models)
    settings = team_settings(tx, team_id)
    model_facts = []
    for m in models:
        rules, _ = facts[m.id]
        found = findings(rules, now, settings)
        failing = tuple(f.code for f in found if f.code != "F8")
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
                f8=any(f.code == "F8" for f in found),
            )
        )
    registry = None
    if stored.get("registry_channel") == channel:
        latest = tx.registry.latest(team_id)
        registry = render.registry_lines(json.loads(latest[1])) if latest else None
    return render.digest(project_facts, model_facts, len(everything) - len(projects), registry)


def _left_open(
    bank: QuestionBank,
    current: str,
    statuses: dict[tuple[int, str], dict[str, str]],
    project_id: int,
) -> tuple[tuple[str, int], ...]:
    """Earlier stages with required questions still open: only a forced move leaves them."""
    if current not in {s.value for s in ORDER}:
        return ()
    out = []
    for stage in ORDER[: ORDER.index(Stage(current))]:
        missing = gates.gate(bank.questions(stage), statuses.get((project_id, stage.value), {}))
        if missing.missing:
            out.append((stage.value, len(missing.missing)))
    return tuple(out)


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
