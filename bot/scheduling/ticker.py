"""One scheduler pass: turn due schedule slots into deliveries (one per slot, a unique key),
then let the poster (bot/scheduling/poster.py) post what is ready."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from bot.activity import Activity
from bot.domain.schedule import Recurrence
from bot.scheduling.compose import Composed
from bot.scheduling.kinds import CHECKIN, NUDGE, DeliveryKind
from bot.scheduling.poster import BATCH, Poster, TickLine
from bot.slack_gateway import SlackGateway
from bot.timing import REAL, Timing
from storage.rows import DeliveryRow, NewDelivery, ScheduleRow
from storage.store import Store, Tx

log = logging.getLogger(__name__)

MAX_CATCH_UP = 60  # missed slots looked at per schedule and pass
NUDGE_AFTER = timedelta(hours=24)
NUDGE_WINDOW = timedelta(days=7)
# A source adds deliveries that are not calendar slots (nudges, reminders) during a pass.
Source = Callable[[Tx, datetime], None]


def _missed_window(settings: dict[str, object], default: timedelta) -> timedelta:
    """How late a slot may still be posted: the workspace's `missed_hours`, else `default`."""
    hours = settings.get("missed_hours")
    if isinstance(hours, int) and 0 <= hours <= 168:
        return timedelta(hours=hours)
    return default


def recurrence(schedule: ScheduleRow) -> Recurrence:
    return _recurrence(schedule.days, schedule.at_time, schedule.tz)


@lru_cache(maxsize=4096)
def _recurrence(days: str, at_time: str, tz: str) -> Recurrence:
    """Schedules share a few patterns; one object each keeps the calendar caches warm."""
    hour, minute = (int(x) for x in at_time.split(":"))
    return Recurrence(tuple(days.split(",")), hour, minute, tz)


class Ticker:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        kinds: Sequence[DeliveryKind],
        clock: Callable[[], datetime],
        max_late: timedelta = timedelta(hours=6),
        sources: Sequence[Source] = (),
        activity: Activity | None = None,
        poster_store: Store | None = None,
        timing: Timing = REAL,
    ) -> None:
        """`store`: where the pass materializes its slots (it drains them itself: they wake
        no poster); `poster_store`: the poster's, the services' bus, so that what a post
        changes (the next question, Home tabs) is dispatched like any change."""
        self.store = store
        self.poster = Poster(
            poster_store or store, slack, kinds, clock, activity or Activity(), timing
        )
        self.sources = (queue_nudges, *sources)
        self.clock = clock
        self.max_late = max_late

    @property
    def min_gap(self) -> float:
        """Seconds between posts to one channel after a short burst (0: no pacing)."""
        return self.poster.pacer.gap

    @min_gap.setter
    def min_gap(self, seconds: float) -> None:
        self.poster.pacer.gap = seconds

    async def tick(self, now: datetime | None = None, *, dry_run: bool = False) -> list[TickLine]:
        """One pass as if it were `now`; with `dry_run`, what would be posted, changing nothing."""
        moment = now or self.clock()
        if dry_run:
            return await self.store.rehearse(lambda tx: self._rehearse(tx, moment))
        lines = await self.store.write(lambda tx: self._materialize(tx, moment))
        return await self.poster.drain(moment, lines)

    # ---- slots → deliveries
    def _materialize(self, tx: Tx, now: datetime) -> list[TickLine]:
        lines: list[TickLine] = []
        while True:
            due = tx.schedules.due(now, BATCH)
            rows: list[NewDelivery] = []
            moves: list[tuple[datetime, int]] = []
            stored = tx.workspaces.settings([s.team_id for s in due])
            for schedule in due:
                rule = recurrence(schedule)
                late = _missed_window(stored.get(schedule.team_id, {}), self.max_late)
                slot_due = schedule.next_due_at or now
                for _ in range(MAX_CATCH_UP):
                    if slot_due > now:
                        break
                    slot = rule.slot(slot_due)
                    on_time = now - slot_due <= late
                    rows.append(
                        NewDelivery(
                            team_id=schedule.team_id,
                            key=f"{schedule.kind}:{schedule.subject}:{slot}",
                            kind=schedule.kind,
                            subject=schedule.subject,
                            channel_id=schedule.channel_id,
                            created_at=now,
                            due_at=slot_due,
                            slot=slot,
                            schedule_id=schedule.id,
                            status="pending" if on_time else "skipped",
                        )
                    )
                    if not on_time:
                        lines.append(
                            TickLine(
                                schedule.kind,
                                f"for {schedule.subject}",
                                slot,
                                f"skipped (missed by more than {late})",
                            )
                        )
                    slot_due = rule.next_after(slot_due)
                if slot_due <= now:
                    slot_due = rule.next_after(now)
                moves.append((slot_due, schedule.id))
            tx.deliveries.add_many(rows)
            tx.schedules.set_next(moves)
            if len(due) < BATCH:
                break
        for source in self.sources:
            source(tx, now)
        return lines

    # ---- deliveries → posts: the poster
    def _claim(
        self, tx: Tx, now: datetime, lines: list[TickLine]
    ) -> tuple[list[tuple[DeliveryRow, Composed]], int]:
        claims, taken = self.poster.claim(tx, now, lines)
        return [(c.row, c.composed) for c in claims], taken

    def _rehearse(self, tx: Tx, now: datetime) -> list[TickLine]:
        lines = self._materialize(tx, now)
        for row, composed in self._claim(tx, now, lines)[0]:
            if self.poster.lists(row.kind):
                lines.append(TickLine(row.kind, composed.label, row.slot, "would post"))
        return lines


def queue_nudges(tx: Tx, now: datetime) -> None:
    """One nudge for each check-in nobody answered within a day."""
    quiet = tx.deliveries.unanswered(CHECKIN, now - NUDGE_AFTER, now - NUDGE_WINDOW, BATCH)
    tx.deliveries.add_many(
        [
            NewDelivery(
                team_id=d.team_id,
                key=f"{NUDGE}:{d.id}",
                kind=NUDGE,
                subject=str(d.id),
                channel_id=d.channel_id,
                created_at=now,
                due_at=now,
                thread_ts=d.thread_ts,
            )
            for d in quiet
        ]
    )


__all__ = ["BATCH", "Ticker", "TickLine"]
