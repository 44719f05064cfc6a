"""Processed Slack event ids, kept for a while so retries are recognised across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.sql import Conn
from storage.timefmt import iso

# Slack retries for about five minutes; a day is a generous margin.
EVENT_TTL = timedelta(days=1)


class EventRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def claim(self, team_id: str, event_id: str, now: datetime) -> bool:
        """Record a Slack event id; False when it was already handled (a retry)."""
        cur = self._conn.execute(
            "INSERT INTO processed_events (team_id, event_id, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (team_id, event_id) DO NOTHING",
            (team_id, event_id, iso(now + EVENT_TTL)),
        )
        return cur.rowcount == 1

    def purge_expired(self, now: datetime) -> int:
        cur = self._conn.execute("DELETE FROM processed_events WHERE expires_at < ?", (iso(now),))
        return cur.rowcount

    def probe(self, now: datetime) -> None:
        """A tiny write for health checks: one row under a team id Slack never uses."""
        self._conn.execute(
            "INSERT INTO processed_events (team_id, event_id, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT (team_id, event_id) DO UPDATE SET expires_at = excluded.expires_at",
            ("~health", "probe", iso(now + EVENT_TTL)),
        )
