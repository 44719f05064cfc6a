"""The KPI as a stage's answers state it (`read_plan`), table by table: when a model metric
is kept as the KPI and its numbers move the way that metric would get worse, the numbers
measure something else — most likely the business KPI the answer should name."""

from __future__ import annotations

import pytest

from bot.bank_file import load_bank
from bot.domain.kpi import Stated, read_plan

PLANNING = load_bank().questions("planning")
KEYS = {q.sets.value: q.key for q in PLANNING if q.sets is not None}


def plan_risks(kpi: str, baseline: str, target: str) -> list[str]:
    answers = {
        KEYS["kpi"]: Stated("answered", kpi),
        KEYS["kpi_baseline"]: Stated("answered", baseline),
        KEYS["kpi_target"]: Stated("answered", target),
    }
    return [r for r in read_plan(PLANNING, answers).risks if not r.startswith("F2")]


CASES = [
    # (KPI answer, baseline, target, a "measure something else" risk?)
    ("AUC. leadership only trusts AUC for now", "4.1%", "3.8%", True),  # AUC would drop
    ("AUC on the holdout", "0.71", "0.78", False),  # AUC going up: as it should
    ("RMSE of the forecast", "120", "150", True),  # an error that would grow
    ("RMSE of the forecast", "150", "120", False),
    ("monthly churn rate", "4.1%", "3.8%", False),  # not a model metric: nothing to say
]


@pytest.mark.parametrize(("kpi", "baseline", "target", "flagged"), CASES)
def test_numbers_going_the_way_a_model_metric_gets_worse(
    kpi: str, baseline: str, target: str, flagged: bool
) -> None:
    found = [r for r in plan_risks(kpi, baseline, target) if "measure something else" in r]
    assert bool(found) == flagged, found


NAMES = [
    # (KPI answer, the KPI's name)
    ("AUC. leadership only trusts AUC for now", "AUC"),
    ("monthly churn rate - finance agreed on it", "monthly churn rate"),
    (
        "ok fair - monthly churn rate of paying subscribers",
        "monthly churn rate of paying subscribers",
    ),
    ("churn; see the retention dashboard", "churn"),
    ("net revenue retention (NRR)", "net revenue retention (NRR)"),
    ("cost per ticket in U.S. dollars", "cost per ticket in U.S. dollars"),
    ("Reduce monthly churn", "Reduce monthly churn"),
    ("No. of churned accounts per month", "No. of churned accounts per month"),
    ("no - monthly churn rate", "monthly churn rate"),
    ("no-show rate", "no-show rate"),
]


@pytest.mark.parametrize(("kpi", "name"), NAMES)
def test_the_kpi_is_named_without_the_remark_after_it(kpi: str, name: str) -> None:
    answers = {KEYS["kpi"]: Stated("answered", kpi)}
    assert read_plan(PLANNING, answers).name == name
