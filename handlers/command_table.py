"""`/mle` subcommands: one entry per parsed command type, each handler holding only the
services it uses (wired once at start-up)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.blocks import Post
from bot.commands import parser
from bot.registry.report import registry_text
from bot.services import Services
from storage.rows import ModelRow, ProjectRow


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
    workspace, status, visible = services.workspace, services.status, services.visibility
    visible_to = services.visibility
    answers, closer, stats = services.answers, services.closer, services.stats
    kpis = services.kpis

    async def project(name: str, who: Caller) -> ProjectRow | str:
        """A project this person may see (its channel's members), else as if it did not
        exist."""
        return await visible.project(who.team, who.user, who.channel, name)

    async def model(name: str, who: Caller) -> ModelRow | str:
        """A model this person may see (where its project is), else as if it did not exist."""
        return await visible.model(who.team, who.user, who.channel, name)

    def sees(who: Caller) -> Callable[[str], Awaitable[bool]]:
        """Whether this person, where they type, may read a channel."""

        async def can_see(channel: str) -> bool:
            return await visible.can_see(who.user, channel, who.channel)

        return can_see

    async def new(c: parser.NewProject, who: Caller) -> Reply:
        return await creator.create(who.team, who.channel, who.user, c.name, sees(who))

    async def move(c: parser.MoveStage, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        moved = await stages.move(who.team, who.user, found.slug, c.target, c.force)
        return moved.text

    async def checkin(c: parser.SetCheckin, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await checkins.set_schedule(who.team, who.user, found.slug, c.days, c.time, c.tz)

    async def deploy(c: parser.Deploy, who: Caller) -> Reply:
        # the project's name may have several words: the longest visible one that leaves a
        # model name (and maybe a version) wins, as the service itself reads it
        for cut in range(len(c.words) - 1, 0, -1):
            if len(c.words) - cut > 2:
                break
            found = await project(" ".join(c.words[:cut]), who)
            if not isinstance(found, str):
                words = (found.slug, *c.words[cut:])
                return await models.deploy(who.team, who.user, words, c.tier, sees(who))
        first = await project(c.words[0], who)
        if isinstance(first, str):
            return first
        return await models.deploy(who.team, who.user, c.words, c.tier, sees(who))

    async def metric(c: parser.DefineMetric, who: Caller) -> Reply:
        found = await model(c.model, who)
        if isinstance(found, str):
            return found
        return await kpis.define(who.team, who.user, found.id, c.name, c.value, c.changes, c.units)

    async def remove_metric(c: parser.RemoveMetric, who: Caller) -> Reply:
        found = await model(c.model, who)
        if isinstance(found, str):
            return found
        return await kpis.remove(who.team, who.user, found.id, c.name)

    async def correct_value(c: parser.CorrectValue, who: Caller) -> Reply:
        found = await model(c.model, who)
        if isinstance(found, str):
            return found
        return await kpis.correct(who.team, who.user, found.id, c.name, c.value, c.unit, c.day)

    async def retire(c: parser.Retire, who: Caller) -> Reply:
        found = await model(c.model, who)
        if isinstance(found, str):
            return found
        return await models.retire(who.team, who.user, found.id)

    async def digest(c: parser.Digest, who: Caller) -> Reply:
        if c.action == "now":
            return await digests.now(who.team, who.channel)
        if c.action == "off":
            return await digests.turn_off(who.team, who.channel)
        assert c.days is not None and c.time is not None
        return await digests.set_schedule(who.team, who.user, who.channel, c.days, c.time, c.tz)

    async def delete(c: parser.DeleteProject, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await deleter.ask(who.team, who.user, found.slug)

    async def settings(c: parser.Settings, who: Caller) -> Reply:
        changes = dict(c.changes)
        if changes.get("registry_channel") == "here":
            changes["registry_channel"] = who.channel
        return await workspace.settings(who.team, who.user, changes)

    async def show(c: parser.Status, who: Caller) -> Reply:
        if c.project:
            found = await project(c.project, who)
            if isinstance(found, str):
                return found
            return await status.project(who.team, found.slug)
        return await status.channel(who.team, who.channel)

    async def answer(c: parser.AnswerQuestion, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await answers.answer(who.team, who.user, found.id, c.stage, c.question, c.text)

    async def close(c: parser.CloseProject, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await closer.close(who.team, who.user, found.id, c.outcome, c.reason)

    async def reopen(c: parser.ReopenProject, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await closer.reopen(who.team, who.user, found.id)

    async def show_stats(c: parser.Stats, who: Caller) -> Reply:
        async def visible(channel: str) -> bool:
            # the chart goes to this channel: only what everyone here may see goes in it
            return channel == who.channel or await visible_to.public(channel)

        return await stats.stats(who.team, who.channel, c.scope, visible)

    async def chart(c: parser.KpiChart, who: Caller) -> Reply:
        found = await model(c.model, who)
        if isinstance(found, str):
            return found
        return await stats.chart(who.team, found.id)

    async def registry(c: parser.Registry, who: Caller) -> Reply:
        latest, names = await services.store.read(
            lambda tx: (tx.registry.latest(who.team), tx.projects.names_and_channels(who.team))
        )
        hidden = set()  # projects in channels this person cannot read, and their models
        for name, channel in names:
            if not await visible.can_see(who.user, channel, who.channel):
                hidden.add(name)
        return registry_text(
            latest,
            services.registry.enabled,
            who.team,
            services.settings.MLFLOW_SYNC_MINUTES,
            hidden=hidden,
        )

    async def unblock(c: parser.Unblock, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await checkins.unblock(who.team, who.user, found.id, c.note)

    async def brief(c: parser.ShowBrief, who: Caller) -> Reply:
        found = await project(c.project, who)
        if isinstance(found, str):
            return found
        return await answers.brief(who.team, who.user, found.id, c.stage)

    return {
        parser.AnswerQuestion: answer,
        parser.RemoveMetric: remove_metric,
        parser.CorrectValue: correct_value,
        parser.ShowBrief: brief,
        parser.Unblock: unblock,
        parser.Stats: show_stats,
        parser.KpiChart: chart,
        parser.Registry: registry,
        parser.CloseProject: close,
        parser.ReopenProject: reopen,
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
