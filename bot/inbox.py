"""The inbox: a Slack request that changes state is recorded before Slack gets its answer,
then processed from the record.

`record` runs in the request, before the acknowledgement: when it fails (disk full, database
down) the caller answers Slack with an error, so Slack retries an event or the person sees
that nothing was taken. Processing starts right after the record; a process that dies
mid-way leaves the row claimed, and once the claim is stale any pass on any replica
(`recover`) processes it again. Processing must therefore be safe to repeat: answers are
keyed by message ts, commands and buttons re-check the state they act on.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.activity import Activity
from storage.rows import InboxRow
from storage.store import Store

log = logging.getLogger(__name__)

Processor = Callable[[dict[str, Any]], Awaitable[None]]

# A claim older than this is from a process that died (processing takes milliseconds, a
# command that posts a few messages seconds) or from an attempt that failed.
STALE = timedelta(seconds=30)
MAX_ATTEMPTS = 5
BATCH = 200
# Rows processed within this many seconds are marked done in one write. A crash before that
# write only means they are processed again, which is safe.
DONE_DELAY = 0.02


class Inbox:
    def __init__(self, store: Store, clock: Callable[[], datetime], activity: Activity) -> None:
        self.store = store
        self.clock = clock
        self.activity = activity
        self._processors: dict[str, Processor] = {}
        self._running: set[asyncio.Task[Any]] = set()
        self._done: list[int] = []

    def handle(self, kind: str, processor: Processor) -> None:
        """Who processes requests of this kind (wired once at start-up)."""
        self._processors[kind] = processor

    async def record(self, kind: str, team_id: str, key: str, body: dict[str, Any]) -> int | None:
        """Write the request down; its row id, or None when it was recorded before (a Slack
        retry). Raises when the database cannot take it."""
        if kind not in self._processors:
            raise KeyError(f"no processor for inbox kind {kind!r}")
        text = json.dumps(body, separators=(",", ":"), sort_keys=True)
        now = self.clock()
        return await self.store.write(lambda tx: tx.inbox.record(team_id, key, kind, text, now))

    def start(self, inbox_id: int, kind: str, body: dict[str, Any]) -> None:
        """Process a row just recorded, in the background (after Slack has its answer)."""
        task = asyncio.create_task(self.process(inbox_id, kind, body, attempts=1))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def process(
        self, inbox_id: int, kind: str, body: dict[str, Any], *, attempts: int
    ) -> bool:
        """Run the row's processor and mark it done; a failure is recorded and tried again
        by a later pass (given up after MAX_ATTEMPTS). True when it was processed."""
        async with self.activity.track():
            try:
                await self._processors[kind](body)
            except Exception as exc:
                give_up = attempts >= MAX_ATTEMPTS
                log.exception(
                    "processing inbox row %s (%s) failed, attempt %s%s",
                    inbox_id,
                    kind,
                    attempts,
                    "; giving up" if give_up else "; will try again",
                )
                error = f"{type(exc).__name__}: {exc}"
                now = self.clock()
                try:
                    await self.store.write(
                        lambda tx: tx.inbox.failed(inbox_id, error, now, give_up)
                    )
                except Exception:
                    log.exception("could not record the failure of inbox row %s", inbox_id)
                return False
            self._mark_done(inbox_id)
            return True

    def _mark_done(self, inbox_id: int) -> None:
        self._done.append(inbox_id)
        if len(self._done) == 1:
            self.activity.begin()
            task = asyncio.create_task(self._flush_done())
            self._running.add(task)
            task.add_done_callback(self._running.discard)

    async def _flush_done(self) -> None:
        try:
            await asyncio.sleep(DONE_DELAY)
            await self.flush()
        finally:
            self.activity.end()

    async def flush(self) -> None:
        """Mark the rows processed so far done (also before the process stops)."""
        ids, self._done = self._done, []
        if not ids:
            return
        now = self.clock()
        try:
            await self.store.write(lambda tx: tx.inbox.done(ids, now))
        except Exception:
            log.exception("could not mark inbox rows done; they will be processed again")

    async def recover(self, now: datetime | None = None) -> int:
        """Process rows left behind by a process that died or an attempt that failed, oldest
        first; returns how many were taken."""
        moment = now or self.clock()
        kinds = sorted(self._processors)
        rows: list[InboxRow] = await self.store.write(
            lambda tx: tx.inbox.claim_stale(moment, moment - STALE, kinds, BATCH)
        )
        for row in rows:
            try:
                body = json.loads(row.body)
            except ValueError:
                body = None
            if not isinstance(body, dict):
                await self._give_up(row.id, moment)
                continue
            log.info("processing inbox row %s (%s) left from earlier", row.id, row.kind)
            await self.process(row.id, row.kind, body, attempts=row.attempts)
        await self.flush()
        return len(rows)

    async def _give_up(self, inbox_id: int, now: datetime) -> None:
        await self.store.write(lambda tx: tx.inbox.failed(inbox_id, "unreadable", now, True))

    async def purge(self, now: datetime) -> int:
        return await self.store.write(lambda tx: tx.inbox.purge_done(now))
