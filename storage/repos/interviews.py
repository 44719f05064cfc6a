"""Interview state, answers with their revisions, and notes kept from the thread."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import by_team, columns, to_row, to_rows
from storage.rows import AnswerRow, InterviewRow, NoteRow
from storage.sql import Conn
from storage.timefmt import iso

_ICOLS = columns(InterviewRow)
_ACOLS = columns(AnswerRow)
_NCOLS = columns(NoteRow)


class InterviewRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def create(self, team_id: str, project_id: int, stage: str, now: datetime) -> int:
        cur = self._conn.execute(
            "INSERT INTO interviews (team_id, project_id, stage, started_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (team_id, project_id, stage) DO NOTHING RETURNING id",
            (team_id, project_id, stage, iso(now)),
        )
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def get(self, team_id: str, project_id: int, stage: str) -> InterviewRow | None:
        cur = self._conn.execute(
            f"SELECT {_ICOLS} FROM interviews WHERE team_id = ? AND project_id = ? AND stage = ?",
            (team_id, project_id, stage),
        )
        return to_row(InterviewRow, cur.fetchone())

    def advance(
        self,
        interview: InterviewRow,
        position: int,
        complete: bool,
        now: datetime,
        *,
        claim: bool,
        reask: str | None = None,
    ) -> bool:
        """Move on from the interview's position to `position`, its question (or the brief) now
        waiting to be posted, or already claimed for posting by the caller. `reask`: the
        second round's keys, once the first round has ended. False when the interview moved
        meanwhile."""
        cur = self._conn.execute(
            "UPDATE interviews SET position = ?, status = ?, question_ts = NULL, "
            "reask = COALESCE(?, reask), "
            "post_state = ?, post_claimed_at = ?, post_error = NULL, "
            "completed_at = CASE WHEN ? THEN ? ELSE completed_at END "
            "WHERE id = ? AND position = ?",
            (
                position,
                "complete" if complete else "active",
                reask,
                "posting" if claim else "pending",
                iso(now) if claim else None,
                complete,
                iso(now),
                interview.id,
                interview.position,
            ),
        )
        return cur.rowcount == 1

    def requeue(
        self, team_id: str, project_id: int, stage: str, before_ts: str | None = None
    ) -> None:
        """An unfinished interview returned to (or interrupted by a post at `before_ts`): post
        its current question again. Slack ts of today's width compare correctly as text."""
        self._conn.execute(
            "UPDATE interviews SET post_state = 'pending', post_claimed_at = NULL, "
            "question_ts = NULL WHERE team_id = ? AND project_id = ? AND stage = ? "
            "AND status = 'active' AND post_state = 'posted' "
            "AND (CAST(? AS TEXT) IS NULL OR question_ts < ?)",
            (team_id, project_id, stage, before_ts, before_ts),
        )

    def claim_post(self, interview_id: int, position: int, now: datetime) -> bool:
        """Take the right to queue the current question; one claimant wins. Once queued it
        is `posting` until the poster records its ts (or Slack's refusal)."""
        cur = self._conn.execute(
            "UPDATE interviews SET post_state = 'posting', post_claimed_at = ? WHERE id = ? "
            "AND position = ? AND post_state IN ('pending', 'failed')",
            (iso(now), interview_id, position),
        )
        return cur.rowcount == 1

    def mark_posted(self, interview_id: int, position: int, ts: str) -> None:
        self._conn.execute(
            "UPDATE interviews SET post_state = 'posted', question_ts = ?, post_error = NULL "
            "WHERE id = ? AND position = ? AND post_state = 'posting'",
            (ts, interview_id, position),
        )

    def mark_post_failed(
        self, interview_id: int, position: int, error: str, *, permanent: bool = False
    ) -> None:
        """A post Slack refused: tried again by the next pass, or (`permanent`, such as an
        archived channel) only when someone replies in the thread again."""
        self._conn.execute(
            "UPDATE interviews SET post_state = ?, post_claimed_at = NULL, "
            "post_error = ? WHERE id = ? AND position = ? AND post_state = 'posting'",
            ("failed" if permanent else "pending", error[:200], interview_id, position),
        )

    def waiting_to_post(self, limit: int = 500) -> list[InterviewRow]:
        """Interviews whose question or brief is still to be queued."""
        cur = self._conn.execute(
            f"SELECT {_ICOLS} FROM interviews WHERE post_state = 'pending' ORDER BY id LIMIT ?",
            (limit,),
        )
        return to_rows(InterviewRow, cur.fetchall())


class AnswerRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def by_message(self, team_id: str, project_id: int, message_ts: str) -> AnswerRow | None:
        cur = self._conn.execute(
            f"SELECT {_ACOLS} FROM answers WHERE team_id = ? AND project_id = ? AND message_ts = ?",
            (team_id, project_id, message_ts),
        )
        return to_row(AnswerRow, cur.fetchone())

    def for_project(
        self, team_id: str, project_id: int, stage: str | None = None
    ) -> list[AnswerRow]:
        sql = f"SELECT {_ACOLS} FROM answers WHERE team_id = ? AND project_id = ?"
        params: tuple[object, ...] = (team_id, project_id)
        if stage is not None:
            sql += " AND stage = ?"
            params += (stage,)
        cur = self._conn.execute(sql + " ORDER BY id", params)
        return to_rows(AnswerRow, cur.fetchall())

    def record(
        self,
        *,
        team_id: str,
        project_id: int,
        stage: str,
        question_key: str,
        status: str,
        text: str,
        author_id: str,
        message_ts: str | None,
        now: datetime,
    ) -> int:
        """Answer (or skip) a question; an earlier answer to it is replaced, its text kept."""
        cur = self._conn.execute(
            "SELECT id FROM answers WHERE team_id = ? AND project_id = ? AND stage = ? "
            "AND question_key = ?",
            (team_id, project_id, stage, question_key),
        )
        existing = cur.fetchone()
        if existing is None:
            cur = self._conn.execute(
                "INSERT INTO answers (team_id, project_id, stage, question_key, status, text, "
                "author_id, message_ts, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    team_id,
                    project_id,
                    stage,
                    question_key,
                    status,
                    text,
                    author_id,
                    message_ts,
                    iso(now),
                    iso(now),
                ),
            )
            answer_id = int(cur.fetchone()[0])
        else:
            answer_id = int(existing[0])
            # a new message answering it (the question asked again) starts its own edits: the
            # order of the old message's edits (or its deletion) says nothing about them
            self._conn.execute(
                "UPDATE answers SET status = ?, text = ?, author_id = ?, edited_ts = CASE WHEN "
                "message_ts = ? THEN edited_ts ELSE NULL END, message_ts = ?, updated_at = ? "
                "WHERE id = ?",
                (status, text, author_id, message_ts, message_ts, iso(now), answer_id),
            )
        self._revision(team_id, answer_id, text, status, author_id, now)
        return answer_id

    def change(self, answer: AnswerRow, *, text: str, status: str, by: str, now: datetime) -> None:
        """An edit or a withdrawal: the answer changes, every version stays in the history."""
        self._conn.execute(
            "UPDATE answers SET text = ?, status = ?, updated_at = ? WHERE id = ?",
            (text, status, iso(now), answer.id),
        )
        self._revision(answer.team_id, answer.id, text, status, by, now)

    def take_edit(self, answer: AnswerRow, edited: str) -> bool:
        """Whether an edit stamped `edited` (a Slack `edited.ts` in sortable form) is newer
        than every edit applied to the answer; it is then the newest. An older edit
        delivered late, or the same one again, is False."""
        cur = self._conn.execute(
            "UPDATE answers SET edited_ts = ? WHERE id = ? "
            "AND (edited_ts IS NULL OR edited_ts < ?)",
            (edited, answer.id, edited),
        )
        return cur.rowcount == 1

    def statuses(self, keys: list[tuple[str, int]]) -> dict[tuple[int, str], dict[str, str]]:
        """(project id, stage) → {question key: status} for many (team_id, project id)."""
        found: dict[tuple[int, str], dict[str, str]] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                "SELECT project_id, stage, question_key, status FROM answers "
                f"WHERE team_id = ? AND project_id IN ({marks})",
                (team_id, *chunk),
            )
            for project_id, stage, key, status in cur.fetchall():
                found.setdefault((int(project_id), str(stage)), {})[str(key)] = str(status)
        return found

    def answered_to(self, keys: list[tuple[str, int]], question_keys: list[str]) -> list[AnswerRow]:
        """The answered answers to these questions, for many (team_id, project id)."""
        if not question_keys:
            return []
        found: list[AnswerRow] = []
        question_marks = ",".join("?" * len(question_keys))
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_ACOLS} FROM answers WHERE team_id = ? AND project_id IN ({marks}) "
                f"AND question_key IN ({question_marks}) AND status = 'answered'",
                (team_id, *chunk, *question_keys),
            )
            found += to_rows(AnswerRow, cur.fetchall())
        return found

    def history(self, team_id: str, answer_id: int) -> list[tuple[str, str, str]]:
        """(text, status, changed_by) oldest first."""
        cur = self._conn.execute(
            "SELECT text, status, changed_by FROM answer_revisions WHERE team_id = ? "
            "AND answer_id = ? ORDER BY id",
            (team_id, answer_id),
        )
        return [(r[0], r[1], r[2]) for r in cur.fetchall()]

    def keep_request(
        self, team_id: str, project_id: int, stage: str, question_key: str, request_key: str
    ) -> None:
        """The answer's newest version was given by this Slack request (`/mle answer`)."""
        self._conn.execute(
            "UPDATE answer_revisions SET request_key = ? WHERE id = (SELECT MAX(r.id) FROM "
            "answer_revisions r JOIN answers a ON a.id = r.answer_id WHERE a.team_id = ? "
            "AND a.project_id = ? AND a.stage = ? AND a.question_key = ?)",
            (request_key, team_id, project_id, stage, question_key),
        )

    def given_by(self, team_id: str, request_key: str) -> bool:
        """Did this Slack request give an answer already?"""
        cur = self._conn.execute(
            "SELECT 1 FROM answer_revisions WHERE team_id = ? AND request_key = ?",
            (team_id, request_key),
        )
        return cur.fetchone() is not None

    def _revision(
        self, team_id: str, answer_id: int, text: str, status: str, by: str, now: datetime
    ) -> None:
        self._conn.execute(
            "INSERT INTO answer_revisions (team_id, answer_id, text, status, changed_by, "
            "changed_at) VALUES (?, ?, ?, ?, ?, ?)",
            (team_id, answer_id, text, status, by, iso(now)),
        )


class NoteRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def by_message(self, team_id: str, project_id: int, message_ts: str) -> NoteRow | None:
        cur = self._conn.execute(
            f"SELECT {_NCOLS} FROM thread_notes WHERE team_id = ? AND project_id = ? "
            "AND message_ts = ?",
            (team_id, project_id, message_ts),
        )
        return to_row(NoteRow, cur.fetchone())

    def add(
        self,
        *,
        team_id: str,
        project_id: int,
        kind: str,
        stage: str,
        question_key: str | None,
        author_id: str,
        message_ts: str,
        text: str,
        now: datetime,
        delivery_id: int | None = None,
    ) -> bool:
        """False when a note with this message_ts was kept before (nothing is written)."""
        cur = self._conn.execute(
            "INSERT INTO thread_notes (team_id, project_id, kind, stage, question_key, "
            "author_id, message_ts, text, created_at, updated_at, delivery_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, project_id, message_ts) DO NOTHING",
            (
                team_id,
                project_id,
                kind,
                stage,
                question_key,
                author_id,
                message_ts,
                text,
                iso(now),
                iso(now),
                delivery_id,
            ),
        )
        return bool(cur.rowcount)

    def change_text(self, note: NoteRow, text: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE thread_notes SET text = ?, updated_at = ? WHERE id = ?",
            (text, iso(now), note.id),
        )

    def take_edit(self, note: NoteRow, edited: str) -> bool:
        """As for an answer: whether the edit is newer than every one applied to the note."""
        cur = self._conn.execute(
            "UPDATE thread_notes SET edited_ts = ? WHERE id = ? "
            "AND (edited_ts IS NULL OR edited_ts < ?)",
            (edited, note.id, edited),
        )
        return cur.rowcount == 1

    def remove(self, note: NoteRow) -> None:
        self._conn.execute("DELETE FROM thread_notes WHERE id = ?", (note.id,))

    def for_deliveries(self, team_id: str, delivery_ids: list[int]) -> dict[int, list[NoteRow]]:
        """Check-in id → the notes replied to it (and its buttons), oldest first."""
        found: dict[int, list[NoteRow]] = {}
        for start in range(0, len(delivery_ids), 500):
            chunk = delivery_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT delivery_id, {_NCOLS} FROM thread_notes WHERE team_id = ? AND "
                f"delivery_id IN ({marks}) ORDER BY id",
                (team_id, *chunk),
            )
            for row in cur.fetchall():
                found.setdefault(int(row[0]), []).append(NoteRow(*row[1:]))
        return found

    def for_project(self, team_id: str, project_id: int) -> list[NoteRow]:
        cur = self._conn.execute(
            f"SELECT {_NCOLS} FROM thread_notes WHERE team_id = ? AND project_id = ? ORDER BY id",
            (team_id, project_id),
        )
        return to_rows(NoteRow, cur.fetchall())
