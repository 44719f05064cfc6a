"""`/mle new`: create the project, post its parent message, start the planning interview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.bank import QuestionBank
from bot.domain.names import name_key, slugify
from bot.domain.stages import Stage
from bot.domain.timebox import known_zone
from bot.interview import render
from bot.interview.service import InterviewService
from bot.problems import NOT_MEMBER
from bot.scheduling.checkins import default_schedule
from bot.slack_gateway import SlackGateway
from bot.touch import Touch, nobody
from storage.errors import DuplicateKey
from storage.rows import ProjectRow
from storage.store import Store, Tx
from storage.timefmt import iso


class ProjectCreator:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        interviews: InterviewService,
        clock: Callable[[], datetime],
        touch: Touch = nobody,
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.interviews = interviews
        self.clock = clock
        self.touch = touch  # whose Home tabs a change affects

    async def create(self, team_id: str, channel: str, user: str, name: str) -> str | None:
        """Returns a message for the person who asked, or None when the thread speaks for it."""
        key, slug = name_key(name), slugify(name)
        existing = await self.store.read(lambda tx: tx.projects.by_name(team_id, key, slug))
        if existing is not None and (existing.thread_ts or existing.channel_id != channel):
            return await self._duplicate(existing)
        problem = await self.slack.ensure_member(channel)
        if problem is not None:
            return NOT_MEMBER.get(problem, f"I can't post in this channel ({problem}).")
        if existing is None:
            tz = known_zone(await self.slack.user_tz(user))
            moment = self.clock()
            now = iso(moment)

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
                    now=now,
                )
                tx.interviews.create(team_id, project_id, Stage.PLANNING.value, now)
                project = tx.projects.get(team_id, project_id)
                assert project is not None
                default_schedule(tx, project, moment)
                return project

            try:
                project = await self.store.write(insert)
            except DuplicateKey:
                found = await self.store.read(lambda tx: tx.projects.by_name(team_id, key, slug))
                return await self._duplicate(found) if found else "That name is taken."
        else:
            project = existing  # created earlier, but its parent message never got posted
        return await self._post_parent(project)

    async def _post_parent(self, project: ProjectRow) -> str | None:
        self.touch(project.team_id, project.owner_id)
        total = len(self.bank.questions(Stage.PLANNING))
        post = render.parent(project.name, project.owner_id, project.stage, total)
        posted = await self.slack.post(project.channel_id, post.text, post.blocks)
        if not posted.ok or posted.ts is None:
            return (
                f"I couldn't post in this channel ({posted.error}). The project "
                f"*{project.name}* is saved; run `/mle new {project.name}` again to retry."
            )
        thread_ts = posted.ts
        await self.store.write(
            lambda tx: tx.projects.set_thread(project.team_id, project.id, thread_ts)
        )
        await self.interviews.post_current(project.team_id, project.id)
        return None

    async def _duplicate(self, existing: ProjectRow) -> str:
        where = f"<#{existing.channel_id}>"
        if existing.thread_ts:
            link = await self.slack.permalink(existing.channel_id, existing.thread_ts)
            if link:
                where = f"<{link}|its thread> in <#{existing.channel_id}>"
        return (
            f"A project called *{existing.name}* already exists: {where}. "
            "Pick another name, or continue there."
        )
