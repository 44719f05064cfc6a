"""When a deployed model "lacks business metrics": rules F1–F8 of the product's domain
reference (mle-reference.md §C, beside the project checkout in shared/docs/).

Pure functions of (model, metrics, values, now, settings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.reading import show


class Tier(StrEnum):
    CUSTOMER_FACING = "customer-facing"
    BUSINESS_CRITICAL = "business-critical"
    INTERNAL_ASSISTIVE = "internal-assistive"
    INTERNAL_TOOLING = "internal-tooling"


METHODS = ("ab", "holdout", "pre_post")
METHOD_NAMES = {  # as people write them → the method
    "ab": "ab",
    "a/b": "ab",
    "a-b": "ab",
    "holdout": "holdout",
    "hold-out": "holdout",
    "pre_post": "pre_post",
    "pre-post": "pre_post",
    "prepost": "pre_post",
    "pre/post": "pre_post",
}
ML_METRICS = frozenset(
    {
        "auc",
        "roc",
        "rocauc",
        "aucroc",
        "prauc",
        "f1",
        "f1score",
        "accuracy",
        "acc",
        "precision",
        "recall",
        "rmse",
        "mae",
        "mse",
        "mape",
        "logloss",
        "crossentropy",
        "r2",
        "rsquared",
        "perplexity",
        "bleu",
        "rouge",
        "ndcg",
        "map",
        "loss",
        "error",
        "errorrate",
    }
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Settings:
    grace: timedelta = timedelta(days=7)
    interval: timedelta = timedelta(days=7)
    cadence: timedelta = timedelta(days=30)
    window: timedelta = timedelta(days=30)


def settings_from(raw: dict[str, object]) -> Settings:
    """A workspace's stored settings (days), defaults for what is missing or malformed."""
    base = Settings()
    values = {}
    for field_name in ("grace", "interval", "cadence", "window"):
        days = raw.get(f"{field_name}_days")
        if isinstance(days, int) and 0 < days <= 366:
            values[field_name] = timedelta(days=days)
    return Settings(**{**base.__dict__, **values})


@dataclass(frozen=True)
class Metric:
    name: str
    baseline: float | None = None
    target: float | None = None
    owner: str | None = None
    method: str | None = None
    window_days: int | None = None
    direction: str = "higher"
    values: tuple[tuple[float, datetime], ...] = ()  # oldest first
    unit: str = ""


@dataclass(frozen=True)
class Model:
    name: str
    deployed_at: datetime
    tier: Tier | None = None
    metrics: tuple[Metric, ...] = field(default=())


@dataclass(frozen=True)
class Finding:
    code: str  # F1 … F8
    metric: str | None
    blocking: bool
    text: str


def is_ml_metric(name: str) -> bool:
    """`AUC`, `f1-score`, `val RMSE` … are model metrics, not business KPIs."""
    words = _WORD.findall(name.lower())
    joined = "".join(words)
    return joined in ML_METRICS or any(w in ML_METRICS for w in words if w not in ("map",))


def business_metrics(model: Model) -> tuple[Metric, ...]:
    if model.tier is Tier.INTERNAL_TOOLING:
        return model.metrics  # F2 does not apply to internal tooling
    return tuple(m for m in model.metrics if not is_ml_metric(m.name))


def _blocking(code: str, tier: Tier | None) -> bool:
    if tier is Tier.CUSTOMER_FACING:
        return True
    if tier in (Tier.INTERNAL_ASSISTIVE, Tier.INTERNAL_TOOLING):
        return False
    return code in ("F1", "F3", "F4", "F7")  # business-critical, and the default


def window_of(metric: Metric, settings: Settings) -> timedelta:
    return timedelta(days=metric.window_days) if metric.window_days else settings.window


def findings(model: Model, now: datetime, settings: Settings = Settings()) -> list[Finding]:
    """Every rule that holds, F1–F7 (flags) and F8 (a warning)."""
    out: list[Finding] = []

    def add(code: str, metric: str | None, text: str) -> None:
        blocking = code != "F8" and _blocking(code, model.tier)
        out.append(Finding(code, metric, blocking, text))

    kpis = business_metrics(model)
    if not model.metrics:
        add("F1", None, "no business KPI is defined for this model")
        return out
    if not kpis:
        names = ", ".join(m.name for m in model.metrics)
        add(
            "F2",
            None,
            f"{names} measures the model, not the business: define the business KPI it should move",
        )
        return out
    for kpi in kpis:
        if kpi.baseline is None:
            add("F3", kpi.name, f"{kpi.name} has no baseline to compare against")
        if kpi.target is None:
            add("F4", kpi.name, f"{kpi.name} has no target")
        if not kpi.owner:
            add("F5", kpi.name, f"nobody owns {kpi.name}")
        if kpi.method not in METHODS:
            add(
                "F6",
                kpi.name,
                f"{kpi.name} has no measurement method (A/B test, holdout or pre/post)",
            )
        window = window_of(kpi, settings)
        after_deploy = [(v, at) for v, at in kpi.values if at >= model.deployed_at]
        if now >= model.deployed_at + window and not after_deploy:
            add(
                "F7",
                kpi.name,
                f"no value of {kpi.name} was reported within {window.days} days of deployment",
            )
        elif after_deploy and now - after_deploy[-1][1] > settings.cadence:
            add(
                "F7",
                kpi.name,
                f"the last value of {kpi.name} is older than {settings.cadence.days} days",
            )
        if (
            after_deploy
            and kpi.baseline is not None
            and now >= model.deployed_at + window
            and not beats(after_deploy[-1][0], kpi.baseline, kpi.direction)
        ):
            add(
                "F8",
                kpi.name,
                f"{kpi.name} ({show(after_deploy[-1][0], kpi.unit)}) does not beat its "
                f"baseline ({show(kpi.baseline, kpi.unit)}, {kpi.direction} is better) — is the "
                "model worth running?",
            )
    return out


def beats(value: float, baseline: float, direction: str) -> bool:
    return value < baseline if direction == "lower" else value > baseline


def lacks_business_metrics(found: list[Finding]) -> bool:
    return any(f.code != "F8" for f in found)


def next_change(model: Model, now: datetime, settings: Settings = Settings()) -> datetime:
    """The next moment the rules could change without anyone doing anything: end of the grace
    period, end of a measurement window, a value going stale — at most one interval away."""
    moments = [now + settings.interval]
    if now < model.deployed_at + settings.grace:
        moments.append(model.deployed_at + settings.grace)
    for kpi in business_metrics(model):
        end = model.deployed_at + window_of(kpi, settings)
        if now < end:
            moments.append(end)
        if kpi.values:
            stale = kpi.values[-1][1] + settings.cadence + timedelta(seconds=1)
            if now < stale:
                moments.append(stale)
    return min(moments)
