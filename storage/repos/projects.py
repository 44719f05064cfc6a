"""Projects and their stage history."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import by_team, columns, to_row, to_rows
from storage.rows import ProjectRow
from storage.sql import Conn
from storage.timefmt import iso, parse

_COLS = columns(ProjectRow)


class ProjectRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def get(self, team_id: str, project_id: int) -> ProjectRow | None:
        """The project; in a write unit on PostgreSQL its row stays locked until commit, so
        units about one project run one after another, as they do on SQLite."""
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? AND id = ?{self._conn.for_update}",
            (team_id, project_id),
        )
        return to_row(ProjectRow, cur.fetchone())

    def by_name(self, team_id: str, name_key: str, slug: str) -> ProjectRow | None:
        """A project named so (case-insensitively) or with that slug."""
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? AND (name_key = ? OR slug = ?) "
            f"ORDER BY name_key = ? DESC LIMIT 1{self._conn.for_update}",
            (team_id, name_key, slug, name_key),
        )
        return to_row(ProjectRow, cur.fetchone())

    def by_thread(self, team_id: str, channel_id: str, thread_ts: str) -> ProjectRow | None:
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? AND channel_id = ? AND thread_ts = ?"
            f"{self._conn.for_update}",
            (team_id, channel_id, thread_ts),
        )
        return to_row(ProjectRow, cur.fetchone())

    def in_channel(self, team_id: str, channel_id: str) -> list[ProjectRow]:
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? AND channel_id = ? ORDER BY id",
            (team_id, channel_id),
        )
        return to_rows(ProjectRow, cur.fetchall())

    def names_and_channels(self, team_id: str) -> list[tuple[str, str]]:
        cur = self._conn.execute(
            "SELECT name, channel_id FROM projects WHERE team_id = ? ORDER BY id", (team_id,)
        )
        return [(r[0], r[1]) for r in cur.fetchall()]

    def set_stage_entered(self, team_id: str, project_id: int, at: datetime) -> None:
        self._conn.execute(
            "UPDATE projects SET stage_entered_at = ? WHERE team_id = ? AND id = ?",
            (iso(at), team_id, project_id),
        )

    def teams(self) -> list[str]:
        """Every workspace with a project."""
        cur = self._conn.execute("SELECT DISTINCT team_id FROM projects ORDER BY team_id")
        return [str(r[0]) for r in cur.fetchall()]

    def named_anywhere(self, name_key: str, slug: str) -> list[ProjectRow]:
        """Projects of any workspace with this name or slug."""
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE name_key = ? OR slug = ? ORDER BY id",
            (name_key, slug),
        )
        return to_rows(ProjectRow, cur.fetchall())

    def for_team(self, team_id: str) -> list[ProjectRow]:
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? ORDER BY id", (team_id,)
        )
        return to_rows(ProjectRow, cur.fetchall())

    def all_names(self, team_id: str) -> list[str]:
        cur = self._conn.execute(
            "SELECT name FROM projects WHERE team_id = ? ORDER BY id", (team_id,)
        )
        return [r[0] for r in cur.fetchall()]

    def insert(
        self,
        *,
        team_id: str,
        name: str,
        name_key: str,
        slug: str,
        channel_id: str,
        owner_id: str,
        tz: str,
        stage: str,
        now: datetime,
    ) -> int:
        cur = self._conn.execute(
            "INSERT INTO projects (team_id, name, name_key, slug, channel_id, owner_id, tz, "
            "stage, stage_entered_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "RETURNING id",
            (team_id, name, name_key, slug, channel_id, owner_id, tz, stage, iso(now), iso(now)),
        )
        project_id = int(cur.fetchone()[0])
        self._conn.execute(
            "INSERT INTO stage_history (team_id, project_id, stage, entered_at, entered_by) "
            "VALUES (?, ?, ?, ?, ?)",
            (team_id, project_id, stage, iso(now), owner_id),
        )
        return project_id

    def set_thread(self, team_id: str, project_id: int, thread_ts: str) -> None:
        self._conn.execute(
            "UPDATE projects SET thread_ts = ? WHERE team_id = ? AND id = ? AND thread_ts IS NULL",
            (thread_ts, team_id, project_id),
        )

    def set_time_box(self, team_id: str, project_id: int, stage: str, days: int | None) -> None:
        """The time box of the stage's latest entry in the history."""
        self._conn.execute(
            "UPDATE stage_history SET time_box_days = ? WHERE id = (SELECT MAX(id) FROM "
            "stage_history WHERE team_id = ? AND project_id = ? AND stage = ?)",
            (days, team_id, project_id, stage),
        )

    def time_box(self, team_id: str, project_id: int, stage: str) -> int | None:
        cur = self._conn.execute(
            "SELECT time_box_days FROM stage_history WHERE team_id = ? AND project_id = ? "
            "AND stage = ? ORDER BY id DESC LIMIT 1",
            (team_id, project_id, stage),
        )
        row = cur.fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def delete(self, team_id: str, project_id: int) -> None:
        """The project and everything under it (answers, interviews, notes, history, models,
        metrics and values cascade; schedules and deliveries are keyed by subject)."""
        models = [
            r[0]
            for r in self._conn.execute(
                "SELECT id FROM models WHERE team_id = ? AND project_id = ?", (team_id, project_id)
            )
        ]
        checkins = [
            r[0]
            for r in self._conn.execute(
                "SELECT id FROM deliveries WHERE team_id = ? AND kind = 'checkin' AND subject = ?",
                (team_id, str(project_id)),
            )
        ]
        self._conn.executemany(
            "DELETE FROM deliveries WHERE team_id = ? AND kind = 'nudge' AND subject = ?",
            [(team_id, str(d)) for d in checkins],
        )
        self._conn.executemany(
            "DELETE FROM deliveries WHERE team_id = ? AND kind IN ('reminder', 'f8') "
            "AND subject = ?",
            [(team_id, str(m)) for m in models],
        )
        self._conn.execute(
            "DELETE FROM deliveries WHERE team_id = ? AND kind = 'checkin' AND subject = ?",
            (team_id, str(project_id)),
        )
        # messages about it still waiting in the outbox (posted ones are history)
        interviews = [
            f"{r[0]}:"
            for r in self._conn.execute(
                "SELECT id FROM interviews WHERE team_id = ? AND project_id = ?",
                (team_id, project_id),
            )
        ]
        self._conn.execute(
            "DELETE FROM deliveries WHERE team_id = ? AND status IN ('pending', 'unknown') "
            "AND kind IN ('parent', 'thread', 'parent_update') AND subject = ?",
            (team_id, str(project_id)),
        )
        self._conn.executemany(
            "DELETE FROM deliveries WHERE team_id = ? AND status IN ('pending', 'unknown') "
            "AND kind = 'question' AND substr(subject, 1, length(?)) = ?",
            [(team_id, prefix, prefix) for prefix in interviews],
        )
        self._conn.execute(
            "DELETE FROM schedules WHERE team_id = ? AND kind = 'checkin' AND subject = ?",
            (team_id, str(project_id)),
        )
        self._conn.execute(
            "DELETE FROM projects WHERE team_id = ? AND id = ?", (team_id, project_id)
        )

    def move_stage(
        self,
        *,
        team_id: str,
        project_id: int,
        stage: str,
        now: datetime,
        by: str,
        forced: bool,
        reason: str | None,
    ) -> None:
        self._conn.execute(
            "UPDATE projects SET stage = ?, stage_entered_at = ? WHERE team_id = ? AND id = ?",
            (stage, iso(now), team_id, project_id),
        )
        self._conn.execute(
            "INSERT INTO stage_history (team_id, project_id, stage, entered_at, entered_by, "
            "forced, reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (team_id, project_id, stage, iso(now), by, int(forced), reason),
        )

    def set_outcome(
        self,
        team_id: str,
        project_id: int,
        outcome: str | None,
        reason: str | None,
        by: str | None,
        at: datetime | None,
        reopen_stage: str | None,
    ) -> None:
        """Closed with an outcome (or reopened: every field None)."""
        self._conn.execute(
            "UPDATE projects SET outcome = ?, close_reason = ?, closed_by = ?, closed_at = ?, "
            "reopen_stage = ? WHERE team_id = ? AND id = ?",
            (
                outcome,
                reason,
                by,
                (None if at is None else iso(at)),
                reopen_stage,
                team_id,
                project_id,
            ),
        )

    def history(
        self, team_id: str, project_id: int
    ) -> list[tuple[str, datetime, str, int, str | None]]:
        """(stage, entered_at, entered_by, forced, reason), oldest first."""
        cur = self._conn.execute(
            "SELECT stage, entered_at, entered_by, forced, reason FROM stage_history "
            "WHERE team_id = ? AND project_id = ? ORDER BY id",
            (team_id, project_id),
        )
        return [(r[0], parse(r[1]), r[2], int(r[3]), r[4]) for r in cur.fetchall()]

    def timeline(
        self, team_id: str, project_id: int
    ) -> list[tuple[str, datetime, int, int | None]]:
        """(stage, entered_at, forced, time box days) of each stage entered, oldest first."""
        cur = self._conn.execute(
            "SELECT stage, entered_at, forced, time_box_days FROM stage_history "
            "WHERE team_id = ? AND project_id = ? ORDER BY id",
            (team_id, project_id),
        )
        return [(r[0], parse(r[1]), int(r[2]), r[3]) for r in cur.fetchall()]

    def many(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], ProjectRow]:
        """Projects by (team_id, id); missing ones are absent."""
        found: dict[tuple[str, int], ProjectRow] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                # `+team_id`: look the ids up by primary key, then check the team
                f"SELECT {_COLS} FROM projects WHERE id IN ({marks}) AND +team_id = ?",
                (*chunk, team_id),
            )
            for project in to_rows(ProjectRow, cur.fetchall()):
                found[(project.team_id, project.id)] = project
        return found

    def current_time_boxes(self, keys: list[tuple[str, int]]) -> dict[tuple[int, str], int]:
        """(project id, stage) → time box of the stage's latest entry, where one is set."""
        boxes: dict[tuple[int, str], int] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                "SELECT project_id, stage, time_box_days FROM stage_history WHERE id IN ("
                "SELECT MAX(id) FROM stage_history WHERE team_id = ? AND project_id IN "
                f"({marks}) GROUP BY project_id, stage)",
                (team_id, *chunk),
            )
            for project_id, stage, days in cur.fetchall():
                if days is not None:
                    boxes[(int(project_id), str(stage))] = int(days)
        return boxes

    def for_person(self, team_id: str, user_id: str) -> list[ProjectRow]:
        """Projects the person owns, answered a question in, or was named to unblock."""
        cur = self._conn.execute(
            f"SELECT {_COLS} FROM projects WHERE team_id = ? AND (owner_id = ? OR id IN ("
            "SELECT project_id FROM answers WHERE team_id = ? AND author_id = ?) OR id IN ("
            "SELECT project_id FROM blockers WHERE team_id = ? AND unblocker_id = ? "
            "AND cleared_at IS NULL)) ORDER BY id",
            (team_id, user_id, team_id, user_id, team_id, user_id),
        )
        return to_rows(ProjectRow, cur.fetchall())
