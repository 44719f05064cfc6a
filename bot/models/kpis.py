"""A model's business KPIs: `/mle metric` (define, change, report, rename, remove) and the
Add-metric form — each change a line in the project thread, overwrites only by the people who
may."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.blocks import clip, esc, esc_but_mentions
from bot.bus import KpiChanged, request_key
from bot.domain.business_rules import findings
from bot.domain.metric_change import Kpi, Refused, decide_metric
from bot.domain.names import NAME_CLOSE, did_you_mean, name_key, name_problem
from bot.domain.reading import show
from bot.models import audit, corrections, render
from bot.models.facts import load_models
from bot.models.reminders import kpi_hint, team_settings
from bot.models.render import kpi_line
from bot.models.units import ModelUnits, Said, find_model
from bot.scheduling import outbox
from storage.rows import MetricRow, ModelRow, ProjectRow
from storage.store import Tx


class KpiService(ModelUnits):
    """Business KPIs of deployed models. A change emits `KpiChanged` (the MLflow registry
    sync writes it back to the model's tags), unless `write_back` is off: the sync's own
    service, applying what came from MLflow."""

    def __init__(self, *args: Any, write_back: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.write_back = write_back

    def _caused(self, tx: Tx, said: Said) -> None:
        if self.write_back and said.done and said.model is not None:
            tx.emit(KpiChanged(*said.model))

    # ---- metric
    async def define(
        self,
        team_id: str,
        user: str,
        model: str | int,
        name: str,
        value: float | None,
        changes: dict[str, object],
        units: dict[str, str] | None = None,
    ) -> str:
        """`model`: as typed, or the id the command's lookup settled on. `units`: the unit
        written with baseline, target and value."""
        now = self.clock()
        if not name:
            picked, problem = await self.store.read(lambda tx: self._only_kpi(tx, team_id, model))
            if picked is None:
                return problem
            name = picked
        allowed = await self._may_change(team_id, user, model, name)
        key = request_key()
        return await self._write(
            lambda tx: self._define(
                tx, team_id, user, model, name, value, changes, now, units, allowed, key=key
            )
        )

    def _only_kpi(self, tx: Tx, team_id: str, model: str | int) -> tuple[str | None, str]:
        """(the name of the model's only KPI, "") or (None, what to say: it has none or
        several)."""
        found = (
            tx.models.get(team_id, model)
            if isinstance(model, int)
            else find_model(tx, team_id, model)
        )
        if found is None or isinstance(found, str):
            return None, found or "That model no longer exists."
        kpis = tx.metrics.for_models([(team_id, found.id)]).get(found.id, [])
        if len(kpis) == 1:
            return kpis[0].name, ""
        if not kpis:
            return None, (
                f"*{esc(found.name)}* has no business KPI yet: name it, e.g. "
                f'`/mle metric {found.slug} "monthly churn" baseline=4.1% target=3.8%`.'
            )
        names = " or ".join(f'`"{esc(k.name)}"`' for k in kpis)
        return None, f"*{esc(found.name)}* has several KPIs: which one? {names}"

    async def _may_change(self, team_id: str, user: str, model: str | int, name: str) -> bool:
        """May `user` overwrite the KPI's numbers: the project owner, the KPI's owner or an
        admin (asked of Slack only when someone else tries)."""

        def owners(tx: Tx) -> tuple[str, str | None] | None:
            found = (
                tx.models.get(team_id, model)
                if isinstance(model, int)
                else find_model(tx, team_id, model)
            )
            if found is None or isinstance(found, str):
                return None
            project = tx.projects.get(team_id, found.project_id)
            kpi = tx.metrics.get(team_id, found.id, name_key(name))
            return (project.owner_id if project else "", kpi.owner_id if kpi else None)

        known = await self.store.read(owners)
        if known is None or user in known:
            return True
        return await self.slack.is_admin(user)

    def _define(
        self,
        tx: Tx,
        team_id: str,
        user: str,
        model_ref: str | int,
        name: str,
        value: float | None,
        changes: dict[str, object],
        now: datetime,
        units: dict[str, str] | None = None,
        allowed: bool = True,
        who: str | None = None,
        key: str | None = None,
    ) -> Said:
        """`model_ref`: the name typed in a command, or the id a form was opened for (a form
        acts on the model it was opened for, whatever names look alike). `allowed`: the
        person may overwrite the KPI's numbers. `who`: who the thread says made the change
        (default `<@user>`). `key`: the Slack request's, kept with the value it reports (a
        request seen before changes nothing). All or nothing: a request refused after its
        rename leaves the name as it was."""
        if key is not None and tx.metrics.reported_by(team_id, key):
            return Said("That report was recorded already; nothing changed.", done=False)
        who = who or f"<@{user}>"
        found = (
            tx.models.get(team_id, model_ref)
            if isinstance(model_ref, int)
            else find_model(tx, team_id, model_ref)
        )
        if found is None:
            return Said("That model no longer exists.", done=False)
        if isinstance(found, str):
            return Said(found, done=False)
        model = found
        current = tx.metrics.get(team_id, model.id, name_key(name))
        project = tx.projects.get(team_id, model.project_id)
        changes = dict(changes)
        rename = changes.pop("rename", None)
        renamed: str | None = None
        rename_to: MetricRow | None = None  # written once nothing else refuses the request
        if isinstance(rename, str):
            refused = self._rename_refusal(tx, model, current, rename, allowed, project)
            if refused is not None:
                return refused
            assert current is not None
            if current.name != rename:
                renamed = (
                    f"📏 {who} renamed the KPI of *{esc(model.name)}*: "
                    f"*{esc(current.name)}* → *{esc(rename)}*."
                )
                current = rename_to = replace(current, name=rename, name_key=name_key(rename))
            name = rename
        problem = name_problem(name, "KPI name") if current is None or renamed else None
        if problem:  # a new name, from anywhere (a command, a form, MLflow's tags)
            return Said(problem, done=False)
        if current is None:
            others = tx.metrics.for_models([(team_id, model.id)]).get(model.id, [])
            stray = self._stray_name(model, name, others, changes)
            if stray:
                return Said(stray, done=False)
        from_planning = ""
        if current is None and "owner_id" not in changes and project is not None:
            planned = kpi_hint(tx, project, self.bank).owner_id
            if planned:  # the KPI owner named in planning owns it unless said otherwise
                changes["owner_id"] = planned
                from_planning = f" Owner <@{planned}>, as named in planning."
        overwrites = current is not None and any(
            key in changes and getattr(current, key) not in (None, "", changes[key])
            for key in audit.PROTECTED
        )
        if overwrites and not allowed and project is not None and current is not None:
            return Said(
                audit.refusal(current.name, model.name, project.owner_id, current.owner_id),
                done=False,
            )
        decision = decide_metric(
            model.retired_at is not None,
            model.name,
            None
            if current is None
            else Kpi(
                current.baseline,
                current.target,
                current.direction,
                current.owner_id,
                current.method,
                current.window_days,
                current.unit,
            ),
            changes,
            value,
            units,
            name if current is None else current.name,
        )
        if isinstance(decision, Refused):
            return Said(decision.reason, done=False)
        if (
            not decision.new_kpi
            and audit.protected(decision.changes)
            and not allowed
            and project is not None
        ):
            owner = current.owner_id if current else None
            return Said(audit.refusal(name, model.name, project.owner_id, owner), done=False)
        if rename_to is not None:
            tx.metrics.rename(team_id, rename_to.id, rename_to.name, rename_to.name_key, now)
        metric_id = tx.metrics.define(
            team_id=team_id,
            model_id=model.id,
            name=name,
            name_key=name_key(name),
            changes={c.field: c.new for c in decision.changes},
            now=now,
        )
        if value is not None:
            tx.metrics.report(team_id, metric_id, value, now, user, request_key=key)
        tx.models.check_at([(now, model.id)])  # look again at the next pass
        rules, metrics = load_models(tx, [model])[model.id]
        line = audit.change_line(
            who,
            model.name,
            current.name if current else name,
            decision,
            current.unit if current else "",
            value,
        )
        still = [f for f in findings(rules, now, team_settings(tx, team_id)) if f.code != "F8"]
        recorded = (
            f"Recorded *{esc(clip(name, 80))}* for *{esc(model.name)}*"
            + (f": value {show(value, decision.unit)} on {now.date()}" if value is not None else "")
            + "."
        )
        kpi = tx.metrics.get(team_id, model.id, name_key(name))
        if kpi is not None and decision.changes:
            recorded += f"\n📏 {esc(kpi_line(kpi))}.{from_planning}"
        people = (
            team_id,
            user,
            project.owner_id if project else "",
            *(m.owner_id or "" for m in metrics),
        )
        line = "\n".join(x for x in (renamed, line) if x) or None
        thread = (project, line) if project is not None and line else None
        changed = (team_id, model.id)
        if model.registry and decision.changes:
            recorded += (
                f" It is written to the tags of *{esc(clip(model.registry, 80))}* in MLflow "
                "now (or at the next sync if MLflow cannot be reached)."
            )
        if not still:
            return Said(
                recorded + " ✅ Its business metrics are complete.", thread, people, model=changed
            )
        missing = "; ".join(f"{f.code} {render.RULE_NAMES[f.code]}" for f in still)
        return Said(f"{recorded} Still open: {missing}.", thread, people, model=changed)

    @staticmethod
    def _stray_name(
        model: ModelRow, name: str, others: list[MetricRow], changes: dict[str, object]
    ) -> str | None:
        """A name that is not one of the model's KPIs, when it has some: a typo (`montly
        churn`) or a value meant for an existing KPI; a new KPI comes with its numbers."""
        if not others:
            return None
        names = {k.name_key: k.name for k in others}
        close = did_you_mean(name_key(name), list(names), cutoff=NAME_CLOSE)
        listed = ", ".join(f"*{esc(n)}*" for n in names.values())
        if close:
            return (
                f"*{esc(model.name)}* has no KPI called *{esc(clip(name, 80))}*. Did you mean "
                f"*{esc(names[close[0]])}*? Nothing was recorded."
            )
        if "baseline" not in changes or "target" not in changes:
            return (
                f"*{esc(model.name)}* has no KPI called *{esc(clip(name, 80))}* (its KPIs: "
                f"{listed}). A new KPI needs its `baseline=` and `target=`; nothing was recorded."
            )
        return None

    def _rename_refusal(
        self,
        tx: Tx,
        model: ModelRow,
        current: MetricRow | None,
        new: str,
        allowed: bool,
        project: ProjectRow | None,
    ) -> Said | None:
        """Why the KPI cannot be renamed `new`, or None (the rest of the request then applies
        to the new name)."""
        if current is None:
            return Said(f"*{esc(model.name)}* has no KPI by that name to rename.", done=False)
        if project is not None and not allowed:
            return Said(
                audit.refusal(current.name, model.name, project.owner_id, current.owner_id),
                done=False,
            )
        taken = tx.metrics.get(model.team_id, model.id, name_key(new))
        if taken is not None and taken.id != current.id:
            return Said(
                f"*{esc(model.name)}* already has a KPI called *{esc(taken.name)}*.", done=False
            )
        return None

    # ---- remove a KPI
    async def remove(self, team_id: str, user: str, model: int, name: str) -> str:
        allowed = await self._may_change(team_id, user, model, name)

        def remove(tx: Tx) -> Said:
            found = tx.models.get(team_id, model)
            project = tx.projects.get(team_id, found.project_id) if found else None
            if found is None or project is None:
                return Said("That model no longer exists.")
            kpi = tx.metrics.get(team_id, found.id, name_key(name))
            if kpi is None:
                names = ", ".join(
                    f"*{esc(m.name)}*"
                    for m in tx.metrics.for_models([(team_id, found.id)]).get(found.id, [])
                )
                return Said(
                    f"*{esc(found.name)}* has no KPI called *{esc(clip(name, 80))}*"
                    + (f"; its KPIs: {names}." if names else "; it has none.")
                )
            if not allowed:
                return Said(audit.refusal(kpi.name, found.name, project.owner_id, kpi.owner_id))
            tx.metrics.remove(team_id, kpi.id)
            tx.models.check_at([(self.clock(), found.id)])
            line = (
                f"🗑️ <@{user}> removed the KPI *{esc(kpi.name)}* of *{esc(found.name)}* "
                f"(was {esc(kpi_line(kpi))}; its reported values went with it)."
            )
            return Said(
                f"Removed *{esc(kpi.name)}* from *{esc(found.name)}*.",
                (project, line),
                model=(team_id, found.id),
            )

        return await self._write(remove)

    # ---- correct or withdraw a reported value
    async def correct(
        self,
        team_id: str,
        user: str,
        model: int,
        name: str,
        value: float | None,
        unit: str = "",
        day: str | None = None,
    ) -> str:
        """`value` None: withdraw. Allowed to who reported it (checked in the unit), the KPI's
        owner, the project owner or an admin."""
        if not name:  # the model's only KPI
            only, problem = await self.store.read(lambda tx: self._only_kpi(tx, team_id, model))
            if only is None:
                return problem
            name = only
        allowed = await self._may_change(team_id, user, model, name)
        now = self.clock()
        return await self._write(
            lambda tx: corrections.change(
                tx, team_id, user, model, name, value, unit, day, allowed, now
            )
        )

    async def add_from_form(
        self, team_id: str, user: str, model_id: int, fields: dict[str, object]
    ) -> None:
        """The Add-metric form, already validated."""
        fields = dict(fields)
        name = str(fields.pop("name"))
        value = fields.pop("value", None)
        units = fields.pop("units", None)
        model = await self.store.read(lambda tx: tx.models.get(team_id, model_id))
        if model is None:
            return
        now = self.clock()
        number = value if isinstance(value, float) else None
        allowed = await self._may_change(team_id, user, model_id, name)
        key = request_key()

        def unit(tx: Tx) -> Said:
            said = self._define(
                tx,
                team_id,
                user,
                model_id,
                name,
                number,
                fields,
                now,
                units if isinstance(units, dict) else None,
                allowed,
                key=key,
            )
            project = tx.projects.get(team_id, model.project_id)
            if project is None:
                return said
            if said.thread is not None:  # the change's own line first
                tx.deliveries.add_many(outbox.thread_line("thread", *said.thread, now))
            # the form has no other way to answer the person who sent it
            line = f"📏 <@{user}> (via the form): {esc_but_mentions(said.reply)}"
            return replace(said, thread=(project, line))

        await self._write(unit)
