"""`mle-coach copy-db`: move an installation from its SQLite file to PostgreSQL.

The source is read in one snapshot (the app may keep running, though what it writes after
the snapshot is not copied); the target is migrated, must be empty, and receives every row
in one transaction that is committed only after each table was compared row for row.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.open import is_postgres, is_sqlite, sqlite_path
from storage.sqlite import migrate as sqlite_migrate

# parents before children, so every foreign key finds its row
TABLES = (
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
    "inbox",
    "blockers",
    "registry_syncs",
    "posters",  # who held the claims copied (an unknown owner's claims lapse, as a dead one's)
)
KEYS = {"processed_events": "team_id, event_id", "workspaces": "team_id", "posters": "owner"}


class CopyRefused(Exception):
    """The copy cannot be made; the message says why and nothing was written."""


@dataclass(frozen=True)
class Copied:
    tables: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def _columns(src: sqlite3.Connection, table: str) -> list[str]:
    return [str(row[1]) for row in src.execute(f"PRAGMA table_info({table})")]


def _open_source(url: str) -> sqlite3.Connection:
    if not is_sqlite(url):
        raise CopyRefused("--from must be sqlite:///<path>")
    path = Path(sqlite_path(url))
    if not path.is_file():
        raise CopyRefused(f"no SQLite database at {path}")
    src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    version = sqlite_migrate.current_version(src)
    newest = sqlite_migrate.available()[-1].version
    if version != newest:
        src.close()
        raise CopyRefused(
            f"{path} is at schema version {version}, not {newest}: run `mle-coach migrate` "
            "with DATABASE_URL pointing at it first"
        )
    return src


def copy_database(source: str, target: str) -> Copied:
    if not is_postgres(target):
        raise CopyRefused("--to must be postgresql://…")
    import psycopg

    from storage.postgres import migrate as pg_migrate
    from storage.postgres.store import connect

    src = _open_source(source)
    try:
        src.execute("BEGIN")  # one snapshot of every table
        try:
            dst = connect(target)
        except psycopg.OperationalError as exc:
            raise CopyRefused(f"cannot connect to the target: {str(exc).strip()}") from None
        with dst:
            pg_migrate.apply(dst)
            with dst.transaction():
                for table in TABLES:
                    lock = f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"
                    dst.execute(lock.encode())
                    if dst.execute(f"SELECT 1 FROM {table} LIMIT 1".encode()).fetchone():
                        raise CopyRefused(
                            f"the target is not empty ({table} has rows); "
                            "copy-db only fills a new database"
                        )
                counts = {table: _copy_table(src, dst, table) for table in TABLES}
                for table in TABLES:
                    _verify(src, dst, table)
        return Copied(counts)
    finally:
        src.close()


def _copy_table(src: sqlite3.Connection, dst: Any, table: str) -> int:
    columns = ", ".join(_columns(src, table))
    count = 0
    with dst.cursor() as cur:
        with cur.copy(f"COPY {table} ({columns}) FROM STDIN".encode()) as copy:
            for row in src.execute(f"SELECT {columns} FROM {table}"):
                copy.write_row(tuple(row))
                count += 1
        if "id" in columns.split(", "):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)".encode()
            )
    return count


def _verify(src: sqlite3.Connection, dst: Any, table: str) -> None:
    """Every row of the target equals its source row, in primary-key order."""
    columns = ", ".join(_columns(src, table))
    order = KEYS.get(table, "id")
    query = f"SELECT {columns} FROM {table} ORDER BY {order}"
    left = src.execute(query)
    right = dst.cursor()
    right.execute(query.encode())
    seen = 0
    while True:
        a, b = left.fetchmany(1000), right.fetchmany(1000)
        if not a and not b:
            return
        if len(a) != len(b) or any(tuple(x) != tuple(y) for x, y in zip(a, b, strict=False)):
            raise CopyRefused(f"verification failed in {table} near row {seen + 1}; nothing kept")
        seen += len(a)
