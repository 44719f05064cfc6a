"""Reminder posts and the two modals (Add metric, Snooze); pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks import Post, actions, button, clip, context, esc, section
from bot.domain.business_rules import Finding
from bot.domain.reading import show
from storage.rows import MetricRow

ADD_METRIC = "model_add_metric"
SNOOZE = "model_snooze"
RULE_NAMES = {
    "F1": "no business KPI",
    "F2": "a model metric used as the KPI",
    "F3": "no baseline",
    "F4": "no target",
    "F5": "no owner",
    "F6": "no measurement method",
    "F7": "no recent value",
    "F8": "not beating the baseline",
}


def kpi_line(kpi: MetricRow) -> str:
    """`monthly churn: 4.5 % → 3.8 % (lower is better)`."""
    base = show(kpi.baseline, kpi.unit) if kpi.baseline is not None else "no baseline"
    goal = show(kpi.target, kpi.unit) if kpi.target is not None else "no target"
    return f"{kpi.name}: {base} → {goal} ({kpi.direction} is better)"


def kpi_state(kpi: MetricRow, values: tuple[tuple[float, datetime], ...]) -> str:
    """`kpi_line`, then the latest value and its date (plain text: escape it to show it)."""
    line = kpi_line(kpi)
    if values:
        value, at = values[-1]
        line += f"; latest {show(value, kpi.unit)} on {at:%Y-%m-%d}"
    return line


@dataclass(frozen=True)
class KpiHint:
    """What the planning interview said about the KPI, to prefill commands and the form:
    numbers as a command takes them (`4.1%`), never a model metric as the name."""

    name: str = "<business KPI>"
    baseline: str = "<n>"
    target: str = "<n>"
    owner: str = "@someone"  # what the command shows; a mention does not render in code
    owner_id: str | None = None  # named beside the command
    direction: str | None = None
    baseline_value: float | None = None
    target_value: float | None = None
    planning_metric: str | None = None  # the model metric planning kept as its KPI (F2)
    method: str | None = None
    window_days: int | None = None
    unit: str = ""

    def owner_note(self) -> str:
        return (
            f" (its owner will be <@{self.owner_id}>, named in planning; add `owner=@…` for "
            "someone else)"
            if self.owner_id
            else ""
        )


def hint_of(kpi: MetricRow) -> KpiHint:
    """A KPI as it stands, to prefill the form (its numbers, not planning's)."""
    return KpiHint(
        name=kpi.name,
        baseline=as_typed(kpi.baseline, kpi.unit) if kpi.baseline is not None else "<n>",
        target=as_typed(kpi.target, kpi.unit) if kpi.target is not None else "<n>",
        owner_id=kpi.owner_id,
        direction=kpi.direction,
        baseline_value=kpi.baseline,
        target_value=kpi.target,
        method=kpi.method,
        window_days=kpi.window_days,
        unit=kpi.unit,
    )


def as_typed(value: float, unit: str) -> str:
    """A number as `/mle metric` reads it back: `4.1%`, `$1200000`, `0.042`."""
    number = f"{value:.10g}"
    if unit in ("$", "€", "£", "¥"):
        return f"{unit}{number}"
    return f"{number}{unit}" if unit in ("%", "pp") else f"{number}{' ' + unit if unit else ''}"


def quoted(text: str) -> str:
    return f'"{text}"' if (" " in text or not text) else text


def fix_command(code: str, model: str, metric: str | None, hint: KpiHint) -> str:
    name = quoted(metric or hint.name)
    base = f"/mle metric {quoted(model)} {name}"
    way = f" {hint.direction}" if hint.direction else ""
    owner = "" if hint.owner_id else f" owner={hint.owner}"  # planning's owner is taken
    return {
        "F1": f"{base} baseline={hint.baseline} target={hint.target}{owner} method=ab{way}",
        "F2": f"/mle metric {quoted(model)} {quoted(hint.name)} baseline={hint.baseline} "
        f"target={hint.target}{owner} method=ab{way}",
        "F3": f"{base} baseline=<current value>",
        "F4": f"{base} target=<value that means success>",
        "F5": f"{base} owner=@someone",
        "F6": f"{base} method=ab|holdout|pre_post window=30d",
        "F7": f"{base} <latest value>",
        "F8": f"{base} <latest value>",
    }[code]


def reminder(
    *,
    model: str,
    model_id: int,
    project: str,
    mention: str,
    found: list[Finding],
    hint: KpiHint,
    registry: str | None = None,
) -> Post:
    """`registry`: the MLflow registered model it mirrors (its tags are the other way)."""
    lines = []
    for f in found:
        label = "blocking" if f.blocking else ("warning" if f.code != "F8" else "heads-up")
        lines.append(
            f"• *{f.code} {RULE_NAMES[f.code]}* ({label}): {esc(clip(f.text, 300))}\n"
            f"   Fix: `{esc(fix_command(f.code, model, f.metric, hint))}`"
            + (hint.owner_note() if f.code in ("F1", "F2", "F5") else "")
        )
    if hint.planning_metric and not any(f.code == "F2" for f in found):
        lines.append(
            f"• *F2 {RULE_NAMES['F2']}* (from planning): the KPI agreed in planning, "
            f"{esc(clip(hint.planning_metric, 60))}, measures the model, not the business — the "
            "KPI above should be the business number the model is meant to move."
        )
    if registry:
        lines.append(
            f"This model is followed from MLflow: the tags `mle.kpi`, `mle.kpi.baseline`, "
            f"`mle.kpi.target`, `mle.kpi.owner` … on *{esc(clip(registry, 80))}* fix these "
            "too, and values come from the metric named by `mle.kpi` logged on the deployed "
            "version's run."
        )
    codes = ", ".join(f"{f.code} {RULE_NAMES[f.code]}" for f in found)
    text = (
        f"<@{mention}> {esc(model)} ({esc(project)}) cannot show its business value yet: {codes}."
    )
    value = str(model_id)
    blocks = [
        section(
            f"<@{mention}> *{esc(clip(model, 80))}* ({esc(clip(project, 80))}) is deployed but "
            "cannot show its business value yet."
        ),
        section("\n".join(lines)),
        actions(
            "model_reminder",
            button("Add metric", ADD_METRIC, value, "primary"),
            button("Snooze 7 days", SNOOZE, value),
        ),
        context(
            "I'll remind again in 7 days while a rule still holds; retiring the model "
            "(`/mle retire`) stops reminders."
        ),
    ]
    return Post(text, blocks)


def f8_warning(*, model: str, mention: str, finding: Finding) -> Post:
    text = (
        f"<@{mention}> heads-up on {esc(model)}: {esc(finding.text.rstrip('.?!'))}? Keep, "
        f"iterate or retire it (`/mle retire {esc(quoted(model))}`)?"
    )
    return Post(text, [section(text)])


def _input(
    block_id: str, label: str, element: dict[str, Any], optional: bool = False
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": label},
        "element": element,
    }


def _number(action_id: str, initial: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "number_input",
        "action_id": action_id,
        "is_decimal_allowed": True,
    }
    if initial:
        element["initial_value"] = initial
    return element


def _select(action_id: str, options: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "type": "static_select",
        "action_id": action_id,
        "options": [
            {"text": {"type": "plain_text", "text": label}, "value": value}
            for value, label in options
        ],
    }


def _initial(element: dict[str, Any], value: str | None) -> dict[str, Any]:
    """A select with its current value chosen."""
    for option in element.get("options", []):
        if option["value"] == value:
            element["initial_option"] = option
    return element


def add_metric_modal(model_id: int, model: str, hint: KpiHint) -> dict[str, Any]:
    name = {"type": "plain_text_input", "action_id": "value", "max_length": 80}
    if hint.name and not hint.name.startswith("<"):
        name["initial_value"] = hint.name
    owner: dict[str, Any] = {"type": "users_select", "action_id": "value"}
    if hint.owner_id:
        owner["initial_user"] = hint.owner_id
    unit = f" (in {hint.unit})" if hint.unit else ""
    return {
        "type": "modal",
        "callback_id": "add_metric",
        "title": {"type": "plain_text", "text": "Add business metric"},
        "submit": {"type": "plain_text", "text": "Save"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"model_id": model_id}),
        "blocks": [
            section(f"The business KPI that proves *{esc(clip(model, 100))}* is worth running."),
            _input("metric_name", "KPI name (not a model metric like AUC)", name),
            _input(
                "baseline",
                f"Baseline (value before the model){unit}",
                _number("value", _numeric(hint.baseline_value)),
            ),
            _input("target", f"Target{unit}", _number("value", _numeric(hint.target_value))),
            _input("owner", "Owner", owner),
            _input(
                "method",
                "Measured by",
                _initial(
                    _select(
                        "value",
                        [
                            ("ab", "A/B test"),
                            ("holdout", "Holdout group"),
                            ("pre_post", "Before/after"),
                        ],
                    ),
                    hint.method,
                ),
            ),
            _input(
                "direction",
                "Better is",
                _initial(
                    _select("value", [("higher", "Higher"), ("lower", "Lower")]), hint.direction
                ),
            ),
            _input(
                "window",
                "Measurement window (days)",
                _number("value", str(hint.window_days or 30)),
                optional=True,
            ),
            _input("latest", f"Latest value{unit}", _number("value"), optional=True),
        ],
    }


def snooze_modal(model_id: int, model: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "snooze",
        "title": {"type": "plain_text", "text": "Snooze reminders"},
        "submit": {"type": "plain_text", "text": "Snooze 7 days"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"model_id": model_id}),
        "blocks": [
            section(
                f"Reminders about *{esc(clip(model, 100))}* stop for 7 days. Why? (kept on record)"
            ),
            _input(
                "reason",
                "Reason",
                {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "min_length": 3,
                    "max_length": 500,
                },
            ),
        ],
    }


def _numeric(value: float | None) -> str | None:
    return None if value is None else f"{value:.10g}"
