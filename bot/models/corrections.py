"""`/mle metric <model> "<kpi>" correct <value> [at=<day>]` and `… withdraw [at=<day>]`: a
reported value replaced or taken out of every figure, by the person who reported it, the
KPI's owner, the project owner or an admin; each leaves a line in the project thread."""

from __future__ import annotations

from datetime import datetime

from bot.blocks import clip, esc
from bot.domain.metric_change import Kpi, Refused, decide_metric
from bot.domain.names import name_key
from bot.domain.reading import show
from bot.models.units import Said
from storage.rows import MetricRow, ValueRow
from storage.store import Tx


def picked(
    tx: Tx, team_id: str, model_id: int, name: str, day: str | None
) -> tuple[MetricRow, ValueRow] | str:
    """The KPI and its value to change (the latest, or the latest reported on `day`), or
    what to say."""
    model = tx.models.get(team_id, model_id)
    if model is None:
        return "That model no longer exists."
    kpi = tx.metrics.get(team_id, model.id, name_key(name)) if name else None
    if kpi is None:
        kpis = tx.metrics.for_models([(team_id, model.id)]).get(model.id, [])
        if name or len(kpis) != 1:
            shown = f" called *{esc(clip(name, 80))}*" if name else ""
            return f"*{esc(model.name)}* has no KPI{shown} to correct."
        kpi = kpis[0]
    values = tx.metrics.values_for([(team_id, kpi.id)]).get(kpi.id, [])
    if day is not None:
        values = [v for v in values if v.observed_at.date().isoformat() == day]
    if not values:
        when = f" on {day}" if day else ""
        return f"No value of *{esc(kpi.name)}* was reported{when}; nothing changed."
    return kpi, values[-1]


def change(
    tx: Tx,
    team_id: str,
    user: str,
    model_id: int,
    name: str,
    value: float | None,
    unit: str,
    day: str | None,
    allowed: bool,
    now: datetime,
) -> Said:
    """Correct (`value`) or withdraw (None) the value `picked` finds."""
    found = picked(tx, team_id, model_id, name, day)
    if isinstance(found, str):
        return Said(found, done=False)
    kpi, row = found
    model = tx.models.get(team_id, model_id)
    project = tx.projects.get(team_id, model.project_id) if model else None
    if model is None or project is None:
        return Said("That model no longer exists.", done=False)
    if not allowed and user != row.reporter_id:
        return Said(
            f"Only who reported it (<@{row.reporter_id}>), the KPI's owner, the owner of the "
            f"project (<@{project.owner_id}>) or a workspace admin can change a value of "
            f"*{esc(kpi.name)}*. Nothing was changed.",
            done=False,
        )
    where = f"*{esc(clip(kpi.name, 80))}* of *{esc(clip(model.name, 80))}*"
    was = f"was reported by <@{row.reporter_id}> on {row.observed_at.date()}"
    old = esc(show(row.value, kpi.unit))
    if value is None:
        tx.metrics.withdraw(team_id, row.id, user, now)
        line = f"✏️ <@{user}> withdrew {old} of {where} ({was}); it counts nowhere now."
        reply = f"Withdrew {old} of {where}."
    else:
        decision = decide_metric(
            model.retired_at is not None,
            model.name,
            Kpi(
                kpi.baseline,
                kpi.target,
                kpi.direction,
                kpi.owner_id,
                kpi.method,
                kpi.window_days,
                kpi.unit,
            ),
            {},
            value,
            {"value": unit},
            kpi.name,
        )
        if isinstance(decision, Refused):  # the checks every value meets, whatever brings it
            return Said(decision.reason, done=False)
        tx.metrics.correct(team_id, row.id, value, row.value, user)
        new = esc(show(value, kpi.unit))
        line = f"✏️ <@{user}> corrected {where}: {old} → {new} ({was})."
        reply = f"Corrected {where}: {old} → {new}."
    tx.models.check_at([(now, model.id)])  # its flags are looked at again
    return Said(
        reply,
        (project, line),
        (team_id, user, project.owner_id, kpi.owner_id or ""),
        model=(team_id, model.id),
    )
