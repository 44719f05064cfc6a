"""What a `/mle metric` (or the Add-metric form) changes on a model's business KPI: pure,
from the model, the KPI as it stands and the request. The service writes an `Accepted`
change (and says what changed) or explains a `Refused` one."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# The KPI fields a request may set, in the order they are shown.
FIELDS = ("baseline", "target", "direction", "owner_id", "method", "window_days")


@dataclass(frozen=True)
class Kpi:
    """A KPI's fields as they stand (None: not set)."""

    baseline: float | None = None
    target: float | None = None
    direction: str = "higher"
    owner_id: str | None = None
    method: str | None = None
    window_days: int | None = None


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


def decide_metric(
    retired: bool,
    model_name: str,
    existing: Kpi | None,
    requested: dict[str, object],
    value: float | None,
) -> Refused | Accepted:
    if retired:
        return Refused(f"*{model_name}* is retired; deploy it again to track it.")
    for key in ("baseline", "target"):
        number = requested.get(key)
        if isinstance(number, float) and not math.isfinite(number):
            return Refused(f"`{key}` must be a finite number.")
    if value is not None and not math.isfinite(value):
        return Refused("The value must be a finite number.")
    before = existing or Kpi()
    changes = tuple(
        Change(field, getattr(before, field), requested[field])
        for field in FIELDS
        if field in requested and requested[field] != getattr(before, field)
    )
    return Accepted(new_kpi=existing is None, changes=changes, value=value)
