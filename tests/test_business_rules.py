"""Rules F1–F8 (mle-reference.md §C): each one's true and false case, pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.business_rules import (
    Metric,
    Model,
    Settings,
    Tier,
    findings,
    is_ml_metric,
    lacks_business_metrics,
    next_change,
)

DEPLOYED = datetime(2026, 1, 1, tzinfo=UTC)
DAY = timedelta(days=1)
GOOD = Metric(
    "monthly churn",
    baseline=0.06,
    target=0.04,
    owner="U1",
    method="ab",
    direction="lower",
    values=((0.05, DEPLOYED + 10 * DAY),),
)


def codes(model: Model, day: int) -> list[str]:
    return [f.code for f in findings(model, DEPLOYED + day * DAY)]


def with_kpi(**changes: object) -> Model:
    fields = {**GOOD.__dict__, **changes}
    return Model("churn-v2", DEPLOYED, metrics=(Metric(**fields),))  # type: ignore[arg-type]


def test_complete_kpi_passes() -> None:
    assert codes(with_kpi(), 20) == []
    assert not lacks_business_metrics(findings(with_kpi(), DEPLOYED + 20 * DAY))


def test_f1_no_kpi() -> None:
    assert codes(Model("m", DEPLOYED), 1) == ["F1"]


@pytest.mark.parametrize("name", ["AUC", "f1-score", "val RMSE", "Accuracy", "logloss", "R2"])
def test_f2_model_metric_as_kpi(name: str) -> None:
    assert is_ml_metric(name)
    assert codes(Model("m", DEPLOYED, metrics=(Metric(name),)), 1) == ["F2"]


def test_f2_false_for_business_names_and_internal_tooling() -> None:
    for name in ("monthly churn", "revenue per user", "tickets closed", "map views"):
        assert not is_ml_metric(name), name
    tooling = Model(
        "m",
        DEPLOYED,
        Tier.INTERNAL_TOOLING,
        metrics=(Metric("accuracy", 0.8, 0.9, "U1", "ab", values=((0.85, DEPLOYED + DAY),)),),
    )
    assert codes(tooling, 5) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"baseline": None}, "F3"),
        ({"target": None}, "F4"),
        ({"owner": None}, "F5"),
        ({"method": None}, "F6"),
        ({"method": "vibes"}, "F6"),
    ],
)
def test_f3_to_f6(change: dict[str, object], code: str) -> None:
    assert codes(with_kpi(**change), 20) == [code]


def test_f7_no_value_within_the_window_then_stale_value() -> None:
    silent = with_kpi(values=())
    assert codes(silent, 29) == []
    assert codes(silent, 30) == ["F7"]
    assert codes(with_kpi(), 40) == []  # value on day 10, 30 days not yet passed
    assert codes(with_kpi(), 41) == ["F7"]
    before_deploy = with_kpi(values=((0.05, DEPLOYED - DAY),))
    assert codes(before_deploy, 31) == ["F7"]


def test_f8_after_the_window_the_value_must_beat_the_baseline() -> None:
    worse = with_kpi(values=((0.07, DEPLOYED + 25 * DAY),))
    assert codes(worse, 29) == []
    assert codes(worse, 31) == ["F8"]
    assert not lacks_business_metrics(findings(worse, DEPLOYED + 31 * DAY))  # a warning only
    higher = with_kpi(direction="higher", values=((0.07, DEPLOYED + 25 * DAY),))
    assert codes(higher, 31) == []


def test_severity_by_tier() -> None:
    partial = (Metric("churn", target=0.04, owner=None),)  # F3, F5, F6 hold
    for tier, blocking in [
        (Tier.CUSTOMER_FACING, {"F3", "F5", "F6"}),
        (Tier.BUSINESS_CRITICAL, {"F3"}),
        (None, {"F3"}),
        (Tier.INTERNAL_ASSISTIVE, set()),
    ]:
        found = findings(Model("m", DEPLOYED, tier, metrics=partial), DEPLOYED + DAY)
        assert {f.code for f in found if f.blocking} == blocking, tier
    assert all(
        not f.blocking for f in findings(Model("m", DEPLOYED, Tier.INTERNAL_ASSISTIVE), DEPLOYED)
    )


def test_next_change_is_the_first_moment_a_rule_can_flip() -> None:
    settings = Settings()
    assert next_change(with_kpi(), DEPLOYED, settings) == DEPLOYED + settings.grace
    later = DEPLOYED + 20 * DAY
    assert next_change(with_kpi(), later, settings) == later + settings.interval
    assert next_change(with_kpi(), DEPLOYED + 28 * DAY, settings) == DEPLOYED + 30 * DAY
