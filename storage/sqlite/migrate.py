"""Numbered SQL migrations tracked by PRAGMA user_version; each one is atomic."""

from __future__ import annotations

import sqlite3

from storage.migrations import Migration, available

__all__ = ["Migration", "apply", "available", "current_version"]


def current_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0]) if row else 0


def apply(
    conn: sqlite3.Connection, migrations: list[Migration] | None = None, target: int | None = None
) -> list[str]:
    """Bring the schema up to `target` (default: newest); returns the names applied."""
    migrations = available() if migrations is None else migrations
    version = current_version(conn)
    newest = migrations[-1].version if migrations else 0
    if version > newest:
        raise RuntimeError(
            f"database schema version {version} is newer than this program knows ({newest})"
        )
    applied = []
    for migration in migrations:
        if migration.version <= version or (target is not None and migration.version > target):
            continue
        script = (
            f"BEGIN IMMEDIATE;\n{migration.sql}\n"
            f"PRAGMA user_version = {migration.version};\nCOMMIT;"
        )
        try:
            conn.executescript(script)
        except Exception:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied.append(migration.name)
    return applied
