"""What planning says about the business KPI, read from its answers, and what is wrong with
it (the risks a brief lists); pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.answers import Parsed, read_answer
from bot.domain.bank import Question, Sets
from bot.domain.reading import (
    LOWER_IS_BETTER,
    Quantity,
    model_metric_named,
    show,
    stated_direction,
)

# `ok fair - monthly churn rate`: what a person says before the answer itself
_FILLER = re.compile(
    r"^(?:(?:ok(?:ay)?|fair(?: enough)?|fine|sure|yes|yeah|yep|right|true|good point|"
    r"got it|agreed|then|(?:no|nope)(?=\s*(?:[,;:!]|[-–—]\s)))\b[\s,.:;!\-–—]*)+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Stated:
    """An answer as stored: its status and text."""

    status: str
    text: str


@dataclass(frozen=True)
class KpiPlan:
    name: str | None = None
    baseline: Quantity | None = None
    target: Quantity | None = None
    owner: str | None = None
    direction: str | None = None  # lower | higher
    inferred: bool = False  # the direction comes from target vs baseline, not from the words
    model_metric: str | None = None  # the model metric the KPI answer names
    risks: tuple[str, ...] = ()

    def line(self) -> str:
        """`monthly churn rate: 4.1 % → 3.8 % (lower is better)`."""
        name = self.name or "(no KPI named)"
        base = show(self.baseline.value, self.baseline.unit) if self.baseline else "?"
        goal = show(self.target.value, self.target.unit) if self.target else "?"
        way = f" ({self.direction} is better)" if self.direction else ""
        return f"{name}: {base} → {goal}{way}"


def _parsed(questions: tuple[Question, ...], answers: Mapping[str, Stated], sets: Sets) -> Parsed:
    for question in questions:
        if question.sets is sets:
            stated = answers.get(question.key)
            if stated is not None and stated.status == "answered":
                reading = read_answer(question, stated.text)
                if isinstance(reading, Parsed):
                    return reading
    return Parsed("")


# where a KPI answer's name ends and a remark about it begins: `AUC. leadership only trusts
# it`, `monthly churn - finance agreed`, `churn; see the dashboard`
_REMARK = re.compile(
    r"(?:(?<=[A-Za-z]{2})(?<!\b[Nn]o)(?<!\b[Vv]s)|(?<=[0-9%)]))\.\s+(?=\S)|;\s+|\s+[-–—]\s+"
)


def _kpi_name(text: str) -> str | None:
    """The KPI's name: the answer without a leading `ok`/`fair enough`, up to a remark."""
    plain = _FILLER.sub("", " ".join(text.split()))
    return _REMARK.split(plain, maxsplit=1)[0].strip() or None


def read_plan(questions: tuple[Question, ...], answers: Mapping[str, Stated]) -> KpiPlan:
    """The KPI as the stage's answers state it; `answers` maps question keys."""
    name = _parsed(questions, answers, Sets.KPI)
    base = _parsed(questions, answers, Sets.KPI_BASELINE)
    goal = _parsed(questions, answers, Sets.KPI_TARGET)
    owner = _parsed(questions, answers, Sets.KPI_OWNER)
    baseline = Quantity(base.number, base.unit) if base.number is not None else None
    target = Quantity(goal.number, goal.unit) if goal.number is not None else None
    fraction = None
    if baseline and target and bool(baseline.unit) != bool(target.unit):
        # one written bare: it shares the other's unit, unless it reads as a fraction of a %
        bare, unit = (target, baseline.unit) if baseline.unit else (baseline, target.unit)
        other = baseline if bare is target else target
        if unit == "%" and 0 < abs(bare.value) < 1 <= abs(other.value):
            fraction = bare
        elif bare is target:
            target = Quantity(target.value, unit)
        else:
            baseline = Quantity(baseline.value, unit)
    metric = model_metric_named(name.text) if name.text else None
    risks: list[str] = []
    if metric:
        risks.append(
            f"F2: the KPI names a model metric ({metric}); it measures the model, not the business"
        )
    stated = stated_direction(name.text) if name.text else None
    direction, inferred = stated, False
    if fraction is not None:
        risks.append(
            f"{show(fraction.value)} reads as a fraction while the KPI is in % "
            f"(did you mean {show(fraction.value * 100, '%')}?)"
        )
    elif baseline and target:
        if baseline.unit != target.unit:
            risks.append(
                f"the baseline ({show(baseline.value, baseline.unit)}) and the target "
                f"({show(target.value, target.unit)}) are in different units"
            )
        elif target.value == baseline.value:
            risks.append("the target equals the baseline: nothing would count as better")
        else:
            lower = target.value < baseline.value
            if metric is not None and lower != (metric in LOWER_IS_BETTER):
                # the numbers go the way the model metric would get worse: they measure
                # something else, most likely the business KPI the answer should name
                better = "lower" if metric in LOWER_IS_BETTER else "higher"
                risks.append(
                    f"{metric} is better {better}, but the target "
                    f"({show(target.value, target.unit)}) is "
                    f"{'below' if lower else 'above'} the baseline "
                    f"({show(baseline.value, baseline.unit)}): these numbers measure something "
                    "else — name that as the KPI"
                )
            if stated is None:
                direction, inferred = ("lower" if lower else "higher"), True
            elif (stated == "lower") != lower:
                risks.append(
                    f"the KPI should go {'down' if stated == 'lower' else 'up'}, but the target "
                    f"({show(target.value, target.unit)}) is on the other side of the baseline "
                    f"({show(baseline.value, baseline.unit)})"
                )
    return KpiPlan(
        name=_kpi_name(name.text),
        baseline=baseline,
        target=target,
        owner=owner.user,
        direction=direction,
        inferred=inferred,
        model_metric=metric,
        risks=tuple(risks),
    )


def renamed(
    questions: tuple[Question, ...], before: Mapping[str, Stated], after: Mapping[str, Stated]
) -> tuple[str, KpiPlan] | None:
    """The KPI's former name and the plan now, when an answer renamed the KPI while a
    baseline or target given for the former one still stands; None otherwise."""
    was, now = read_plan(questions, before), read_plan(questions, after)
    if not was.name or not now.name or was.name.lower() == now.name.lower():
        return None
    if now.baseline is None and now.target is None:
        return None
    return was.name, now
