"""What identifies a Slack request in the inbox."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond

log = logging.getLogger(__name__)


def request_key(kind: str, body: dict[str, Any]) -> str:
    """Commands and interactions carry a `trigger_id` unique to one invocation; a body
    without one (never seen from Slack) is keyed by its content."""
    trigger = body.get("trigger_id")
    if isinstance(trigger, str) and trigger:
        return f"{kind}:{trigger}"
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:sha256:{digest[:32]}"


async def tell(respond: AsyncRespond, **message: Any) -> bool:
    """Answer the person through the request's `response_url`, after the request's change
    is committed: a failure (the URL expired or cannot be reached) is logged, and the request
    is not processed again for it. False when it failed."""
    try:
        response = await respond(**message)
    except Exception as exc:
        log.warning("could not answer through response_url: %s", type(exc).__name__)
        return False
    if response.status_code >= 400:
        log.warning("response_url answered %s", response.status_code)
        return False
    return True
