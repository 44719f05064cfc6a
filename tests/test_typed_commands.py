"""Commands read as people type them: a KPI name of several words needs no quotes when a
value, an option or a keyword follows it; a mistyped command gets the one meant, letters
swapped included."""

from __future__ import annotations

import pytest

from bot.commands import parser

CASES = [
    # (typed after /mle, the KPI's name, the value)
    ("metric churn-gbm monthly churn rate 4,0%", "monthly churn rate", 4.0),
    ('metric churn-gbm "monthly churn rate" 4,0%', "monthly churn rate", 4.0),
    ("metric churn-gbm churn 4%", "churn", 4.0),
    ("metric churn-gbm 4%", "", 4.0),  # the model's only KPI
    ("metric churn-gbm monthly churn rate baseline=4.1% target=3.8%", "monthly churn rate", None),
    ("metric churn-gbm monthly churn rate lower", "monthly churn rate", None),
    ("metric churn-gbm monthly churn rate", "monthly churn rate", None),
]


@pytest.mark.parametrize(("typed", "name", "value"), CASES)
def test_a_kpi_name_of_several_words(typed: str, name: str, value: float | None) -> None:
    result = parser.parse(typed)
    assert isinstance(result, parser.DefineMetric), result
    assert (result.name, result.value) == (name, value)


def test_removing_a_kpi_named_in_several_words() -> None:
    result = parser.parse("metric churn-gbm monthly churn rate remove")
    assert isinstance(result, parser.RemoveMetric)
    assert result.name == "monthly churn rate"


MISTYPED = [("stauts", "status"), ("satus", "status"), ("stgae", "stage"), ("deplyo", "deploy")]


@pytest.mark.parametrize(("typed", "meant"), MISTYPED)
def test_a_mistyped_command_gets_the_one_meant(typed: str, meant: str) -> None:
    result = parser.parse(typed)
    assert isinstance(result, parser.Invalid)
    assert f"Did you mean `{meant}`?" in result.message
