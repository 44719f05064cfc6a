"""A business KPI written as tags on an MLflow registered model (`mle.kpi`, `mle.kpi.baseline`,
…): read into the same fields as `/mle metric`, and written back from them; pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from bot.domain.business_rules import METHOD_NAMES
from bot.domain.reading import (
    Quantity,
    model_metric_named,
    read_duration,
    read_quantity,
    stated_direction,
)

KPI = "mle.kpi"
BASELINE = "mle.kpi.baseline"
TARGET = "mle.kpi.target"
DIRECTION = "mle.kpi.direction"
OWNER = "mle.kpi.owner"
METHOD = "mle.kpi.method"
WINDOW = "mle.kpi.window_days"
STATUS = "mle.business_metrics"
KPI_TAGS = (KPI, BASELINE, TARGET, DIRECTION, OWNER, METHOD, WINDOW)


@dataclass(frozen=True)
class TagKpi:
    """What a registered model's KPI tags say. `owner` as written: a Slack user id or an
    e-mail the caller resolves."""

    name: str
    changes: dict[str, object] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # the unit written with each number
    owner: str | None = None
    problems: tuple[str, ...] = ()  # tags that could not be read (left out of `changes`)


def kpi_tags(tags: dict[str, str]) -> dict[str, str]:
    """The KPI tags among a registered model's tags (what a sync compares)."""
    return {k: v for k, v in tags.items() if k in KPI_TAGS}


def read_kpi_tags(tags: dict[str, str]) -> TagKpi | None:
    """None when the model has no `mle.kpi` tag."""
    name = tags.get(KPI, "").strip()
    if not name:
        return None
    changes: dict[str, object] = {}
    units: dict[str, str] = {}
    problems: list[str] = []
    for tag, key in ((BASELINE, "baseline"), (TARGET, "target")):
        raw = tags.get(tag, "").strip()
        if not raw:
            continue
        found = read_quantity(raw)
        if isinstance(found, Quantity):
            changes[key] = found.value
            units[key] = found.unit
        else:
            problems.append(f"`{tag}` = `{raw[:40]}` is not one number")
    raw = tags.get(DIRECTION, "").strip()
    if raw:
        direction = raw.lower() if raw.lower() in ("higher", "lower") else stated_direction(raw)
        if direction:
            changes["direction"] = direction
        else:
            problems.append(f"`{DIRECTION}` = `{raw[:40]}` is neither `higher` nor `lower`")
    raw = tags.get(METHOD, "").strip()
    if raw:
        words = raw.lower().replace(" test", "").split()
        method = METHOD_NAMES.get(words[0].rstrip(",.:;")) if words else None
        if method:
            changes["method"] = method
        else:
            problems.append(f"`{METHOD}` = `{raw[:40]}` is not ab, holdout or pre_post")
    raw = tags.get(WINDOW, "").strip()
    if raw:
        days = int(raw) if raw.isdigit() else read_duration(raw)
        if days is not None and 0 < days < 367:
            changes["window_days"] = days
        else:
            problems.append(f"`{WINDOW}` = `{raw[:40]}` is not a number of days")
    owner = tags.get(OWNER, "").strip().removeprefix("<@").removesuffix(">").lstrip("@")
    return TagKpi(name[:200], changes, units, owner or None, tuple(problems))


def model_metric_warning(kpi: TagKpi) -> str | None:
    """A model metric named as the KPI is kept, as `/mle metric` keeps it, and said: F2 holds
    until it changes."""
    metric = model_metric_named(kpi.name)
    if metric is None:
        return None
    return (
        f"`{KPI}` = `{kpi.name[:40]}` measures the model ({metric}), not the business (F2): "
        "name the business KPI it should move"
    )


def _number(value: float, unit: str) -> str:
    text = f"{Decimal(f'{value:.10g}'):f}"  # no exponent: `0.00001`, not `1e-05`
    if unit in ("$", "€", "£", "¥"):
        return f"{unit}{text}"
    if unit == "%":
        return f"{text}%"
    return f"{text} {unit}".strip()


def write_kpi_tags(
    name: str,
    baseline: float | None,
    target: float | None,
    unit: str,
    direction: str,
    owner_id: str | None,
    method: str | None,
    window_days: int | None,
) -> dict[str, str]:
    """The tags that say a KPI as it stands in MLE Coach (absent fields: no tag)."""
    out = {KPI: name, DIRECTION: direction}
    if baseline is not None:
        out[BASELINE] = _number(baseline, unit)
    if target is not None:
        out[TARGET] = _number(target, unit)
    if owner_id:
        out[OWNER] = owner_id
    if method:
        out[METHOD] = method
    if window_days:
        out[WINDOW] = str(window_days)
    return out


def which_wins(
    seen: dict[str, object] | None,
    tags: dict[str, str],
    kpi: dict[str, object],
    *,
    pushing: bool,
) -> str | None:
    """Which side's KPI stands: "registry" (apply its tags in MLE Coach), "slack" (write MLE
    Coach's KPI to the tags) or None (in step). `seen`: the tags and the KPI as of the last
    time both sides were in step (None: never). `tags`: the KPI tags now; `kpi`: MLE Coach's
    KPI now ({}: none). `pushing`: called right after a change in Slack.

    The most recent change wins. A change in Slack is written to the registry at once, so it
    is the most recent when pushed; at a sync it is still waiting only if that write failed,
    and it goes first then too. Otherwise tags found changed at a sync changed after the last
    time both sides were in step. Never in step: Slack's KPI when pushing, else the tags."""
    if seen is None:
        if kpi and (pushing or not tags.get(KPI)):
            return "slack"
        return "registry" if tags.get(KPI) else None
    if kpi != seen.get("kpi"):
        return "slack"
    if tags != seen.get("tags"):
        return "registry"
    return None
