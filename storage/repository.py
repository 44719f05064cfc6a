"""The storage interface the bot depends on; each backend implements it.

A unit of work is a synchronous function of a transaction object (`SqliteTx` for SQLite)
whose repositories read and write; `write` runs it whole and atomically, `read` on committed
data. Backends keep the same repository methods and meanings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Store(Protocol):
    async def write(self, work: Callable[[Any], T]) -> T: ...

    async def read(self, work: Callable[[Any], T]) -> T: ...

    async def ping(self) -> bool: ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
