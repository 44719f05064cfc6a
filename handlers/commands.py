"""`/mle`: parse, record the command in the inbox, acknowledge within Slack's 3 seconds,
then do the work from the record (again after a crash: bot/inbox.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.blocks import Post
from bot.commands import parser
from bot.commands.parser import full_usage
from bot.inbox import Processor
from bot.services import Services
from handlers.command_table import Caller, command_table
from handlers.inbox import request_key, tell

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side; try again in a minute."
NOT_RECORDED = (
    "I couldn't take that command just now (my database is unavailable), so nothing was "
    "changed. Try again in a minute."
)


def processor(services: Services) -> Processor:
    table = command_table(services)
    problems = services.problems

    async def process(command: dict[str, Any]) -> None:
        parsed = parser.parse(str(command.get("text") or ""))
        respond = AsyncRespond(response_url=command.get("response_url"))
        who = Caller(
            team=str(command.get("team_id") or ""),
            channel=str(command.get("channel_id") or ""),
            user=str(command.get("user_id") or ""),
        )
        # (the notices are not the command's change: taking them leaves it to be done)
        notices = await problems.take_for(who.team, who.user)
        if notices:
            await tell(respond, text="⚠️ " + "\n⚠️ ".join(notices), response_type="ephemeral")
        try:
            reply = await table[type(parsed)](parsed, who)
        except Exception:
            log.exception("/mle %s failed", type(parsed).__name__)
            reply = SORRY
        # the command's change is committed (and its inbox row done with it): what follows
        # is told to the person, and a failure to tell is logged, never a reason to run it again
        if isinstance(reply, Post):
            await tell(respond, text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        elif reply:
            await tell(respond, text=reply, response_type="ephemeral")

    return process


def register(app: AsyncApp, services: Services) -> None:
    @app.command("/mle")
    async def mle(ack: AsyncAck, command: dict[str, Any]) -> None:
        parsed = parser.parse(str(command.get("text") or ""))
        if isinstance(parsed, parser.Help):
            await ack(text=full_usage(), response_type="ephemeral")
            return
        if isinstance(parsed, parser.Invalid):
            await ack(text=parsed.message, response_type="ephemeral")
            return
        team = str(command.get("team_id") or "")
        try:
            key = request_key("command", command)
            inbox_id = await services.inbox.record("command", team, key, command)
        except Exception as exc:
            log.error("could not record /mle %s: %s", type(parsed).__name__, type(exc).__name__)
            await ack(text=NOT_RECORDED, response_type="ephemeral")
            return
        await ack()
        if inbox_id is not None:
            await services.inbox.process(inbox_id, "command", key, command, attempts=1)
