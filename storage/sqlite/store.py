"""The SQLite store: opens the file, migrates it, runs units of work on its threads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from storage.errors import DuplicateKey
from storage.owner import new_owner
from storage.sqlite import migrate
from storage.sqlite.database import Database
from storage.store import Tx

T = TypeVar("T")


class SqliteConn:
    """A sqlite3 connection as the repositories see it. Writes run one at a time on the
    writer thread, so no row needs locking: `for_update` and `skip_locked` are empty."""

    for_update = ""
    skip_locked = ""
    arrays = False

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.execute = conn.execute
        self.executemany = conn.executemany


def _tx(conn: sqlite3.Connection, owner: str) -> Tx:
    return Tx(SqliteConn(conn), owner)


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.owner = new_owner()

    @classmethod
    async def open(cls, path: str, *, migrate_schema: bool = True) -> SqliteStore:
        db = await Database(path).open()
        try:
            if migrate_schema:
                await db.on_writer(migrate.apply)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    async def migrate(self) -> list[str]:
        """Bring the schema up to date; the names of the migrations applied."""
        return await self.db.on_writer(migrate.apply)

    async def write(self, work: Callable[[Tx], T]) -> T:
        """All-or-nothing: `work` runs whole in one BEGIN IMMEDIATE transaction."""
        try:
            return await self.db.write(lambda conn: work(_tx(conn, self.owner)))
        except sqlite3.IntegrityError as exc:
            if "UNIQUE" not in str(exc):
                raise
            raise DuplicateKey(str(exc)) from exc

    async def rehearse(self, work: Callable[[Tx], T]) -> T:
        """Run `work` as a write transaction and roll it back: what would happen (dry runs)."""
        return await self.db.write(lambda conn: work(_tx(conn, self.owner)), commit=False)

    async def read(self, work: Callable[[Tx], T]) -> T:
        """`work` reads committed data on the reader connection."""
        return await self.db.read(lambda conn: work(_tx(conn, self.owner)))

    async def ping(self) -> bool:
        try:
            return await self.db.read(lambda c: c.execute("SELECT 1").fetchone() is not None)
        except Exception:
            return False

    async def schema_version(self) -> int:
        return await self.db.read(migrate.current_version)

    async def close(self) -> None:
        await self.db.close()
