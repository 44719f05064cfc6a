"""Read the Add-metric and Snooze forms (view_submission state); pure."""

from __future__ import annotations

from typing import Any

from bot.domain.business_rules import METHODS
from bot.domain.names import name_problem
from bot.domain.reading import Quantity, read_quantity
from bot.domain.slack_ids import user_id

MAX_NAME = 80


def _value(values: dict[str, Any], block: str) -> Any:
    element = (values.get(block) or {}).get("value") or {}
    if "selected_user" in element:
        return element.get("selected_user")
    if "selected_option" in element:
        return (element.get("selected_option") or {}).get("value")
    return element.get("value")


def read_add_metric(values: dict[str, Any]) -> tuple[dict[str, object], dict[str, str]]:
    """(fields for the metric, errors by block id to show inline). Each value is held to
    what `/mle metric` holds it to: the name's rules, numbers with their units, a person's
    user id."""
    fields: dict[str, object] = {}
    errors: dict[str, str] = {}
    units: dict[str, str] = {}
    name = " ".join(str(_value(values, "metric_name") or "").split())
    if not name:
        errors["metric_name"] = "Name the business KPI."
    elif len(name) > MAX_NAME:
        errors["metric_name"] = f"{MAX_NAME} characters at most."
    elif problem := name_problem(name, "KPI name"):
        errors["metric_name"] = problem.replace("`", "")  # shown as plain text
    fields["name"] = name
    for block, key, required in (
        ("baseline", "baseline", True),
        ("target", "target", True),
        ("latest", "value", False),
    ):
        raw = _value(values, block)
        if raw in (None, ""):
            if required:
                errors[block] = "A number, please."
            continue
        found = read_quantity(str(raw))  # Slack's number field sends digits and a point
        if not isinstance(found, Quantity):
            errors[block] = f"`{str(raw)[:20]}` is not one number."
        else:
            fields[key] = found.value
            units[key] = found.unit  # "" when bare: checked against the KPI's unit as typed
    fields["units"] = units
    owner = _value(values, "owner")
    if user_id(owner):
        fields["owner_id"] = owner
    else:
        errors["owner"] = "Pick who owns the KPI." if not owner else "Pick a person."
    method = _value(values, "method")
    if method in METHODS:
        fields["method"] = method
    else:
        errors["method"] = "Pick how it is measured."
    direction = _value(values, "direction")
    fields["direction"] = direction if direction in ("higher", "lower") else "higher"
    window = _value(values, "window")
    if window not in (None, ""):
        days = read_quantity(str(window))
        if not isinstance(days, Quantity) or days.unit or days.value not in range(1, 367):
            errors["window"] = "Whole days from 1 to 366."
        else:
            fields["window_days"] = int(days.value)
    return fields, errors


def read_snooze(values: dict[str, Any]) -> tuple[str, dict[str, str]]:
    reason = " ".join(str(_value(values, "reason") or "").split())
    if len(reason) < 3:
        return reason, {"reason": "Say why (a few words are enough)."}
    return reason[:500], {}
