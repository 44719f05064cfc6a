"""Deployed models found in the MLflow Model Registry: a registered model tagged
`mle.project` whose version carries a deployed alias (or the legacy stage Production) is
deployed in MLE Coach too; the alias moving to another version is a new version; no deployed
alias left retires it. Each change is applied once (one unit per registered model, written
only when MLE Coach's state differs) and said in the project thread, "from MLflow"."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bot.blocks import clip, esc
from bot.domain.names import name_key, slugify
from bot.models.reminders import team_settings
from bot.registry.client import Registered, RegistryClient, RegistryError
from bot.scheduling import outbox
from storage.rows import NewDelivery, ProjectRow
from storage.store import Store, Tx
from storage.timefmt import iso

log = logging.getLogger(__name__)
PROJECT_TAG = "mle.project"
WORKSPACE_TAG = "mle.workspace"


@dataclass
class Report:
    """What a sync saw and did."""

    ran_at: str
    error: str | None = None
    matched: list[list[str]] = field(default_factory=list)  # team, model, project, version
    unmatched: list[list[str]] = field(default_factory=list)  # model, what to do
    changes: list[str] = field(default_factory=list)

    def for_team(self, team_id: str) -> str:
        return json.dumps(
            {
                "ran_at": self.ran_at,
                "error": self.error,
                "matched": [m[1:] for m in self.matched if m[0] == team_id],
                "unmatched": self.unmatched,
            }
        )


def _label(version: str) -> str:
    return version if version.lower().startswith("v") else f"v{version}"


class RegistrySync:
    def __init__(
        self,
        store: Store,
        client: RegistryClient | None,
        aliases: tuple[str, ...],
        minutes: int,
        clock: Callable[[], datetime],
        kick: Callable[..., None] = lambda channel=None: None,
    ) -> None:
        self.store = store
        self.client = client  # None: MLFLOW_TRACKING_URI is unset, the sync is off
        self.aliases = aliases
        self.every = timedelta(minutes=minutes)
        self.clock = clock
        self.kick = kick

    @property
    def enabled(self) -> bool:
        return self.client is not None

    async def maybe_run(self, now: datetime) -> Report | None:
        """A sync as part of a scheduler pass, at most once per MLFLOW_SYNC_MINUTES however
        many passes or replicas run (the first to claim the period's key does it)."""
        if self.client is None:
            return None
        period = int(now.timestamp() // self.every.total_seconds())
        claim = NewDelivery(
            team_id="",
            key=f"mlflow-sync:{period}",
            kind="mlflow_sync",
            subject="registry",
            channel_id="",
            created_at=now,
            status="skipped",
        )
        if not await self.store.write(lambda tx: tx.deliveries.add_many([claim])):
            return None
        return await self.run(now)

    async def run(self, now: datetime, *, dry_run: bool = False) -> Report:
        report = Report(ran_at=iso(now))
        if self.client is None:
            report.error = "MLFLOW_TRACKING_URI is not set"
            return report
        try:
            registered = await self.client.registered_models()
        except RegistryError as exc:
            report.error = str(exc)
            log.warning("MLflow registry sync: %s", exc)
            await self._record(report, dry_run)
            return report  # nothing is retired because the registry could not be read
        deployed_names = set()
        channels: set[str] = set()
        for model in registered:
            found = model.deployed(self.aliases)
            if found is None:
                continue
            deployed_names.add(model.name)
            unit = partial(self._apply, model=model, found=found, now=now, report=report)
            changed = await (self.store.rehearse(unit) if dry_run else self.store.write(unit))
            if changed:
                channels.add(changed)
        retired = await self.store.write(
            lambda tx: self._retire_gone(tx, deployed_names, now, report, dry_run)
        )
        channels.update(retired)
        await self._record(report, dry_run)
        for channel in channels:
            self.kick(channel)
        return report

    async def _record(self, report: Report, dry_run: bool) -> None:
        if dry_run:
            return

        def record(tx: Tx) -> None:
            for team_id in tx.projects.teams():
                tx.registry.record(team_id, report.ran_at, report.for_team(team_id))

        await self.store.write(record)

    def _project(self, tx: Tx, model: Registered, report: Report) -> ProjectRow | None:
        ref = model.tags.get(PROJECT_TAG, "").strip()
        if not ref:
            report.unmatched.append(
                [model.name, f"add the tag `{PROJECT_TAG}` = the project's name or slug"]
            )
            return None
        found = tx.projects.named_anywhere(name_key(ref), slugify(ref))
        workspace = model.tags.get(WORKSPACE_TAG, "").strip()
        if workspace:
            found = [p for p in found if p.team_id == workspace]
        if not found:
            report.unmatched.append([model.name, f"no project called `{ref}`"])
            return None
        if len(found) > 1:
            report.unmatched.append(
                [model.name, f"several workspaces have `{ref}`: add `{WORKSPACE_TAG}`"]
            )
            return None
        return found[0]

    def _apply(
        self,
        tx: Tx,
        model: Registered,
        found: tuple[str, str],
        now: datetime,
        report: Report,
    ) -> str | None:
        """Deploy or move the version of one registered model (`found`: its deployed version
        and the alias that says so); the channel to post in when something changed."""
        version, alias = found
        project = self._project(tx, model, report)
        if project is None:
            return None
        team_id = project.team_id
        label = _label(version)
        report.matched.append([team_id, model.name, project.name, label])
        existing = tx.models.by_name(team_id, name_key(model.name), slugify(model.name))
        where = (
            f"alias `{esc(alias)}`, from MLflow"
            if alias != "Production"
            else ("stage Production, from MLflow")
        )
        if existing is not None and existing.project_id != project.id:
            report.unmatched.append(
                [model.name, "the name is taken by another project's model in MLE Coach"]
            )
            return None
        if existing is not None and existing.retired_at is None:
            if existing.registry is None:
                tx.models.set_registry(team_id, existing.id, model.name)
            if existing.version == label:
                return None
            tx.models.new_version(team_id, existing.id, label, "mlflow")
            line = (
                f"🚀 *{esc(clip(model.name, 100))}* {label} replaces "
                f"{esc(existing.version or 'the earlier version')} ({where}). Its KPIs, values "
                "and reminder clock carry on."
            )
            report.changes.append(f"{model.name}: {label} replaces {existing.version}")
        else:
            grace = team_settings(tx, team_id).grace
            model_id = tx.models.deploy(
                team_id=team_id,
                project_id=project.id,
                name=model.name,
                name_key=name_key(model.name),
                slug=slugify(model.name),
                version=label,
                tier=None,
                by="mlflow",
                now=iso(now),
                first_check=iso(now + grace),
            )
            tx.models.set_registry(team_id, model_id, model.name)
            line = (
                f"🚀 *{esc(clip(model.name, 100))}* {label} of *{esc(project.name)}* is deployed "
                f"({where}). Within {grace.days} days it needs a business KPI it can be judged "
                f'by: `/mle metric {slugify(model.name)} "<business KPI>" baseline=… target=…`.'
            )
            report.changes.append(f"{model.name}: {label} deployed")
        tx.deliveries.add_many(outbox.thread_line("thread", project, line, now))
        return project.channel_id

    def _retire_gone(
        self, tx: Tx, deployed: set[str], now: datetime, report: Report, dry_run: bool
    ) -> set[str]:
        """Models mirroring a registered model with no deployed alias left are retired."""
        channels = set()
        for model in tx.models.mirrored():
            if model.registry in deployed:
                continue
            project = tx.projects.get(model.team_id, model.project_id)
            report.changes.append(f"{model.name}: retired (no deployed alias left)")
            if dry_run or project is None:
                continue
            tx.models.retire(model.team_id, model.id, iso(now))
            line = (
                f"🪦 *{esc(model.name)}* has no deployed alias left in MLflow: retired, and its "
                "business-metric reminders stop."
            )
            tx.deliveries.add_many(outbox.thread_line("thread", project, line, now))
            channels.add(project.channel_id)
        return channels


def registry_text(latest: tuple[str, str] | None, enabled: bool) -> str:
    """`/mle registry`: what the last sync saw."""
    if not enabled:
        return (
            "The MLflow registry sync is off: set `MLFLOW_TRACKING_URI` to your tracking "
            "server to have deployed models found there."
        )
    if latest is None:
        return "No sync with the MLflow registry has run yet (one runs every few minutes)."
    ran_at, raw = latest
    data = json.loads(raw)
    lines = [f"*MLflow registry*, last sync {ran_at[:16].replace('T', ' ')} UTC."]
    if data.get("error"):
        lines.append(f"⚠️ It failed: {esc(str(data['error']))}. Nothing was retired.")
    for name, project, version in data.get("matched") or []:
        lines.append(f"• *{esc(name)}* {esc(version)} → *{esc(project)}*")
    for name, why in data.get("unmatched") or []:
        lines.append(f"• *{esc(name)}* is deployed in MLflow but not matched: {why}")
    if len(lines) == 1:
        lines.append("No registered model carries a deployed alias.")
    return "\n".join(lines)
