"""Schema migrations: from empty, from every earlier version, idempotent, atomic."""

from __future__ import annotations

import asyncio
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
        await db.on_writer(lambda c: migrate.apply(c, target=start))
        assert await db.on_writer(migrate.current_version) == start
        applied = await db.on_writer(migrate.apply)
        assert len(applied) == len(migrate.available()) - start
        assert await db.on_writer(migrate.apply) == []
    finally:
        await db.close()
    assert EXPECTED_TABLES <= _tables(db_path)


# Tables about the app's own processes, holding nothing of any workspace: the posters that
# hold claims (their names and heartbeats).
NOT_WORKSPACE_DATA = {"posters"}


async def test_every_table_is_keyed_by_team(db_path: str) -> None:
    await (await SqliteStore.open(db_path)).close()
    with sqlite3.connect(db_path) as conn:
        for table in _tables(db_path) - NOT_WORKSPACE_DATA:
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
        await db.on_writer(lambda c: migrate.apply(c, good))
        with pytest.raises(sqlite3.Error):
            await db.on_writer(lambda c: migrate.apply(c, [*good, broken]))
        assert await db.on_writer(migrate.current_version) == len(good)
        assert not await db.on_writer(lambda c: c.in_transaction)
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

        def half_done(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO workspaces (team_id, created_at) VALUES ('T1', 'now')")
            raise ZeroDivisionError

        with pytest.raises(ZeroDivisionError):
            await store.db.write(half_done)
        count = await store.db.read(
            lambda c: c.execute("SELECT COUNT(*) FROM workspaces").fetchone()[0]
        )
        assert count == 0
        assert await store.db.write(lambda c: c.execute("SELECT 1").fetchone()[0]) == 1
    finally:
        await store.close()


async def test_units_committed_together_fail_alone(db_path: str) -> None:
    store = await SqliteStore.open(db_path)
    try:

        def insert(team: str) -> object:
            def work(conn: sqlite3.Connection) -> str:
                conn.execute(
                    "INSERT INTO workspaces (team_id, created_at) VALUES (?, 'now')", (team,)
                )
                if team == "T-bad":
                    raise ValueError("refused")
                return team

            return work

        results = await asyncio.gather(
            *(store.db.write(insert(t)) for t in ("T1", "T-bad", "T2", "T3")),  # type: ignore[arg-type]
            return_exceptions=True,
        )
        assert results[0] == "T1" and results[2:] == ["T2", "T3"]
        assert isinstance(results[1], ValueError)
        teams = await store.db.read(
            lambda c: [r[0] for r in c.execute("SELECT team_id FROM workspaces ORDER BY 1")]
        )
        assert teams == ["T1", "T2", "T3"]
    finally:
        await store.close()
