"""What each MLflow registry sync saw and did (the latest one answers `/mle registry`)."""

from __future__ import annotations

from datetime import datetime

from storage.sql import Conn
from storage.timefmt import iso, parse

KEEP = 20  # syncs kept per workspace


class RegistryRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def record(self, team_id: str, ran_at: datetime, report: str) -> None:
        self._conn.execute(
            "INSERT INTO registry_syncs (team_id, ran_at, report) VALUES (?, ?, ?)",
            (team_id, iso(ran_at), report),
        )
        self._conn.execute(  # only the latest ones are ever read
            "DELETE FROM registry_syncs WHERE team_id = ? AND id < ("
            "SELECT MIN(id) FROM (SELECT id FROM registry_syncs WHERE team_id = ? "
            "ORDER BY id DESC LIMIT ?) AS kept)",
            (team_id, team_id, KEEP),
        )

    def latest(self, team_id: str) -> tuple[datetime, str] | None:
        """(ran_at, report as JSON) of the latest sync, as this workspace may see it."""
        cur = self._conn.execute(
            "SELECT ran_at, report FROM registry_syncs WHERE team_id = ? ORDER BY id DESC LIMIT 1",
            (team_id,),
        )
        row = cur.fetchone()
        return (parse(str(row[0])), str(row[1])) if row else None
