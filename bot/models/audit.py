"""The thread's record of every change to a KPI's numbers: who changed what, old → new; pure."""

from __future__ import annotations

from bot.blocks import clip, esc
from bot.domain.metric_change import Accepted, Change
from bot.domain.reading import show

# Fields only the project owner, the KPI's owner or a workspace admin may change once set.
PROTECTED = ("baseline", "target", "unit", "direction", "owner_id")
LABELS = {
    "baseline": "baseline",
    "target": "target",
    "unit": "unit",
    "direction": "better is",
    "owner_id": "owner",
    "method": "method",
    "window_days": "window",
}


def protected(changes: tuple[Change, ...]) -> tuple[Change, ...]:
    """Changes that overwrite a value someone set (not a first definition)."""
    return tuple(c for c in changes if c.field in PROTECTED and c.old not in (None, ""))


def _value(field: str, value: object, unit: str) -> str:
    if value is None or value == "":
        return "none" if field != "unit" else "no unit"
    if field in ("baseline", "target") and isinstance(value, float):
        return esc(show(value, unit))
    if field == "owner_id":
        return f"<@{value}>"
    if field == "window_days":
        return f"{value} days"
    if field == "direction":
        return f"{value}"
    return esc(str(value))


def change_line(
    who: str, model: str, kpi: str, decision: Accepted, old_unit: str, value: float | None
) -> str | None:
    """`📏 @bob changed monthly churn of churn-lgbm: target 3.8 % → 3.5 %` (None: nothing to
    say). `who`: as shown, `<@U…>` or where the change came from."""
    parts = []
    for change in decision.changes:
        label = LABELS.get(change.field, change.field)
        old = _value(change.field, change.old, old_unit)
        new = _value(change.field, change.new, decision.unit)
        parts.append(f"{label} {new}" if decision.new_kpi else f"{label} {old} → {new}")
    where = f"*{esc(clip(kpi, 80))}* of *{esc(clip(model, 80))}*"
    lines = []
    if parts:
        verb = "defined the KPI" if decision.new_kpi else "changed the KPI"
        lines.append(f"📏 {who} {verb} {where}: " + "; ".join(parts) + ".")
    elif decision.new_kpi:
        lines.append(f"📏 {who} defined the KPI {where}.")
    if value is not None:
        lines.append(f"📈 {who} reported {where}: {esc(show(value, decision.unit))}.")
    return "\n".join(lines) or None


def refusal(kpi: str, model: str, project_owner: str, kpi_owner: str | None) -> str:
    who = f"the owner of the project (<@{project_owner}>)"
    if kpi_owner and kpi_owner != project_owner:
        who += f", the KPI's owner (<@{kpi_owner}>)"
    return (
        f"*{esc(clip(model, 80))}* is deployed, so only {who} or a workspace admin can change "
        f"the baseline, target, unit, direction or owner of *{esc(clip(kpi, 80))}*, or remove "
        "it. "
        "Nothing was changed."
    )
