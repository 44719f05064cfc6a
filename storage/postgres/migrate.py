"""Numbered SQL migrations for PostgreSQL, recorded in `schema_migrations`.

Each migration runs in its own transaction (PostgreSQL's DDL is transactional) under an
advisory lock, so replicas starting together apply it once.
"""

from __future__ import annotations

from typing import Any

import psycopg

from storage.migrations import Migration, available

MIGRATION_LOCK = 0x6D6C6531  # an arbitrary constant: 'mle1'


def migrations() -> list[Migration]:
    return available("postgres")


def current_version(conn: psycopg.Connection[Any]) -> int:
    found = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not found or not found[0]:
        return 0
    row = conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def apply(conn: psycopg.Connection[Any], found: list[Migration] | None = None) -> list[str]:
    """Bring the schema up to date on an autocommit connection; the names applied."""
    found = migrations() if found is None else found
    newest = found[-1].version if found else 0
    applied: list[str] = []
    for migration in found:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            version = current_version(conn)
            if version > newest:
                raise RuntimeError(
                    f"database schema version {version} is newer than this program knows ({newest})"
                )
            if migration.version <= version:
                continue
            conn.execute(migration.sql.encode())
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                (migration.version, migration.name),
            )
        applied.append(migration.name)
    return applied
