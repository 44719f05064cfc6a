"""What the repositories need from a database connection, whichever the engine.

Repositories write SQL that SQLite and PostgreSQL both accept, with `?` placeholders; the
PostgreSQL connection translates them. Where the engines must differ, the connection says
how: `for_update` locks the rows a write transaction reads (PostgreSQL runs write units
concurrently; SQLite runs them one at a time, so there it is empty), `skip_locked` lets
concurrent replicas take disjoint sets of due rows. `arrays` says whether whole columns can
be bound as arrays (PostgreSQL's `unnest`), which turns a batch of rows into one statement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Conn(Protocol):
    for_update: str
    skip_locked: str
    arrays: bool

    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Cursor: ...
