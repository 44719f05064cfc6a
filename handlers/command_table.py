"""`/mle` subcommands: one entry per parsed command type, each handler holding only the
services it uses (wired once at start-up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.blocks import Post
from bot.commands import parser
from bot.services import Services


@dataclass(frozen=True)
class Caller:
    """Who typed the command, where."""

    team: str
    channel: str
    user: str


# A handler answers the person who typed the command: text, a message, or nothing.
Reply = str | Post | None
Handler = Callable[[Any, Caller], Awaitable[Reply]]


def command_table(services: Services) -> dict[type, Handler]:
    creator, stages, checkins = services.creator, services.stages, services.checkins
    models, digests, deleter = services.models, services.digests, services.deleter
    workspace, status = services.workspace, services.status

    async def new(c: parser.NewProject, who: Caller) -> Reply:
        return await creator.create(who.team, who.channel, who.user, c.name)

    async def move(c: parser.MoveStage, who: Caller) -> Reply:
        return await stages.move(who.team, who.user, c.project, c.target, c.force)

    async def checkin(c: parser.SetCheckin, who: Caller) -> Reply:
        return await checkins.set_schedule(who.team, who.user, c.project, c.days, c.time, c.tz)

    async def deploy(c: parser.Deploy, who: Caller) -> Reply:
        return await models.deploy(who.team, who.user, c.words, c.tier)

    async def metric(c: parser.DefineMetric, who: Caller) -> Reply:
        return await models.define(who.team, who.user, c.model, c.name, c.value, c.changes)

    async def retire(c: parser.Retire, who: Caller) -> Reply:
        return await models.retire(who.team, who.user, c.model)

    async def digest(c: parser.Digest, who: Caller) -> Reply:
        if c.action == "now":
            return await digests.now(who.team, who.channel)
        if c.action == "off":
            return await digests.turn_off(who.team, who.channel)
        assert c.days is not None and c.time is not None
        return await digests.set_schedule(who.team, who.user, who.channel, c.days, c.time, c.tz)

    async def delete(c: parser.DeleteProject, who: Caller) -> Reply:
        return await deleter.ask(who.team, who.user, c.project)

    async def settings(c: parser.Settings, who: Caller) -> Reply:
        return await workspace.settings(who.team, who.user, c.changes)

    async def show(c: parser.Status, who: Caller) -> Reply:
        if c.project:
            return await status.project(who.team, c.project)
        return await status.channel(who.team, who.channel)

    return {
        parser.NewProject: new,
        parser.MoveStage: move,
        parser.SetCheckin: checkin,
        parser.Deploy: deploy,
        parser.DefineMetric: metric,
        parser.Retire: retire,
        parser.Digest: digest,
        parser.DeleteProject: delete,
        parser.Settings: settings,
        parser.Status: show,
    }
