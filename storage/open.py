"""Open the store a DATABASE_URL names: `sqlite:///path` or `postgresql://…`."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from storage.errors import Unavailable
from storage.store import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(url: str) -> bool:
    return url.startswith(POSTGRES_SCHEMES)


def is_sqlite(url: str) -> bool:
    """`sqlite:///` followed by a path."""
    return url.startswith("sqlite:///") and len(url) > len("sqlite:///")


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def describe(url: str) -> str:
    """The URL fit for printing: a PostgreSQL password is hidden."""
    if not is_postgres(url):
        return sqlite_path(url)
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


async def open_store(url: str, *, pool_size: int = 10, migrate_schema: bool = True) -> Store:
    if is_postgres(url):
        try:
            from storage.postgres.store import PostgresStore
        except ImportError as exc:  # the optional extra is not installed
            raise Unavailable(
                "DATABASE_URL names PostgreSQL but its driver is not installed: install the "
                "extra mle-coach[postgres] (in a checkout: .venv/bin/pip install -e '.[postgres]')"
            ) from exc
        return await PostgresStore.open(url, pool_size=pool_size, migrate_schema=migrate_schema)
    from storage.sqlite.store import SqliteStore

    return await SqliteStore.open(sqlite_path(url), migrate_schema=migrate_schema)
