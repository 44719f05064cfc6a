"""Durable against power loss where the README promises it: a commit is on the disk before it
returns (docs/decisions/0004), on both engines."""

from __future__ import annotations

from storage.open import open_store


async def test_a_commit_reaches_the_disk_before_it_returns(engine_url: str) -> None:
    store = await open_store(engine_url)
    try:
        if engine_url.startswith("postgresql"):
            # the server's default; nothing of ours turns it off for our sessions
            setting = await store.write(
                lambda tx: tx.conn.execute("SHOW synchronous_commit").fetchone()[0]
            )
            assert setting == "on"
        else:
            # WAL with synchronous=FULL: the WAL is synced at each commit (NORMAL syncs it only
            # at checkpoints, so a power loss could take back commits Slack was told of)
            mode, sync = await store.write(
                lambda tx: (
                    tx.conn.execute("PRAGMA journal_mode").fetchone()[0],
                    tx.conn.execute("PRAGMA synchronous").fetchone()[0],
                )
            )
            assert (mode, sync) == ("wal", 2)  # 2: FULL
    finally:
        await store.close()
