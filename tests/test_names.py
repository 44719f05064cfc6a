"""One "did you mean": the same letters in another order first, then the nearest spelling;
names a team made up are offered only when nearly the same."""

from __future__ import annotations

import pytest

from bot.domain.names import NAME_CLOSE, did_you_mean

COMMANDS = ("status", "stats", "stage", "new", "metric")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("stauts", ["status"]),  # the same letters: status, not stats
        ("stats", ["stats"]),
        ("metirc", ["metric"]),
        ("stgae", ["stage"]),
        ("nwe", ["new"]),
        ("banana", []),
    ],
)
def test_a_mistyped_word_gets_the_one_meant(typed: str, meant: list[str]) -> None:
    assert did_you_mean(typed, COMMANDS) == meant


def test_made_up_names_need_to_be_nearly_the_same() -> None:
    kpis = ["monthly churn", "monthly revenue"]
    assert did_you_mean("montly churn", kpis, cutoff=NAME_CLOSE) == ["monthly churn"]
    assert did_you_mean("monthly returns", kpis, cutoff=NAME_CLOSE) == []
    assert did_you_mean("monthly returns", kpis) != []  # (a command word would be offered)


def test_several_by_closeness() -> None:
    names = ["churn-radar", "churn-reduction", "fraud-alerts"]
    assert did_you_mean("chrun-reduction", names, n=6)[0] == "churn-reduction"
