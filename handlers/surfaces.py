"""Events the app subscribes to beyond messages: App Home and mentions."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncSay

from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    @app.event("app_home_opened")
    async def on_home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or not event.get("user"):
            return
        async with services.activity.track():
            team = str(body.get("team_id") or "")
            await services.home.publish(team, str(event["user"]))

    @app.event("app_mention")
    async def on_mention(event: dict[str, Any], say: AsyncSay) -> None:
        async with services.activity.track():
            thread = event.get("thread_ts") or event.get("ts")
            await say(text="Hi! Type `/mle help` to see what I can do.", thread_ts=thread)
