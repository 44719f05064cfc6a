"""Check-in schedules (`/mle checkin`) and the check-in buttons."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.blocks import clip, esc
from bot.bus import request_key
from bot.checkins import render
from bot.domain.schedule import DAYS, ScheduleError, parse_recurrence
from bot.domain.stages import Stage
from bot.interview.service import InterviewService
from bot.projects.lookup import find_project
from bot.projects.stages import Moved, StageService
from bot.scheduling import outbox
from bot.scheduling.checkins import KIND, hold, save_schedule
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
    ) -> None:
        self.store = store
        self.slack = slack
        self.stages = stages
        self.interviews = interviews
        self.clock = clock

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

        def save(tx: Tx) -> bool:
            fresh = tx.projects.get(team_id, project.id)  # closed or reopened meanwhile?
            save_schedule(tx, project, rule, now)
            closed = fresh is not None and fresh.stage == Stage.CLOSED
            if closed:  # kept for when it is reopened
                hold(tx, project)
            return closed

        if await self.store.write(save):
            return (
                f"Check-ins for *{project.name}*: {rule.describe()}. It is closed, so they "
                f"start when it is reopened (`/mle reopen {project.slug}`)."
            )
        first = rule.next_after(now)
        local = first.astimezone(ZoneInfo(rule.tz))
        return (
            f"Check-ins for *{project.name}*: {rule.describe()}. Next one "
            f"<!date^{int(first.timestamp())}^{{date_short_pretty}} {{time}}|"
            f"{local:%a %d %b %H:%M} {local.tzname()}>."
        )

    async def press(self, team_id: str, user: str, value: str, action: str) -> str | None:
        """*On track* or *Ready for next stage* on a check-in (*Blocked* opens a form);
        returns an ephemeral answer for the presser. A press never touches the interview."""
        parsed = _ids(value)
        if parsed is None:
            return "That button is out of date."
        project_id, delivery_id = parsed
        moment = self.clock()
        if action not in ("checkin_on_track", "checkin_next"):
            return None
        key = request_key() or f"{action}:{iso(moment)}"

        def check(tx: Tx) -> ProjectRow | str | None:
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
            if tx.notes.by_message(team_id, project_id, _note_ts(delivery_id, user, key)):
                return f"Noted already: that press on *{esc(project.name)}*'s check-in is in."
            return project

        project = await self.store.read(check)
        if project is None:
            return "That check-in no longer exists."
        if isinstance(project, str):
            return project
        if action == "checkin_on_track":
            return await self._on_track(project, delivery_id, user, key, moment)
        return await self._ready(project, delivery_id, user, key, moment)

    async def _on_track(
        self, project: ProjectRow, delivery_id: int, user: str, key: str, moment: datetime
    ) -> str:
        label = "On track"

        def record(tx: Tx) -> int | None:
            # the press is kept as a note keyed by its request: a replay finds it
            if not self._note(tx, project, delivery_id, user, label, key, moment):
                return None
            tx.deliveries.respond(delivery_id, user, moment)
            # an older check-in's button leaves blockers raised after a newer one
            newer = [
                d.posted_at
                for d in tx.deliveries.for_subject(project.team_id, "checkin", str(project.id))
                if d.id > delivery_id and d.posted_at
            ]
            cleared = self._clear(
                tx,
                project,
                user,
                f"*{label}*",
                moment,
                mention=False,
                raised_before=min(newer) if newer else None,
            )
            if not cleared:  # the team sees the answer in the thread, as it sees a blocker
                line = f"👍 *{esc(project.name)}* is on track: a check-in answer, noted."
                tx.deliveries.add_many(outbox.thread_line("thread", project, line, moment))
            return cleared

        cleared = await self.store.write(record)
        if cleared is None:
            return f"Noted already: *{project.name}* is on track."
        unblocked = " The blocker is cleared." if cleared else ""
        return f"Noted: *{project.name}* is on track.{unblocked} Thanks!"

    async def _ready(
        self, project: ProjectRow, delivery_id: int, user: str, key: str, moment: datetime
    ) -> str:
        """The move, the press kept as a note, the check-in answered and the blocker cleared
        in one transaction; a refused move keeps the press as what it was."""
        label = "Ready for next stage"
        cleared: list[int] = []

        def along(tx: Tx, before: ProjectRow) -> None:
            if not self._note(tx, before, delivery_id, user, label, key, moment):
                return
            tx.deliveries.respond(delivery_id, user, moment)
            # (this attempt's: PostgreSQL may run the unit again)
            cleared[:] = [self._clear(tx, before, user, f"*{label}*", moment, mention=False)]

        moved = await self.stages.move(
            project.team_id, user, project.slug, "next", force=False, along=along
        )
        if isinstance(moved, Moved):
            return moved.text + (" The blocker is cleared." if cleared and cleared[0] else "")
        # a refused press is still what the team said, kept as it went: not as a move
        said = f"{label} (it moved nothing: {moved.why})"

        def refused(tx: Tx) -> None:
            if self._note(tx, project, delivery_id, user, said, key, moment):
                tx.deliveries.respond(delivery_id, user, moment)

        await self.store.write(refused)
        return moved.text

    async def form_checkin(
        self, team_id: str, value: str, can_see: Callable[[str], Awaitable[bool]]
    ) -> ProjectRow | None:
        """The project of the check-in a *Blocked* form names (`project id:check-in id`), or
        None: the ids do not belong together (a check-in of another project, or not a
        check-in), or the person may not see the project (`can_see`: its channel)."""
        parsed = _ids(value)
        if parsed is None:
            return None
        project = await self.store.read(lambda tx: _checkin_project(tx, team_id, *parsed))
        if project is None or not await can_see(project.channel_id):
            return None
        return project

    async def blocker_form(self, team_id: str, value: str) -> dict[str, object] | None:
        """The *Blocked* form for a check-in, or None when its project is gone."""
        parsed = _ids(value)
        if parsed is None:
            return None
        project = await self.store.read(lambda tx: tx.projects.get(team_id, parsed[0]))
        return None if project is None else render.blocker_modal(value, project.name)

    async def block(
        self,
        team_id: str,
        user: str,
        value: str,
        what: str,
        unblocker: str | None,
        request_key: str,
    ) -> None:
        """The *Blocked* form: the blocker is on the project until cleared; the thread says
        so without pinging the person who raised it."""
        parsed = _ids(value)
        if parsed is None:
            return
        project_id, delivery_id = parsed
        moment = self.clock()

        def record(tx: Tx) -> ProjectRow | None:
            project = _checkin_project(tx, team_id, project_id, delivery_id)
            if project is None:  # gone, or the ids do not belong together
                return None
            taken = tx.blockers.raise_(
                team_id=team_id,
                project_id=project_id,
                stage=project.stage,
                what=what,
                unblocker_id=unblocker,
                raised_by=user,
                now=moment,
                request_key=request_key,
            )
            if not taken:
                return None  # this form was recorded before
            tx.deliveries.respond(delivery_id, user, moment)
            self._note(tx, project, delivery_id, user, f"Blocked: {what}", request_key, moment)
            if unblocker and unblocker != user:
                ask = f" <@{unblocker}>, you were named as the one who can unblock it."
            elif project.owner_id != user:
                ask = f" <@{project.owner_id}>, your project is blocked."
            else:
                ask = ""
            line = (
                f"🚧 *{esc(project.name)}* is blocked: “{esc(clip(what, 1000))}”.{ask}\n"
                f"It shows in check-ins, the digest and App Home until *On track*, *Ready for "
                f"next stage* or `/mle unblock {project.slug} [note]` clears it."
            )
            tx.deliveries.add_many(outbox.thread_line("thread", project, line, moment))
            return project

        await self.store.write(record)

    async def unblock(self, team_id: str, user: str, project_id: int, note: str) -> str:
        """`/mle unblock <project> [note]`."""
        moment = self.clock()

        def clear(tx: Tx) -> tuple[ProjectRow, int] | None:
            project = tx.projects.get(team_id, project_id)
            if project is None:
                return None
            how = "`/mle unblock`" + (f": {note}" if note else "")
            return project, self._clear(tx, project, user, how, moment, mention=True)

        done = await self.store.write(clear)
        if done is None:
            return "That project no longer exists."
        project, cleared = done
        if not cleared:
            return f"*{esc(project.name)}* has no open blocker."
        return f"Cleared the blocker on *{esc(project.name)}*."

    def _clear(
        self,
        tx: Tx,
        project: ProjectRow,
        user: str,
        how: str,
        moment: datetime,
        *,
        mention: bool,
        raised_before: datetime | None = None,
    ) -> int:
        """Clear the project's open blockers (recorded with who and how); the thread says
        what was cleared and how long it lasted. Returns how many."""
        cleared = tx.blockers.clear(project.team_id, project.id, user, moment, how, raised_before)
        for blocker in cleared:
            days = round((moment - blocker.raised_at).total_seconds() / 86400)
            lasted = "under a day" if days < 1 else f"{days} day{'s' if days != 1 else ''}"
            who = f" by <@{user}>" if mention else ""
            line = (
                f"✅ Blocker cleared{who} ({esc(clip(how, 300))}): “{esc(clip(blocker.what, 300))}”"
                f" — it lasted {lasted}."
            )
            tx.deliveries.add_many(outbox.thread_line("thread", project, line, moment))
        return len(cleared)

    @staticmethod
    def _note(
        tx: Tx,
        project: ProjectRow,
        delivery_id: int,
        user: str,
        text: str,
        key: str,
        now: datetime,
    ) -> bool:
        """A button or form on a check-in is its answer, kept as a note with its author (the
        caller marks the check-in answered). False when the same request noted it before."""
        return tx.notes.add(
            team_id=project.team_id,
            project_id=project.id,
            kind="checkin",
            stage=project.stage,
            question_key=None,
            author_id=user,
            message_ts=_note_ts(delivery_id, user, key),
            text=text,
            now=now,
            delivery_id=delivery_id,
        )


def _note_ts(delivery_id: int, user: str, key: str) -> str:
    """Where a press or form on a check-in is kept: by the request that made it."""
    return f"button:{delivery_id}:{user}:{key}"


def _checkin_project(tx: Tx, team_id: str, project_id: int, delivery_id: int) -> ProjectRow | None:
    """The project, when the delivery is one of its check-ins (as a press checks)."""
    project = tx.projects.get(team_id, project_id)
    delivery = tx.deliveries.get(team_id, delivery_id)
    if project is None or delivery is None:
        return None
    if delivery.kind != KIND or delivery.subject != str(project_id):
        return None
    return project


def _ids(value: str) -> tuple[int, int] | None:
    """`project id:check-in id`, as a check-in's buttons carry it."""
    try:
        project_id, delivery_id = (int(x) for x in value.split(":", 1))
    except ValueError:
        return None
    return project_id, delivery_id


__all__ = ["DAYS", "CheckinService"]
