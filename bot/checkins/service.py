"""Check-in schedules (`/mle checkin`) and the check-in buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.blocks import esc
from bot.domain.schedule import DAYS, ScheduleError, parse_recurrence
from bot.interview.service import InterviewService
from bot.projects.lookup import find_project
from bot.projects.stages import StageService
from bot.scheduling import outbox
from bot.scheduling.checkins import KIND, save_schedule
from bot.slack_gateway import SlackGateway
from storage.rows import ProjectRow
from storage.store import Store, Tx
from storage.timefmt import iso


class CheckinService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        stages: StageService,
        interviews: InterviewService,
        clock: Callable[[], datetime],
        kick: Callable[..., None] = lambda channel=None: None,
    ) -> None:
        self.store = store
        self.slack = slack
        self.stages = stages
        self.interviews = interviews
        self.clock = clock
        self.kick = kick  # the poster: post what the last unit queued

    async def _allowed(self, project: ProjectRow, user: str) -> bool:
        return user == project.owner_id or await self.slack.is_admin(user)

    async def set_schedule(
        self, team_id: str, user: str, name: str, days: str | None, time: str | None, tz: str | None
    ) -> str:
        """`days`/`time` None means turn check-ins off."""
        found = await self.store.read(
            lambda tx: (
                p := find_project(tx, team_id, name),
                tx.schedules.get(team_id, KIND, str(p.id)) if not isinstance(p, str) else None,
            )
        )
        project, existing = found
        if isinstance(project, str):
            return project
        if not await self._allowed(project, user):
            return (
                f"Only the owner of *{project.name}* (<@{project.owner_id}>) or a workspace "
                "admin can change its check-ins."
            )
        now = self.clock()
        if days is None or time is None:
            await self.store.write(lambda tx: tx.schedules.disable(team_id, KIND, str(project.id)))
            return (
                f"Check-ins for *{project.name}* are off. Turn them on with "
                f"`/mle checkin {project.slug} mon 10:00`."
            )
        zone = tz or (existing.tz if existing else project.tz)
        try:
            rule = parse_recurrence(days, time, zone)
        except ScheduleError as exc:
            return (
                f"{exc}\nUsage: `/mle checkin <project> <days> <HH:MM> [<IANA tz>]` or "
                "`/mle checkin <project> off`."
            )
        await self.store.write(lambda tx: save_schedule(tx, project, rule, now))
        first = rule.next_after(now)
        return (
            f"Check-ins for *{project.name}*: {rule.describe()}. Next one "
            f"<!date^{int(first.timestamp())}^{{date_short_pretty}} {{time}}|"
            f"{rule.slot(first)}>."
        )

    async def press(self, team_id: str, user: str, value: str, action: str) -> str | None:
        """A check-in button; returns an ephemeral answer for the presser."""
        try:
            project_id, delivery_id = (int(x) for x in value.split(":", 1))
        except ValueError:
            return "That button is out of date."
        now = iso(self.clock())
        label = {
            "checkin_on_track": "On track",
            "checkin_blocked": "Blocked",
            "checkin_next": "Ready for next stage",
        }.get(action)
        if label is None:
            return None

        def record(tx: Tx) -> tuple[ProjectRow, str | None] | str | None:
            project = tx.projects.get(team_id, project_id)
            delivery = tx.deliveries.get(team_id, delivery_id)
            if project is None or delivery is None or delivery.subject != str(project_id):
                return None
            if (
                action == "checkin_next"
                and delivery.posted_at is not None
                and project.stage_entered_at > delivery.posted_at
            ):
                # the button belongs to a check-in of an earlier stage: it moves nothing now
                return (
                    f"That check-in is from before *{esc(project.name)}* entered "
                    f"*{project.stage}*, so its button no longer moves the project. Use the "
                    f"latest check-in, or `/mle stage {project.slug} next`."
                )
            tx.deliveries.respond(delivery_id, user, now)
            tx.notes.add(
                team_id=team_id,
                project_id=project_id,
                kind="checkin",
                stage=project.stage,
                question_key=None,
                author_id=user,
                message_ts=f"button:{delivery_id}:{user}:{action}:{now}",
                text=label,
                now=now,
                delivery_id=delivery_id,
            )
            return project, delivery.posted_ts

        recorded = await self.store.write(record)
        if recorded is None:
            return "That check-in no longer exists."
        if isinstance(recorded, str):
            return recorded
        project, posted_ts = recorded
        if action != "checkin_next" and posted_ts:
            await self.interviews.ask_again(team_id, project_id, posted_ts)
        if action == "checkin_on_track":
            return f"Noted: *{project.name}* is on track. Thanks!"
        if action == "checkin_blocked":
            text = (
                f"🚧 <@{user}> marked *{esc(project.name)}* as blocked. <@{project.owner_id}>, "
                "what is in the way? Reply here so it is on record."
            )
            moment = self.clock()
            await self.store.write(
                lambda tx: tx.deliveries.add_many(
                    outbox.thread_line("thread", project, text, moment)
                )
            )
            self.kick(project.channel_id)
            return "Noted as blocked; I asked the owner in the thread."
        return await self.stages.move(team_id, user, project.slug, "next", force=False)


__all__ = ["DAYS", "CheckinService"]
