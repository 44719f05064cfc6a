"""The inbox: a Slack request that changes state is recorded before Slack gets its answer,
then processed from the record.

`record` runs in the request, before the acknowledgement: when it fails (disk full, database
down) the caller answers Slack with an error, so Slack retries an event or the person sees
that nothing was taken. Processing starts right after the record; a process that dies
mid-way leaves the row claimed, and once the claim is stale any pass on any replica
(`recover`) processes it again. The first unit of work that processing commits also marks
the row done, in the same transaction (bot/bus.py): a request whose change was committed is
never run again, whatever happens after (the answer to the person failing included). What
a request writes carries its key as well (answers are keyed by message ts, values and
check-in notes by the request's key), so a replay is recognised even without the mark.

A kind may also be processed *inside* the transaction that records it (`take`, the hot path
of a thread reply): the row is written already done together with what processing changed
(what it caused goes out through the bus after the commit), so the request is handled
exactly once and costs one transaction. What cannot be decided
there (the reply waits for a question's ts) or raises falls back to the path above.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.activity import Activity
from bot.bus import AlreadyDone, serving
from storage.rows import InboxRow
from storage.store import Store, Tx

log = logging.getLogger(__name__)

Processor = Callable[[dict[str, Any]], Awaitable[None]]
# Processing within the recording transaction: given the request and "now", True when it
# was taken (what it caused goes out through the bus after the commit), False to leave the
# request to `start`.
Inline = Callable[[Tx, dict[str, Any], datetime], bool]


class _InlineFailed(Exception):
    """Processing within the recording transaction raised: the whole unit is rolled back."""


# A claim older than this is from a process that died (processing takes milliseconds, a
# command that posts a few messages seconds) or from an attempt that failed.
STALE = timedelta(seconds=30)
MAX_ATTEMPTS = 5
BATCH = 200


class Inbox:
    def __init__(self, store: Store, clock: Callable[[], datetime], activity: Activity) -> None:
        self.store = store
        self.clock = clock
        self.activity = activity
        self._processors: dict[str, Processor] = {}
        self._inline: dict[str, Inline] = {}
        self._running: set[asyncio.Task[Any]] = set()

    def handle(self, kind: str, processor: Processor, inline: Inline | None = None) -> None:
        """Who processes requests of this kind (wired once at start-up); `inline`, when
        given, is tried first within the transaction that records the request."""
        self._processors[kind] = processor
        if inline is not None:
            self._inline[kind] = inline

    async def take(self, kind: str, team_id: str, key: str, body: dict[str, Any]) -> bool:
        """Record a request and process it: within the recording transaction when its kind
        can be, otherwise right after (`start`). False when it was recorded before (a Slack
        retry). Raises when the database cannot take it. Processed within the recording
        transaction, the row keeps no body; one left to process keeps it."""
        inline = self._inline.get(kind)
        if inline is None:
            return await self._record_and_start(kind, team_id, key, body)
        now = self.clock()

        def unit(tx: Tx) -> tuple[int | None, bool]:
            inbox_id = tx.inbox.record_done(team_id, key, kind, now)
            if inbox_id is None:
                return None, False
            try:
                taken = inline(tx, body, now)
            except Exception as exc:
                raise _InlineFailed from exc
            if not taken:  # it must wait: processed from the inbox, so its body is kept
                tx.inbox.reopen(inbox_id, _encode(body), now)
            return inbox_id, taken

        try:
            async with self.activity.track():
                inbox_id, taken = await self.store.write(unit)
        except _InlineFailed as failed:
            # (a lost race on PostgreSQL, or a bug: the attempt from the inbox logs its
            # traceback if it fails again)
            log.warning(
                "processing a %s request as it was recorded failed (%s); processing it "
                "from the inbox instead",
                kind,
                type(failed.__cause__).__name__,
            )
            log.debug("the failure", exc_info=failed.__cause__)
            return await self._record_and_start(kind, team_id, key, body)
        if inbox_id is None:
            return False
        if not taken:
            self.start(inbox_id, kind, key, body)
        return True

    async def _record_and_start(
        self, kind: str, team_id: str, key: str, body: dict[str, Any]
    ) -> bool:
        inbox_id = await self.record(kind, team_id, key, body)
        if inbox_id is None:
            return False
        self.start(inbox_id, kind, key, body)
        return True

    async def record(self, kind: str, team_id: str, key: str, body: dict[str, Any]) -> int | None:
        """Write the request down; its row id, or None when it was recorded before (a Slack
        retry). Raises when the database cannot take it."""
        if kind not in self._processors:
            raise KeyError(f"no processor for inbox kind {kind!r}")
        text = _encode(body)
        now = self.clock()
        return await self.store.write(lambda tx: tx.inbox.record(team_id, key, kind, text, now))

    def start(self, inbox_id: int, kind: str, key: str, body: dict[str, Any]) -> None:
        """Process a row just recorded, in the background (after Slack has its answer)."""
        task = asyncio.create_task(self.process(inbox_id, kind, key, body, attempts=1))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def process(
        self, inbox_id: int, kind: str, key: str, body: dict[str, Any], *, attempts: int
    ) -> bool:
        """Run the row's processor. The first unit it commits completes the row in the same
        transaction (bot/bus.py); one that changed nothing is completed when it returns. A
        failure before anything was committed is recorded and tried again by a later pass
        (given up after MAX_ATTEMPTS); one after it is only logged: the request is done.
        True when it was processed."""
        async with self.activity.track():
            failure: Exception | None = None
            with serving(inbox_id, key) as request:
                try:
                    await self._processors[kind](body)
                except AlreadyDone:
                    log.info(
                        "inbox row %s (%s) was done by another run meanwhile; this one "
                        "changed nothing",
                        inbox_id,
                        kind,
                    )
                    return True
                except Exception as exc:
                    failure = exc
            # (the bookkeeping below is the inbox's own, not the request's change)
            if failure is not None and not request.completed:
                await self._failed(inbox_id, kind, failure, attempts)
                return False
            if failure is not None:
                log.error(
                    "inbox row %s (%s) failed after its change was committed; it is done and "
                    "is not processed again",
                    inbox_id,
                    kind,
                    exc_info=failure,
                )
            elif not request.completed:  # it changed nothing: done all the same
                now = self.clock()
                try:
                    await self.store.write(lambda tx: tx.inbox.done([inbox_id], now))
                except Exception:
                    log.exception("could not mark inbox row %s done", inbox_id)
            return True

    async def _failed(self, inbox_id: int, kind: str, exc: Exception, attempts: int) -> None:
        give_up = attempts >= MAX_ATTEMPTS
        log.error(
            "processing inbox row %s (%s) failed, attempt %s%s",
            inbox_id,
            kind,
            attempts,
            "; giving up" if give_up else "; will try again",
            exc_info=exc,
        )
        error = f"{type(exc).__name__}: {exc}"
        now = self.clock()
        try:
            await self.store.write(lambda tx: tx.inbox.failed(inbox_id, error, now, give_up))
        except Exception:
            log.exception("could not record the failure of inbox row %s", inbox_id)

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
            await self.process(row.id, row.kind, row.request_key, body, attempts=row.attempts)
        return len(rows)

    async def _give_up(self, inbox_id: int, now: datetime) -> None:
        await self.store.write(lambda tx: tx.inbox.failed(inbox_id, "unreadable", now, True))

    async def purge(self, now: datetime) -> int:
        return await self.store.write(lambda tx: tx.inbox.purge_done(now))


def _encode(body: dict[str, Any]) -> str:
    """The body as kept until it is processed, without Slack's legacy verification token
    (nothing reads it, and a secret is not written down)."""
    kept = {name: value for name, value in body.items() if name != "token"}
    return json.dumps(kept, separators=(",", ":"), sort_keys=True)
