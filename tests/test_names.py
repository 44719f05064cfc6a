"""One "did you mean": the same letters in another order first, then the nearest spelling;
names a team made up are offered only when nearly the same."""

from __future__ import annotations

import pytest

from bot.domain.names import NAME_CLOSE, did_you_mean, name_problem, ts_key, ts_sortable
from tests.conftest import Harness
from tests.interviews import new_project
from tests.test_inbox import _execute

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


# Names that show nothing: fillers and blanks are letters and symbols by category, yet draw
# nothing; format characters (zero-width space, word joiner) and spaces never count.
INVISIBLE_NAMES = ["\u3164", "\u115f\u1160", "\u2800", "\u200b\u200b \u2060", "\uffa0 \u3164"]
# text-direction controls reorder what follows: `invoice\u202efdp.exe` reads "invoiceexe.pdf"
BIDI_NAMES = ["churn\u202eetar", "\u2066churn\u2069", "a\u200fb", "x\u061cy", "\u202ax"]


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_needs_a_visible_character(name: str) -> None:
    problem = name_problem(name, "project name")
    assert problem is not None and "needs at least one visible character" in problem
    assert "Type it with letters, digits or emoji." in problem


@pytest.mark.parametrize("name", BIDI_NAMES)
def test_a_name_may_not_hold_a_direction_control(name: str) -> None:
    problem = name_problem(name, "model name")
    assert problem is not None and "text-direction control (U+" in problem
    assert "Type it without." in problem


@pytest.mark.parametrize(
    "name", ["Churn reduction", "é", "👨\u200d👩\u200d👧 family", "مخطط", "数据", "a\u200bb"]
)
def test_names_with_something_visible_are_fine(name: str) -> None:
    assert name_problem(name) is None


def test_a_refusal_says_what_was_there_and_how_to_type_it() -> None:
    said = name_problem("\u3164", "KPI name")
    assert said == (
        "The KPI name needs at least one visible character (it holds only U+3164 HANGUL "
        "FILLER). Type it with letters, digits or emoji."
    )
    said = name_problem("churn\u202e rate", "KPI name")
    assert said is not None and said.endswith("Without it the name reads “churn rate”.")


def test_edit_stamps_sort_as_time() -> None:
    stamps = ["999999999.999999", "1780000000.000100", "1780000000.0002", "10000000000.1"]
    assert sorted(stamps, key=ts_sortable) == sorted(stamps, key=ts_key)
    assert ts_sortable("1780000000.0002") > ts_sortable("1780000000.000100")


@pytest.mark.parametrize("name", INVISIBLE_NAMES[:3] + BIDI_NAMES[:2])
async def test_every_name_is_held_to_the_rule_through_the_app(harness: Harness, name: str) -> None:
    """Projects, models and KPIs: each refused with the reason, nothing created."""
    h = harness
    new = await h.emulator.slash(f'new "{name}"')
    assert "visible character" in new.json()["text"] or "direction" in new.json()["text"]
    await new_project(h, "Churn")
    await h.emulator.slash(f'deploy Churn "{name}"')
    await h.idle()
    said = h.emulator.ephemerals_for("U0ALICE")[-1].text
    assert "The model name" in said and ("visible" in said or "direction" in said), said
    await h.emulator.slash("deploy Churn churn-lgbm")
    await h.idle()
    metric = await h.emulator.slash(f'metric churn-lgbm "{name}" baseline=1 target=2')
    said = metric.json()["text"]
    assert "The metric name" in said and ("visible" in said or "direction" in said), said
    assert _execute(h.database, "SELECT name FROM projects") == [("Churn",)]
    assert _execute(h.database, "SELECT name FROM models") == [("churn-lgbm",)]
    assert _execute(h.database, "SELECT COUNT(*) FROM business_metrics") == [(0,)]
