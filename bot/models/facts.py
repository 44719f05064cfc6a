"""Rows → the pure rule inputs, and the workspace's rule settings."""

from __future__ import annotations

from datetime import datetime

from bot.domain.business_rules import Metric, Model, Tier
from storage.rows import MetricRow, ModelRow, ValueRow
from storage.store import Tx


def to_model(
    model: ModelRow,
    metrics: list[MetricRow],
    values: dict[int, list[ValueRow]],
    as_of: datetime | None = None,
) -> Model:
    """`as_of`: only the KPIs defined and the values reported by then."""
    tier = Tier(model.tier) if model.tier in {t.value for t in Tier} else None
    return Model(
        name=model.name,
        deployed_at=model.deployed_at,
        tier=tier,
        metrics=tuple(
            Metric(
                name=m.name,
                baseline=m.baseline,
                target=m.target,
                owner=m.owner_id,
                method=m.method,
                window_days=m.window_days,
                direction=m.direction,
                unit=m.unit,
                values=tuple(
                    (v.value, v.observed_at)
                    for v in values.get(m.id, [])
                    if as_of is None or v.observed_at <= as_of
                ),
            )
            for m in metrics
            if as_of is None or m.created_at <= as_of
        ),
    )


def load_models(tx: Tx, rows: list[ModelRow]) -> dict[int, tuple[Model, list[MetricRow]]]:
    """Model id → (rule facts, metric rows), with two queries for the whole batch."""
    metrics = tx.metrics.for_models([(m.team_id, m.id) for m in rows])
    metric_keys = [(m.team_id, k.id) for m in rows for k in metrics.get(m.id, [])]
    values = tx.metrics.values_for(metric_keys)
    return {m.id: (to_model(m, metrics.get(m.id, []), values), metrics.get(m.id, [])) for m in rows}
