"""The business-KPI change decision, case by case, without a database or Slack."""

from __future__ import annotations

import math

import pytest

from bot.domain.metric_change import Accepted, Change, Kpi, Refused, decide_metric

DEFINED = Kpi(baseline=0.05, target=0.04, direction="lower", owner_id="U0BOB", method="ab")


@pytest.mark.parametrize(
    ("what", "retired", "existing", "requested", "value", "expected"),
    [
        ("a new KPI with numbers", False, None, {"baseline": 0.05, "target": 0.04}, None, Accepted),
        ("a value only", False, DEFINED, {}, 0.047, Accepted),
        ("a retired model", True, DEFINED, {"target": 0.03}, None, Refused),
        ("an infinite baseline", False, None, {"baseline": math.inf}, None, Refused),
        ("a NaN target", False, DEFINED, {"target": math.nan}, None, Refused),
        ("a NaN value", False, DEFINED, {}, math.nan, Refused),
    ],
)
def test_decision(
    what: str,
    retired: bool,
    existing: Kpi | None,
    requested: dict[str, object],
    value: float | None,
    expected: type,
) -> None:
    assert isinstance(decide_metric(retired, "churn-v2", existing, requested, value), expected)


def test_a_new_kpi_lists_every_field_it_sets() -> None:
    decision = decide_metric(False, "m", None, {"baseline": 0.05, "owner_id": "U0BOB"}, None)
    assert decision == Accepted(
        new_kpi=True,
        changes=(Change("baseline", None, 0.05), Change("owner_id", None, "U0BOB")),
        value=None,
    )


def test_an_update_lists_only_what_differs_old_to_new() -> None:
    decision = decide_metric(
        False, "m", DEFINED, {"baseline": 0.05, "target": 0.035, "direction": "lower"}, 0.046
    )
    assert decision == Accepted(
        new_kpi=False, changes=(Change("target", 0.04, 0.035),), value=0.046
    )


def test_a_refusal_names_the_model_or_the_field() -> None:
    retired = decide_metric(True, "churn-v2", None, {}, None)
    assert isinstance(retired, Refused) and "*churn-v2* is retired" in retired.reason
    bad = decide_metric(False, "m", None, {"target": math.inf}, None)
    assert isinstance(bad, Refused) and "`target`" in bad.reason
