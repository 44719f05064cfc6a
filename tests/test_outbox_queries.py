"""The poster's looks at the outbox cost the same in a channel with a long history as in a new
one. Every reply makes them (is anything ready in this channel, which rows may be claimed, is
a post of this thread still to go out), so a look that walked the channel's finished posts
would slow every reply as a team's history grows. Measured in SQLite virtual-machine steps,
which are deterministic, not in time."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from storage.repos.schedules import DeliveryRepo
from storage.rows import NewDelivery
from storage.sqlite import migrate
from storage.sqlite.store import SqliteConn
from storage.timefmt import iso

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
CHANNEL = "C0MLTEAM"


def _channel_with_history(finished: int) -> sqlite3.Connection:
    """A channel with `finished` posts already made in 20-post threads, then one thread with
    two replies queued behind each other (the first ready, the second waiting its turn)."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    migrate.apply(conn)
    stamp = iso(NOW - timedelta(days=30))
    conn.executemany(
        "INSERT INTO deliveries (team_id, delivery_key, kind, subject, channel_id, thread_ts, "
        "due_at, next_attempt_at, status, created_at, posted_ts, posted_at) "
        "VALUES ('T1', ?, 'question', ?, ?, ?, ?, ?, 'posted', ?, ?, ?)",
        (
            (f"old:{i}", str(i // 20), CHANNEL, f"1700000000.{i // 20:06d}", stamp, stamp)
            + (stamp, f"1700000001.{i:06d}", stamp)
            for i in range(finished)
        ),
    )
    repo = DeliveryRepo(SqliteConn(conn))
    repo.add_many(
        [
            NewDelivery(
                team_id="T1",
                key=f"new:{n}",
                kind="question",
                subject="live",
                channel_id=CHANNEL,
                created_at=NOW,
                thread_ts="1800000000.000001",
                payload="{}",
            )
            for n in range(2)
        ]
    )
    return conn


def _steps(conn: sqlite3.Connection, look: Callable[[DeliveryRepo], object]) -> int:
    counted = 0

    def count() -> int:
        nonlocal counted
        counted += 1
        return 0

    conn.set_progress_handler(count, 1)
    try:
        conn.execute("BEGIN")
        look(DeliveryRepo(SqliteConn(conn)))
        conn.execute("ROLLBACK")
    finally:
        conn.set_progress_handler(None, 1)
    return counted


LOOKS: dict[str, Callable[[DeliveryRepo], object]] = {
    "ready in the channel": lambda repo: repo.ready_in(CHANNEL, NOW),
    "claim the channel's ready rows": lambda repo: repo.claim_ready(
        NOW, NOW - timedelta(minutes=1), 50, channel=CHANNEL
    ),
    "claim every channel's ready rows": lambda repo: repo.claim_ready(
        NOW, NOW - timedelta(minutes=1), 50
    ),
    "a post of the thread still to go out": lambda repo: repo.thread_waiting(
        "T1", CHANNEL, "1800000000.000001"
    ),
}


@pytest.fixture(scope="module")
def channels() -> Iterator[tuple[sqlite3.Connection, sqlite3.Connection]]:
    new, old = _channel_with_history(20), _channel_with_history(20_000)
    yield new, old
    new.close()
    old.close()


@pytest.mark.parametrize("name", list(LOOKS))
def test_the_posters_looks_do_not_grow_with_the_channels_history(
    channels: tuple[sqlite3.Connection, sqlite3.Connection], name: str
) -> None:
    new, old = channels
    look = LOOKS[name]
    assert _steps(old, look) <= _steps(new, look) + 20


def test_the_looks_still_find_what_is_ready(
    channels: tuple[sqlite3.Connection, sqlite3.Connection],
) -> None:
    _, old = channels
    repo = DeliveryRepo(SqliteConn(old))
    old.execute("BEGIN")
    try:
        assert repo.ready_in(CHANNEL, NOW)
        assert repo.thread_waiting("T1", CHANNEL, "1800000000.000001")
        claimed = repo.claim_ready(NOW, NOW - timedelta(minutes=1), 50, channel=CHANNEL)
        # the thread's second reply waits for the first: posts keep their order in a thread
        assert [row.delivery_key for row in claimed] == ["new:0"]
    finally:
        old.execute("ROLLBACK")
