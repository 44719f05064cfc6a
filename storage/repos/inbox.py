"""The inbox: Slack requests recorded before Slack is answered, then processed from here.

A row is claimed by whoever records it and processed right away; a row whose claim is older
than the stale limit (its process died, or processing failed and waits to be tried again) is
claimed again by the next pass, on any replica. Rows are kept for a day after they are done,
so a Slack retry of a request already processed is still recognised; a done row keeps no
body (what was typed is in what it changed), a row given up on keeps its body and error.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.repos.rows import columns, to_rows
from storage.rows import InboxRow
from storage.sql import Conn
from storage.timefmt import iso

# Slack retries for about five minutes; a day is a generous margin.
KEEP_DONE = timedelta(days=1)
_COLS = columns(InboxRow)


class InboxRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def record(
        self, team_id: str, request_key: str, kind: str, body: str, now: datetime
    ) -> int | None:
        """Record a request, claimed by the caller; None when it was recorded before."""
        cur = self._conn.execute(
            "INSERT INTO inbox (team_id, request_key, kind, body, received_at, claimed_at, "
            "attempts) VALUES (?, ?, ?, ?, ?, ?, 1) "
            "ON CONFLICT (team_id, request_key) DO NOTHING RETURNING id",
            (team_id, request_key, kind, body, iso(now), iso(now)),
        )
        row = cur.fetchone()
        return None if row is None else int(row[0])

    def record_done(self, team_id: str, request_key: str, kind: str, now: datetime) -> int | None:
        """Record a request processed in this same transaction: done, its body not kept (it
        is only needed to process the request again); None when it was recorded before."""
        cur = self._conn.execute(
            "INSERT INTO inbox (team_id, request_key, kind, body, received_at, attempts, "
            "done_at) VALUES (?, ?, ?, '', ?, 1, ?) "
            "ON CONFLICT (team_id, request_key) DO NOTHING RETURNING id",
            (team_id, request_key, kind, iso(now), iso(now)),
        )
        row = cur.fetchone()
        return None if row is None else int(row[0])

    def reopen(self, inbox_id: int, body: str, now: datetime) -> None:
        """A request recorded done that must be processed later after all: kept with its
        body, claimed by the caller."""
        self._conn.execute(
            "UPDATE inbox SET body = ?, done_at = NULL, claimed_at = ? WHERE id = ?",
            (body, iso(now), inbox_id),
        )

    def done(self, inbox_ids: list[int], now: datetime) -> None:
        """Processed: the row stays to recognise Slack's retries; its body is not kept."""
        marks = ", ".join("?" for _ in inbox_ids)
        self._conn.execute(
            "UPDATE inbox SET done_at = ?, claimed_at = NULL, error = NULL, body = '' "
            f"WHERE id IN ({marks})",
            (iso(now), *inbox_ids),
        )

    def complete(self, inbox_id: int, now: datetime) -> bool:
        """Processed, in the transaction of its change; False when it was done already (by
        another run of the same request, which was claimed again meanwhile)."""
        cur = self._conn.execute(
            "UPDATE inbox SET done_at = ?, claimed_at = NULL, error = NULL, body = '' "
            "WHERE id = ? AND done_at IS NULL",
            (iso(now), inbox_id),
        )
        return cur.rowcount == 1

    def failed(self, inbox_id: int, error: str, now: datetime, give_up: bool) -> None:
        """Processing raised: the row is tried again once its claim is stale, or given up
        (marked done with its error) after too many attempts. A row done meanwhile (by
        another run of the same request) stays done."""
        self._conn.execute(
            "UPDATE inbox SET error = ?, claimed_at = ?, done_at = ? "
            "WHERE id = ? AND done_at IS NULL",
            (error[:300], iso(now), iso(now) if give_up else None, inbox_id),
        )

    def claim_stale(
        self, now: datetime, stale: datetime, kinds: list[str], limit: int
    ) -> list[InboxRow]:
        """Take up to `limit` unprocessed rows of these kinds whose claim is older than
        `stale`, oldest first."""
        if not kinds:
            return []
        marks = ", ".join("?" for _ in kinds)
        cur = self._conn.execute(
            "UPDATE inbox SET claimed_at = ?, attempts = attempts + 1 WHERE id IN ("
            f"SELECT id FROM inbox WHERE done_at IS NULL AND claimed_at < ? AND kind IN ({marks}) "
            f"ORDER BY id LIMIT ?{self._conn.skip_locked}) RETURNING {_COLS}",
            (iso(now), iso(stale), *kinds, limit),
        )
        return sorted(to_rows(InboxRow, cur.fetchall()), key=lambda row: row.id)

    def purge_done(self, now: datetime) -> int:
        cur = self._conn.execute(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?",
            (iso(now - KEEP_DONE),),
        )
        return cur.rowcount
