"""What is waiting, read for operators (`GET /metrics`): the inbox, the outbox, the models.

Counts over every workspace: an operator watches the whole installation. Nothing of what
people wrote is read, only states, counts and times.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage.sql import Conn
from storage.timefmt import iso, parse


@dataclass(frozen=True)
class Backlog:
    inbox_waiting: int = 0
    inbox_oldest: datetime | None = None  # when the oldest unprocessed request came in
    outbox: dict[str, int] = field(default_factory=dict)  # unfinished rows by status
    outbox_oldest_ready: datetime | None = None  # since when the oldest ready row could go
    outbox_oldest_claim: datetime | None = None  # when the oldest claim held now was taken
    models: dict[tuple[str, str], int] = field(default_factory=dict)  # (source, state) → count
    syncs: list[tuple[datetime, str]] = field(default_factory=list)  # each workspace's latest


class BacklogRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def snapshot(self, now: datetime) -> Backlog:
        waiting, oldest = self._conn.execute(
            "SELECT COUNT(*), MIN(received_at) FROM inbox WHERE done_at IS NULL"
        ).fetchone()
        # unfinished rows only, through the partial index `deliveries_open` (its condition word
        # for word, as storage/repos/schedules.py's _OPEN): a handful, however long the history
        outbox = {
            str(status): int(count)
            for status, count in self._conn.execute(
                "SELECT status, COUNT(*) FROM deliveries "
                "WHERE status IN ('pending', 'posting', 'checking', 'unknown') GROUP BY status"
            ).fetchall()
        }
        # ready: to be posted now (a first try, or a retry whose wait is over)
        (ready,) = self._conn.execute(
            "SELECT MIN(COALESCE(next_attempt_at, created_at)) FROM deliveries "
            "WHERE status IN ('pending', 'posting', 'checking', 'unknown') AND "
            "status IN ('pending', 'unknown') AND "
            "(next_attempt_at IS NULL OR next_attempt_at <= ?)",
            (iso(now),),
        ).fetchone()
        # a claim held long: a poster stuck (or dead and not yet taken over)
        (claimed,) = self._conn.execute(
            "SELECT MIN(claimed_at) FROM deliveries "
            "WHERE status IN ('pending', 'posting', 'checking', 'unknown') AND "
            "status IN ('posting', 'checking')"
        ).fetchone()
        models: dict[tuple[str, str], int] = {}
        for mlflow, retired, count in self._conn.execute(
            "SELECT CASE WHEN registry IS NULL THEN 0 ELSE 1 END, "
            "CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END, COUNT(*) FROM models "
            "GROUP BY CASE WHEN registry IS NULL THEN 0 ELSE 1 END, "
            "CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END"
        ).fetchall():
            key = ("mlflow" if mlflow else "slack", "retired" if retired else "deployed")
            models[key] = int(count)
        syncs = [
            (parse(str(ran_at)), str(report))
            for ran_at, report in self._conn.execute(
                "SELECT ran_at, report FROM registry_syncs WHERE id IN "
                "(SELECT MAX(id) FROM registry_syncs GROUP BY team_id)"
            ).fetchall()
        ]
        return Backlog(
            inbox_waiting=int(waiting),
            inbox_oldest=parse(str(oldest)) if oldest else None,
            outbox=outbox,
            outbox_oldest_ready=parse(str(ready)) if ready else None,
            outbox_oldest_claim=parse(str(claimed)) if claimed else None,
            models=models,
            syncs=syncs,
        )
