"""Slack adapters: parse a payload, call one bot service, render the result."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.services import Services


def wire_inbox(services: Services) -> None:
    """Who processes each kind of request recorded in the inbox: also where no Bolt app
    runs (`mle-coach tick` processes what a crash left behind)."""
    from handlers import actions, commands, messages

    services.inbox.handle("message", messages.processor(services), messages.inline(services))
    services.inbox.handle("command", commands.processor(services))
    services.inbox.handle("button", actions.button_processor(services))
    services.inbox.handle("form", actions.form_processor(services))


def register_all(app: AsyncApp, services: Services) -> None:
    from handlers import actions, commands, middleware, surfaces

    middleware.register(app, services)
    commands.register(app, services)
    surfaces.register(app, services)
    actions.register(app, services)
