"""One SQLite file: a writer thread and a reader thread, each owning one connection.

A transaction is a synchronous function run whole on the writer thread inside
BEGIN IMMEDIATE … COMMIT: one hop between the event loop and the database per transaction,
and the single writer thread is the lock that serialises writes within the process
(BEGIN IMMEDIATE and busy_timeout handle other processes). Per-statement awaits held the
write lock across event-loop turns and made a busy app several times slower (see README).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

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


class Database:
    def __init__(self, path: str) -> None:
        self.path = path
        self._writer: sqlite3.Connection | None = None
        self._reader: sqlite3.Connection | None = None
        self._write_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-writer")
        self._read_thread = ThreadPoolExecutor(1, thread_name_prefix="sqlite-reader")

    async def open(self) -> Database:
        def open_writer() -> sqlite3.Connection:
            _create_private(self.path)
            conn = connect(self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
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
        """Run `work` in one write transaction; commits on success (unless `commit` is False),
        rolls back on any error."""
        conn = self._conn(writer=True)

        def transaction() -> T:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = work(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT" if commit else "ROLLBACK")
            return result

        return await asyncio.get_running_loop().run_in_executor(self._write_thread, transaction)

    async def on_writer(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the writer connection with no transaction of ours (migrations)."""
        conn = self._conn(writer=True)
        return await asyncio.get_running_loop().run_in_executor(self._write_thread, work, conn)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work` on the reader connection (sees committed data only)."""
        conn = self._conn(writer=False)
        return await asyncio.get_running_loop().run_in_executor(self._read_thread, work, conn)
