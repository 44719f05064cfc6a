"""Read the *Blocked* form (view_submission state); pure."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.slack_ids import user_id


def read_blocker(values: dict[str, Any]) -> tuple[dict[str, str | None], dict[str, str]]:
    """({what, who}, errors by block id to show inline)."""
    what_element = (values.get("what") or {}).get("value") or {}
    who_element = (values.get("who") or {}).get("value") or {}
    what = " ".join(str(what_element.get("value") or "").split())
    who = who_element.get("selected_user")
    errors = {} if len(what) >= 3 else {"what": "Say what is in the way (a few words)."}
    if who and not user_id(who):
        errors["who"] = "Pick a person (or no one)."
    return {"what": what[:1000], "who": user_id(who)}, errors


def checkin_of(view: dict[str, Any]) -> str:
    """The `project id:check-in id` the form was opened for."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return ""
    return str(metadata.get("checkin") or "") if isinstance(metadata, dict) else ""
