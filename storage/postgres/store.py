"""The PostgreSQL store: a pool of connections, units of work run whole on worker threads.

Write units run at READ COMMITTED, PostgreSQL's default, and get their safety from the
engine: rows a unit reads to change are locked (`SELECT … FOR UPDATE`, so units about one
project queue behind each other as they do on SQLite), due rows are claimed with
`FOR UPDATE SKIP LOCKED` (replicas take disjoint batches), and every scheduled post has a
unique slot key inserted with `ON CONFLICT DO NOTHING`. A unit that deadlocked, or that
inserted a key another replica committed meanwhile, is run again and then sees that row.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import urlsplit

import psycopg
from psycopg import errors
from psycopg_pool import ConnectionPool, PoolTimeout

from storage.errors import DuplicateKey, Unavailable
from storage.owner import new_owner
from storage.postgres import migrate
from storage.postgres.conn import PgConn
from storage.retries import RETRIED
from storage.store import Tx

T = TypeVar("T")
RETRIES = 5  # a unit that loses a race this often in a row gives up with the error
CONNECT_TIMEOUT_S = 10
PING_TIMEOUT_S = 2.0
APPLICATION_NAME = "mle-coach"  # how our sessions show in pg_stat_activity


def _where(url: str) -> str:
    """host:port/database of a URL, without user or password."""
    parts = urlsplit(url)
    return f"{parts.hostname or 'localhost'}:{parts.port or 5432}{parts.path}"


def connect(url: str) -> psycopg.Connection[Any]:
    """One autocommit connection (migrations, copy-db, tests)."""
    return psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)


def _run(
    conn: psycopg.Connection[Any], work: Callable[[Tx], T], commit: bool, owner: str = ""
) -> T:
    for attempt in range(RETRIES + 1):
        try:
            with conn.transaction(force_rollback=not commit):
                return work(Tx(PgConn(conn, writing=True), owner))
        except (errors.SerializationFailure, errors.DeadlockDetected) as exc:
            if attempt == RETRIES:
                raise
            RETRIED.add("deadlock" if isinstance(exc, errors.DeadlockDetected) else "serialization")
        except errors.UniqueViolation as exc:
            if attempt >= 1:  # run again once: a concurrent insert wins, we see its row
                raise DuplicateKey(str(exc).splitlines()[0]) from exc
            RETRIED.add("unique_key")
        time.sleep(random.uniform(0.001, 0.01) * (attempt + 1))  # noqa: S311 - jitter
    raise AssertionError("unreachable")


class PostgresStore:
    def __init__(self, pool: ConnectionPool[Any], size: int) -> None:
        self._pool = pool
        self._threads = ThreadPoolExecutor(size, thread_name_prefix="postgres")
        self.owner = new_owner()

    @classmethod
    async def open(
        cls, url: str, *, pool_size: int = 10, migrate_schema: bool = True
    ) -> PostgresStore:
        def prepare() -> None:
            with connect(url) as conn:  # fails fast, with libpq's reason, if unreachable
                if migrate_schema:
                    migrate.apply(conn)

        def start_pool() -> ConnectionPool[Any]:
            pool: ConnectionPool[Any] = ConnectionPool(
                url,
                min_size=min(2, pool_size),
                max_size=pool_size,
                kwargs={
                    "autocommit": True,
                    "connect_timeout": CONNECT_TIMEOUT_S,
                    "application_name": APPLICATION_NAME,
                },
                # a connection the server closed (restart, failover, idle timeout) is
                # replaced when taken from the pool, not discovered by a user's request
                check=ConnectionPool.check_connection,
                open=False,
                name="mle-coach",
            )
            pool.open(wait=True, timeout=CONNECT_TIMEOUT_S * 3)
            return pool

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, prepare)
            pool = await loop.run_in_executor(None, start_pool)
        except (psycopg.OperationalError, PoolTimeout) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise Unavailable(f"cannot reach PostgreSQL at {_where(url)}: {reason}") from None
        return cls(pool, pool_size)

    async def _on_thread(
        self, fn: Callable[[psycopg.Connection[Any]], T], *, timeout: float | None = None
    ) -> T:
        def call() -> T:
            with self._pool.connection(timeout=timeout) as conn:
                return fn(conn)

        return await asyncio.get_running_loop().run_in_executor(self._threads, call)

    async def migrate(self) -> list[str]:
        return await self._on_thread(migrate.apply)

    async def write(self, work: Callable[[Tx], T]) -> T:
        """All-or-nothing: `work` runs whole in one transaction (again if it lost a race)."""
        return await self._on_thread(lambda conn: _run(conn, work, True, self.owner))

    async def rehearse(self, work: Callable[[Tx], T]) -> T:
        """Run `work` as a write transaction and roll it back (dry runs)."""
        return await self._on_thread(lambda conn: _run(conn, work, False, self.owner))

    async def read(self, work: Callable[[Tx], T]) -> T:
        """`work` reads committed data; each statement sees what was committed before it,
        as on SQLite's reader connection."""
        return await self._on_thread(lambda conn: work(Tx(PgConn(conn, writing=False), self.owner)))

    async def ping(self) -> bool:
        try:
            return await self._on_thread(  # a health check answers soon, up or down
                lambda conn: conn.execute("SELECT 1").fetchone() is not None,
                timeout=PING_TIMEOUT_S,
            )
        except Exception:
            return False

    async def schema_version(self) -> int:
        return await self._on_thread(migrate.current_version)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._pool.close)
        self._threads.shutdown(wait=True)
