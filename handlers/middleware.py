"""Drop Slack's retries of events already handled, still answering 200.

Message events are exempt: their handling is idempotent by message ts (an answer, a note or
an edit is keyed by the message it came from), so a retry changes nothing there, and the
many channel messages that are not ours cost no database write.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.services import Services

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    @app.middleware
    async def drop_handled_retries(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        raw_event = body.get("event")
        event: dict[str, Any] = raw_event if isinstance(raw_event, dict) else {}
        if (
            body.get("type") == "event_callback"
            and isinstance(event_id, str)
            and event.get("type") != "message"
        ):
            team_id = str(body.get("team_id") or "")
            if not await services.first_delivery(team_id, event_id):
                retry = req.headers.get("x-slack-retry-num", ["0"])
                log.info("dropping repeated event %s (retry %s)", event_id, retry[0])
                return BoltResponse(status=200, body="")
        return await next()
