"""A psycopg connection as the repositories see it: `?` placeholders, row locks in writes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any

import psycopg

from storage.sql import Cursor


@lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """The repositories' SQL for PostgreSQL: `?` becomes `%s` (a literal `%` is escaped) and
    SQLite's `+column` index hint is dropped. No statement has a `?` inside a string."""
    return sql.replace("%", "%%").replace("?", "%s").replace("+team_id", "team_id")


class PgConn:
    """In a write unit, rows read for change are locked (`for_update`) and due rows are
    taken without waiting for rows another replica holds (`skip_locked`)."""

    def __init__(self, conn: psycopg.Connection[Any], *, writing: bool) -> None:
        self._conn = conn
        self.for_update = " FOR UPDATE" if writing else ""
        self.skip_locked = " FOR UPDATE SKIP LOCKED" if writing else ""
        self.arrays = True

    def execute(self, sql: str, params: Sequence[Any] = (), /) -> psycopg.Cursor[Any]:
        return self._conn.execute(translate(sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Cursor:
        batch = list(rows)
        if not batch:
            return _NOTHING  # as sqlite3 says: no rows changed
        cur = self._conn.cursor()
        cur.executemany(translate(sql), batch)
        return cur


class _Nothing:
    rowcount = 0

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []

    def __iter__(self) -> Iterator[Any]:
        return iter(())


_NOTHING = _Nothing()
