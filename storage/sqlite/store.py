"""The SQLite store: opens the file, migrates it, and exposes the repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiosqlite

from storage.sqlite import migrate
from storage.sqlite.database import Database
from storage.sqlite.events import SqliteEventLog
from storage.sqlite.interviews import AnswerRepo, InterviewRepo, NoteRepo
from storage.sqlite.projects import ProjectRepo


class SqliteTx:
    """The repositories bound to one connection: a write transaction, or the reader."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.projects = ProjectRepo(conn)
        self.interviews = InterviewRepo(conn)
        self.answers = AnswerRepo(conn)
        self.notes = NoteRepo(conn)


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.events = SqliteEventLog(db)

    @classmethod
    async def open(cls, path: str, *, migrate_schema: bool = True) -> SqliteStore:
        db = await Database(path).open()
        try:
            if migrate_schema:
                await migrate.apply(db.writer)
        except BaseException:
            await db.close()
            raise
        return cls(db)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[SqliteTx]:
        """All-or-nothing writes (BEGIN IMMEDIATE), serialised with other writers."""
        async with self.db.transaction() as conn:
            yield SqliteTx(conn)

    def reading(self) -> SqliteTx:
        """Repositories for reads outside any write transaction."""
        return SqliteTx(self.db.reader)

    async def ping(self) -> bool:
        try:
            async with self.db.reader.execute("SELECT 1") as cur:
                return (await cur.fetchone()) is not None
        except Exception:
            return False

    async def schema_version(self) -> int:
        return await migrate.current_version(self.db.reader)

    async def close(self) -> None:
        await self.db.close()
