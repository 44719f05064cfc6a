"""Events enter here, before Bolt's listeners.

A message event that may change state is recorded in the inbox (a thread reply taken in the
same transaction) and only then answered 200; when the record fails Slack gets a 503 and
re-sends it. In HTTP mode message events are taken at the front door (bot/web.py) with the
same function, without going through Bolt. A retry of a recorded event is
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


async def take_message_event(services: Services, body: dict[str, Any], retry: str) -> int:
    """A message event, as it enters (HTTP mode's front door, bot/web.py; or the middleware
    below in Socket Mode): the status Slack gets. One that
    may change state is recorded (and a thread reply taken) before the 200; 503 when the
    database cannot take it."""
    if not messages.well_formed(body):
        log.info("refused a message event of an odd shape (%s)", body.get("event_id"))
        return 400
    raw_event = body.get("event")
    event: dict[str, Any] = raw_event if isinstance(raw_event, dict) else {}
    if not messages.concerns_us(event):
        return 200
    event_id = str(body.get("event_id"))
    try:
        team_id = str(body.get("team_id") or "")
        new = await services.inbox.take("message", team_id, event_id, body)
    except Exception as exc:
        log.error(
            "could not record event %s (%s); answered 503 so Slack re-sends it",
            event_id,
            type(exc).__name__,
        )
        return 503
    if not new:
        log.info("dropping repeated event %s (retry %s)", event_id, retry)
    return 200


def is_message_event(body: dict[str, Any]) -> bool:
    event = body.get("event")
    return (
        body.get("type") == "event_callback"
        and isinstance(body.get("event_id"), str)
        and isinstance(event, dict)
        and event.get("type") == "message"
    )


def register(app: AsyncApp, services: Services) -> None:
    @app.middleware
    async def events_enter_through_the_inbox(
        req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]
    ) -> Any:
        body = req.body if isinstance(req.body, dict) else {}
        event_id = body.get("event_id")
        if body.get("type") != "event_callback" or not isinstance(event_id, str):
            return await next()
        team_id = str(body.get("team_id") or "")
        retry = req.headers.get("x-slack-retry-num", ["0"])[0]
        if is_message_event(body):
            return BoltResponse(status=await take_message_event(services, body, retry), body="")
        if not await services.first_delivery(team_id, event_id):
            log.info("dropping repeated event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return await next()
