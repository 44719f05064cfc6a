"""The SQLite store: opens the file, migrates it, and exposes the repositories."""

from __future__ import annotations

from storage.sqlite import migrate
from storage.sqlite.database import Database
from storage.sqlite.events import SqliteEventLog


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
