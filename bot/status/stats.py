"""`/mle stats` and `/mle chart`: the team's own "why our ML projects fail", and a model's KPI
over time — as charts shared in Slack (drawn and uploaded by the poster, with a text version
when that fails) and as text."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.blocks import Post, clip, esc, section
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import settings_from
from bot.domain.reading import show
from bot.models.profile import Profile, profile
from bot.scheduling import outbox
from storage.rows import DeliveryRow, ModelRow
from storage.store import Store, Tx
from storage.timefmt import iso

STATS = "stats"  # the outbox kind of a team profile chart
KPI_CHART = "kpi_chart"
CHART_VALUES = 3  # a reminder carries the KPI's chart from this many values on


def kpi_spec(tx: Tx, model: ModelRow) -> dict[str, Any] | None:
    """The chart of the model's first KPI with values, or None when it has none."""
    metrics = tx.metrics.for_models([(model.team_id, model.id)]).get(model.id, [])
    values = tx.metrics.values_for([(model.team_id, m.id) for m in metrics])
    settings = settings_from(tx.workspaces.settings([model.team_id]).get(model.team_id, {}))
    cadence_days = settings.cadence.days
    for kpi in metrics:
        points = values.get(kpi.id, [])
        if points:
            return {
                "kind": "kpi",
                "data": {
                    "model": model.name,
                    "name": kpi.name,
                    "unit": kpi.unit,
                    "direction": kpi.direction,
                    "baseline": kpi.baseline,
                    "target": kpi.target,
                    "points": [[iso(v.observed_at), v.value] for v in points],
                    "count": len(points),
                    "cadence_days": cadence_days,  # a longer gap is drawn as one
                },
            }
    return None


def kpi_text(spec: dict[str, Any]) -> str:
    data = spec["data"]
    unit = str(data.get("unit") or "")
    latest = data["points"][-1]
    return (
        f"📈 *{esc(clip(str(data['model']), 80))}* — {esc(clip(str(data['name']), 80))}: "
        f"{len(data['points'])} value(s), latest {show(float(latest[1]), unit)} on "
        f"{str(latest[0])[:10]}"
        + (f"; baseline {show(float(data['baseline']), unit)}" if data.get("baseline") else "")
        + (f"; target {show(float(data['target']), unit)}" if data.get("target") else "")
        + f" ({data.get('direction')} is better)."
    )


Visible = Callable[[str], Awaitable[bool]]


class StatsService:
    def __init__(
        self,
        store: Store,
        bank: QuestionBank,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock

    async def stats(self, team_id: str, channel: str, scope: str, visible: Visible) -> Post:
        """The profile of this channel's projects (`here`) or of every project the person
        can see (`all`): a chart in the channel, the text version for the person."""
        now = self.clock()
        everything = await self.store.read(
            lambda tx: (
                tx.projects.in_channel(team_id, channel)
                if scope == "here"
                else tx.projects.for_team(team_id)
            )
        )
        seen = {c: await visible(c) for c in {p.channel_id for p in everything}}
        projects = [p for p in everything if seen[p.channel_id]]
        label = "in this channel" if scope == "here" else "in this workspace's open channels"

        def queue(tx: Tx) -> Profile:
            found = profile(tx, self.bank, team_id, projects, label, now)
            if found.projects:
                text = "\n".join(found.lines())
                tx.deliveries.add_many(
                    [
                        outbox.chart(
                            team_id,
                            STATS,
                            channel,
                            channel,
                            found.spec(),
                            Post(text, [section(text)]),
                            now,
                            label=f"stats {label}",
                        )
                    ]
                )
            return found

        found = await self.store.write(queue)
        text = "\n".join(found.lines())
        shared = "\n_The chart is on its way to the channel._" if found.projects else ""
        return Post(text, [section(text + shared)])

    async def chart(self, team_id: str, model_id: int) -> str:
        """`/mle chart <model>`: its KPI's values as a chart in the project thread."""
        now = self.clock()

        def queue(tx: Tx) -> tuple[str, str | None]:
            model = tx.models.get(team_id, model_id)
            project = tx.projects.get(team_id, model.project_id) if model else None
            if model is None or project is None or not project.thread_ts:
                return "That model no longer exists.", None
            spec = kpi_spec(tx, model)
            if spec is None:
                return (
                    f"*{esc(model.name)}* has no reported KPI values yet: "
                    f'`/mle metric {model.slug} "<KPI>" <value>` reports one.',
                    None,
                )
            text = kpi_text(spec)
            tx.deliveries.add_many(
                [
                    outbox.chart(
                        team_id,
                        KPI_CHART,
                        str(model.id),
                        project.channel_id,
                        spec,
                        Post(text, [section(text)]),
                        now,
                        thread_ts=project.thread_ts,
                        label=f"{model.name} chart",
                    )
                ]
            )
            return f"Posting the chart of *{esc(model.name)}* in its project thread.", (
                project.channel_id
            )

        said, channel = await self.store.write(queue)
        return said


def reminder_posted(tx: Tx, row: DeliveryRow, ts: str, now: datetime) -> None:
    """An F7 reminder or F8 heads-up carries the KPI's chart once it has a few values."""
    model = tx.models.get(row.team_id, int(row.subject))
    if model is None or not row.thread_ts:
        return
    spec = kpi_spec(tx, model)
    if spec is None or int(spec["data"]["count"]) < CHART_VALUES:
        return
    text = kpi_text(spec)
    tx.deliveries.add_many(
        [
            outbox.chart(
                row.team_id,
                KPI_CHART,
                str(model.id),
                row.channel_id,
                spec,
                Post(text, [section(text)]),
                now,
                thread_ts=row.thread_ts,
                label=f"{model.name} chart",
                key=f"{KPI_CHART}:{row.delivery_key}",
            )
        ]
    )


def digest_posted(bank: QuestionBank) -> Callable[[Tx, DeliveryRow, str, datetime], None]:
    """Once a month a channel's digest carries the team's profile chart, in its thread."""

    def attach(tx: Tx, row: DeliveryRow, ts: str, now: datetime) -> None:
        projects = tx.projects.in_channel(row.team_id, row.channel_id)
        if not projects:
            return
        found = profile(tx, bank, row.team_id, projects, "in this channel", now)
        text = "\n".join(found.lines())
        tx.deliveries.add_many(
            [
                outbox.chart(
                    row.team_id,
                    STATS,
                    row.channel_id,
                    row.channel_id,
                    found.spec(),
                    Post(text, [section(text)]),
                    now,
                    thread_ts=ts,
                    label="monthly stats",
                    key=f"{STATS}:{row.channel_id}:{now:%Y-%m}",
                )
            ]
        )

    return attach
