"""`/mle new`: create the project, post its parent message, start the planning interview."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.blocks import clip, esc
from bot.bus import home_changed
from bot.domain.bank import QuestionBank
from bot.domain.names import name_key, slugify
from bot.domain.stages import Stage
from bot.domain.timebox import known_zone
from bot.interview import render
from bot.interview.service import InterviewService
from bot.problems import NOT_MEMBER
from bot.scheduling import outbox
from bot.scheduling.checkins import default_schedule
from bot.slack_gateway import SlackGateway
from storage.errors import DuplicateKey
from storage.rows import DeliveryRow, ProjectRow
from storage.store import Store, Tx

PARENT = "parent"  # the outbox kind of a project's first message


class ProjectCreator:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        interviews: InterviewService,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.interviews = interviews
        self.clock = clock

    async def create(
        self,
        team_id: str,
        channel: str,
        user: str,
        name: str,
        can_see: Callable[[str], Awaitable[bool]],
    ) -> str | None:
        """Returns a message for the person who asked, or None when the thread speaks for it.
        `can_see`: whether the person may read a channel (a project they may not see is
        never named, nor where it is)."""
        key, slug = name_key(name), slugify(name)
        existing = await self.store.read(lambda tx: tx.projects.by_name(team_id, key, slug))
        if existing is not None and (existing.thread_ts or existing.channel_id != channel):
            return await self._duplicate(existing, name, can_see)
        problem = await self.slack.ensure_member(channel)
        if problem is not None:
            return NOT_MEMBER.get(problem, f"I can't post in this channel ({problem}).")
        if existing is None:
            tz = known_zone(await self.slack.user_tz(user))
            moment = self.clock()

            def insert(tx: Tx) -> ProjectRow:
                project_id = tx.projects.insert(
                    team_id=team_id,
                    name=name,
                    name_key=key,
                    slug=slug,
                    channel_id=channel,
                    owner_id=user,
                    tz=tz,
                    stage=Stage.PLANNING.value,
                    now=moment,
                )
                tx.interviews.create(team_id, project_id, Stage.PLANNING.value, moment)
                project = tx.projects.get(team_id, project_id)
                assert project is not None
                default_schedule(tx, project, moment)
                self._queue_parent(tx, project, moment)
                home_changed(tx, team_id, user)
                return project

            try:
                project = await self.store.write(insert)
            except DuplicateKey:
                found = await self.store.read(lambda tx: tx.projects.by_name(team_id, key, slug))
                if found is None:
                    return _taken(name)
                return await self._duplicate(found, name, can_see)
        else:
            # created earlier, but its first message never made it into Slack
            project = existing
            moment = self.clock()
            if not await self.store.write(lambda tx: self._queue_parent(tx, project, moment)):
                return f"*{project.name}* is being posted in this channel; give it a moment."
        return None

    def _queue_parent(self, tx: Tx, project: ProjectRow, now: datetime) -> bool:
        """The project's first message, in the outbox (once: False when one is on its way).
        Its thread is the project's once the poster has posted it (`parent_posted`)."""
        waiting = tx.deliveries.for_subject(project.team_id, PARENT, str(project.id))
        if any(row.status not in ("failed", "skipped") for row in waiting):
            return False
        total = len(self.bank.questions(Stage.PLANNING))
        post = render.parent(project.name, project.owner_id, project.stage, total)
        row = outbox.message(
            project.team_id,
            PARENT,
            str(project.id),
            project.channel_id,
            post,
            now,
            label=project.name,
        )
        tx.deliveries.add_many([row])
        return True

    def parent_posted(self, tx: Tx, row: DeliveryRow, ts: str, now: datetime) -> None:
        """The poster's news: the project's message is in Slack; its thread is the
        project's, and the first question is asked there."""
        project = tx.projects.get(row.team_id, int(row.subject))
        if project is None:
            return
        tx.projects.set_thread(project.team_id, project.id, ts)
        threaded = tx.projects.get(project.team_id, project.id)
        assert threaded is not None
        self.interviews.queue_current(tx, threaded, now)

    async def _duplicate(
        self, existing: ProjectRow, typed: str, can_see: Callable[[str], Awaitable[bool]]
    ) -> str:
        if not await can_see(existing.channel_id):
            return _taken(typed)
        where = f"<#{existing.channel_id}>"
        if existing.thread_ts:
            link = await self.slack.permalink(existing.channel_id, existing.thread_ts)
            if link:
                where = f"<{link}|its thread> in <#{existing.channel_id}>"
        return (
            f"A project called *{esc(existing.name)}* already exists: {where}. "
            "Pick another name, or continue there."
        )


def _taken(typed: str) -> str:
    """The answer when the project holding a name is not the person's to see."""
    return f"The project name *{esc(clip(typed, 100))}* is taken. Pick another name."
