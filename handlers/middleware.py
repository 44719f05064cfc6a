"""Drop Slack's retries of events already handled, still answering 200."""

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
        if body.get("type") == "event_callback" and isinstance(event_id, str):
            team_id = str(body.get("team_id") or "")
            if not await services.first_delivery(team_id, event_id):
                retry = req.headers.get("x-slack-retry-num", ["0"])
                log.info("dropping repeated event %s (retry %s)", event_id, retry[0])
                return BoltResponse(status=200, body="")
        return await next()
