"""KPI tags on an MLflow registered model, read and written (pure), and which side's change
stands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.registry_tags import read_kpi_tags, which_wins, write_kpi_tags


@pytest.mark.parametrize(
    ("tags", "changes", "owner", "problem"),
    [
        ({"mle.kpi": "churn"}, {}, None, ""),
        ({"mle.kpi": "churn", "mle.kpi.baseline": "4.1%"}, {"baseline": 4.1}, None, ""),
        ({"mle.kpi": "churn", "mle.kpi.target": "3,8 %"}, {"target": 3.8}, None, ""),
        ({"mle.kpi": "revenue", "mle.kpi.target": "$1.2M"}, {"target": 1_200_000.0}, None, ""),
        ({"mle.kpi": "c", "mle.kpi.direction": "Lower"}, {"direction": "lower"}, None, ""),
        (
            {"mle.kpi": "c", "mle.kpi.direction": "lower is better"},
            {"direction": "lower"},
            None,
            "",
        ),
        ({"mle.kpi": "c", "mle.kpi.direction": "sideways"}, {}, None, "neither `higher`"),
        ({"mle.kpi": "c", "mle.kpi.method": "A/B test, 10%"}, {"method": "ab"}, None, ""),
        ({"mle.kpi": "c", "mle.kpi.method": "hold-out"}, {"method": "holdout"}, None, ""),
        ({"mle.kpi": "c", "mle.kpi.method": "vibes"}, {}, None, "not ab, holdout"),
        ({"mle.kpi": "c", "mle.kpi.window_days": "30"}, {"window_days": 30}, None, ""),
        ({"mle.kpi": "c", "mle.kpi.window_days": "30d"}, {"window_days": 30}, None, ""),
        ({"mle.kpi": "c", "mle.kpi.window_days": "forever"}, {}, None, "number of days"),
        ({"mle.kpi": "c", "mle.kpi.baseline": "4 or 5"}, {}, None, "not one number"),
        ({"mle.kpi": "c", "mle.kpi.owner": "<@U0CAROL>"}, {}, "U0CAROL", ""),
        ({"mle.kpi": "c", "mle.kpi.owner": "carol@example.com"}, {}, "carol@example.com", ""),
    ],
)
def test_kpi_tags_read_like_the_metric_command(
    tags: dict[str, str], changes: dict[str, object], owner: str | None, problem: str
) -> None:
    read = read_kpi_tags(tags)
    assert read is not None
    assert read.changes == changes and read.owner == owner
    assert (problem in " ".join(read.problems)) if problem else read.problems == ()


def test_no_kpi_tag_no_kpi() -> None:
    assert read_kpi_tags({"mle.project": "churn", "mle.kpi.target": "3%"}) is None
    assert read_kpi_tags({"mle.kpi": "  "}) is None


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda v: abs(v) > 1e-6),
    st.sampled_from(["", "%", "pp", "$", "€"]),
)
def test_written_tags_read_back_the_same(value: float, unit: str) -> None:
    written = write_kpi_tags("churn", value, value, unit, "lower", "U1", "ab", 30)
    read = read_kpi_tags(written)
    assert read is not None
    assert read.changes["baseline"] == pytest.approx(value, rel=1e-9)
    assert read.units["baseline"] == unit
    assert read.changes["direction"] == "lower" and read.owner == "U1"


KPI = {"name": "churn", "target": 3.8}
TAGS = {"mle.kpi": "churn", "mle.kpi.target": "3.8%"}


@pytest.mark.parametrize(
    ("seen", "tags", "kpi", "pushing", "wins"),
    [
        # never in step
        (None, {}, {}, False, None),
        (None, TAGS, {}, False, "registry"),
        (None, {}, KPI, False, "slack"),
        (None, TAGS, KPI, False, "registry"),  # first sync: the registry's tags
        (None, TAGS, KPI, True, "slack"),  # right after a change in Slack: Slack's
        # in step before
        ({"tags": TAGS, "kpi": KPI}, TAGS, KPI, False, None),
        ({"tags": TAGS, "kpi": KPI}, {**TAGS, "mle.kpi.target": "3.6%"}, KPI, False, "registry"),
        ({"tags": TAGS, "kpi": KPI}, TAGS, {**KPI, "target": 3.5}, True, "slack"),
        # a Slack change whose write failed still goes first at the next sync
        ({"tags": TAGS, "kpi": KPI}, TAGS, {**KPI, "target": 3.5}, False, "slack"),
        ({"tags": TAGS, "kpi": KPI}, {}, KPI, False, "registry"),  # tags removed
        ({"tags": TAGS, "kpi": KPI}, TAGS, {}, False, "slack"),  # KPI removed in Slack
        # a value reported in Slack changes no KPI field: a tag change still applies
        ({"tags": TAGS, "kpi": KPI}, {**TAGS, "mle.kpi.target": "3%"}, KPI, True, "registry"),
    ],
)
def test_the_most_recent_change_wins(
    seen: dict[str, object] | None,
    tags: dict[str, str],
    kpi: dict[str, object],
    pushing: bool,
    wins: str | None,
) -> None:
    assert which_wins(seen, tags, kpi, pushing=pushing) == wins
