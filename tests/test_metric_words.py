"""`/mle metric`: a quoted KPI name ends at its quote, and a unit I don't know is said to be one
(issue 27, item 5). Table tests of the parser and the decision, then one run through the app."""

from __future__ import annotations

import pytest

from bot.commands import parser
from bot.commands.tokens import split_quoted
from bot.domain.metric_change import Kpi, Refused, decide_metric
from bot.domain.reading import unit_after
from tests.conftest import Harness
from tests.interviews import new_project


def test_words_say_whether_they_were_quoted() -> None:
    assert split_quoted('m "monthly churn" banana name="a b"') == [
        ("m", False),
        ("monthly churn", True),
        ("banana", False),
        ("name=a b", False),
    ]


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ('metric churn-model "monthly churn" banana', "`banana` is not a number."),
        ("metric churn-model “monthly churn” banana", "`banana` is not a number."),
        ('metric churn-model "monthly churn" 4.1% banana', "`banana` is not a number."),
        ('metric churn-model "monthly churn" <!here>', "`&lt;!here&gt;` is not a number."),
    ],
)
def test_a_quoted_name_ends_at_its_quote(typed: str, said: str) -> None:
    result = parser.parse(typed)
    assert isinstance(result, parser.Invalid), result
    assert result.message.startswith(said), result.message


@pytest.mark.parametrize(
    ("typed", "name", "value", "unit"),
    [
        ("metric churn-lgbm monthly churn 41 bps", "monthly churn", 41.0, "bps"),
        ("metric churn-lgbm monthly churn 41bps", "monthly churn", 41.0, "bps"),
        ('metric churn-lgbm "monthly churn" 41 bps', "monthly churn", 41.0, "bps"),
        ("metric churn-lgbm monthly churn 41 pct", "monthly churn", 41.0, "%"),
        ("metric churn-lgbm revenue 41 usd", "revenue", 41.0, "$"),
        ("metric churn-lgbm monthly churn 4.1 %", "monthly churn", 4.1, "%"),
        ("metric churn-lgbm monthly churn 4.1% lower", "monthly churn", 4.1, "%"),
        ("metric churn-lgbm 7d active users 4%", "7d active users", 4.0, "%"),
        ("metric churn-lgbm retention 7d", "retention 7d", None, None),
    ],
)
def test_the_unit_after_a_value_is_kept_for_the_kpi_to_judge(
    typed: str, name: str, value: float | None, unit: str | None
) -> None:
    result = parser.parse(typed)
    assert isinstance(result, parser.DefineMetric), result
    assert (result.name, result.value, result.units.get("value")) == (name, value, unit)


@pytest.mark.parametrize(
    ("word", "tail"), [("41bps", "bps"), ("4.1%", ""), ("$1.2M", ""), ("41k", ""), ("3pp", "")]
)
def test_unit_after(word: str, tail: str) -> None:
    assert unit_after(word) == tail


IN_PERCENT = Kpi(baseline=4.3, target=3.5, direction="lower", unit="%")


@pytest.mark.parametrize(
    ("existing", "requested", "value", "typed", "said"),
    [
        (IN_PERCENT, {}, 41.0, {"value": "bps"}, "I don't know the unit `bps`; this KPI is in %."),
        (
            Kpi(baseline=100.0, target=120.0),
            {},
            41.0,
            {"value": "bps"},
            "I don't know the unit `bps`; this KPI is a plain number.",
        ),
        (
            None,
            {"baseline": 4.0, "target": 3.0},
            None,
            {"baseline": "bps", "target": "bps"},
            "I don't know the unit `bps`; use %, pp, a currency",
        ),
    ],
)
def test_an_unknown_unit_is_refused_in_the_kpis_terms(
    existing: Kpi | None,
    requested: dict[str, object],
    value: float | None,
    typed: dict[str, str],
    said: str,
) -> None:
    decision = decide_metric(False, "churn-lgbm", existing, requested, value, typed, "churn")
    assert isinstance(decision, Refused) and decision.reason.startswith(said), decision


async def test_quotes_and_units_through_the_app(harness: Harness) -> None:
    h = harness
    await new_project(h, "Churn")
    await h.emulator.slash("deploy Churn churn-lgbm")
    await h.idle()
    await h.emulator.slash('metric churn-lgbm "monthly churn" baseline=4.3% target=3.5% lower')
    await h.idle()
    banana = await h.emulator.slash('metric churn-lgbm "monthly churn" banana')
    said = banana.json()["text"]
    assert said.startswith("`banana` is not a number."), said
    assert "has no KPI called" not in said
    await h.emulator.slash("metric churn-lgbm monthly churn 41 bps")
    await h.idle()
    said = h.emulator.ephemerals_for("U0ALICE")[-1].text
    assert "I don't know the unit `bps`; this KPI is in %." in said, said
    values = await h.read(
        lambda tx: tx.conn.execute("SELECT COUNT(*) FROM metric_values").fetchone()[0]
    )
    assert values == 0
