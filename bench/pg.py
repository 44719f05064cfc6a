"""A schema of its own in a PostgreSQL database for a benchmark run or a test, dropped
afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote


@contextmanager
def scratch_schema(url: str) -> Iterator[str]:
    """A DATABASE_URL whose tables live in a new, empty schema of `url`'s database."""
    import psycopg

    schema = f"scratch_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}".encode())
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE".encode())
