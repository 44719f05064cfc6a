"""One scheduler pass: turn due schedule slots into deliveries, then post what is ready.

Claiming happens in write transactions (so two processes never take the same row); each
post happens after its claim committed, and its outcome is recorded afterwards. A failed
post stays pending with a backoff; a claim whose process died is taken over once stale.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from bot.domain.schedule import Recurrence
from bot.scheduling.compose import Composed, Composer
from bot.slack_gateway import PERMANENT, Posted, SlackGateway
from storage.rows import DeliveryRow, NewDelivery, ScheduleRow
from storage.store import Store, Tx
from storage.timefmt import iso, parse

log = logging.getLogger(__name__)

BATCH = 500
MAX_CATCH_UP = 60  # missed slots looked at per schedule and pass
CLAIM_STALE = timedelta(minutes=2)
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
)
NUDGE_AFTER = timedelta(hours=24)
NUDGE_WINDOW = timedelta(days=7)
CHANNELS_AT_ONCE = 50
# Slack allows about one post per second per channel: posts to one channel within a pass are
# spaced by this much (429s are still honoured by the client if Slack asks for more).
CHANNEL_GAP = 1.0
RATE_LIMIT_PATIENCE = 5
# A source adds deliveries that are not calendar slots (nudges, reminders) during a pass.
Source = Callable[[Tx, datetime], None]


@dataclass(frozen=True)
class TickLine:
    kind: str
    label: str
    slot: str | None
    outcome: str  # posted | would post | retry later | failed | skipped

    def __str__(self) -> str:
        slot = f" [{self.slot}]" if self.slot else ""
        return f"{self.outcome}: {self.kind}{slot} {self.label}"


def _missed_window(settings: dict[str, object], default: timedelta) -> timedelta:
    """How late a slot may still be posted: the workspace's `missed_hours`, else `default`."""
    hours = settings.get("missed_hours")
    if isinstance(hours, int) and 0 <= hours <= 168:
        return timedelta(hours=hours)
    return default


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(attempts, len(BACKOFF) - 1)]


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
        composers: Mapping[str, Composer],
        clock: Callable[[], datetime],
        max_late: timedelta = timedelta(hours=6),
        sources: Sequence[Source] = (),
    ) -> None:
        self.store = store
        self.slack = slack
        self.composers = composers
        self.sources = (queue_nudges, *sources)
        self.min_gap = CHANNEL_GAP
        self.clock = clock
        self.max_late = max_late

    async def tick(self, now: datetime | None = None, *, dry_run: bool = False) -> list[TickLine]:
        """One pass as if it were `now`; with `dry_run`, what would be posted, changing nothing."""
        moment = now or self.clock()
        if dry_run:
            return await self.store.rehearse(lambda tx: self._rehearse(tx, moment))
        lines = await self.store.write(lambda tx: self._materialize(tx, moment))
        # a pipeline: the next batch is claimed and composed while this one is being posted
        claims, taken = await self._claim_batch(moment, lines)
        while claims:
            posting = asyncio.create_task(self._post_all(claims, moment))
            if taken < BATCH:
                claims, taken = [], 0
            else:
                claims, taken = await self._claim_batch(moment, lines)
            lines.extend(await posting)
        return lines

    # ---- slots → deliveries
    def _materialize(self, tx: Tx, now: datetime) -> list[TickLine]:
        lines: list[TickLine] = []
        stamp = iso(now)
        while True:
            due = tx.schedules.due(stamp, BATCH)
            rows: list[NewDelivery] = []
            moves: list[tuple[str, int]] = []
            stored = tx.workspaces.settings([s.team_id for s in due])
            for schedule in due:
                rule = recurrence(schedule)
                late = _missed_window(stored.get(schedule.team_id, {}), self.max_late)
                slot_due = parse(schedule.next_due_at or stamp)
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
                moves.append((iso(slot_due), schedule.id))
            tx.deliveries.add_many(rows)
            tx.schedules.set_next(moves)
            if len(due) < BATCH:
                break
        for source in self.sources:
            source(tx, now)
        return lines

    # ---- deliveries → posts
    async def _claim_batch(
        self, now: datetime, lines: list[TickLine]
    ) -> tuple[list[tuple[DeliveryRow, Composed]], int]:
        # the unit may run again (PostgreSQL retries a lost race): it fills a list of its own
        def unit(tx: Tx) -> tuple[list[tuple[DeliveryRow, Composed]], int, list[TickLine]]:
            skipped: list[TickLine] = []
            claims, taken = self._claim(tx, now, skipped)
            return claims, taken, skipped

        claims, taken, skipped = await self.store.write(unit)
        lines.extend(skipped)
        return claims, taken

    def _claim(
        self, tx: Tx, now: datetime, lines: list[TickLine]
    ) -> tuple[list[tuple[DeliveryRow, Composed]], int]:
        """Claim ready deliveries and compose them; returns the posts and how many were taken."""
        claims = []
        taken = tx.deliveries.claim_ready(iso(now), iso(now - CLAIM_STALE), BATCH)
        by_kind: dict[str, list[DeliveryRow]] = defaultdict(list)
        for row in taken:
            by_kind[row.kind].append(row)
        for kind, rows in by_kind.items():
            composer = self.composers.get(kind)
            composed_rows = composer(tx, rows, now) if composer else [None] * len(rows)
            for row, composed in zip(rows, composed_rows, strict=True):
                if composed is None:
                    tx.deliveries.finish(row.id, "skipped", "nothing to post any more")
                    lines.append(TickLine(row.kind, f"#{row.id}", row.slot, "skipped"))
                else:
                    claims.append((row, composed))
        return claims, len(taken)

    def _rehearse(self, tx: Tx, now: datetime) -> list[TickLine]:
        lines = self._materialize(tx, now)
        for row, composed in self._claim(tx, now, lines)[0]:
            lines.append(TickLine(row.kind, composed.label, row.slot, "would post"))
        return lines

    async def _post_all(
        self, claims: list[tuple[DeliveryRow, Composed]], now: datetime
    ) -> list[TickLine]:
        """Channels in parallel (a few at a time), posts within a channel in order."""
        by_channel: dict[str, list[tuple[DeliveryRow, Composed]]] = defaultdict(list)
        for row, composed in claims:
            by_channel[composed.channel].append((row, composed))
        gate = asyncio.Semaphore(CHANNELS_AT_ONCE)

        async def channel(items: list[tuple[DeliveryRow, Composed]]) -> list[TickLine]:
            async with gate:
                lines = []
                for index, (row, composed) in enumerate(items):
                    if index:
                        await asyncio.sleep(self.min_gap)
                    lines.append(await self._post_one(row, composed, now))
                return lines

        results = await asyncio.gather(*(channel(items) for items in by_channel.values()))
        return [line for group in results for line in group]

    async def _post_one(self, row: DeliveryRow, composed: Composed, now: datetime) -> TickLine:
        result = await self._post_patiently(
            composed.channel, composed.text, composed.blocks, composed.thread_ts
        )
        outcome = await self.store.write(lambda tx: self._record(tx, row, composed, result, now))
        if result.ok and result.ts and composed.more:
            await self._continue(row, composed, result.ts)
        return TickLine(row.kind, composed.label, row.slot, outcome)

    async def _continue(self, row: DeliveryRow, composed: Composed, parent_ts: str) -> None:
        """The rest of a long post, as replies under it; a failure is recorded on the row."""
        failures = []
        for text, blocks in composed.more:
            await asyncio.sleep(self.min_gap)
            part = await self._post_patiently(composed.channel, text, blocks, parent_ts)
            if not part.ok:
                failures.append(part.error or "unknown")
        if failures:
            error = f"{len(failures)} continuation post(s) failed: {failures[0]}"
            await self.store.write(lambda tx: tx.deliveries.note(row.id, error))

    async def _post_patiently(
        self, channel: str, text: str, blocks: list[dict[str, object]], thread_ts: str | None
    ) -> Posted:
        """Rate-limited even after the client's own retries (a busy fan-out): wait as Slack
        says and try again within this pass, a few times, before leaving it for later."""
        result = await self.slack.post(channel, text, blocks, thread_ts=thread_ts)
        for _ in range(RATE_LIMIT_PATIENCE):
            if result.error != "ratelimited":
                break
            await asyncio.sleep(result.retry_after or 1)
            result = await self.slack.post(channel, text, blocks, thread_ts=thread_ts)
        return result

    def _record(
        self, tx: Tx, row: DeliveryRow, composed: Composed, result: Posted, now: datetime
    ) -> str:
        if result.ok and result.ts:
            tx.deliveries.posted(row.id, result.ts, composed.thread_ts, iso(now))
            return "posted"
        error = result.error or "unknown"
        if error in PERMANENT:
            tx.deliveries.finish(row.id, "failed", error)
            return f"failed ({error})"
        wait = max(backoff(row.attempts), timedelta(seconds=result.retry_after or 0))
        tx.deliveries.retry_later(row.id, error, iso(now + wait))
        return f"retry later ({error})"


def queue_nudges(tx: Tx, now: datetime) -> None:
    """One nudge for each check-in nobody answered within a day."""
    quiet = tx.deliveries.unanswered(
        "checkin", iso(now - NUDGE_AFTER), iso(now - NUDGE_WINDOW), BATCH
    )
    tx.deliveries.add_many(
        [
            NewDelivery(
                team_id=d.team_id,
                key=f"nudge:{d.id}",
                kind="nudge",
                subject=str(d.id),
                channel_id=d.channel_id,
                created_at=now,
                due_at=now,
                thread_ts=d.thread_ts,
            )
            for d in quiet
        ]
    )
