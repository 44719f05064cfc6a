"""Processed Slack event ids, kept for a while so retries are recognised across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.sqlite.database import Database
from storage.timefmt import iso

# Slack retries for about five minutes; a day is a generous margin.
EVENT_TTL = timedelta(days=1)


class SqliteEventLog:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, team_id: str, event_id: str, now: datetime) -> bool:
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "INSERT INTO processed_events (team_id, event_id, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (team_id, event_id) DO NOTHING",
                (team_id, event_id, iso(now + EVENT_TTL)),
            )
            return cur.rowcount == 1

    async def purge_expired(self, now: datetime) -> int:
        async with self._db.transaction() as conn:
            cur = await conn.execute(
                "DELETE FROM processed_events WHERE expires_at < ?", (iso(now),)
            )
            return cur.rowcount
