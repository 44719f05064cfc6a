"""Deployed models found in the MLflow Model Registry: a registered model tagged
`mle.project` whose version carries a deployed alias (or the legacy stage Production) is
deployed in MLE Coach too; the alias moving to another version is a new version; no deployed
alias left retires it. Each change is applied once (one unit per registered model, written
only when MLE Coach's state differs) and said in the project thread, "from MLflow".

The registry is not trusted to answer well or at all: a sync has SYNC_DEADLINE seconds and
each model MODEL_DEADLINE of them; a model or point that cannot be read is reported (in
`/mle registry`, and once in the project thread) and skipped while the rest sync; a model is
retired as deleted only when two good syncs in a row have not seen it, and a sync that would
retire more than half of the followed models retires none. In a scheduler pass the sync is a
task of its own (`start`): the pass never waits for it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial

from bot import metrics
from bot.activity import Activity
from bot.blocks import clip, esc
from bot.bus import KpiChanged, home_changed
from bot.domain.bank import QuestionBank
from bot.domain.names import name_key, slugify
from bot.models.kpis import KpiService
from bot.registry.client import (
    TAG_CAP,
    Malformed,
    Missing,
    Registered,
    RegistryClient,
    RegistryError,
    Unreadable,
)
from bot.registry.deploys import deploy, find_project, retire_gone
from bot.registry.fetch import Fetched
from bot.registry.kpis import KpiMirror, Writes
from bot.registry.report import PROJECT_TAG, WORKSPACE_TAG, Report
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import NewDelivery
from storage.store import Store, Tx
from storage.timefmt import iso, parse

log = logging.getLogger(__name__)
# seconds to read the list of models (then: an error) and to read KPIs (then the rest wait
# for the next sync, which reads them first; versions are followed all the same)
SYNC_DEADLINE = 60.0
MODEL_DEADLINE = 10.0  # seconds to read one model's KPI, and to write its tags


class RegistrySync:
    def __init__(
        self,
        store: Store,
        client: RegistryClient | None,
        aliases: tuple[str, ...],
        minutes: int,
        clock: Callable[[], datetime],
        *,
        slack: SlackGateway,
        bank: QuestionBank,
        activity: Activity,
    ) -> None:
        self.store = store
        self.client = client  # None: MLFLOW_TRACKING_URI is unset, the sync is off
        # KPIs changed from the tags, as /mle metric would (its own service: no write-back)
        self.bank = bank
        kpis = KpiService(store, slack, clock, bank=bank, write_back=False)
        self.mirror = KpiMirror(client, slack, kpis) if client is not None else None
        self.aliases = aliases
        self.every = timedelta(minutes=minutes)
        self.clock = clock
        self.activity = activity
        self._tasks: set[asyncio.Task[None]] = set()
        self._last_error: str | None = None
        self.deadline = SYNC_DEADLINE
        self.model_deadline = MODEL_DEADLINE
        self._sync: asyncio.Task[Report | None] | None = None
        self._behind: set[str] = set()  # models whose KPIs the last sync had no time for

    def kpi_changed(self, changed: KpiChanged) -> None:
        """A model's KPIs changed in Slack (the bus, after the commit): write them to its
        registered model's tags now (in the background; a failure is tried again by the
        next sync)."""
        if self.mirror is None:
            return
        self.activity.begin()
        task = asyncio.get_running_loop().create_task(self._push(changed.team_id, changed.model_id))
        self._tasks.add(task)
        task.add_done_callback(self._pushed)

    def _pushed(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self.activity.end()
        if not task.cancelled() and task.exception() is not None:
            log.error("writing KPI tags to MLflow failed", exc_info=task.exception())

    async def _push(self, team_id: str, model_id: int) -> None:
        assert self.client is not None and self.mirror is not None
        row = await self.store.read(lambda tx: tx.models.get(team_id, model_id))
        if row is None or row.registry is None or row.retired_at is not None:
            return
        try:
            model = await self.client.registered_model(row.registry)
            if model is None:
                return
            found = model.deployed(self.aliases)
            version = found[0] if found else (row.version or "").removeprefix("v")
            fetched = await self.mirror.fetch(model, version, {})
        except RegistryError as exc:
            log.warning("MLflow: the KPI of a model was not written now: %s", exc)
            return  # the next sync writes it
        now = self.clock()
        mirror = self.mirror

        def unit(tx: Tx) -> Writes | None:
            fresh = tx.models.get(team_id, model_id)
            project = tx.projects.get(team_id, fresh.project_id) if fresh else None
            if fresh is None or project is None:
                return None
            writes = mirror.reconcile(tx, fresh, project, fetched, now, pushing=True)
            if writes.people:
                home_changed(tx, *writes.people)
            return writes

        writes = await self.store.write(unit)
        if writes is not None:
            await self._write_tags(writes, Report(ran_at=iso(now)))

    async def _write_tags(
        self, writes: Writes, report: Report, budget: float | None = None
    ) -> None:
        """Write what a unit left for the registry; once written, both sides are in step."""
        if not (writes.set or writes.delete):
            return
        assert self.mirror is not None
        try:
            async with asyncio.timeout(budget):
                problem = await self.mirror.write(writes)
        except TimeoutError:
            problem = f"writing them took longer than {budget:g} s"
        if problem is not None:
            report.problems.append(
                [writes.team_id, f"{writes.registered}: its tags were not written ({problem})"]
            )
            return
        seen = json.dumps(writes.seen, sort_keys=True)
        await self.store.write(
            lambda tx: tx.models.set_registry_seen(writes.team_id, writes.model_id, seen)
        )
        report.changes += writes.notes

    @property
    def enabled(self) -> bool:
        return self.client is not None

    def start(self, now: datetime) -> None:
        """The sync of a scheduler pass, as a task of its own (the pass does not wait for
        it); none is started while one runs. It ends within `deadline`."""
        if self.client is None or (self._sync is not None and not self._sync.done()):
            return
        self.activity.begin()
        self._sync = asyncio.get_running_loop().create_task(self.maybe_run(now))
        self._sync.add_done_callback(lambda _: self.activity.end())

    async def settle(self) -> None:
        """Wait for the sync under way, if any (it has its deadline): `mle-coach tick`."""
        if self._sync is not None:
            await asyncio.wait([self._sync])

    async def close(self) -> None:
        """Stop the sync under way (shutting down; the next period's sync does its work)."""
        if self._sync is not None and not self._sync.done():
            self._sync.cancel()
            await asyncio.wait([self._sync])

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
        try:
            return await metrics.timed_sync(self.run(now))
        except Exception:  # the scheduler pass goes on; the next period tries again
            log.exception("MLflow registry sync failed")
            return None

    async def run(self, now: datetime, *, dry_run: bool = False) -> Report:
        report = Report(ran_at=iso(now))
        if self.client is None:
            report.error = "MLFLOW_TRACKING_URI is not set"
            return report
        loop = asyncio.get_running_loop()
        ends = loop.time() + self.deadline
        try:
            async with asyncio.timeout_at(ends):
                listing = await self.client.registered_models()
        except (RegistryError, TimeoutError) as exc:
            report.error = (
                str(exc)
                if isinstance(exc, RegistryError)
                else f"the sync took longer than its {self.deadline:g} s (reading the list "
                "of registered models)"
            )
            if report.error != self._last_error:  # said once, not every few minutes
                log.warning("MLflow registry sync: %s", report.error)
            self._last_error = report.error
            await self._record(report, dry_run)
            return report  # nothing is retired because the registry could not be read
        self._last_error = None
        sweep = Sweep()
        emails: dict[str, str | None] = {}
        behind = self._behind  # KPIs the last sync had no time for: read first this time
        listing.sort(key=lambda e: isinstance(e, Unreadable) or e.name not in behind)
        for entry in listing:
            if isinstance(entry, Unreadable):
                await self._unreadable(entry, now, report, sweep, dry_run)
                continue
            sweep.names.add(entry.name)
            try:
                await self._one(entry, now, report, sweep, emails, ends, dry_run)
            except Exception as exc:  # one model's surprise: the others sync
                log.exception("MLflow registry sync: a model could not be synced")
                said = f"it could not be synced ({type(exc).__name__}): skipped"
                await self._skipped(entry.name, entry, said, now, report, sweep, dry_run)
        self._behind = sweep.behind
        if sweep.behind:
            report.problems.append(
                [
                    "",
                    f"The sync took longer than its {self.deadline:g} s: the KPIs of "
                    f"{len(sweep.behind)} models were not read this time (the next sync reads "
                    "them first); their versions were followed all the same.",
                ]
            )
        await self.store.write(
            lambda tx: retire_gone(
                tx,
                sweep.deployed | sweep.kept,
                sweep.names | sweep.kept,
                now,
                report,
                dry_run,
                deletions=not sweep.unnamed,
            )
        )
        await self._record(report, dry_run)
        return report

    async def _one(
        self,
        model: Registered,
        now: datetime,
        report: Report,
        sweep: Sweep,
        emails: dict[str, str | None],
        ends: float,
        dry_run: bool,
    ) -> None:
        """One registered model: deploy or move it, and keep its KPI in step."""
        found = model.deployed(self.aliases)
        if found is None:
            return
        sweep.deployed.add(model.name)
        workspace = model.tags.get(WORKSPACE_TAG, "").strip()
        pointed = {a: v for a, v in model.aliases.items() if a in self.aliases}
        if len(set(pointed.values())) > 1:
            listed = ", ".join(f"`{a}` → v{v}" for a, v in pointed.items())
            report.problems.append(
                [
                    workspace,
                    f"{model.name}: its deployed aliases point at different versions "
                    f"({listed}); v{found[0]} is followed (`{found[1]}` comes first in "
                    "MLFLOW_DEPLOYED_ALIASES)",
                ]
            )
        fetched, said = await self._read_kpi(model, found[0], report, sweep, emails, ends)
        for problem in said:
            report.problems.append([workspace, f"{model.name}: {problem}"])
        unit = partial(
            self._apply, model=model, found=found, now=now, report=report, fetched=fetched
        )
        writes = await (self.store.rehearse(unit) if dry_run else self.store.write(unit))
        if said and not dry_run:
            await self.store.write(
                partial(self._tell, name=model.name, model=model, said=said, now=now)
            )
        if writes is not None:
            if dry_run:
                report.changes += writes.notes
            else:
                # within the sync's deadline too: a registry that hangs on writes costs a
                # model's budget at most once per sync, and the writes left wait for the next
                left = ends - asyncio.get_running_loop().time()
                if left > 0:
                    await self._write_tags(writes, report, min(self.model_deadline, left))
                else:
                    report.problems.append(
                        [writes.team_id, f"{writes.registered}: its tags wait for the next sync"]
                    )

    async def _read_kpi(
        self,
        model: Registered,
        version: str,
        report: Report,
        sweep: Sweep,
        emails: dict[str, str | None],
        ends: float,
    ) -> tuple[Fetched | None, list[str]]:
        """What the model's unit needs to keep its KPI in step (None: leave the KPI as it
        is), within the model's budget, and what to report about it."""
        if model.refused:
            return None, [
                f"the tag `{tag}` is {length:,} characters long (at most {TAG_CAP:,} are "
                "read): its KPI tags were left unread"
                for tag, length in sorted(model.refused.items())
            ]
        if self.mirror is None or not model.tags.get(PROJECT_TAG) or sweep.unreachable:
            return None, []
        loop = asyncio.get_running_loop()
        if loop.time() >= ends:  # out of time: versions are followed, KPIs wait
            sweep.behind.add(model.name)
            return None, []
        try:
            async with asyncio.timeout_at(min(ends, loop.time() + self.model_deadline)):
                return await self.mirror.fetch(model, version, emails), []
        except Missing:
            return None, []  # its version or run is gone: nothing to take from it
        except Malformed as exc:  # this model's answers: the others are read
            return None, [f"its KPI's value was not read: {exc}"]
        except TimeoutError:
            if loop.time() >= ends:
                sweep.behind.add(model.name)
                return None, []
            why = f"reading it took longer than its {self.model_deadline:g} s"
            return None, [f"its KPI's value was not read: {why}"]
        except RegistryError as exc:
            # the server fails now: the rest of this sync goes without KPIs
            sweep.unreachable = True
            report.problems.append(["", f"reading KPIs stopped at {model.name}: {exc}"])
            return None, []

    async def _unreadable(
        self, entry: Unreadable, now: datetime, report: Report, sweep: Sweep, dry_run: bool
    ) -> None:
        if entry.name is None:
            sweep.unnamed = True  # it may be a followed model: no model is retired as deleted
            report.problems.append(["", f"{entry.why}: skipped"])
            return
        await self._skipped(entry.name, None, f"{entry.why}: skipped", now, report, sweep, dry_run)

    async def _skipped(
        self,
        name: str,
        model: Registered | None,
        said: str,
        now: datetime,
        report: Report,
        sweep: Sweep,
        dry_run: bool,
    ) -> None:
        """A model left as it is by this sync (neither deployed nor retired), and why."""
        sweep.kept.add(name)
        workspace = model.tags.get(WORKSPACE_TAG, "").strip() if model else ""
        report.problems.append([workspace, f"{name}: {said}"])
        if dry_run:
            return
        try:
            await self.store.write(
                partial(self._tell, name=name, model=model, said=[said], now=now)
            )
        except Exception:
            log.exception("MLflow registry sync: a problem could not be said in its thread")

    @staticmethod
    def _tell(tx: Tx, name: str, model: Registered | None, said: list[str], now: datetime) -> None:
        """Say a model's problems in its project's thread, each once (a key per problem)."""
        project = find_project(tx, model, Report(ran_at="")) if model is not None else None
        if project is None:  # no readable tags: the project of the model that follows it
            row = next((m for m in tx.models.mirrored() if m.registry == name), None)
            project = tx.projects.get(row.team_id, row.project_id) if row else None
        if project is None:
            return
        for problem in said:
            text = (
                f"⚠️ From MLflow, *{esc(clip(name, 100))}*: {esc(problem)}. Shown by "
                "`/mle registry` while it lasts; said here once."
            )
            digest = hashlib.sha256(f"{name}\n{problem}".encode()).hexdigest()[:24]
            key = f"mlflow-problem:{project.id}:{digest}"
            tx.deliveries.add_many(
                [replace(d, key=key) for d in outbox.thread_line("thread", project, text, now)]
            )

    async def _record(self, report: Report, dry_run: bool) -> None:
        if dry_run:
            return

        def record(tx: Tx) -> None:
            for team_id in tx.projects.teams():
                data = json.loads(report.for_team(team_id))
                before = tx.registry.latest(team_id)
                if report.error and before is not None:
                    # what the last good sync saw, and since when it fails
                    last = json.loads(before[1])
                    data["failing_since"] = last.get("failing_since") or (
                        iso(before[0]) if last.get("error") else report.ran_at
                    )
                    data["good_at"] = last.get("good_at") if last.get("error") else iso(before[0])
                    data["matched"] = last.get("matched") or []
                    data["unmatched"] = last.get("unmatched") or []
                    data["missing"] = last.get("missing") or []
                tx.registry.record(team_id, parse(report.ran_at), json.dumps(data))

        await self.store.write(record)

    def _apply(
        self,
        tx: Tx,
        model: Registered,
        found: tuple[str, str],
        now: datetime,
        report: Report,
        fetched: Fetched | None,
    ) -> Writes | None:
        """Deploy or move the version of one registered model (`found`: its deployed version
        and the alias that says so), then keep its KPI in step with the tags (`fetched`);
        the tags to write."""
        version, alias = found
        project = find_project(tx, model, report)
        if project is None:
            return None
        # locked until commit (PostgreSQL): syncs running at once apply a change once
        project = tx.projects.get(project.team_id, project.id) or project
        deploy(tx, self.bank, model, project, version, alias, now, report)
        row = tx.models.by_name(project.team_id, name_key(model.name), slugify(model.name))
        if fetched is None or self.mirror is None or row is None or row.registry != model.name:
            return None
        if row.project_id != project.id or row.retired_at is not None:
            return None
        writes = self.mirror.reconcile(tx, row, project, fetched, now)
        report.problems += [[project.team_id, problem] for problem in writes.problems]
        if writes.people:
            home_changed(tx, *writes.people)
        return writes


@dataclass
class Sweep:
    """What one sync saw of the registered models, for what it may retire."""

    names: set[str] = field(default_factory=set)  # every registered model listed
    deployed: set[str] = field(default_factory=set)  # those with a deployed alias
    kept: set[str] = field(default_factory=set)  # listed but skipped: left as they are
    behind: set[str] = field(default_factory=set)  # KPIs not read: the deadline had passed
    unnamed: bool = False  # an entry could not be read at all (it may be a followed one)
    unreachable: bool = False  # the server stopped answering: no more KPIs this sync
