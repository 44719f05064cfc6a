"""The bus: it completes the inbox row of the request being processed in the same
transaction as the request's first change (never on a rollback, never for a unit that waits,
never for a background task that copied the request's context), and it dispatches what a
unit caused once, after its commit (never for a rollback, once for a unit run again)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.bus import (
    AlreadyDone,
    Bus,
    HomeChanged,
    KpiChanged,
    Waiting,
    home_changed,
    request_key,
    serving,
)
from storage.rows import NewDelivery
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


class _RetryingStore:
    """A store whose writes run the unit twice on fresh transactions, committing the second
    (as PostgreSQL does after a lost race); `fail` makes the last run raise (a rollback)."""

    def __init__(self, real: SqliteStore, fail: bool = False) -> None:
        self.real = real
        self.fail = fail
        self.runs = 0

    async def write(self, work):  # type: ignore[no-untyped-def]
        def twice(conn_tx: Tx):  # type: ignore[no-untyped-def]
            self.runs += 1
            work(Tx(conn_tx.conn))  # the first run: lost its race, rolled back
            self.runs += 1
            result = work(conn_tx)
            if self.fail:
                raise RuntimeError("rolled back")
            return result

        return await self.real.write(twice)

    async def read(self, work):  # type: ignore[no-untyped-def]
        return await self.real.read(work)


def _wired(store: object) -> tuple[Bus, list[str]]:
    seen: list[str] = []
    bus = Bus(store, lambda: NOW)  # type: ignore[arg-type]
    bus.on(HomeChanged, in_tx=lambda tx, e: seen.append(f"in:{e.users}"))
    bus.on(HomeChanged, after=lambda e: seen.append(f"after:{e.users}"))
    bus.on(KpiChanged, after=lambda e: seen.append(f"kpi:{e.model_id}"))
    bus.posts_with(
        lambda rows: seen.append(f"hand:{len(rows)}"), lambda ch: seen.append(f"kick:{ch}")
    )
    return bus, seen


def _changes(tx: Tx) -> None:
    home_changed(tx, "T1", "U2", "U1", "")
    tx.emit(KpiChanged("T1", 7))
    tx.deliveries.add_many(
        [
            NewDelivery("T1", "k1", "thread", "1", "C1", NOW),
            NewDelivery("T1", "k2", "home", "U1", "U1", NOW, due_at=NOW + timedelta(seconds=5)),
        ]
    )


async def test_what_a_unit_caused_is_dispatched_once_after_its_commit(store: SqliteStore) -> None:
    retrying = _RetryingStore(store)
    bus, seen = _wired(retrying)
    await bus.write(_changes)
    assert retrying.runs == 2  # the unit ran twice; what it caused is dispatched once
    # in the transaction (of both runs), then after the commit, from the run committed: the
    # channel due now kicked (not the one queued for later), the after-commit handlers
    assert seen == [
        "in:('U1', 'U2')",
        "in:('U1', 'U2')",
        "kick:C1",
        "after:('U1', 'U2')",
        "kpi:7",
    ]


async def test_a_rolled_back_unit_dispatches_nothing(store: SqliteStore) -> None:
    bus, seen = _wired(_RetryingStore(store, fail=True))
    with pytest.raises(RuntimeError):
        await bus.write(_changes)
    assert [s for s in seen if not s.startswith("in:")] == []
    count = await store.read(
        lambda tx: tx.conn.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0]
    )
    assert count == 0


async def test_a_failing_after_commit_handler_is_logged_and_the_others_run(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    bus, seen = _wired(store)

    def broken(event: KpiChanged) -> None:
        raise RuntimeError("MLflow is down")

    bus.on(KpiChanged, after=broken)
    bus.on(KpiChanged, after=lambda e: seen.append("still"))
    await bus.write(lambda tx: tx.emit(KpiChanged("T1", 7)))
    assert seen == ["kpi:7", "still"]
    assert "handling KpiChanged failed" in caplog.text


async def test_a_second_run_of_a_request_done_meanwhile_changes_nothing(
    store: SqliteStore,
) -> None:
    """A slow run claimed again once its claim went stale: whichever run commits first
    completes the request; the other's change is rolled back (and no service's `except
    Exception` turns that into an answer)."""
    bus = Bus(store, lambda: NOW)
    inbox_id = await _row(store)
    with serving(inbox_id, "command:trig.1"):
        await bus.write(_workspace)  # the first run
    with serving(inbox_id, "command:trig.1") as again:
        try:
            await bus.write(lambda tx: tx.conn.execute("UPDATE inbox SET error = 'twice'"))
        except Exception:  # what a service would catch
            pytest.fail("AlreadyDone must not be an Exception")
        except AlreadyDone:
            pass
        else:
            pytest.fail("the second run's change was committed")
        assert not again.completed
    error = await store.read(
        lambda tx: tx.conn.execute("SELECT error FROM inbox WHERE id = ?", (inbox_id,)).fetchone()
    )
    assert error[0] is None  # marked done clears it; the second run's 'twice' was rolled back
