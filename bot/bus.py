"""The bus: every unit of work the services run goes through it on its way to the store, and
it alone acts on what a unit caused.

A unit records what it causes on its transaction (`storage/caused.py`): the events it
emits (`tx.emit(HomeChanged(…))`, `KpiChanged`, `WakeIn`), the outbox channels it queued
rows for, the rows it wrote already claimed. Within the transaction, once the unit is done,
the bus runs the in-transaction handlers of its events (Home rows queued with the change);
after the commit, and only then, it hands the claimed rows to the poster, kicks the channels
and runs the after-commit handlers (MLflow write-back). A unit rolled back causes nothing;
a PostgreSQL unit run again after a lost race causes what its committed run did, once.

While a Slack request recorded in the inbox (a command, a button, a form) is processed, the
bus completes its inbox row in the same transaction as the first unit that changes
something: once that commit is made, a crash (or a failure after it, such as an unreachable
`response_url`) never runs the request again. A request that changes nothing is completed by
the inbox when its processing returns. What the request writes can also carry its key
(`request_key()`), so a replay is recognised even without the row's mark.

Only the task that started processing the request completes it: a background task spawned
meanwhile (the poster, Home) copies the context but is not the request's work.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from storage.caused import Caused
from storage.rows import DeliveryRow
from storage.store import Store, Tx

T = TypeVar("T")
E = TypeVar("E")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeChanged:
    """What these people see on their App Home tab changed."""

    team_id: str
    users: tuple[str, ...]


@dataclass(frozen=True)
class KpiChanged:
    """A model's business KPIs changed (in Slack)."""

    team_id: str
    model_id: int


@dataclass(frozen=True)
class WakeIn:
    """The poster should look again in this many seconds (rows queued to go out then)."""

    seconds: float


def home_changed(tx: Tx, team_id: str, *users: str) -> None:
    """Say, in the transaction of the change, that these people's Home tabs changed."""
    people = tuple(sorted({u for u in users if u}))
    if people:
        tx.emit(HomeChanged(team_id, people))


class AlreadyDone(BaseException):
    """Raised inside a unit whose request was completed meanwhile by another run of it (a
    slow run claimed again once its claim went stale): this run's change is rolled back.
    A BaseException, so that a service's `except Exception` does not turn it into an answer;
    `Inbox.process` takes it."""


class Waiting:
    """A unit's result that says it changed nothing and its request must be taken again
    later (a reply whose question is still being posted): it does not complete the request."""


@dataclass
class Request:
    """The inbox row being processed in this task."""

    inbox_id: int
    key: str
    task: asyncio.Task[object] | None
    completed: bool = False


_CURRENT: ContextVar[Request | None] = ContextVar("mle_coach_request", default=None)


def _mine() -> Request | None:
    request = _CURRENT.get()
    if request is None or request.task is not asyncio.current_task():
        return None
    return request


def request_key() -> str | None:
    """The key of the Slack request this task is processing (None outside one): what the
    request writes carries it, so a replay finds it."""
    request = _mine()
    return request.key if request is not None else None


@contextlib.contextmanager
def serving(inbox_id: int, key: str) -> Iterator[Request]:
    """Process the inbox row `inbox_id` in this task: units written meanwhile complete it."""
    request = Request(inbox_id, key, asyncio.current_task())
    token = _CURRENT.set(request)
    try:
        yield request
    finally:
        _CURRENT.reset(token)


class Bus:
    """A `Store` for the services: the store's own, plus what units cause, dispatched."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        self._in_tx: dict[type, list[Callable[[Tx, Any], None]]] = defaultdict(list)
        self._after: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
        self._hand: Callable[[list[DeliveryRow]], None] = lambda rows: None
        self._kick: Callable[[str], None] = lambda channel: None

    def on(
        self,
        kind: type[E],
        *,
        in_tx: Callable[[Tx, E], None] | None = None,
        after: Callable[[E], None] | None = None,
    ) -> None:
        """Who handles events of this kind (wired once at start-up): `in_tx` within the
        unit's transaction, `after` once it is committed."""
        if in_tx is not None:
            self._in_tx[kind].append(in_tx)
        if after is not None:
            self._after[kind].append(after)

    def posts_with(
        self, hand: Callable[[list[DeliveryRow]], None], kick: Callable[[str], None]
    ) -> None:
        """The poster: takes the rows a unit claimed, and looks at a channel it queued into."""
        self._hand, self._kick = hand, kick

    async def write(self, work: Callable[[Tx], T]) -> T:
        request = _mine()
        completing = request is not None and not request.completed
        now = self.clock()
        committed: list[Caused] = []

        def unit(tx: Tx) -> T:
            result = work(tx)
            self._settle(tx)
            waiting = isinstance(result, Waiting)
            if completing and not waiting:
                assert request is not None
                # in the same transaction as the change; once only, whichever run is first
                if not tx.inbox.complete(request.inbox_id, now):
                    raise AlreadyDone(request.key)
            committed[:] = [tx.caused]  # the last run is the one committed
            return result

        result = await self.store.write(unit)
        if completing and not isinstance(result, Waiting):
            assert request is not None
            request.completed = True
        self._dispatch(committed[0])
        return result

    def _settle(self, tx: Tx) -> None:
        """Run the in-transaction handlers, of events they emit too."""
        events = tx.caused.events
        done = 0
        while done < len(events):
            event = events[done]
            done += 1
            for handler in self._in_tx.get(type(event), ()):
                handler(tx, event)

    def _dispatch(self, caused: Caused) -> None:
        """After the commit: the claimed rows to the poster, the channels kicked, then the
        after-commit handlers. A failing handler is logged; the unit is committed."""
        try:
            if caused.claimed:
                self._hand(list(caused.claimed))
            for channel in sorted(caused.channels):
                self._kick(channel)
        except Exception:
            log.exception("handing the poster what a unit queued failed")
        for event in caused.events:
            for handler in self._after.get(type(event), ()):
                try:
                    handler(event)
                except Exception:
                    log.exception("after a commit, handling %s failed", type(event).__name__)

    async def rehearse(self, work: Callable[[Tx], T]) -> T:
        return await self.store.rehearse(work)

    @property
    def owner(self) -> str:
        return self.store.owner

    async def read(self, work: Callable[[Tx], T]) -> T:
        return await self.store.read(work)

    async def migrate(self) -> list[str]:
        return await self.store.migrate()

    async def ping(self) -> bool:
        return await self.store.ping()

    async def schema_version(self) -> int:
        return await self.store.schema_version()

    async def close(self) -> None:
        await self.store.close()
