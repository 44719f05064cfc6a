"""One SQLite file: a writer thread and a reader thread, each owning one connection.

A unit of work is a synchronous function run whole on the writer thread: one hop between the
event loop and the database, and the single writer thread is the lock that serialises writes
within the process (BEGIN IMMEDIATE and busy_timeout handle other processes). Units queued
while the writer is busy are committed together, each in its own savepoint. Per-statement
awaits held the write lock across event-loop turns and made a busy app several times slower
(see README).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast

T = TypeVar("T")
BUSY_TIMEOUT_MS = 10_000


def _create_private(path: str) -> None:
    """Create the database file readable and writable by its owner only."""
    if path == ":memory:" or Path(path).exists():
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _rehearse(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        return work(conn)
    finally:
        conn.execute("ROLLBACK")


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class Database:
    def __init__(self, path: str) -> None:
        self.path = path
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._queue: list[tuple[Callable[[sqlite3.Connection], Any], asyncio.Future[Any]]] = []
        self._flushing = False
        self._queue_lock = threading.Lock()
        self._read_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")

    async def open(self) -> Database:
        def open_writer() -> sqlite3.Connection:
            _create_private(self.path)
            conn = connect(self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            # FULL: each commit's WAL frames reach the disk before the commit returns, so
            # what Slack was told we have survives a power loss, not only a crash (0004)
            conn.execute("PRAGMA synchronous = FULL")
            return conn

        loop = asyncio.get_running_loop()
        self._writer = await loop.run_in_executor(self._write_thread, open_writer)
        self._reader = await loop.run_in_executor(self._read_thread, connect, self.path)
        return self

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        for conn, thread in ((self._reader, self._read_thread), (self._writer, self._write_thread)):
            if conn is not None:
                await loop.run_in_executor(thread, conn.close)
            thread.shutdown(wait=True)
        self._reader = self._writer = None

    def _conn(self, writer: bool) -> sqlite3.Connection:
        conn = self._writer if writer else self._reader
        if conn is None:
            raise RuntimeError("database is not open")
        return conn

    async def write(self, work: Callable[[sqlite3.Connection], T], *, commit: bool = True) -> T:
        """Run `work` as one all-or-nothing unit; its result is returned once it is committed.

        Units that queue up while the writer is busy share one transaction (group commit),
        each inside its own savepoint: a unit that raises is rolled back alone and its caller
        gets the exception. With `commit=False` the unit runs alone and is rolled back."""
        conn = self._conn(writer=True)
        loop = asyncio.get_running_loop()
        if not commit:
            return await loop.run_in_executor(self._write_thread, _rehearse, conn, work)
        future: asyncio.Future[Any] = loop.create_future()
        with self._queue_lock:
            self._queue.append((work, future))
            start, self._flushing = not self._flushing, True
        if start:
            loop.run_in_executor(self._write_thread, self._flush, conn, loop)
        return cast(T, await future)

    def _flush(self, conn: sqlite3.Connection, loop: asyncio.AbstractEventLoop) -> None:
        """On the writer thread: run every queued unit in one transaction, then answer."""
        while True:
            with self._queue_lock:
                batch, self._queue = self._queue, []
                if not batch:
                    self._flushing = False
                    return
            outcomes: list[tuple[bool, Any]] = []
            try:
                conn.execute("BEGIN IMMEDIATE")
                for work, _ in batch:
                    conn.execute("SAVEPOINT unit")
                    try:
                        outcomes.append((True, work(conn)))
                        conn.execute("RELEASE unit")
                    except BaseException as exc:  # noqa: BLE001 - handed to the caller
                        conn.execute("ROLLBACK TO unit")
                        conn.execute("RELEASE unit")
                        outcomes.append((False, exc))
                conn.execute("COMMIT")
            except BaseException as exc:  # noqa: BLE001 - the whole batch failed to commit
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                outcomes = [(False, exc)] * len(batch)
            for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                loop.call_soon_threadsafe(_settle, future, ok, value)

    async def on_writer(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writer connection with no transaction of ours (migrations)."""
        conn = self._conn(writer=True)
        return await asyncio.get_running_loop().run_in_executor(self._write_thread, work, conn)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the reader connection (sees committed data only)."""
        conn = self._conn(writer=False)
        return await asyncio.get_running_loop().run_in_executor(self._read_thread, work, conn)
