"""A project's check-in schedule as a schedule row."""

from __future__ import annotations

from datetime import datetime

from bot.domain.schedule import Recurrence
from bot.scheduling.kinds import CHECKIN
from storage.rows import ProjectRow, ScheduleState
from storage.store import Tx

KIND = CHECKIN
DEFAULT_DAYS = ("mon",)
DEFAULT_HOUR, DEFAULT_MINUTE = 10, 0


def default_schedule(tx: Tx, project: ProjectRow, now: datetime) -> Recurrence:
    """Every new project: weekly, Monday 10:00 in the owner's time zone."""
    rule = Recurrence(DEFAULT_DAYS, DEFAULT_HOUR, DEFAULT_MINUTE, project.tz)
    save_schedule(tx, project, rule, now)
    return rule


def save_schedule(tx: Tx, project: ProjectRow, rule: Recurrence, now: datetime) -> None:
    tx.schedules.upsert(
        team_id=project.team_id,
        kind=KIND,
        subject=str(project.id),
        channel_id=project.channel_id,
        days=",".join(rule.days),
        at_time=rule.time_text,
        tz=rule.tz,
        next_due_at=rule.next_after(now),
    )


def hold(tx: Tx, project: ProjectRow) -> None:
    """The project is closed: its check-ins are held (no slot comes due meanwhile)."""
    tx.schedules.pause(project.team_id, KIND, str(project.id))


def resume(tx: Tx, project: ProjectRow, now: datetime) -> bool:
    """The project is open again: held check-ins go on from `now` (ones turned off stay off).
    True when they do."""
    held = tx.schedules.get(project.team_id, KIND, str(project.id))
    if held is None or held.enabled != ScheduleState.HELD:
        return False
    hour, minute = (int(x) for x in held.at_time.split(":"))
    rule = Recurrence(tuple(held.days.split(",")), hour, minute, held.tz)
    return tx.schedules.resume(project.team_id, KIND, str(project.id), rule.next_after(now))
