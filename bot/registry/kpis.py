"""A mirrored model's business KPI kept in step with its registered model's tags, both ways:
tags changed in MLflow are applied as `/mle metric` would (the audit line says "from MLflow"),
a KPI changed in Slack is written to the tags, the latest point of the MLflow metric named by
`mle.kpi` on the deployed version's run is reported as a value, and `mle.business_metrics`
says `complete` or what is lacking after every evaluation."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.blocks import clip, esc
from bot.domain import registry_tags as tags_
from bot.domain.business_rules import findings
from bot.domain.metric_change import Kpi, Refused, decide_metric
from bot.domain.names import name_key
from bot.domain.reading import show
from bot.models.facts import load_models
from bot.models.kpis import KpiService
from bot.models.reminders import team_settings
from bot.models.render import RULE_NAMES
from bot.registry.client import Registered, RegistryClient, RegistryError
from bot.registry.fetch import Fetched, TagReader
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import MetricRow, ModelRow, ProjectRow
from storage.store import Tx

log = logging.getLogger(__name__)
FROM_MLFLOW = "MLflow (tags on the registered model)"
FIELD_TAGS = {  # a KPI field → the tags that say it
    "name": (tags_.KPI,),
    "baseline": (tags_.BASELINE,),
    "target": (tags_.TARGET,),
    "unit": (tags_.BASELINE, tags_.TARGET),
    "direction": (tags_.DIRECTION,),
    "owner_id": (tags_.OWNER,),
    "method": (tags_.METHOD,),
    "window_days": (tags_.WINDOW,),
}


@dataclass
class Writes:
    """What to write to the registry once the unit is committed, and the `seen` to store
    when it was."""

    team_id: str
    model_id: int
    registered: str
    set: dict[str, str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    seen: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the report says was done
    problems: list[str] = field(default_factory=list)  # what could not be taken from the tags
    posted: bool = False  # a line went to the project thread
    people: tuple[str, ...] = ()  # (team_id, *users) whose Home tabs changed
    owner_email: str | None = None  # a user id to write as their e-mail
    refused_point: int | None = None  # the time of a metric point that was not taken


def kpi_fields(metric: MetricRow | None) -> dict[str, object]:
    """MLE Coach's KPI as compared with the tags ({}: none)."""
    if metric is None:
        return {}
    return {
        "name": metric.name,
        "baseline": metric.baseline,
        "target": metric.target,
        "unit": metric.unit,
        "direction": metric.direction,
        "owner_id": metric.owner_id,
        "method": metric.method,
        "window_days": metric.window_days,
    }


def status_tag(codes: list[str]) -> str:
    """`complete`, or `lacking: F1 no business KPI, F7 no recent value`."""
    if not codes:
        return "complete"
    return "lacking: " + ", ".join(f"{code} {RULE_NAMES[code]}" for code in codes)


class KpiMirror:
    def __init__(self, client: RegistryClient, slack: SlackGateway, kpis: KpiService) -> None:
        self.client = client
        self.slack = slack
        self.kpis = kpis
        self.reader = TagReader(client, slack)

    async def fetch(
        self, model: Registered, version: str, emails: dict[str, str | None]
    ) -> Fetched:
        """What the unit needs from MLflow and Slack (raises RegistryError)."""
        return await self.reader.fetch(model, version, emails)

    def reconcile(
        self,
        tx: Tx,
        row: ModelRow,
        project: ProjectRow,
        fetched: Fetched,
        now: datetime,
        *,
        pushing: bool = False,
    ) -> Writes:
        """Bring the two sides in step inside the unit: thread lines go to the outbox; what
        the registry needs is returned."""
        seen = json.loads(row.registry_seen) if row.registry_seen else None
        metric = self._mirrored(tx, row, seen, fetched.kpi)
        writes = Writes(row.team_id, row.id, row.registry or row.name)
        lines: list[str] = []
        wins = tags_.which_wins(seen, fetched.tags, kpi_fields(metric), pushing=pushing)
        refused: tuple[dict[str, str], str] | None = None  # tags MLE Coach could not apply
        if wins == "registry":
            if fetched.kpi is None:
                if metric is not None:
                    lines.append(
                        f"🏷️ The tag `{tags_.KPI}` of *{esc(row.name)}* was removed in MLflow; "
                        f"*{esc(metric.name)}* stays in MLE Coach (`/mle metric {row.slug} "
                        f'"{esc(metric.name)}" remove` removes it).'
                    )
            tags_now = dict(fetched.tags)
            if fetched.kpi is not None and seen is not None and seen.get("refused") == tags_now:
                # refused before and unchanged since: said once in the thread, listed each sync
                writes.problems.append(f"{row.name}: the KPI tags were not applied: {seen['why']}")
                refused = (tags_now, str(seen["why"]))
                tags_now = dict(seen.get("tags") or {})
            elif fetched.kpi is not None:
                applied, why = self._apply_tags(tx, row, metric, fetched, now, writes)
                lines += applied
                if applied and why is None and seen is not None and seen.get("from") == "slack":
                    lines.append(
                        "⚠️ This overrides the change last made in Slack. If a pipeline sets "
                        "these tags on every run, change the KPI in its configuration."
                    )
                if why is not None:
                    refused = (tags_now, why)
                    tags_now = dict((seen or {}).get("tags") or {})
            metric = self._mirrored(tx, row, seen, fetched.kpi)
            if fetched.kpi is not None and refused is None:
                lines += self._restore_removed(row, metric, fetched, seen, writes, tags_now)
        elif wins == "slack":
            tags_now = self._write_back(metric, fetched, seen, writes)
            lines += self._overridden(row, fetched, seen, writes, pushing)
            if writes.set or writes.delete:
                writes.notes.append(f"{row.name}: KPI written to the tags")
        else:
            tags_now = dict(fetched.tags)
        if fetched.kpi is not None and metric is not None and fetched.point is not None:
            lines += self._report(
                tx, row, metric, fetched, writes, now, (seen or {}).get("refused_point")
            )
        for problem in fetched.problems:
            writes.problems.append(f"{row.name}: {problem}")
        unsaid = [p for p in fetched.problems if p not in (seen or {}).get("problems", [])]
        if unsaid:
            lines.append(
                f"🏷️ The KPI tags of *{esc(row.name)}* in MLflow need a look (nothing was "
                "changed for these): " + "; ".join(esc(p) for p in unsaid) + "."
            )
        rules, _ = load_models(tx, [row])[row.id]
        codes = [f.code for f in findings(rules, now, team_settings(tx, row.team_id))]
        status = status_tag(sorted({c for c in codes if c != "F8"}))
        if fetched.unread:  # said where the person who typed them looks
            status += "; tags not read: " + ", ".join(fetched.unread)
        if refused is not None:
            plain = refused[1].replace("*", "").replace("`", "")
            status += f"; KPI tags not applied: {clip(plain, 200)}"
        if fetched.status != status:
            writes.set[tags_.STATUS] = status
        writes.seen = {"tags": tags_now, "kpi": kpi_fields(metric)}  # `metric` as it is now
        if refused is not None:
            writes.seen["refused"], writes.seen["why"] = refused
        point = writes.refused_point or (seen or {}).get("refused_point")
        if point is not None and fetched.point is not None and point == fetched.point.timestamp:
            writes.seen["refused_point"] = point
        writes.seen["from"] = wins or (seen or {}).get("from")
        if fetched.problems:
            writes.seen["problems"] = list(fetched.problems)
        seen_now = json.dumps(writes.seen, sort_keys=True)
        kpi_pending = writes.delete or any(k != tags_.STATUS for k in writes.set)
        if not kpi_pending and seen_now != row.registry_seen:
            tx.models.set_registry_seen(row.team_id, row.id, seen_now)
        if lines:
            tx.deliveries.add_many(outbox.thread_line("thread", project, "\n".join(lines), now))
            writes.posted = True
        return writes

    def _restore_removed(
        self,
        row: ModelRow,
        metric: MetricRow | None,
        fetched: Fetched,
        seen: dict[str, Any] | None,
        writes: Writes,
        tags_now: dict[str, str],
    ) -> list[str]:
        """A field's tag removed in MLflow (`mle.kpi.target`) does not clear the field: MLE
        Coach keeps it and writes it back, so both sides say the same."""
        wanted = self._tags_of(metric)
        removed = [
            tag
            for tag in (seen or {}).get("tags") or {}
            if tag != tags_.KPI and tag not in fetched.tags and tag in wanted
        ]
        if not removed:
            return []
        for tag in removed:
            writes.set[tag] = tags_now[tag] = wanted[tag]
        listed = ", ".join(f"`{tag}`" for tag in removed)
        return [
            f"🏷️ {listed} removed from *{esc(row.name)}* in MLflow: MLE Coach keeps what it had "
            f"and wrote it back (`/mle metric {row.slug} …` changes it)."
        ]

    @staticmethod
    def _overridden(
        row: ModelRow,
        fetched: Fetched,
        seen: dict[str, Any] | None,
        writes: Writes,
        pushing: bool,
    ) -> list[str]:
        """At a sync, tags changed in MLflow while a change made in Slack waited to be written
        (MLflow was down): the Slack change goes first, and the thread says what it replaced."""
        if pushing or seen is None:
            return []
        before = dict(seen.get("tags") or {})
        replaced = [
            f"`{tag}` = `{fetched.tags[tag]}`"
            for tag in writes.set
            if tag in fetched.tags and fetched.tags[tag] != before.get(tag)
        ]
        if not replaced:
            return []
        return [
            f"⚠️ In MLflow, {', '.join(replaced)} was set on *{esc(row.name)}* while a change "
            "made in Slack was waiting to be written (MLflow could not be reached): the Slack "
            "change went first. Set the tag again to keep MLflow's."
        ]

    def _write_back(
        self,
        metric: MetricRow | None,
        fetched: Fetched,
        seen: dict[str, Any] | None,
        writes: Writes,
    ) -> dict[str, str]:
        """The tags of the KPI fields changed in Slack since both sides were last in step
        (all of them the first time), the others left as the pipeline wrote them; an owner
        the tags named by e-mail is written as an e-mail again. Returns the tags as they
        will be."""
        wanted = self._tags_of(metric)
        before = dict((seen or {}).get("kpi") or {})
        fields = kpi_fields(metric)
        changed = [f for f in FIELD_TAGS if not before or fields.get(f) != before.get(f)]
        if metric is None:
            changed = list(FIELD_TAGS)  # removed in Slack: every KPI tag goes
        touched = {tag for field in changed for tag in FIELD_TAGS[field]}
        for tag in sorted(touched):
            if tag in wanted and fetched.tags.get(tag) != wanted[tag]:
                writes.set[tag] = wanted[tag]
            elif tag not in wanted and tag in fetched.tags:
                writes.delete.append(tag)
        if tags_.OWNER in writes.set and "@" in fetched.tags.get(tags_.OWNER, ""):
            writes.owner_email = writes.set[tags_.OWNER]  # resolved when written
        base = dict((seen or {}).get("tags") or {}) if before else {}
        base.update({k: v for k, v in wanted.items() if k in touched})
        return {k: v for k, v in base.items() if k not in writes.delete}

    async def write(self, writes: Writes) -> str | None:
        """Write the tags (None: done, else why not: the next sync tries again)."""
        if writes.owner_email:
            email = await self.slack.user_email(writes.owner_email)
            if email:
                writes.set[tags_.OWNER] = email
                writes.seen.setdefault("tags", {})[tags_.OWNER] = email
        try:
            await self.client.set_tags(writes.registered, writes.set)
            await self.client.delete_tags(writes.registered, writes.delete)
        except RegistryError as exc:
            log.warning("MLflow tags of a model: %s", exc)
            return str(exc)
        return None

    # ---- inside the unit
    @staticmethod
    def _mirrored(
        tx: Tx, row: ModelRow, seen: dict[str, Any] | None, kpi: tags_.TagKpi | None
    ) -> MetricRow | None:
        """The KPI of `row` the tags stand for: the one last in step, the one the tags name,
        or the model's only KPI."""
        kpis = tx.metrics.for_models([(row.team_id, row.id)]).get(row.id, [])
        names = [str(((seen or {}).get("kpi") or {}).get("name") or ""), kpi.name if kpi else ""]
        for name in names:
            for metric in kpis:
                if name and metric.name_key == name_key(name):
                    return metric
        return kpis[0] if len(kpis) == 1 else None

    @staticmethod
    def _tags_of(metric: MetricRow | None) -> dict[str, str]:
        if metric is None:
            return {}
        return tags_.write_kpi_tags(
            metric.name,
            metric.baseline,
            metric.target,
            metric.unit,
            metric.direction,
            metric.owner_id,
            metric.method,
            metric.window_days,
        )

    def _apply_tags(
        self,
        tx: Tx,
        row: ModelRow,
        metric: MetricRow | None,
        fetched: Fetched,
        now: datetime,
        writes: Writes,
    ) -> tuple[list[str], str | None]:
        """The thread lines, and why the tags were refused (None: applied)."""
        assert fetched.kpi is not None
        changes = dict(fetched.kpi.changes)
        if fetched.owner:
            changes["owner_id"] = fetched.owner
        name = fetched.kpi.name
        if metric is not None and metric.name_key != name_key(name):
            changes["rename"] = name
            name = metric.name
        said = self.kpis._define(  # noqa: SLF001 - the same unit as /mle metric, from MLflow
            tx,
            row.team_id,
            "mlflow",
            row.id,
            name,
            None,
            changes,
            now,
            dict(fetched.kpi.units),
            True,
            who=FROM_MLFLOW,
        )
        if not said.done:
            writes.problems.append(f"{row.name}: the KPI tags were not applied: {said.reply}")
            line = f"🏷️ The KPI tags of *{esc(row.name)}* in MLflow were not applied: {said.reply}"
            return [line], said.reply
        said_line = said.thread[1] if said.thread else ""
        what = said_line.split(": ", 1)[1] if ": " in said_line else "KPI taken from the tags"
        writes.notes.append(f"{row.name}: {what} (from the tags)")
        writes.people = tuple(p for p in said.people if p != "mlflow")
        return ([said.thread[1]] if said.thread else []), None

    def _report(
        self,
        tx: Tx,
        row: ModelRow,
        metric: MetricRow,
        fetched: Fetched,
        writes: Writes,
        now: datetime,
        seen_point: object = None,
    ) -> list[str]:
        """The latest point of the MLflow metric, as a value of the KPI, unless a value as
        recent is already there (the most recent wins). `seen_point`: the time of a point
        refused before (said once in the thread)."""
        point = fetched.point
        assert point is not None
        at = datetime.fromtimestamp(point.timestamp / 1000, UTC)
        last = tx.metrics.last_observed(row.team_id, metric.id)  # withdrawn ones too
        if last is not None and last >= at:
            return []
        before = Kpi(
            metric.baseline,
            metric.target,
            metric.direction,
            metric.owner_id,
            metric.method,
            metric.window_days,
            metric.unit,
        )
        decision = decide_metric(
            row.retired_at is not None,
            row.name,
            before,
            {},
            point.value,
            {"value": ""},
            metric.name,
        )
        if isinstance(decision, Refused):
            why = decision.reason.rstrip(".")  # the words `/mle metric` and the form use
            if metric.unit == "%" and "looks like a fraction" in why:
                why += (
                    f". In MLflow, log it as {point.value * 100:g}, or give "
                    f"`{tags_.BASELINE}` and `{tags_.TARGET}` as fractions (no %)"
                )
            writes.problems.append(f"{row.name}: the metric's value was not taken: {why}")
            if seen_point == point.timestamp:
                return []  # said in the thread already
            writes.refused_point = point.timestamp
            return [
                f"📈 The latest value MLflow has for *{esc(clip(metric.name, 80))}* of "
                f"*{esc(clip(row.name, 80))}* was not taken: {esc(why)}."
            ]
        tx.metrics.report(row.team_id, metric.id, point.value, at, "mlflow")
        writes.people = writes.people or (row.team_id, metric.owner_id or "")
        tx.models.check_at([(now, row.id)])  # evaluated again at the next pass
        writes.notes.append(f"{row.name}: value {show(point.value, metric.unit)} from MLflow")
        return [
            f"📈 MLflow reported *{esc(clip(metric.name, 80))}* of *{esc(clip(row.name, 80))}*: "
            f"{esc(show(point.value, metric.unit))} (logged {at:%Y-%m-%d %H:%M} UTC on the "
            "deployed version's run)."
        ]
