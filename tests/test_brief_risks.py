"""A brief's Risks name the yes/no questions answered the way the book warns about, as the
question bank says (`risk_if`) — a `no` to "Is training reproducible …?", a `yes` to "Any
glue code …?" or to "Is new technology needed?" — required or not, and nothing for answers
that only begin like one (`normally`, `none`, `not sure`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.bank_file import load_bank
from bot.domain.gates import Gate
from bot.domain.kpi import read_plan
from bot.interview.render import risks
from storage.rows import AnswerRow

DEVELOPMENT = load_bank().questions("development")
NOW = datetime(2026, 11, 26, 8, tzinfo=UTC)


def _risks(key: str, text: str) -> list[str]:
    answers = {
        key: AnswerRow(1, "T1", 1, "development", key, "answered", text, "U0A", "1.2", NOW, NOW)
    }
    return risks(DEVELOPMENT, answers, read_plan(DEVELOPMENT, {}), Gate(()))


CASES = [
    # (question key, the answer, a risk?)
    ("reproducible", "no", True),  # "Is training reproducible …?" (optional)
    ("reproducible", "No - seeds are not fixed yet", True),
    ("reproducible", "not yet, next sprint", True),
    ("reproducible", "nope", True),
    ("reproducible", "yes, pinned data snapshots", False),
    ("reproducible", "normally, when the cache is warm", False),
    ("reproducible", "not sure, need to check", False),
    ("reproducible", "n/a", False),  # a non-answer, not a no
    ("reproducible", "No problem, fully reproducible", False),
    ("code_quality", "n", True),  # "Is the code modular, unit-tested and reviewed?"
    ("debt", "yes, a lot of glue code around the feature store", True),  # "Any glue code …?"
    ("debt", "some config sprawl", True),
    ("debt", "no", False),
    ("debt", "none that we know of", False),
    ("serving_design", "no idea yet", False),  # not a yes/no question
]


SCOPING = load_bank().questions("scoping")


@pytest.mark.parametrize(
    ("text", "risk"),
    [("no, existing airflow + sagemaker batch", False), ("yes, a feature store", True)],
)
def test_new_technology_is_the_risk_not_its_absence(text: str, risk: bool) -> None:
    """`Is new technology needed?`: `yes` is the risk; the bank says which answer is."""
    answers = {
        "new_tech": AnswerRow(
            1, "T1", 1, "scoping", "new_tech", "answered", text, "U0A", "1.2", NOW, NOW
        )
    }
    assert bool(risks(SCOPING, answers, read_plan(SCOPING, {}), Gate(()))) == risk


@pytest.mark.parametrize(("key", "text", "risk"), CASES, ids=[f"{k}: {t}" for k, t, _ in CASES])
def test_a_worrying_answer_is_a_risk(key: str, text: str, risk: bool) -> None:
    found = _risks(key, text)
    assert bool(found) == risk, found
    if risk:
        assert text[:40] in found[0]
