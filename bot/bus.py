"""The bus: every unit of work the services run goes through it on its way to the store.

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
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from storage.store import Store, Tx

T = TypeVar("T")


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
    """A `Store` for the services: the store's own, plus the completion of the request."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    async def write(self, work: Callable[[Tx], T]) -> T:
        request = _mine()
        if request is None or request.completed:
            return await self.store.write(work)
        now = self.clock()
        inbox_id = request.inbox_id

        def unit(tx: Tx) -> T:
            result = work(tx)
            if not isinstance(result, Waiting):
                tx.inbox.done([inbox_id], now)  # in the same transaction as the change
            return result

        result = await self.store.write(unit)
        request.completed = not isinstance(result, Waiting)
        return result

    async def rehearse(self, work: Callable[[Tx], T]) -> T:
        return await self.store.rehearse(work)

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
