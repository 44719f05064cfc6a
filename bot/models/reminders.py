"""Evaluation reminders through the scheduler core.

A pass looks at the models whose `next_check_at` has come: while a rule F1–F7 holds (after the
grace period, not snoozed, not retired) a reminder delivery is queued once per reminder
interval (key `reminder:<model>:<interval number>`), and an F8 warning once per review cadence
(`f8:<model>:<cadence number>`). Composers re-check the rules when posting, so a reminder
whose rules were fixed in the meantime is skipped.
"""

from __future__ import annotations

import re
from datetime import datetime

from bot.domain.bank import QuestionBank
from bot.domain.business_rules import (
    Finding,
    Settings,
    findings,
    lacks_business_metrics,
    settings_from,
)
from bot.domain.business_rules import next_change as rules_change
from bot.domain.kpi import Stated, read_plan
from bot.models import render
from bot.models.facts import load_models
from bot.scheduling.compose import Composed, Composer
from bot.scheduling.ticker import BATCH
from storage.rows import DeliveryRow, ModelRow, NewDelivery, ProjectRow
from storage.store import Tx

# the outbox kinds of a model's reminders
REMINDER = "reminder"
F8 = "f8"


def team_settings(tx: Tx, team_id: str) -> Settings:
    """The workspace's grace period, reminder interval, review cadence and window."""
    return settings_from(tx.workspaces.settings([team_id]).get(team_id, {}))


def kpi_hint(tx: Tx, project: ProjectRow, bank: QuestionBank) -> render.KpiHint:
    """What planning said about the KPI (its questions seed it); a model metric named there is
    never suggested as the fix."""
    questions = bank.questions("planning")
    plan = read_plan(
        questions,
        {
            a.question_key: Stated(a.status, a.text)
            for a in tx.answers.for_project(project.team_id, project.id, "planning")
        },
    )
    name = plan.name if plan.name and not plan.model_metric else None
    if name:  # `monthly churn rate (share of paying accounts …)` → `monthly churn rate`
        name = re.sub(r"\s*\([^)]*\)", "", name).strip(" ,.;:-") or name
    return render.KpiHint(
        name=" ".join(name.split())[:80] if name else "<business KPI>",
        baseline=render.as_typed(plan.baseline.value, plan.baseline.unit)
        if plan.baseline
        else "<n>",
        target=render.as_typed(plan.target.value, plan.target.unit) if plan.target else "<n>",
        owner_id=plan.owner,
        direction=plan.direction,
        baseline_value=plan.baseline.value if plan.baseline else None,
        target_value=plan.target.value if plan.target else None,
        planning_metric=plan.model_metric,
    )


def queue_reminders(tx: Tx, now: datetime) -> None:
    while True:
        due = tx.models.due_for_check(now, BATCH)
        if not due:
            return
        facts = load_models(tx, due)
        projects = tx.projects.many([(m.team_id, m.project_id) for m in due])
        stored = tx.workspaces.settings([m.team_id for m in due])
        rows: list[NewDelivery] = []
        moves: list[tuple[datetime | None, int]] = []
        for model in due:
            project = projects.get((model.team_id, model.project_id))
            rules, _ = facts[model.id]
            settings = settings_from(stored.get(model.team_id, {}))
            start = rules.deployed_at + settings.grace
            snoozed = model.snoozed_until if model.snoozed_until else None
            if project is None:
                moves.append((None, model.id))
                continue
            if snoozed is not None and snoozed > now:
                moves.append((snoozed, model.id))
                continue
            if now < start:
                moves.append((start, model.id))
                continue
            found = findings(rules, now, settings)
            if lacks_business_metrics(found) and _quiet_long_enough(tx, model, now, settings):
                period = int((now - start) / settings.interval)
                rows.append(
                    _delivery(model, project, f"{REMINDER}:{model.id}:{period}", REMINDER, now)
                )
            f8 = [f for f in found if f.code == "F8"]
            if f8 and not lacks_business_metrics(found):
                window_end = rules.deployed_at + settings.window
                period = int((now - window_end) / settings.cadence)
                rows.append(_delivery(model, project, f"{F8}:{model.id}:{period}", F8, now))
            moves.append((rules_change(rules, now, settings), model.id))
        tx.deliveries.add_many(rows)
        tx.models.check_at(moves)
        if len(due) < BATCH:
            return


def _quiet_long_enough(tx: Tx, model: ModelRow, now: datetime, settings: Settings) -> bool:
    """At most one reminder per interval, whatever the interval numbering says."""
    last = tx.deliveries.latest_posted(model.team_id, REMINDER, str(model.id))
    return (
        last is None
        or last.posted_at is None
        or (now - last.posted_at >= settings.interval - (settings.interval / 100))
    )


def _delivery(
    model: ModelRow, project: ProjectRow, key: str, kind: str, now: datetime
) -> NewDelivery:
    return NewDelivery(
        team_id=model.team_id,
        key=key,
        kind=kind,
        subject=str(model.id),
        channel_id=project.channel_id,
        created_at=now,
        due_at=now,
        thread_ts=project.thread_ts,
    )


Context = tuple[ModelRow, ProjectRow, list[Finding], str]


def _contexts(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Context | None]:
    """For each delivery: the model, its project, the rules that hold now, and whom to mention
    (the KPI owner, else the project owner); None when there is nothing to say any more.
    A few queries for the whole batch."""
    models = tx.models.many([(r.team_id, int(r.subject)) for r in rows])
    live = [
        m
        for m in models.values()
        if m.retired_at is None and not (m.snoozed_until and m.snoozed_until > now)
    ]
    projects = tx.projects.many([(m.team_id, m.project_id) for m in live])
    facts = load_models(tx, live)
    stored = tx.workspaces.settings([m.team_id for m in live])
    out: list[Context | None] = []
    for row in rows:
        model = models.get((row.team_id, int(row.subject)))
        if model is None or model.id not in facts:
            out.append(None)
            continue
        project = projects.get((model.team_id, model.project_id))
        if project is None or project.thread_ts is None:
            out.append(None)
            continue
        rules, metrics = facts[model.id]
        owners = [m.owner_id for m in metrics if m.owner_id]
        found = findings(rules, now, settings_from(stored.get(model.team_id, {})))
        out.append((model, project, found, owners[0] if owners else project.owner_id))
    return out


def reminder_composer(bank: QuestionBank) -> Composer:
    def compose(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
        out: list[Composed | None] = []
        hints: dict[int, render.KpiHint] = {}
        for context in _contexts(tx, rows, now):
            if context is None or not lacks_business_metrics(context[2]):
                out.append(None)
                continue
            model, project, found, mention = context
            if project.id not in hints:
                hints[project.id] = kpi_hint(tx, project, bank)
            post = render.reminder(
                model=model.name,
                model_id=model.id,
                project=project.name,
                mention=mention,
                found=found,
                hint=hints[project.id],
                registry=model.registry,
            )
            out.append(
                Composed(
                    project.channel_id,
                    project.thread_ts,
                    post.text,
                    post.blocks,
                    f"{model.name}: " + ", ".join(f.code for f in found),
                )
            )
        return out

    return compose


def f8_composer() -> Composer:
    def compose(tx: Tx, rows: list[DeliveryRow], now: datetime) -> list[Composed | None]:
        out: list[Composed | None] = []
        for context in _contexts(tx, rows, now):
            f8 = [f for f in context[2] if f.code == "F8"] if context else []
            if context is None or not f8:
                out.append(None)
                continue
            model, project, _, mention = context
            post = render.f8_warning(model=model.name, mention=mention, finding=f8[0])
            out.append(
                Composed(
                    project.channel_id,
                    project.thread_ts,
                    post.text,
                    post.blocks,
                    f"{model.name}: F8",
                )
            )
        return out

    return compose
