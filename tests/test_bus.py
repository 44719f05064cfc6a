"""The bus completes the inbox row of the request being processed in the same transaction
as the request's first change: never on a rollback, never for a unit that waits, never for
a background task that copied the request's context."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bus import Bus, Waiting, request_key, serving
from storage.sqlite.store import SqliteStore
from storage.store import Tx

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    opened = await SqliteStore.open(str(tmp_path / "bus.db"))
    try:
        yield opened
    finally:
        await opened.close()


async def _row(store: SqliteStore) -> int:
    inbox_id = await store.write(
        lambda tx: tx.inbox.record("T1", "command:trig.1", "command", "{}", NOW)
    )
    assert inbox_id is not None
    return inbox_id


async def _done(store: SqliteStore, inbox_id: int) -> bool:
    rows = await store.read(
        lambda tx: tx.conn.execute("SELECT done_at FROM inbox WHERE id = ?", (inbox_id,)).fetchall()
    )
    return rows[0][0] is not None


def _workspace(tx: Tx) -> None:
    tx.conn.execute("UPDATE inbox SET error = 'touched'")


async def test_the_first_change_completes_the_request_in_its_transaction(
    store: SqliteStore,
) -> None:
    bus = Bus(store, lambda: NOW)
    inbox_id = await _row(store)
    assert request_key() is None
    with serving(inbox_id, "command:trig.1") as request:
        assert request_key() == "command:trig.1"
        assert not await _done(store, inbox_id)
        await bus.write(_workspace)
        assert request.completed and await _done(store, inbox_id)


async def test_a_rolled_back_or_waiting_unit_leaves_the_request_open(store: SqliteStore) -> None:
    bus = Bus(store, lambda: NOW)
    inbox_id = await _row(store)

    def fails(tx: Tx) -> None:
        _workspace(tx)
        raise RuntimeError("a bug half-way")

    with serving(inbox_id, "command:trig.1") as request:
        with pytest.raises(RuntimeError):
            await bus.write(fails)
        assert not request.completed and not await _done(store, inbox_id)
        waiting = Waiting()
        assert await bus.write(lambda tx: waiting) is waiting
        assert not request.completed and not await _done(store, inbox_id)
        await bus.read(lambda tx: None)  # a read completes nothing either
        assert not await _done(store, inbox_id)


async def test_a_background_task_does_not_complete_the_request(store: SqliteStore) -> None:
    bus = Bus(store, lambda: NOW)
    inbox_id = await _row(store)
    with serving(inbox_id, "command:trig.1") as request:
        # a task spawned while the request is processed (the poster, Home) copies its context
        await asyncio.create_task(bus.write(_workspace))
        assert request_key() == "command:trig.1"
        assert not request.completed and not await _done(store, inbox_id)
