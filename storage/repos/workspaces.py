"""Per-workspace settings (a JSON object per team)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from storage.sql import Conn
from storage.timefmt import iso


class WorkspaceRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def settings(self, team_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        unique = sorted(set(team_ids))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT team_id, settings FROM workspaces WHERE team_id IN ({marks})", chunk
            )
            for team_id, raw in cur.fetchall():
                try:
                    value = json.loads(raw or "{}")
                except json.JSONDecodeError:
                    value = {}
                found[str(team_id)] = value if isinstance(value, dict) else {}
        return found

    def update_settings(
        self, team_id: str, changes: dict[str, Any], now: datetime
    ) -> dict[str, Any]:
        """Merge `changes` into the workspace's settings. The row is made to exist, then read
        locked (PostgreSQL), so two replicas changing different settings keep both."""
        self._conn.execute(
            "INSERT INTO workspaces (team_id, settings, created_at) VALUES (?, '{}', ?) "
            "ON CONFLICT (team_id) DO NOTHING",
            (team_id, iso(now)),
        )
        row = self._conn.execute(
            f"SELECT settings FROM workspaces WHERE team_id = ?{self._conn.for_update}",
            (team_id,),
        ).fetchone()
        try:
            current = json.loads(row[0] or "{}") if row else {}
        except json.JSONDecodeError:
            current = {}
        merged = {**(current if isinstance(current, dict) else {}), **changes}
        self._conn.execute(
            "UPDATE workspaces SET settings = ? WHERE team_id = ?",
            (json.dumps(merged, sort_keys=True), team_id),
        )
        return merged
