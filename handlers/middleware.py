"""Events enter here, before Bolt's listeners.

A message event that may change state is recorded in the inbox and only then answered 200;
when the record fails Slack gets a 503 and re-sends it. A retry of a recorded event is
answered 200 and changes nothing. Other message events are answered 200 at once.

Other events (App Home, mentions) change no state; Slack's retries of them are dropped by
`event_id`, remembered in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.services import Services
from handlers import messages

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    @app.middleware
    async def events_enter_through_the_inbox(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        raw_event = body.get("event")
        event: dict[str, Any] = raw_event if isinstance(raw_event, dict) else {}
        if body.get("type") != "event_callback" or not isinstance(event_id, str):
            return await next()
        team_id = str(body.get("team_id") or "")
        retry = req.headers.get("x-slack-retry-num", ["0"])[0]
        if event.get("type") == "message":
            if not messages.concerns_us(event):
                return BoltResponse(status=200, body="")
            try:
                inbox_id = await services.inbox.record("message", team_id, event_id, body)
            except Exception as exc:
                log.error(
                    "could not record event %s (%s); answered 503 so Slack re-sends it",
                    event_id,
                    type(exc).__name__,
                )
                return BoltResponse(status=503, body="")
            if inbox_id is None:
                log.info("dropping repeated event %s (retry %s)", event_id, retry)
            else:
                services.inbox.start(inbox_id, "message", body)
            return BoltResponse(status=200, body="")
        if not await services.first_delivery(team_id, event_id):
            log.info("dropping repeated event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next()
