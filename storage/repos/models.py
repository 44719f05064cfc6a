"""Deployed models, their business metrics and the values reported for them."""

from __future__ import annotations

from datetime import datetime

from storage.repos.rows import by_team, columns, to_row, to_rows
from storage.rows import MetricRow, ModelRow, ValueRow
from storage.sql import Conn
from storage.timefmt import iso, parse

_MCOLS = columns(ModelRow)
_KCOLS = columns(MetricRow)
_VCOLS = columns(ValueRow)


class ModelRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def get(self, team_id: str, model_id: int) -> ModelRow | None:
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND id = ?", (team_id, model_id)
        )
        return to_row(ModelRow, cur.fetchone())

    def by_name(self, team_id: str, name_key: str, slug: str) -> ModelRow | None:
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND (name_key = ? OR slug = ?) "
            "ORDER BY name_key = ? DESC LIMIT 1",
            (team_id, name_key, slug, name_key),
        )
        return to_row(ModelRow, cur.fetchone())

    def for_person(self, team_id: str, user_id: str) -> list[ModelRow]:
        """Deployed models the person deployed, whose KPI they own, or of projects they own."""
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND retired_at IS NULL AND ("
            "deployed_by = ? OR "
            "project_id IN (SELECT id FROM projects WHERE team_id = ? AND owner_id = ?) OR "
            "id IN (SELECT model_id FROM business_metrics WHERE team_id = ? AND owner_id = ?)) "
            "ORDER BY id",
            (team_id, user_id, team_id, user_id, team_id, user_id),
        )
        return to_rows(ModelRow, cur.fetchall())

    def of_projects(self, keys: list[tuple[str, int]]) -> list[ModelRow]:
        """Every model of these (team_id, project id), retired ones too."""
        found: list[ModelRow] = []
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND project_id IN ({marks}) "
                "ORDER BY id",
                (team_id, *chunk),
            )
            found += to_rows(ModelRow, cur.fetchall())
        return found

    def deployed_in(self, keys: list[tuple[str, int]]) -> list[ModelRow]:
        """Deployed (not retired) models of these (team_id, project id)."""
        found: list[ModelRow] = []
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND retired_at IS NULL AND "
                f"project_id IN ({marks}) ORDER BY id",
                (team_id, *chunk),
            )
            found += to_rows(ModelRow, cur.fetchall())
        return found

    def matching(self, team_id: str, name_key: str, slug: str) -> list[ModelRow]:
        """Every model named so or with that slug (two when one's name is another's slug:
        `churn-v2` the name, `churn-v2` the slug of `churn v2`), the exact name first."""
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND (name_key = ? OR slug = ?) "
            "ORDER BY name_key = ? DESC, id",
            (team_id, name_key, slug, name_key),
        )
        return to_rows(ModelRow, cur.fetchall())

    def names_and_channels(self, team_id: str) -> list[tuple[str, str]]:
        """Every model's name and its project's channel."""
        cur = self._conn.execute(
            "SELECT m.name, p.channel_id FROM models m JOIN projects p ON p.team_id = m.team_id "
            "AND p.id = m.project_id WHERE m.team_id = ? ORDER BY m.id",
            (team_id,),
        )
        return [(r[0], r[1]) for r in cur.fetchall()]

    def for_project(self, team_id: str, project_id: int) -> list[ModelRow]:
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE team_id = ? AND project_id = ? ORDER BY id",
            (team_id, project_id),
        )
        return to_rows(ModelRow, cur.fetchall())

    def deploy(
        self,
        *,
        team_id: str,
        project_id: int,
        name: str,
        name_key: str,
        slug: str,
        version: str | None,
        tier: str | None,
        by: str,
        now: datetime,
        first_check: datetime,
    ) -> int:
        """A new model, or a new deployment (version) of a model of the same project."""
        cur = self._conn.execute(
            "INSERT INTO models (team_id, project_id, name, name_key, slug, version, tier, "
            "deployed_at, deployed_by, next_check_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (team_id, name_key) DO UPDATE SET version = excluded.version, "
            "tier = COALESCE(excluded.tier, models.tier), deployed_at = excluded.deployed_at, "
            "deployed_by = excluded.deployed_by, retired_at = NULL, "
            "next_check_at = excluded.next_check_at WHERE models.project_id = excluded.project_id "
            "RETURNING id",
            (
                team_id,
                project_id,
                name,
                name_key,
                slug,
                version,
                tier,
                iso(now),
                by,
                iso(first_check),
            ),
        )
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def new_version(self, team_id: str, model_id: int, version: str | None, by: str) -> None:
        """A deployed model's next version: its KPIs, values and reminder clock carry on."""
        self._conn.execute(
            "UPDATE models SET version = ?, deployed_by = ? WHERE team_id = ? AND id = ?",
            (version, by, team_id, model_id),
        )

    def set_registry(self, team_id: str, model_id: int, registered: str | None) -> None:
        self._conn.execute(
            "UPDATE models SET registry = ? WHERE team_id = ? AND id = ?",
            (registered, team_id, model_id),
        )

    def set_registry_seen(self, team_id: str, model_id: int, seen: str | None) -> None:
        self._conn.execute(
            "UPDATE models SET registry_seen = ? WHERE team_id = ? AND id = ?",
            (seen, team_id, model_id),
        )

    def mirrored(self) -> list[ModelRow]:
        """Deployed models that mirror a registered model, in every workspace."""
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE registry IS NOT NULL AND retired_at IS NULL "
            "ORDER BY id"
        )
        return to_rows(ModelRow, cur.fetchall())

    def retire(self, team_id: str, model_id: int, now: datetime) -> None:
        self._conn.execute(
            "UPDATE models SET retired_at = ?, next_check_at = NULL WHERE team_id = ? AND id = ?",
            (iso(now), team_id, model_id),
        )

    def snooze(self, team_id: str, model_id: int, until: datetime, reason: str, by: str) -> None:
        self._conn.execute(
            "UPDATE models SET snoozed_until = ?, snooze_reason = ?, snoozed_by = ?, "
            "next_check_at = ? WHERE team_id = ? AND id = ?",
            (iso(until), reason, by, iso(until), team_id, model_id),
        )

    def check_at(self, changes: list[tuple[datetime | None, int]]) -> None:
        """(next_check_at, model id) pairs."""
        self._conn.executemany(
            "UPDATE models SET next_check_at = ? WHERE id = ?",
            [(None if at is None else iso(at), model_id) for at, model_id in changes],
        )

    def due_for_check(self, now: datetime, limit: int) -> list[ModelRow]:
        cur = self._conn.execute(
            f"SELECT {_MCOLS} FROM models WHERE retired_at IS NULL AND next_check_at <= ? "
            f"ORDER BY next_check_at LIMIT ?{self._conn.skip_locked}",
            (iso(now), limit),
        )
        return to_rows(ModelRow, cur.fetchall())

    def many(self, keys: list[tuple[str, int]]) -> dict[tuple[str, int], ModelRow]:
        found: dict[tuple[str, int], ModelRow] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_MCOLS} FROM models WHERE id IN ({marks}) AND +team_id = ?",
                (*chunk, team_id),
            )
            for model in to_rows(ModelRow, cur.fetchall()):
                found[(model.team_id, model.id)] = model
        return found


class MetricRepo:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    def get(self, team_id: str, model_id: int, name_key: str) -> MetricRow | None:
        cur = self._conn.execute(
            f"SELECT {_KCOLS} FROM business_metrics WHERE team_id = ? AND model_id = ? "
            "AND name_key = ?",
            (team_id, model_id, name_key),
        )
        return to_row(MetricRow, cur.fetchone())

    def define(
        self,
        *,
        team_id: str,
        model_id: int,
        name: str,
        name_key: str,
        changes: dict[str, object],
        now: datetime,
    ) -> int:
        """Create the metric or update the fields in `changes` (others stay as they were)."""
        existing = self.get(team_id, model_id, name_key)
        allowed = {"baseline", "target", "owner_id", "method", "window_days", "direction", "unit"}
        fields = {k: v for k, v in changes.items() if k in allowed}
        if existing is None:
            cur = self._conn.execute(
                "INSERT INTO business_metrics (team_id, model_id, name, name_key, baseline, "
                "target, owner_id, method, window_days, direction, unit, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    team_id,
                    model_id,
                    name,
                    name_key,
                    fields.get("baseline"),
                    fields.get("target"),
                    fields.get("owner_id"),
                    fields.get("method"),
                    fields.get("window_days"),
                    fields.get("direction") or "higher",
                    fields.get("unit") or "",
                    iso(now),
                    iso(now),
                ),
            )
            return int(cur.fetchone()[0])
        if fields:
            assignments = ", ".join(f"{key} = ?" for key in sorted(fields))
            self._conn.execute(
                f"UPDATE business_metrics SET {assignments}, updated_at = ? WHERE id = ?",
                (*[fields[k] for k in sorted(fields)], iso(now), existing.id),
            )
        return existing.id

    def rename(self, team_id: str, metric_id: int, name: str, name_key: str, now: datetime) -> None:
        self._conn.execute(
            "UPDATE business_metrics SET name = ?, name_key = ?, updated_at = ? "
            "WHERE team_id = ? AND id = ?",
            (name, name_key, iso(now), team_id, metric_id),
        )

    def remove(self, team_id: str, metric_id: int) -> None:
        """The KPI and its reported values."""
        self._conn.execute(
            "DELETE FROM metric_values WHERE team_id = ? AND metric_id = ?", (team_id, metric_id)
        )
        self._conn.execute(
            "DELETE FROM business_metrics WHERE team_id = ? AND id = ?", (team_id, metric_id)
        )

    def for_models(self, keys: list[tuple[str, int]]) -> dict[int, list[MetricRow]]:
        found: dict[int, list[MetricRow]] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_KCOLS} FROM business_metrics WHERE team_id = ? AND model_id IN "
                f"({marks}) ORDER BY id",
                (team_id, *chunk),
            )
            for metric in to_rows(MetricRow, cur.fetchall()):
                found.setdefault(metric.model_id, []).append(metric)
        return found

    def report(
        self,
        team_id: str,
        metric_id: int,
        value: float,
        at: datetime,
        by: str,
        request_key: str | None = None,
    ) -> None:
        """`request_key`: the Slack request that reported it (a replay is recognised)."""
        self._conn.execute(
            "INSERT INTO metric_values (team_id, metric_id, value, observed_at, reporter_id, "
            "request_key) VALUES (?, ?, ?, ?, ?, ?)",
            (team_id, metric_id, value, iso(at), by, request_key),
        )

    def reported_by(self, team_id: str, request_key: str) -> bool:
        """Did this Slack request report a value already?"""
        cur = self._conn.execute(
            "SELECT 1 FROM metric_values WHERE team_id = ? AND request_key = ?",
            (team_id, request_key),
        )
        return cur.fetchone() is not None

    def correct(self, team_id: str, value_id: int, value: float, old: float, by: str) -> None:
        """A reported value replaced; the first value reported stays in `corrected_from`."""
        self._conn.execute(
            "UPDATE metric_values SET corrected_from = COALESCE(corrected_from, ?), value = ?, "
            "changed_by = ? WHERE team_id = ? AND id = ? AND withdrawn_at IS NULL",
            (old, value, by, team_id, value_id),
        )

    def withdraw(self, team_id: str, value_id: int, by: str, now: datetime) -> None:
        """A reported value kept on record but left out of every figure (`values_for`)."""
        self._conn.execute(
            "UPDATE metric_values SET withdrawn_at = ?, changed_by = ? "
            "WHERE team_id = ? AND id = ? AND withdrawn_at IS NULL",
            (iso(now), by, team_id, value_id),
        )

    def last_observed(self, team_id: str, metric_id: int) -> datetime | None:
        """When the latest value was observed, withdrawn ones included (a value taken from
        MLflow and withdrawn is not taken again)."""
        cur = self._conn.execute(
            "SELECT MAX(observed_at) FROM metric_values WHERE team_id = ? AND metric_id = ?",
            (team_id, metric_id),
        )
        row = cur.fetchone()
        return parse(row[0]) if row and row[0] else None

    def values_for(self, keys: list[tuple[str, int]]) -> dict[int, list[ValueRow]]:
        """Metric id → its values, oldest first."""
        found: dict[int, list[ValueRow]] = {}
        for team_id, chunk in by_team(keys):
            marks = ",".join("?" * len(chunk))
            cur = self._conn.execute(
                f"SELECT {_VCOLS} FROM metric_values WHERE team_id = ? AND metric_id IN "
                f"({marks}) AND withdrawn_at IS NULL ORDER BY observed_at, id",
                (team_id, *chunk),
            )
            for value in to_rows(ValueRow, cur.fetchall()):
                found.setdefault(value.metric_id, []).append(value)
        return found
