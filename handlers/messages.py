"""Channel messages: thread replies, edits and deletes."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any]) -> None:
        async with services.activity.track():
            return None
