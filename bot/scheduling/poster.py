"""The one way out to Slack for channel messages and reactions: the outbox's poster.

Rows (`deliveries`) are written in the transaction of the change that causes them, or by
the scheduler pass for due slots. The poster claims ready rows in a write transaction (so a
row is posted only by whoever claimed it, on any replica), composes them (a stored message,
or a composer reading the database now), and posts them after the commit: channels in
parallel, each channel in order and paced like Slack paces it, `Retry-After` honoured. Then
it records the outcome: Slack's ts (and the kind's `posted` hook in the same transaction), a
retry with backoff, or a permanent refusal (and the kind's `failed` hook). A post whose
outcome is unknown (a timeout, a poster that died) is looked for by its key (message
metadata) before it is posted again.

`kick()` drains right after a commit; the scheduler pass drains on every tick.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot import metrics
from bot.activity import Activity
from bot.scheduling.compose import Composed
from bot.scheduling.kinds import DeliveryKind
from bot.scheduling.policy import UNKNOWN_WAIT, Step, backoff, decide
from bot.slack_gateway import Posted, SlackGateway
from bot.timing import REAL, Timing
from storage.owner import dead_here
from storage.rows import DeliveryRow
from storage.store import Store, Tx

log = logging.getLogger(__name__)

BATCH = 500
# A poster beats while it holds claims; one silent for DEAD is taken for dead and its claims
# are taken over (at once when a restart on its host sees it gone). A claim older than
# CLAIM_STALE is taken over whoever holds it (a worker that lost it): the `sending` mark
# fences a poster still alive from posting a row taken from it.
HEARTBEAT = 2.0
DEAD = timedelta(seconds=10)
CLAIM_STALE = timedelta(minutes=30)
# Posters gone or silent this long, holding no claim, are forgotten.
FORGET_POSTERS = timedelta(days=1)
CHANNELS_AT_ONCE = 50
# Slack allows about one post a second per channel, with short bursts; pacing a tenth
# slower than that keeps clear of 429s (each costs at least a second of Retry-After).
CHANNEL_GAP = 1.0
CHANNEL_BURST = 3
MARGIN = 1.1
RATE_LIMIT_PATIENCE = 5


@dataclass(frozen=True)
class TickLine:
    kind: str
    label: str
    slot: str | None
    outcome: str  # posted | would post | retry later | failed | skipped

    def __str__(self) -> str:
        slot = f" [{self.slot}]" if self.slot else ""
        return f"{self.outcome}: {self.kind}{slot} {self.label}"


class Outcome(StrEnum):
    """What became of a post, as recorded."""

    POSTED = "posted"
    UNKNOWN = "outcome unknown"  # looked for in the channel before it is posted again
    FAILED = "failed"  # for good
    RETRY = "retry later"
    TAKEN = "taken over"  # another poster took the claim: it records the outcome


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    error: str | None = None
    at: datetime | None = None  # when it is tried (or looked for) again

    def __str__(self) -> str:
        if self.outcome in (Outcome.POSTED, Outcome.TAKEN):
            return str(self.outcome)
        if self.outcome is Outcome.UNKNOWN:
            return f"{self.outcome} ({self.error}), looked for again later"
        return f"{self.outcome} ({self.error})"


class TakenOver(Exception):
    """A claim this poster held was taken over by another (it was taken for dead)."""


@dataclass(frozen=True)
class Claim:
    row: DeliveryRow
    composed: Composed

    @property
    def checking(self) -> bool:
        """Its outcome is unknown: look for it in Slack before posting again."""
        return self.row.status == "checking"


def stored(row: DeliveryRow) -> Composed | None:
    """A message rendered when it was queued (or a reaction: its target and name)."""
    try:
        data = json.loads(row.payload or "")
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    return Composed(
        channel=row.channel_id,
        thread_ts=row.thread_ts,
        text=str(data.get("text") or ""),
        blocks=list(data.get("blocks") or []),
        label=str(data.get("label") or row.kind),
        target_ts=data.get("ts"),
        chart=data.get("chart") if isinstance(data.get("chart"), dict) else None,
    )


class Pacer:
    """A token bucket per channel: CHANNEL_BURST posts at once, then one every `gap`."""

    def __init__(self, gap: float, timing: Timing = REAL) -> None:
        self.gap = gap
        self.timing = timing
        self._buckets: dict[str, tuple[float, float]] = {}

    async def wait(self, channel: str) -> None:
        if self.gap <= 0:
            return
        while True:
            now = self.timing.monotonic()
            tokens, last = self._buckets.get(channel, (float(CHANNEL_BURST), now))
            tokens = min(float(CHANNEL_BURST), tokens + (now - last) / (self.gap * MARGIN))
            if tokens >= 1:
                self._buckets[channel] = (tokens - 1, now)
                return
            self._buckets[channel] = (tokens, now)
            await self.timing.sleep((1 - tokens) * self.gap * MARGIN)

    def hold(self, channel: str) -> None:
        """The post granted its turn goes out only now (after its `sending` mark): the next
        turn is counted from here, so the mark's write never lets two posts bunch up."""
        tokens, _ = self._buckets.get(channel, (float(CHANNEL_BURST), self.timing.monotonic()))
        self._buckets[channel] = (tokens, self.timing.monotonic())

    def slow_down(self, channel: str) -> None:
        """Slack said 429: start this channel's bucket empty."""
        self._buckets[channel] = (0.0, self.timing.monotonic())


class Poster:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        kinds: Iterable[DeliveryKind],
        clock: Callable[[], datetime],
        activity: Activity,
        timing: Timing = REAL,
    ) -> None:
        self.store = store
        self.slack = slack
        self._kinds: dict[str, DeliveryKind] = {}
        for kind in kinds:
            self.register(kind)
        self.clock = clock
        self.activity = activity
        self.timing = timing
        self.pacer = Pacer(CHANNEL_GAP, timing)
        self._busy: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._draining = False
        self._again = False
        self._gate = asyncio.Semaphore(CHANNELS_AT_ONCE)
        self._timers: set[asyncio.TimerHandle] = set()
        self._handed: dict[str, list[Claim]] = defaultdict(list)
        self.owner: str = getattr(store, "owner", "")
        self._beat: asyncio.Task[None] | None = None

    def register(self, kind: DeliveryKind) -> None:
        """How rows of this kind go out and what their posts change (bot/scheduling/kinds.py);
        wired once at start-up, one entry a kind."""
        if kind.name in self._kinds:
            raise ValueError(f"the outbox kind {kind.name!r} is registered twice")
        self._kinds[kind.name] = kind

    def _kind(self, name: str) -> DeliveryKind:
        return self._kinds.get(name) or DeliveryKind(name)

    def _publishes(self, op: str) -> bool:
        return self._kind(op).publish is not None

    def lists(self, kind: str) -> bool:
        """Whether a pass lists rows of this kind: posts yes, published views no."""
        return not self._publishes(kind)

    def kick_in(self, seconds: float) -> None:
        """Drain once `seconds` have passed (rows queued to go out then)."""
        handle: list[asyncio.TimerHandle] = []

        def fired() -> None:
            self._timers.discard(handle[0])
            self.kick()

        handle.append(asyncio.get_running_loop().call_later(max(seconds, 0.0), fired))
        self._timers.add(handle[0])

    # ---- claims' owner
    def _ensure_beating(self) -> None:
        """Beat while this poster holds claims (so nobody takes them over), from the first."""
        if self._beat is None or self._beat.done():
            self._beat = asyncio.create_task(self._beating())

    async def _beating(self) -> None:
        failing = False
        while True:
            try:
                await self.store.write(lambda tx: tx.deliveries.beat(self.timing.wall()))
                failing = False
            except Exception:  # said once; beating goes on (a claim lapses after DEAD)
                if not failing:
                    log.warning("the poster's heartbeat could not be written", exc_info=True)
                failing = True
            # in real time, whatever `timing` is: a beat is nothing anyone waits for, and a
            # virtual sleeper always pending would make virtual time race ahead of every real
            # wait (a database write, a Web API call)
            await asyncio.sleep(HEARTBEAT)
            if not (self._busy or self._tasks):
                return

    async def bury_dead(self, now: datetime | None = None) -> list[str]:
        """Mark gone the posters of this host that are no longer running (a restart sees its
        predecessor's claims at once, not after DEAD); forget long-silent ones. Returns the
        ones marked."""
        moment = self.timing.wall()  # leases are on the wall clock, whatever `now` says
        posters = await self.store.read(lambda tx: tx.deliveries.posters())
        dead = [o for o, _, gone in posters if gone is None and o != self.owner and dead_here(o)]

        def unit(tx: Tx) -> None:
            if dead:
                tx.deliveries.gone(dead, moment)
            tx.deliveries.forget_posters(moment - FORGET_POSTERS)

        await self.store.write(unit)
        for owner in dead:
            log.info("poster %s is gone: its claims are taken over", owner)
        return dead

    # ---- draining
    def hand(self, rows: list[DeliveryRow]) -> None:
        """Post rows a unit of work wrote already claimed (the hot path of a reply: no claim
        transaction). A channel this process is posting to gets them in its queue."""
        by_channel: dict[str, list[Claim]] = defaultdict(list)
        for row in rows:
            composed = stored(row)
            if composed is not None:
                by_channel[row.channel_id].append(Claim(row, composed))
        for channel, claims in by_channel.items():
            if channel in self._busy:
                self._handed[channel].extend(claims)
                continue
            self._busy.add(channel)
            self._spawn(self._channel(channel, claims, None))

    def kick(self, channel: str | None = None) -> None:
        """Post what is ready now, in the background (after a commit that queued rows for
        `channel`, when the caller knows it: a channel this process is posting to already
        needs nothing more, its worker looks again before it stops)."""
        if channel is not None and channel in self._busy:
            return
        if self._draining:
            self._again = True
            return
        self._draining = True
        self._spawn(self._drain_in_background())

    def _spawn(self, work: Any) -> None:
        self.activity.begin()
        task = asyncio.create_task(work)
        self._tasks.add(task)

        def done(finished: asyncio.Task[Any]) -> None:
            self._tasks.discard(finished)
            self.activity.end()
            if not finished.cancelled() and finished.exception() is not None:
                log.error("posting failed", exc_info=finished.exception())

        task.add_done_callback(done)

    async def _drain_in_background(self) -> None:
        try:
            while True:
                self._again = False
                await self.drain(wait=False)
                if not self._again:
                    return
        finally:
            self._draining = False

    async def drain(
        self, now: datetime | None = None, lines: list[TickLine] | None = None, *, wait: bool = True
    ) -> list[TickLine]:
        """Claim what is ready (in channels this process is not posting to already) and post
        it, a worker per channel. With `wait`, return once they are done, with what they
        did; otherwise they go on in the background."""
        out: list[TickLine] = [] if lines is None else lines
        workers: list[asyncio.Task[list[TickLine]]] = []
        while True:
            moment = now or self.clock()
            busy = sorted(self._busy)
            claims, taken = await self._claim_batch(moment, out, not_channels=busy)
            by_channel: dict[str, list[Claim]] = defaultdict(list)
            for claim in claims:
                by_channel[claim.composed.channel or claim.row.channel_id].append(claim)
            for channel, items in by_channel.items():
                self._busy.add(channel)
                if wait:
                    workers.append(asyncio.create_task(self._channel(channel, items, now)))
                else:
                    self._spawn(self._channel(channel, items, now))
            if taken < BATCH:
                break
        if wait and workers:
            for result in await asyncio.gather(*workers):
                out.extend(result)
        return out

    async def _claim_batch(
        self,
        now: datetime,
        lines: list[TickLine],
        *,
        channel: str | None = None,
        not_channels: list[str] | None = None,
    ) -> tuple[list[Claim], int]:
        # the unit may run again (PostgreSQL retries a lost race): it fills a list of its own
        def unit(tx: Tx) -> tuple[list[Claim], int, list[TickLine]]:
            skipped: list[TickLine] = []
            claims, taken = self.claim(
                tx, now, skipped, channel=channel, not_channels=not_channels or []
            )
            return claims, taken, skipped

        claims, taken, skipped = await self.store.write(unit)
        lines.extend(skipped)
        return claims, taken

    def claim(
        self,
        tx: Tx,
        now: datetime,
        lines: list[TickLine],
        *,
        channel: str | None = None,
        not_channels: list[str] | None = None,
    ) -> tuple[list[Claim], int]:
        """Claim ready deliveries and compose them; returns the posts and how many were
        taken."""
        claims = []
        wall = self.timing.wall()  # claims are held on the wall clock (`now` may be moved)
        taken = tx.deliveries.claim_ready(
            now,
            wall - CLAIM_STALE,
            BATCH,
            dead=wall - DEAD,
            held_at=wall,
            channel=channel,
            not_channels=not_channels or [],
        )
        scheduled: dict[str, list[DeliveryRow]] = defaultdict(list)
        for row in taken:
            if self._publishes(row.op):
                label = f"{row.kind} of {row.subject}"
                claims.append(Claim(row, Composed(row.channel_id, None, "", [], label)))
            elif row.payload is not None:
                composed = stored(row)
                if composed is None:
                    tx.deliveries.finish(row.id, "skipped", "unreadable payload")
                else:
                    claims.append(Claim(row, composed))
            else:
                scheduled[row.kind].append(row)
        for kind, rows in scheduled.items():
            composer = self._kind(kind).compose
            composed_rows = composer(tx, rows, now) if composer else [None] * len(rows)
            for row, composed_row in zip(rows, composed_rows, strict=True):
                if composed_row is None:
                    tx.deliveries.finish(row.id, "skipped", "nothing to post any more")
                    lines.append(TickLine(row.kind, f"#{row.id}", row.slot, "skipped"))
                else:
                    claims.append(Claim(row, composed_row))
        claims.sort(key=lambda c: c.row.id)
        return claims, len(taken)

    async def _channel(
        self, channel: str, claims: list[Claim], now: datetime | None
    ) -> list[TickLine]:
        """One channel's posts, paced; each thread's in order (threads side by side, the
        pacer sharing the channel between them); then whatever became ready there meanwhile."""
        lines: list[TickLine] = []
        self._ensure_beating()
        while True:
            try:
                while claims:
                    runs: dict[str, list[Claim]] = defaultdict(list)
                    for claim in claims:
                        runs[claim.composed.thread_ts or f"#{claim.row.id}"].append(claim)
                    async with self._gate:
                        done = await asyncio.gather(
                            *(self._in_order(run, now) for run in runs.values())
                        )
                    # a published view (a Home tab) is no post: the pass's list leaves it out
                    lines.extend(line for run in done for line in run if self.lists(line.kind))
                    claims = self._handed.pop(channel, [])
                    if claims:
                        continue
                    if await self._ready(channel, now):
                        claims, _ = await self._claim_batch(
                            now or self.clock(), lines, channel=channel
                        )
            finally:
                self._busy.discard(channel)
            # a row committed while this worker was finishing saw the channel busy and left
            # it to us: one more look now that it is free (a claim that finds nothing ends
            # it, so a row held back by an earlier one of its thread cannot spin this loop)
            if channel in self._busy:
                return lines
            handed = self._handed.pop(channel, [])
            if handed:
                self._busy.add(channel)
                claims = handed
                continue
            if not await self._ready(channel, now) or channel in self._busy:
                return lines  # nothing more, or another worker took the channel meanwhile
            self._busy.add(channel)
            claims, _ = await self._claim_batch(now or self.clock(), lines, channel=channel)
            if not claims:
                self._busy.discard(channel)
                return lines

    async def _ready(self, channel: str, now: datetime | None) -> bool:
        moment = now or self.clock()
        return await self.store.read(lambda tx: tx.deliveries.ready_in(channel, moment))

    async def _in_order(self, claims: list[Claim], now: datetime | None) -> list[TickLine]:
        lines = []
        for claim in claims:
            try:
                lines.append(await self._post_one(claim, now or self.clock()))
            except Exception:  # a fault of ours (a hook, the database): the rest go on
                log.exception("posting row %s failed", claim.row.id)
                await self._release(claim)
        return lines

    async def _release(self, claim: Claim) -> None:
        """Give a claim back at once rather than hold it until CLAIM_STALE."""
        at = self.clock() + UNKNOWN_WAIT
        try:
            await self.store.write(lambda tx: tx.deliveries.release(claim.row.id, at))
        except Exception:
            log.warning("row %s stays claimed until its claim is stale", claim.row.id)

    def _turn(self, claim: Claim) -> Callable[..., Awaitable[None]]:
        """What a post does right before each Web API call: wait for the channel's turn
        (`pace`), then mark the row as on its way, so that a poster taking over after a crash
        looks in Slack for this row only, and posts the rest at once (a row being looked for
        is marked after the look). The mark is made only by the claim's owner: it raises
        `TakenOver` when the claim is no longer ours (the poster that took it posts it).
        Posts and uploads only: reactions and views are harmless to do again."""
        marks = claim.row.op in ("post", "upload")

        async def turn(pace: bool = True) -> None:
            if pace:
                await self.pacer.wait(claim.composed.channel)
            if marks:
                wall = self.timing.wall()
                if not await self.store.write(lambda tx: tx.deliveries.sending(claim.row.id, wall)):
                    raise TakenOver(claim.row.id)
                if pace:
                    self.pacer.hold(claim.composed.channel)

        return turn

    # ---- one post
    async def _post_one(self, claim: Claim, now: datetime) -> TickLine:
        row, composed = claim.row, claim.composed
        publisher = self._kind(row.op).publish
        turn = self._turn(claim)
        try:
            if publisher is not None:  # composed now: publishing again is harmless
                await self.pacer.wait(row.channel_id)
                result = await publisher(row.team_id, row.subject)
            elif row.op == "react":
                result = await self.slack.reaction(
                    row.channel_id, str(composed.target_ts), composed.text
                )
            elif row.op == "upload" and composed.chart is not None and not claim.checking:
                result = await self._upload(claim, composed.chart, turn)
            else:
                result = await self._find_or_post(claim, turn)
        except TakenOver:
            # another poster took it over (this one was taken for dead): that one posts it
            return TickLine(row.kind, composed.label, row.slot, "skipped (taken over)")
        recorded = await self.store.write(lambda tx: self._record(tx, row, composed, result, now))
        metrics.POSTS.labels(recorded.outcome.name.lower()).inc()
        if recorded.outcome is Outcome.POSTED and result.ts and composed.more:
            await self._continue(row, composed, result.ts)
        if recorded.outcome in (Outcome.RETRY, Outcome.UNKNOWN):
            self._kick_later(row, result, recorded.at, now)
        return TickLine(row.kind, composed.label, row.slot, str(recorded))

    async def _find_or_post(self, claim: Claim, turn: Callable[..., Awaitable[None]]) -> Posted:
        row, composed = claim.row, claim.composed
        if claim.checking:
            found = await self.slack.find_posted(
                composed.channel, composed.thread_ts, row.delivery_key
            )
            if found.ok or found.error:
                # there already, or cannot tell yet (history reads are rate-limited hard)
                if found.ok:
                    return found
                return Posted(
                    None,
                    "lookup:" + (found.error or ""),
                    found.retry_after,
                    lookup_failed=True,
                )

        def post() -> Awaitable[Posted]:
            return self.slack.post(
                composed.channel,
                composed.text,
                composed.blocks,
                thread_ts=composed.thread_ts,
                key=row.delivery_key,
            )

        await turn()
        result = await post()
        for _ in range(RATE_LIMIT_PATIENCE):
            if result.error != "ratelimited":
                break
            # rate-limited even after the client's own retries: wait as Slack says
            self.pacer.slow_down(composed.channel)
            await self.timing.sleep(result.retry_after or 1)
            await turn(pace=False)  # still ours? (taken over meanwhile: not posted twice)
            result = await post()
        return result

    async def _upload(
        self, claim: Claim, spec: dict[str, Any], turn: Callable[..., Awaitable[None]]
    ) -> Posted:
        """Draw the chart off the event loop and share it; if that fails, post the text
        version instead (that post is retried like any other)."""
        composed = claim.composed
        from bot import charts  # matplotlib is loaded by the first chart, not by every process

        try:
            drawn = await asyncio.to_thread(charts.render, spec)
        except Exception as exc:  # a chart that cannot be drawn: the text still goes out
            log.warning("chart %s could not be drawn: %s", spec.get("kind"), type(exc).__name__)
            drawn = None
        if drawn is not None:
            await turn()
            shared = await self.slack.upload(
                composed.channel,
                composed.thread_ts,
                drawn.png,
                filename=f"{spec.get('kind', 'chart')}.png",
                title=drawn.title,
                comment=str(spec.get("comment") or composed.text),
                key=claim.row.delivery_key,
            )
            if shared.ok or shared.unknown:
                # shared, or perhaps: the look-up (by the key in the file's name) decides
                # whether the text version goes out, never both
                return shared
            log.info("upload failed (%s): posting the text version", shared.error)
        return await self._find_or_post(claim, turn)

    async def _continue(self, row: DeliveryRow, composed: Composed, parent_ts: str) -> None:
        """The rest of a long post, as replies under it; a failure is recorded on the row."""
        failures = []
        for text, blocks in composed.more:
            await self.pacer.wait(composed.channel)
            part = await self.slack.post(composed.channel, text, blocks, thread_ts=parent_ts)
            if not part.ok:
                failures.append(part.error or "unknown")
        if failures:
            error = f"{len(failures)} continuation post(s) failed: {failures[0]}"
            await self.store.write(lambda tx: tx.deliveries.note(row.id, error))

    def _record(
        self, tx: Tx, row: DeliveryRow, composed: Composed, result: Posted, now: datetime
    ) -> Recorded:
        if result.ok and result.ts:
            if not tx.deliveries.posted(row.id, result.ts, composed.thread_ts, now):
                return Recorded(Outcome.TAKEN)  # the poster that took it over records it
            hook = self._kind(row.kind).posted
            if hook is not None:
                hook(tx, row, result.ts, now)
            return Recorded(Outcome.POSTED)
        decision = decide(
            result.error or "unknown",
            unknown=result.unknown,
            lookup_failed=result.lookup_failed,
            attempts=row.attempts,
            since=row.due_at or row.claimed_at or now,
            now=now,
            urgent=self._urgent(row),
            retry_after=result.retry_after,
            lookups=not self._publishes(row.op),
        )
        error, at = decision.error, decision.at or now
        if decision.step is Step.LOOK:
            if not tx.deliveries.outcome_unknown(row.id, error, at):
                return Recorded(Outcome.TAKEN)
            return Recorded(Outcome.UNKNOWN, error, at)
        if decision.step is Step.FAIL:
            if not tx.deliveries.finish(row.id, "failed", error):
                return Recorded(Outcome.TAKEN)
            failed = self._kind(row.kind).failed
            if failed is not None:
                failed(tx, row, error, now)
            return Recorded(Outcome.FAILED, error)
        if not tx.deliveries.retry_later(row.id, error, at):
            return Recorded(Outcome.TAKEN)
        return Recorded(Outcome.RETRY, error, at)

    def _urgent(self, row: DeliveryRow) -> bool:
        """Someone waits for it: a message queued by a change (the next question), or a view
        (a Home tab that should show the change)."""
        return row.payload is not None or self._publishes(row.op)

    def _kick_later(
        self, row: DeliveryRow, result: Posted, at: datetime | None, now: datetime
    ) -> None:
        """A message someone waits for is tried again as soon as its backoff is over, not at
        the next scheduler pass."""
        if not self._urgent(row):
            return
        if at is not None:
            delay = at - now
        elif result.unknown and not self._publishes(row.op):  # a view is just published again
            delay = UNKNOWN_WAIT
        else:
            delay = max(
                backoff(row.attempts, urgent=True), timedelta(seconds=result.retry_after or 0)
            )
        self.kick_in(max(delay.total_seconds(), 0.0) + 0.05)

    async def close(self) -> None:
        """Stop the timers; wait (a little) for posts under way."""
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        held = self._beat is not None or bool(self._tasks)
        for task in list(self._tasks):  # still posting: stopped before saying it is gone
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)
        if self._beat is not None:
            self._beat.cancel()
        if held:
            # what it still holds is taken over at once by whoever posts next (a post that
            # was on its way is looked for in Slack first)
            try:
                wall = self.timing.wall()
                await self.store.write(lambda tx: tx.deliveries.gone([self.owner], wall))
            except Exception:
                log.warning("could not say that this poster stopped", exc_info=True)
