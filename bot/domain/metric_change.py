"""What a `/mle metric` (or the Add-metric form) changes on a model's business KPI: pure,
from the model, the KPI as it stands and the request. The service writes an `Accepted`
change (and says what changed) or explains a `Refused` one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from bot.domain.reading import KNOWN_UNITS, show

# The KPI fields a request may set, in the order they are shown.
FIELDS = ("baseline", "target", "unit", "direction", "owner_id", "method", "window_days")


@dataclass(frozen=True)
class Kpi:
    """A KPI's fields as they stand (None: not set)."""

    baseline: float | None = None
    target: float | None = None
    direction: str = "higher"
    owner_id: str | None = None
    method: str | None = None
    window_days: int | None = None
    unit: str = ""  # baseline, target and values share it


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Refused:
    reason: str


@dataclass(frozen=True)
class Accepted:
    new_kpi: bool  # the KPI did not exist: it is defined now
    changes: tuple[Change, ...]  # fields whose value differs from before, old → new
    value: float | None  # a reported value, if any
    unit: str = ""  # the KPI's unit after the change


def _units(
    name: str, before: Kpi, requested: dict[str, object], value: float | None, typed: dict[str, str]
) -> str | Refused:
    """The KPI's unit after the request, or why the numbers given do not fit it. `typed`:
    the unit written with baseline, target and value ("" when written bare)."""
    numbers = {k: v for k, v in (*requested.items(), ("value", value)) if k in typed}
    written = {k: typed[k] for k in numbers if typed.get(k)}
    unknown = next((u for u in written.values() if u not in KNOWN_UNITS), None)
    if unknown is not None:  # `41 bps`
        shown = unknown[:20].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if before.baseline is not None or before.target is not None:
            this = f"this KPI is in {before.unit}" if before.unit else "this KPI is a plain number"
        else:
            this = "use %, pp, a currency ($, €, £ …) or no unit"
        return Refused(f"I don't know the unit `{shown.replace('`', '')}`; {this}.")
    if len(set(written.values())) > 1:
        listed = ", ".join(f"{k} in {u}" for k, u in written.items())
        return Refused(f"One KPI, one unit: you gave {listed}.")
    redefined = "baseline" in requested and "target" in requested
    has_numbers = before.baseline is not None or before.target is not None
    unit = before.unit
    if written:
        new = next(iter(written.values()))
        if new != unit and has_numbers and not redefined:
            now = f"in {unit}" if unit else "a plain number"
            field = next(iter(written))
            return Refused(
                f"*{name}* is {now}; the {field} you gave is in {new}. Report it "
                f"{'in ' + unit if unit else 'without a unit'}, or give both `baseline=` and "
                f"`target=` in {new} to change the KPI's unit."
            )
        unit = new
    known = [v for v in (before.baseline, before.target) if v is not None]
    given = [v for k, v in requested.items() if k in ("baseline", "target") and typed.get(k)]
    reference = [v for v in (*known, *given) if isinstance(v, float)]
    for key, number in numbers.items():
        bare = not typed.get(key)
        if (
            bare
            and unit == "%"
            and isinstance(number, float)
            and 0 < abs(number) < 1
            and reference
            and all(abs(r) >= 1 for r in reference)
        ):
            return Refused(
                f"*{name}* is in %, and {number:g} looks like a fraction: did you mean "
                f"`{show(number * 100, '%').replace(' ', '')}`? Write the value with its unit."
            )
    return unit


def decide_metric(
    retired: bool,
    model_name: str,
    existing: Kpi | None,
    requested: dict[str, object],
    value: float | None,
    typed: dict[str, str] | None = None,
    name: str = "the KPI",
) -> Refused | Accepted:
    """`typed`: the unit written with each number (baseline, target, value; "" when bare)."""
    if retired:
        return Refused(f"*{model_name}* is retired; deploy it again to track it.")
    for key in ("baseline", "target"):
        number = requested.get(key)
        if isinstance(number, float) and not math.isfinite(number):
            return Refused(f"`{key}` must be a finite number.")
    if value is not None and not math.isfinite(value):
        return Refused("The value must be a finite number.")
    before = existing or Kpi()
    unit = _units(name, before, requested, value, typed or {})
    if isinstance(unit, Refused):
        return unit
    asked = {**requested, "unit": unit} if unit != before.unit else dict(requested)
    baseline = asked.get("baseline", before.baseline)
    target = asked.get("target", before.target)
    if (
        "direction" not in asked
        and ("baseline" in asked or "target" in asked)
        and isinstance(baseline, float)
        and isinstance(target, float)
        and baseline != target
    ):
        asked["direction"] = "lower" if target < baseline else "higher"  # what the numbers say
    changes = tuple(
        Change(field, getattr(before, field), asked[field])
        for field in FIELDS
        if field in asked and asked[field] != getattr(before, field)
    )
    return Accepted(new_kpi=existing is None, changes=changes, value=value, unit=unit)
