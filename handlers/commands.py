"""`/mle`: parse, record the command in the inbox, acknowledge within Slack's 3 seconds,
then do the work from the record (again after a crash: bot/inbox.py)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.commands import parser
from bot.commands.usage import full_usage
from bot.inbox import Processor
from bot.services import Services
from handlers.inbox import request_key

log = logging.getLogger(__name__)
NOT_RECORDED = (
    "I couldn't take that command just now (my database is unavailable), so nothing was "
    "changed. Try again in a minute."
)


def processor(services: Services) -> Processor:
    async def process(command: dict[str, Any]) -> None:
        parsed = parser.parse(str(command.get("text") or ""))
        respond = AsyncRespond(response_url=command.get("response_url"))
        await dispatch(services, parsed, command, respond)

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
            inbox_id = await services.inbox.record(
                "command", team, request_key("command", command), command
            )
        except Exception as exc:
            log.error("could not record /mle %s: %s", type(parsed).__name__, type(exc).__name__)
            await ack(text=NOT_RECORDED, response_type="ephemeral")
            return
        await ack()
        if inbox_id is not None:
            await services.inbox.process(inbox_id, "command", command, attempts=1)


async def dispatch(
    services: Services, parsed: parser.Command, command: dict[str, Any], respond: AsyncRespond
) -> None:
    """Run a parsed command after the ack; every outcome reaches the user."""
    team = str(command.get("team_id") or "")
    channel = str(command.get("channel_id") or "")
    user = str(command.get("user_id") or "")
    try:
        notices = await services.problems.take_for(team, user)
        if notices:
            await respond(text="⚠️ " + "\n⚠️ ".join(notices), response_type="ephemeral")
        if isinstance(parsed, parser.NewProject):
            message = await services.creator.create(team, channel, user, parsed.name)
            if message:
                await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.MoveStage):
            message = await services.stages.move(
                team, user, parsed.project, parsed.target, parsed.force
            )
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.SetCheckin):
            message = await services.checkins.set_schedule(
                team, user, parsed.project, parsed.days, parsed.time, parsed.tz
            )
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.Deploy):
            message = await services.models.deploy(team, user, parsed.words, parsed.tier)
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.DefineMetric):
            message = await services.models.define(
                team, user, parsed.model, parsed.name, parsed.value, parsed.changes
            )
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.Retire):
            message = await services.models.retire(team, user, parsed.model)
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.Digest):
            if parsed.action == "now":
                message = await services.digests.now(team, channel)
            elif parsed.action == "off":
                message = await services.digests.turn_off(team, channel)
            else:
                assert parsed.days is not None and parsed.time is not None
                message = await services.digests.set_schedule(
                    team, user, channel, parsed.days, parsed.time, parsed.tz
                )
            if message:
                await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.DeleteProject):
            post = await services.deleter.ask(team, user, parsed.project)
            await respond(text=post.text, blocks=post.blocks, response_type="ephemeral")
        elif isinstance(parsed, parser.Settings):
            message = await services.workspace.settings(team, user, parsed.changes)
            await respond(text=message, response_type="ephemeral")
        elif isinstance(parsed, parser.Status):
            post = (
                await services.status.project(team, parsed.project)
                if parsed.project
                else await services.status.channel(team, channel)
            )
            await respond(text=post.text, blocks=post.blocks, response_type="ephemeral")
    except Exception:
        log.exception("/mle %s failed", type(parsed).__name__)
        await respond(
            text="Sorry, something went wrong on my side; try again in a minute.",
            response_type="ephemeral",
        )
