"""Buttons and modals."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.checkins.render import ACTIONS
from bot.services import Services

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    for action_id in ACTIONS:

        @app.action(action_id)
        async def checkin_button(
            ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
        ) -> None:
            await ack()
            async with services.activity.track():
                team = str((body.get("team") or {}).get("id") or "")
                user = str((body.get("user") or {}).get("id") or "")
                try:
                    message = await services.checkins.press(
                        team, user, str(action.get("value") or ""), str(action["action_id"])
                    )
                except Exception:
                    log.exception("check-in button failed")
                    message = "Sorry, something went wrong on my side; try again in a minute."
                if message:
                    await respond(text=message, response_type="ephemeral", replace_original=False)
