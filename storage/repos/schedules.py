"""Schedules (rows with `next_due_at`) and deliveries (one per slot, unique key)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from storage.caused import Caused
from storage.repos.rows import columns, to_row, to_rows
from storage.rows import DeliveryRow, NewDelivery, ScheduleRow, ScheduleState
from storage.sql import Conn
from storage.timefmt import iso, parse

_SCOLS = columns(ScheduleRow)
_DCOLS = columns(DeliveryRow)
_INSERT_DELIVERIES = (
    "INSERT INTO deliveries (team_id, delivery_key, schedule_id, kind, subject, channel_id, "
    "thread_ts, slot, due_at, status, created_at, payload, op) "
)
_INSERT_CLAIMED = (
    "INSERT INTO deliveries (team_id, delivery_key, schedule_id, kind, subject, channel_id, "
    "thread_ts, slot, due_at, status, created_at, payload, op, claimed_at, claimed_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_FROM_ARRAYS = (  # PostgreSQL: the same thirteen columns, each bound as one array
    "SELECT * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), "
    "CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), "
    "CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]), "
    "CAST(? AS TEXT[]), CAST(? AS TEXT[]))"
)
_KEY_TAKEN = " ON CONFLICT (team_id, delivery_key) DO NOTHING"
_CLAIMED = "('posting', 'checking')"
_MINE = f"status IN {_CLAIMED} AND claimed_by = ?"  # a claim this store holds
# an unfinished delivery: the exact condition of the partial index `deliveries_open`, which a
# query must state word for word for SQLite to use that index (it proves no implication)
_OPEN = "status IN ('pending', 'posting', 'checking', 'unknown')"
# an earlier row of the same thread that is not finished yet holds this one back
_IN_ORDER = (
    " AND (d.thread_ts IS NULL OR NOT EXISTS (SELECT 1 FROM deliveries e WHERE "
    "e.channel_id = d.channel_id AND e.thread_ts = d.thread_ts AND e.id < d.id AND "
    f"e.team_id = d.team_id AND e.{_OPEN}))"
)


def _values(d: NewDelivery) -> tuple[object, ...]:
    """A new delivery's values, in `_INSERT_DELIVERIES`' column order."""
    return (
        d.team_id,
        d.key,
        d.schedule_id,
        d.kind,
        d.subject,
        d.channel_id,
        d.thread_ts,
        d.slot,
        iso(d.due_at) if d.due_at else None,
        d.status,
        iso(d.created_at),
        d.payload,
        d.op,
    )


def _channel_filter(channel: str | None, not_channels: Sequence[str]) -> tuple[str, list[str]]:
    if channel is not None:
        return " AND d.channel_id = ?", [channel]
    if not_channels:
        marks = ", ".join("?" for _ in not_channels)
        return f" AND d.channel_id NOT IN ({marks})", list(not_channels)
    return "", []


# the states of `enabled` as bound (plain ints: every driver binds them alike)
_OFF, _ON, _HELD = (
    int(state) for state in (ScheduleState.OFF, ScheduleState.ON, ScheduleState.HELD)
)


class ScheduleRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def upsert(
        self,
        *,
        team_id: str,
        kind: str,
        subject: str,
        channel_id: str,
        days: str,
        at_time: str,
        tz: str,
        next_due_at: datetime,
    ) -> None:
        self._conn.execute(
            "INSERT INTO schedules (team_id, kind, subject, channel_id, days, at_time, tz, "
            "next_due_at, enabled) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, kind, subject) DO UPDATE SET channel_id = excluded.channel_id, "
            "days = excluded.days, at_time = excluded.at_time, tz = excluded.tz, "
            "next_due_at = excluded.next_due_at, enabled = excluded.enabled",
            (team_id, kind, subject, channel_id, days, at_time, tz, iso(next_due_at), _ON),
        )

    def disable(self, team_id: str, kind: str, subject: str) -> bool:
        """Turned off (by someone): not resumed by anything but turning it on again."""
        cur = self._conn.execute(
            "UPDATE schedules SET enabled = ? WHERE team_id = ? AND kind = ? AND subject = ? "
            "AND enabled IN (?, ?)",
            (_OFF, team_id, kind, subject, _ON, _HELD),
        )
        return cur.rowcount == 1

    def pause(self, team_id: str, kind: str, subject: str) -> bool:
        """Held while its subject is closed: no slot comes due, no row is written for it;
        `resume` takes it up again. One turned off stays off."""
        cur = self._conn.execute(
            "UPDATE schedules SET enabled = ? WHERE team_id = ? AND kind = ? AND subject = ? "
            "AND enabled = ?",
            (_HELD, team_id, kind, subject, _ON),
        )
        return cur.rowcount == 1

    def resume(self, team_id: str, kind: str, subject: str, next_due_at: datetime) -> bool:
        cur = self._conn.execute(
            "UPDATE schedules SET enabled = ?, next_due_at = ? WHERE team_id = ? AND kind = ? "
            "AND subject = ? AND enabled = ?",
            (_ON, iso(next_due_at), team_id, kind, subject, _HELD),
        )
        return cur.rowcount == 1

    def get(self, team_id: str, kind: str, subject: str) -> ScheduleRow | None:
        cur = self._conn.execute(
            f"SELECT {_SCOLS} FROM schedules WHERE team_id = ? AND kind = ? AND subject = ?",
            (team_id, kind, subject),
        )
        return to_row(ScheduleRow, cur.fetchone())

    def many(self, team_id: str, kind: str, subjects: list[str]) -> dict[str, ScheduleRow]:
        found: dict[str, ScheduleRow] = {}
        for start in range(0, len(subjects), 500):
            chunk = subjects[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_SCOLS} FROM schedules WHERE team_id = ? AND kind = ? AND subject IN "
                f"({marks})",
                (team_id, kind, *chunk),
            )
            for row in to_rows(ScheduleRow, cur.fetchall()):
                found[row.subject] = row
        return found

    def due(self, now: datetime, limit: int) -> list[ScheduleRow]:
        cur = self._conn.execute(
            f"SELECT {_SCOLS} FROM schedules WHERE enabled = ? AND next_due_at <= ? "
            f"ORDER BY next_due_at, id LIMIT ?{self._conn.skip_locked}",
            (_ON, iso(now), limit),
        )
        return to_rows(ScheduleRow, cur.fetchall())

    def set_next(self, moves: list[tuple[datetime, int]]) -> None:
        """(next_due_at, schedule id) pairs."""
        changes = [(iso(due), schedule_id) for due, schedule_id in moves]
        if self._conn.arrays and changes:  # one statement, not one round trip per row
            self._conn.execute(
                "UPDATE schedules SET next_due_at = v.due FROM unnest(CAST(? AS TEXT[]), "
                "CAST(? AS BIGINT[])) AS v(due, id) WHERE schedules.id = v.id",
                ([due for due, _ in changes], [i for _, i in changes]),
            )
            return
        self._conn.executemany("UPDATE schedules SET next_due_at = ? WHERE id = ?", changes)


class DeliveryRepo:
    def __init__(self, conn: Conn, caused: Caused | None = None, owner: str = "") -> None:
        self._conn = conn
        self._caused = caused
        self._owner = owner  # the name claims are taken under (storage/owner.py)

    def _queued(self, deliveries: list[NewDelivery]) -> None:
        """The channels of rows due now, for the poster to look at after the commit."""
        if self._caused is not None:
            self._caused.channels.update(
                d.channel_id
                for d in deliveries
                if d.status == "pending" and (d.due_at is None or d.due_at <= d.created_at)
            )

    def add_many(self, deliveries: list[NewDelivery]) -> int:
        """Add deliveries; a key already present is left alone. Returns how many were new."""
        self._queued(deliveries)
        rows = [_values(d) for d in deliveries]
        if self._conn.arrays and rows:  # one statement: each column bound as an array
            cur = self._conn.execute(
                _INSERT_DELIVERIES + _FROM_ARRAYS + _KEY_TAKEN,
                [list(column) for column in zip(*rows, strict=True)],
            )
            return cur.rowcount
        cur = self._conn.executemany(
            _INSERT_DELIVERIES + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + _KEY_TAKEN, rows
        )
        return cur.rowcount

    def forget_finished(self, team_id: str, kind: str, subject: str) -> int:
        """Forget the finished rows of a kind nobody looks back at (Home publishes)."""
        cur = self._conn.execute(
            "DELETE FROM deliveries WHERE team_id = ? AND kind = ? AND subject = ? "
            "AND status IN ('posted', 'failed', 'skipped')",
            (team_id, kind, subject),
        )
        return cur.rowcount

    def add_unless_pending(self, d: NewDelivery) -> bool:
        """Add a delivery composed when it is posted, due at `d.due_at` (not before), unless
        one of the same kind and subject still waits to go out: that one is locked until the
        caller commits (PostgreSQL), so a poster claims it only after the caller's change and
        composes it with that change. True when added."""
        waiting = self._conn.execute(
            "SELECT id FROM deliveries WHERE team_id = ? AND kind = ? AND subject = ? "
            f"AND status = 'pending'{self._conn.for_update}",
            (d.team_id, d.kind, d.subject),
        ).fetchone()
        if waiting is not None:
            return False
        due = iso(d.due_at or d.created_at)
        self._conn.execute(
            "INSERT INTO deliveries (team_id, delivery_key, kind, subject, channel_id, due_at, "
            "next_attempt_at, status, created_at, op) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
            (d.team_id, d.key, d.kind, d.subject, d.channel_id, due, due, iso(d.created_at), d.op),
        )
        self._queued([d])
        return True

    def get(self, team_id: str, delivery_id: int) -> DeliveryRow | None:
        cur = self._conn.execute(
            f"SELECT {_DCOLS} FROM deliveries WHERE team_id = ? AND id = ?",
            (team_id, delivery_id),
        )
        return to_row(DeliveryRow, cur.fetchone())

    def claim_ready(
        self,
        now: datetime,
        stale: datetime,
        limit: int,
        *,
        dead: datetime | None = None,
        held_at: datetime | None = None,
        channel: str | None = None,
        not_channels: Sequence[str] = (),
    ) -> list[DeliveryRow]:
        """Take up to `limit` deliveries that are due to be posted, oldest first.

        A row waits while an earlier row of the same thread is unfinished, so posts keep
        their order in a thread. Claims of a poster that died come back: its owner marked
        gone (a restart on its host saw it dead), or its claim and its owner's last beat both
        older than `dead`, or its claim older than `stale` whoever holds it. Of those, a row
        that was never on its way to Slack (no `sending_at`) is posted at once; one that may
        have been sent, or whose outcome is unknown, comes back as `checking`: the poster
        looks for it in Slack before posting again. `channel` takes only that channel's
        rows; `not_channels` leaves those channels' rows alone (this process is posting
        there already). `held_at`: the claim's time (the poster's wall clock; `now` is the
        time rows are due by, which `tick --at` may move)."""
        channel_clause, args = _channel_filter(channel, not_channels)
        held = iso(held_at or now)
        cur = self._conn.execute(
            "UPDATE deliveries SET status = 'posting', claimed_at = ?, claimed_by = ?, "
            "sending_at = NULL WHERE id IN ("
            f"SELECT id FROM deliveries d WHERE d.{_OPEN} AND status = 'pending' AND "
            f"(next_attempt_at IS NULL OR next_attempt_at <= ?){channel_clause}{_IN_ORDER} "
            f"ORDER BY id LIMIT ?{self._conn.skip_locked}) RETURNING {_DCOLS}",
            (held, self._owner, iso(now), *args, limit),
        )
        rows = to_rows(DeliveryRow, cur.fetchall())
        if len(rows) < limit:
            lapsed = iso(dead or stale)
            cur = self._conn.execute(
                "UPDATE deliveries SET status = CASE WHEN status = 'posting' AND sending_at IS "
                "NULL THEN 'posting' ELSE 'checking' END, claimed_at = ?, claimed_by = ?, "
                "sending_at = NULL WHERE id IN ("
                f"SELECT id FROM deliveries d WHERE d.{_OPEN} AND ((status = 'unknown' AND "
                "(next_attempt_at IS NULL OR next_attempt_at <= ?)) OR "
                f"(status IN {_CLAIMED} AND (claimed_at < ? OR d.claimed_by IN (SELECT owner "
                "FROM posters WHERE gone_at IS NOT NULL) OR (claimed_at < ? AND NOT EXISTS ("
                "SELECT 1 FROM posters p WHERE p.owner = d.claimed_by AND p.beat_at >= ?)))))"
                f"{channel_clause} ORDER BY id LIMIT ?{self._conn.skip_locked}) "
                f"RETURNING {_DCOLS}",
                (
                    held,
                    self._owner,
                    iso(now),
                    iso(stale),
                    lapsed,
                    lapsed,
                    *args,
                    limit - len(rows),
                ),
            )
            rows += to_rows(DeliveryRow, cur.fetchall())
        # RETURNING shows the rows as updated: `claimed_at` is now ours
        return sorted(rows, key=lambda row: row.id)

    def sending(self, delivery_id: int, now: datetime) -> bool:
        """Mark a claimed row as on its way to Slack, just before the Web API call; False when
        the claim is no longer this store's (another poster took it over: do not post)."""
        cur = self._conn.execute(
            f"UPDATE deliveries SET sending_at = ? WHERE id = ? AND {_MINE} RETURNING id",
            (iso(now), delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def beat(self, now: datetime) -> None:
        """This store's poster is alive (and holds its claims)."""
        self._conn.execute(
            "INSERT INTO posters (owner, beat_at) VALUES (?, ?) ON CONFLICT (owner) "
            "DO UPDATE SET beat_at = excluded.beat_at, gone_at = NULL",
            (self._owner, iso(now)),
        )

    def posters(self) -> list[tuple[str, datetime, datetime | None]]:
        cur = self._conn.execute("SELECT owner, beat_at, gone_at FROM posters ORDER BY owner")
        return [(o, parse(b), parse(g) if g else None) for o, b, g in cur.fetchall()]

    def gone(self, owners: Sequence[str], now: datetime) -> None:
        """These posters are gone (stopped, or seen dead): their claims come back at once."""
        for owner in owners:
            self._conn.execute(
                "INSERT INTO posters (owner, beat_at, gone_at) VALUES (?, ?, ?) "
                "ON CONFLICT (owner) DO UPDATE SET gone_at = excluded.gone_at",
                (owner, iso(now), iso(now)),
            )

    def forget_posters(self, before: datetime) -> int:
        """Drop posters not heard of since `before` that hold no claim any more."""
        cur = self._conn.execute(
            "DELETE FROM posters WHERE beat_at < ? AND NOT EXISTS (SELECT 1 FROM deliveries d "
            f"WHERE d.claimed_by = posters.owner AND d.status IN {_CLAIMED})",
            (iso(before),),
        )
        return cur.rowcount

    def add_claimed(self, deliveries: list[NewDelivery], now: datetime) -> list[DeliveryRow]:
        """Add deliveries already claimed by the caller, to be posted right after the commit
        (no separate claim: they are collected as caused); a claim whose process died goes
        stale like any other."""
        rows: list[DeliveryRow] = []
        for d in deliveries:
            claimed = replace(d, status="posting")
            values = _values(claimed)
            cur = self._conn.execute(
                _INSERT_CLAIMED + _KEY_TAKEN + " RETURNING id",
                (*values, iso(now), self._owner),
            )
            found = cur.fetchone()
            if found is not None:  # the row as inserted: only the id is the database's
                rows.append(
                    DeliveryRow(
                        id=int(found[0]),
                        team_id=d.team_id,
                        delivery_key=d.key,
                        schedule_id=d.schedule_id,
                        kind=d.kind,
                        subject=d.subject,
                        channel_id=d.channel_id,
                        thread_ts=d.thread_ts,
                        slot=d.slot,
                        due_at=d.due_at,
                        status=claimed.status,
                        attempts=0,
                        next_attempt_at=None,
                        claimed_at=now,
                        posted_ts=None,
                        posted_at=None,
                        error=None,
                        responded_at=None,
                        responded_by=None,
                        payload=d.payload,
                        op=d.op,
                        claimed_by=self._owner,
                    )
                )
        if self._caused is not None:
            self._caused.claimed.extend(rows)
        return rows

    def thread_waiting(self, team_id: str, channel: str, thread_ts: str) -> bool:
        """Whether a post in this thread is still to go out (a new one must queue behind)."""
        cur = self._conn.execute(
            "SELECT 1 FROM deliveries WHERE team_id = ? AND channel_id = ? AND thread_ts = ? "
            f"AND {_OPEN} LIMIT 1",
            (team_id, channel, thread_ts),
        )
        return cur.fetchone() is not None

    def ready_in(self, channel: str, now: datetime) -> bool:
        """Whether the channel has a delivery ready to post (a cheap look before a claim)."""
        cur = self._conn.execute(
            f"SELECT 1 FROM deliveries WHERE channel_id = ? AND {_OPEN} AND "
            "status IN ('pending', 'unknown') AND "
            "(next_attempt_at IS NULL OR next_attempt_at <= ?) LIMIT 1",
            (channel, iso(now)),
        )
        return cur.fetchone() is not None

    # An outcome is recorded only by the claim's owner (`_MINE`): a poster taken for dead
    # and taken over records nothing; the one that took the row over decides (and looks for
    # the post in Slack if it was on its way). Each returns whether it was recorded.
    def posted(self, delivery_id: int, ts: str, thread_ts: str | None, now: datetime) -> bool:
        cur = self._conn.execute(
            "UPDATE deliveries SET status = 'posted', posted_ts = ?, thread_ts = "
            "COALESCE(thread_ts, ?), posted_at = ?, attempts = attempts + 1, error = NULL "
            f"WHERE id = ? AND {_MINE} RETURNING id",
            (ts, thread_ts, iso(now), delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def retry_later(self, delivery_id: int, error: str, at: datetime) -> bool:
        cur = self._conn.execute(
            "UPDATE deliveries SET status = 'pending', attempts = attempts + 1, error = ?, "
            f"next_attempt_at = ?, claimed_at = NULL WHERE id = ? AND {_MINE} RETURNING id",
            (error[:200], iso(at), delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def outcome_unknown(self, delivery_id: int, error: str, at: datetime) -> bool:
        """Sent, but no answer came (a timeout, a dropped connection): looked for in Slack
        at `at` before it is posted again."""
        cur = self._conn.execute(
            "UPDATE deliveries SET status = 'unknown', attempts = attempts + 1, error = ?, "
            f"next_attempt_at = ?, claimed_at = NULL WHERE id = ? AND {_MINE} RETURNING id",
            (error[:200], iso(at), delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def finish(self, delivery_id: int, status: str, error: str | None) -> bool:
        """A delivery that will not be posted: `failed` (Slack refused for good) or
        `skipped` (nothing to post any more)."""
        cur = self._conn.execute(
            "UPDATE deliveries SET status = ?, error = ?, attempts = attempts + 1 "
            f"WHERE id = ? AND {_MINE} RETURNING id",
            (status, (error or "")[:200] or None, delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def release(self, delivery_id: int, at: datetime) -> bool:
        """Give back a claim this poster could not see through (an error of its own): a row
        never on its way is ready again at once; one that may have been sent is looked for
        in Slack at `at`."""
        cur = self._conn.execute(
            "UPDATE deliveries SET status = CASE WHEN sending_at IS NULL AND status = 'posting' "
            "THEN 'pending' ELSE 'unknown' END, next_attempt_at = CASE WHEN sending_at IS NULL "
            "AND status = 'posting' THEN NULL ELSE ? END, claimed_at = NULL, claimed_by = NULL "
            f"WHERE id = ? AND {_MINE} RETURNING id",
            (iso(at), delivery_id, self._owner),
        )
        return cur.fetchone() is not None

    def failures_of_owner(
        self, team_id: str, owner_id: str, since: datetime, unreported_only: bool
    ) -> list[tuple[int, str, str, str, str]]:
        """Posts Slack refused for good (or given up), for the owner's projects, their
        models and their threads:
        (delivery id, kind, project name, channel, error), newest first."""
        cur = self._conn.execute(
            "SELECT d.id, d.kind, p.name, d.channel_id, d.error FROM deliveries d "
            "JOIN projects p ON p.team_id = d.team_id AND p.owner_id = ? AND ("
            "(d.kind IN ('checkin', 'parent') AND d.subject = CAST(p.id AS TEXT)) OR "
            "(d.kind IN ('reminder', 'f8') AND d.subject IN (SELECT CAST(m.id AS TEXT) FROM "
            "models m WHERE m.team_id = p.team_id AND m.project_id = p.id)) OR "
            # anything else of ours in the project's thread: its questions, briefs, charts
            "(d.op IN ('post', 'upload') AND d.thread_ts = p.thread_ts AND "
            "d.channel_id = p.channel_id)) "
            "WHERE d.team_id = ? AND d.status = 'failed' AND d.created_at >= ? "
            "AND (? = 0 OR d.reported_at IS NULL) ORDER BY d.id DESC LIMIT 20",
            (owner_id, team_id, iso(since), int(unreported_only)),
        )
        return [
            (int(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4] or "")) for r in cur.fetchall()
        ]

    def mark_reported(self, ids: list[int], now: datetime) -> None:
        self._conn.executemany(
            "UPDATE deliveries SET reported_at = ? WHERE id = ?", [(iso(now), i) for i in ids]
        )

    def note(self, delivery_id: int, error: str) -> None:
        self._conn.execute(
            "UPDATE deliveries SET error = ? WHERE id = ?", (error[:200], delivery_id)
        )

    def recent(self, team_id: str, kind: str, subject: str, since: datetime) -> DeliveryRow | None:
        """The newest delivery of this kind and subject created at or after `since`."""
        cur = self._conn.execute(
            f"SELECT {_DCOLS} FROM deliveries WHERE team_id = ? AND kind = ? AND subject = ? "
            "AND created_at >= ? ORDER BY id DESC LIMIT 1",
            (team_id, kind, subject, iso(since)),
        )
        return to_row(DeliveryRow, cur.fetchone())

    def latest_posted(self, team_id: str, kind: str, subject: str) -> DeliveryRow | None:
        cur = self._conn.execute(
            f"SELECT {_DCOLS} FROM deliveries WHERE team_id = ? AND kind = ? AND subject = ? "
            "AND status = 'posted' ORDER BY posted_ts DESC LIMIT 1",
            (team_id, kind, subject),
        )
        return to_row(DeliveryRow, cur.fetchone())

    def latest_posted_many(
        self, team_id: str, kind: str, subjects: list[str]
    ) -> dict[str, DeliveryRow]:
        """Subject → its latest posted delivery of `kind`, for many subjects of one team."""
        found: dict[str, DeliveryRow] = {}
        for start in range(0, len(subjects), 500):
            chunk = subjects[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_DCOLS} FROM deliveries WHERE team_id = ? AND kind = ? AND subject IN "
                f"({marks}) AND status = 'posted' ORDER BY posted_ts",
                (team_id, kind, *chunk),
            )
            for row in to_rows(DeliveryRow, cur.fetchall()):
                found[row.subject] = row  # the last one wins: the latest
        return found

    def respond(self, delivery_id: int, user: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE deliveries SET responded_at = COALESCE(responded_at, ?), "
            "responded_by = COALESCE(responded_by, ?) WHERE id = ?",
            (iso(now), user, delivery_id),
        )

    def unanswered(
        self, kind: str, posted_before: datetime, posted_after: datetime, limit: int
    ) -> list[DeliveryRow]:
        """Posted deliveries nobody responded to, in a window of posting times."""
        cur = self._conn.execute(
            f"SELECT {_DCOLS} FROM deliveries WHERE kind = ? AND status = 'posted' AND "
            "responded_at IS NULL AND posted_at < ? AND posted_at >= ? ORDER BY id LIMIT ?",
            (kind, iso(posted_before), iso(posted_after), limit),
        )
        return to_rows(DeliveryRow, cur.fetchall())

    def for_subject(self, team_id: str, kind: str, subject: str) -> list[DeliveryRow]:
        cur = self._conn.execute(
            f"SELECT {_DCOLS} FROM deliveries WHERE team_id = ? AND kind = ? AND subject = ? "
            "ORDER BY id",
            (team_id, kind, subject),
        )
        return to_rows(DeliveryRow, cur.fetchall())
