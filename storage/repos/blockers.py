"""What is in the way of a project: raised, shown until cleared, kept for the record."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import by_team, columns, to_rows
from storage.rows import BlockerRow
from storage.sql import Conn
from storage.timefmt import iso

_COLS = columns(BlockerRow)


class BlockerRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def raise_(
        self,
        *,
        team_id: str,
        project_id: int,
        stage: str,
        what: str,
        unblocker_id: str | None,
        raised_by: str,
        now: datetime,
        request_key: str,
    ) -> bool:
        """False when this request (a form submitted again) was already taken."""
        cur = self._conn.execute(
            "INSERT INTO blockers (team_id, project_id, stage, what, unblocker_id, raised_by, "
            "raised_at, request_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, request_key) DO NOTHING RETURNING id",
            (team_id, project_id, stage, what, unblocker_id, raised_by, iso(now), request_key),
        )
        return cur.fetchone() is not None

    def open_for(self, keys: list[tuple[str, int]]) -> dict[int, list[BlockerRow]]:
        """Project id → its open blockers, oldest first, for many (team_id, project id)."""
        found: dict[int, list[BlockerRow]] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_COLS} FROM blockers WHERE team_id = ? AND project_id IN ({marks}) "
                "AND cleared_at IS NULL ORDER BY id",
                (team_id, *chunk),
            )
            for row in to_rows(BlockerRow, cur.fetchall()):
                found.setdefault(row.project_id, []).append(row)
        return found

    def clear(
        self,
        team_id: str,
        project_id: int,
        by: str,
        now: datetime,
        how: str,
        raised_before: datetime | None = None,
    ) -> list[BlockerRow]:
        """Clear the project's open blockers (only those raised before `raised_before`, when
        given); returns them as they were."""
        cleared = [
            b
            for b in self.open_for([(team_id, project_id)]).get(project_id, [])
            if raised_before is None or b.raised_at < raised_before
        ]
        if cleared:
            self._conn.executemany(
                "UPDATE blockers SET cleared_by = ?, cleared_at = ?, cleared_how = ? "
                "WHERE team_id = ? AND id = ?",
                [(by, iso(now), how, team_id, b.id) for b in cleared],
            )
        return cleared

    def for_project(self, team_id: str, project_id: int) -> list[BlockerRow]:
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM blockers WHERE team_id = ? AND project_id = ? ORDER BY id",
            (team_id, project_id),
        )
        return to_rows(BlockerRow, cur.fetchall())
