"""Schema migrations: from empty, from every earlier version, idempotent, atomic."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from storage.sqlite import migrate
from storage.sqlite.database import Database
from storage.sqlite.store import SqliteStore

EXPECTED_TABLES = {
    "workspaces",
    "projects",
    "stage_history",
    "interviews",
    "answers",
    "answer_revisions",
    "models",
    "business_metrics",
    "metric_values",
    "schedules",
    "deliveries",
    "thread_notes",
    "processed_events",
}


def _tables(path: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return {r[0] for r in rows}


def _version(path: str) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])


async def test_from_empty_to_newest_and_idempotent(db_path: str) -> None:
    newest = migrate.available()[-1].version
    store = await SqliteStore.open(db_path)
    await store.close()
    assert _version(db_path) == newest
    assert EXPECTED_TABLES <= _tables(db_path)
    store = await SqliteStore.open(db_path)
    assert await store.schema_version() == newest
    await store.close()


@pytest.mark.parametrize("start", range(0, len(migrate.available())))
async def test_from_every_earlier_version(db_path: str, start: int) -> None:
    db = await Database(db_path).open()
    try:
        await migrate.apply(db.writer, target=start)
        assert await migrate.current_version(db.writer) == start
        applied = await migrate.apply(db.writer)
        assert len(applied) == len(migrate.available()) - start
        assert await migrate.apply(db.writer) == []
    finally:
        await db.close()
    assert EXPECTED_TABLES <= _tables(db_path)


async def test_every_table_is_keyed_by_team(db_path: str) -> None:
    await (await SqliteStore.open(db_path)).close()
    with sqlite3.connect(db_path) as conn:
        for table in _tables(db_path):
            columns = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
            assert "team_id" in columns, table


async def test_failed_migration_leaves_version_and_schema_unchanged(db_path: str) -> None:
    good = migrate.available()
    broken = migrate.Migration(
        len(good) + 1,
        "9999_broken.sql",
        "CREATE TABLE half_done (id INTEGER);\nTHIS IS NOT SQL;",
    )
    db = await Database(db_path).open()
    try:
        await migrate.apply(db.writer, good)
        with pytest.raises(sqlite3.Error):
            await migrate.apply(db.writer, [*good, broken])
        assert await migrate.current_version(db.writer) == len(good)
        assert not db.writer.in_transaction
    finally:
        await db.close()
    assert "half_done" not in _tables(db_path)


async def test_newer_database_than_program_is_refused(db_path: str) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(RuntimeError, match="newer"):
        await SqliteStore.open(db_path)


async def test_database_file_is_private_and_in_wal_mode(db_path: str) -> None:
    await (await SqliteStore.open(db_path)).close()
    mode = stat.S_IMODE(os.stat(db_path).st_mode)
    assert mode & 0o077 == 0, oct(mode)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


async def test_write_transaction_rolls_back_on_error(db_path: str) -> None:
    store = await SqliteStore.open(db_path)
    try:
        with pytest.raises(ZeroDivisionError):
            async with store.db.transaction() as conn:
                await conn.execute(
                    "INSERT INTO workspaces (team_id, created_at) VALUES ('T1', 'now')"
                )
                raise ZeroDivisionError
        async with store.db.reader.execute("SELECT COUNT(*) FROM workspaces") as cur:
            row = await cur.fetchone()
        assert row is not None and row[0] == 0
    finally:
        await store.close()
