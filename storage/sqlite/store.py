"""The SQLite store: opens the file, migrates it, runs units of work on its threads."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TypeVar

from storage.sqlite import migrate
from storage.sqlite.database import Database
from storage.sqlite.events import EventRepo
from storage.sqlite.interviews import AnswerRepo, InterviewRepo, NoteRepo
from storage.sqlite.models import MetricRepo, ModelRepo
from storage.sqlite.projects import ProjectRepo
from storage.sqlite.schedules import DeliveryRepo, ScheduleRepo
from storage.sqlite.workspaces import WorkspaceRepo

T = TypeVar("T")


class SqliteTx:
    """The repositories bound to one connection: inside a write transaction, or the reader."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.events = EventRepo(conn)
        self.projects = ProjectRepo(conn)
        self.interviews = InterviewRepo(conn)
        self.answers = AnswerRepo(conn)
        self.notes = NoteRepo(conn)
        self.schedules = ScheduleRepo(conn)
        self.deliveries = DeliveryRepo(conn)
        self.models = ModelRepo(conn)
        self.metrics = MetricRepo(conn)
        self.workspaces = WorkspaceRepo(conn)


class SqliteStore:
    def __init__(self, db: Database) -> None:
        self.db = db

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

    async def write(self, work: Callable[[SqliteTx], T]) -> T:
        """All-or-nothing: `work` runs whole in one BEGIN IMMEDIATE transaction."""
        return await self.db.write(lambda conn: work(SqliteTx(conn)))

    async def rehearse(self, work: Callable[[SqliteTx], T]) -> T:
        """Run `work` as a write transaction and roll it back: what would happen (dry runs)."""
        return await self.db.write(lambda conn: work(SqliteTx(conn)), commit=False)

    async def read(self, work: Callable[[SqliteTx], T]) -> T:
        """`work` reads committed data on the reader connection."""
        return await self.db.read(lambda conn: work(SqliteTx(conn)))

    async def ping(self) -> bool:
        try:
            return await self.db.read(lambda c: c.execute("SELECT 1").fetchone() is not None)
        except Exception:
            return False

    async def schema_version(self) -> int:
        return await self.db.read(migrate.current_version)

    async def close(self) -> None:
        await self.db.close()
