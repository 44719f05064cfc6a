"""What identifies a Slack request in the inbox."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def request_key(kind: str, body: dict[str, Any]) -> str:
    """Commands and interactions carry a `trigger_id` unique to one invocation; a body
    without one (never seen from Slack) is keyed by its content."""
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"{kind}:{trigger}"
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:sha256:{digest[:32]}"
