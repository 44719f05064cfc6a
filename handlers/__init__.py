"""Slack adapters: parse a payload, call one bot service, render the result."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services


def register_all(app: AsyncApp, services: Services) -> None:
    from handlers import actions, commands, middleware, surfaces

    middleware.register(app, services)
    commands.register(app, services)
    surfaces.register(app, services)
    actions.register(app, services)
