"""`/mle deploy`, `/mle metric`, `/mle retire`, and the reminder's buttons and forms."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.blocks import clip, esc
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import findings
from bot.domain.metric_change import Kpi, Refused, decide_metric
from bot.domain.names import name_key, name_problem, slugify
from bot.domain.reading import read_choice, show
from bot.models import audit, render
from bot.models.facts import load_models
from bot.models.reminders import kpi_hint, team_settings
from bot.models.render import kpi_line
from bot.projects.lookup import find_project
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from bot.touch import Touch, nobody
from storage.rows import MetricRow, ModelRow, ProjectRow
from storage.store import Store, Tx
from storage.timefmt import iso

MAX_MODEL_NAME = 80
SNOOZE = timedelta(days=7)
TIER_ANSWERS = {
    "internal tooling": "internal-tooling",
    "internal assistive": "internal-assistive",
    "business-critical": "business-critical",
    "customer-facing": "customer-facing",
}


@dataclass(frozen=True)
class Said:
    """What to tell the person who asked (ephemeral) and what to post in the project thread."""

    reply: str
    thread: tuple[ProjectRow, str] | None = None
    people: tuple[str, ...] = ()  # (team_id, *users) whose Home tabs change


def find_model(tx: Tx, team_id: str, name: str) -> ModelRow | str:
    model = tx.models.by_name(team_id, name_key(name), slugify(name))
    if model is not None:
        return model
    return f"No deployed model called *{esc(clip(name, 80))}*."


class ModelService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        clock: Callable[[], datetime],
        touch: Touch = nobody,
        kick: Callable[..., None] = lambda channel=None: None,
        *,
        bank: QuestionBank,
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock
        self.touch = touch  # whose Home tabs a change affects
        self.kick = kick  # the poster: post what the last unit queued

    async def _write(self, unit: Callable[[Tx], Said]) -> str:
        """Run a unit of work; the line it has for the project thread goes to the outbox in
        the same transaction. Returns what to tell the person who asked."""
        now = self.clock()

        def with_thread_line(tx: Tx) -> Said:
            said = unit(tx)
            if said.thread is not None:
                project, text = said.thread
                tx.deliveries.add_many(outbox.thread_line("thread", project, text, now))
            return said

        said = await self.store.write(with_thread_line)
        if said.people:
            self.touch(*said.people)
        if said.thread is not None:
            project = said.thread[0]
            self.touch(project.team_id, project.owner_id)
            self.kick(project.channel_id)
        return said.reply

    async def _allowed(self, project: ProjectRow, user: str) -> bool:
        return user == project.owner_id or await self.slack.is_admin(user)

    # ---- deploy
    async def deploy(
        self, team_id: str, user: str, words: tuple[str, ...], tier: str | None
    ) -> str:
        now = self.clock()
        return await self._write(lambda tx: self._deploy(tx, team_id, user, words, tier, now))

    def _deploy(
        self,
        tx: Tx,
        team_id: str,
        user: str,
        words: tuple[str, ...],
        tier: str | None,
        now: datetime,
    ) -> Said:
        for cut in range(len(words) - 1, 0, -1):
            found = find_project(tx, team_id, " ".join(words[:cut]))
            if not isinstance(found, str) and len(words) - cut <= 2:
                project, rest = found, words[cut:]
                break
        else:
            message = find_project(tx, team_id, words[0])
            return Said(
                message
                if isinstance(message, str)
                else "Usage: `/mle deploy <project> <model> [<version>]`."
            )
        name, version = " ".join(rest[0].split()), (rest[1] if len(rest) > 1 else None)
        if not name or len(name) > MAX_MODEL_NAME:
            return Said(f"A model name needs 1 to {MAX_MODEL_NAME} characters.")
        problem = name_problem(name, "model name")
        if problem:
            return Said(problem)
        existing = tx.models.by_name(team_id, name_key(name), slugify(name))
        if (
            existing is not None
            and existing.project_id == project.id
            and existing.retired_at is None
        ):
            return self._new_version(tx, project, existing, user, version)  # `churn_lgbm` too
        if existing is not None and existing.name_key != name_key(name):
            return Said(
                f"*{esc(name)}* reads the same as the model *{esc(existing.name)}* "
                f"(`{existing.slug}`) in commands. Pick a name that differs in more than "
                "spaces, dashes or underscores."
            )
        if existing is not None and existing.project_id != project.id:
            other = tx.projects.get(team_id, existing.project_id)
            return Said(
                f"The model name *{esc(existing.name)}* is taken by project "
                f"*{esc(other.name) if other else '?'}*. Pick another name."
            )
        if existing is not None and existing.retired_at is None:
            return self._new_version(tx, project, existing, user, version)
        tier = tier or self._tier_from_interview(tx, project)
        grace = team_settings(tx, team_id).grace
        first_check = now + grace
        tx.models.deploy(
            team_id=team_id,
            project_id=project.id,
            name=name,
            name_key=name_key(name),
            slug=slugify(name),
            version=version,
            tier=tier,
            by=user,
            now=iso(now),
            first_check=iso(first_check),
        )
        hint = kpi_hint(tx, project, self.bank)
        label = f"{name}" + (f" {version}" if version else "")
        command = render.fix_command("F1", name, None, hint)
        thread = (
            f"🚀 <@{user}> deployed *{esc(clip(label, 100))}* of *{esc(clip(project.name, 100))}*. "
            f"Within {grace.days} days, give it a business KPI it can be judged "
            f"by:\n`{esc(command)}`{hint.owner_note()}"
        )
        return Said(
            f"Registered *{label}* for *{project.name}*. I'll check its business "
            f"metrics from <!date^{int(first_check.timestamp())}^{{date_short}}|"
            f"{first_check.date()}> on.",
            (project, thread),
        )

    def _new_version(
        self, tx: Tx, project: ProjectRow, model: ModelRow, user: str, version: str | None
    ) -> Said:
        """A deployed model deployed again: the version changes, nothing else."""
        label = esc(clip(model.name, 100))
        if version == model.version:
            shown = f" {esc(version)}" if version else ""
            return Said(f"*{label}*{shown} is already deployed; nothing changed.")
        tx.models.new_version(project.team_id, model.id, version, user)
        new = f"version {esc(clip(version, 40))}" if version else "a new version"
        old = f"{esc(clip(model.version, 40))}" if model.version else "the earlier one"
        has_kpi = bool(tx.metrics.for_models([(project.team_id, model.id)]).get(model.id))
        line = (
            f"🚀 <@{user}> deployed {new} of *{label}* — it replaces {old}. Its KPIs, "
            "reported values and reminder clock carry on."
        )
        if not has_kpi:
            hint = kpi_hint(tx, project, self.bank)
            line += (
                f"\nIt still has no business KPI:\n"
                f"`{esc(render.fix_command('F1', model.name, None, hint))}`{hint.owner_note()}"
            )
        return Said(f"*{label}*: {new} replaces {old}.", (project, line))

    def _tier_from_interview(self, tx: Tx, project: ProjectRow) -> str | None:
        for answer in tx.answers.for_project(project.team_id, project.id, "evaluation"):
            if answer.question_key == "attribution_tier" and answer.status == "answered":
                chosen = read_choice(tuple(TIER_ANSWERS), answer.text)
                return TIER_ANSWERS[chosen.choice] if chosen else None
        return None

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
        return await self._write(
            lambda tx: self._define(
                tx, team_id, user, model, name, value, changes, now, units, allowed
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
    ) -> Said:
        """`model_ref`: the name typed in a command, or the id a form was opened for (a form
        acts on the model it was opened for, whatever names look alike). `allowed`: the
        person may overwrite the KPI's numbers."""
        found = (
            tx.models.get(team_id, model_ref)
            if isinstance(model_ref, int)
            else find_model(tx, team_id, model_ref)
        )
        if found is None:
            return Said("That model no longer exists.")
        if isinstance(found, str):
            return Said(found)
        model = found
        current = tx.metrics.get(team_id, model.id, name_key(name))
        project = tx.projects.get(team_id, model.project_id)
        changes = dict(changes)
        rename = changes.pop("rename", None)
        renamed: str | None = None
        if isinstance(rename, str):
            refused = self._rename(tx, model, current, rename, allowed, project, now)
            if refused is not None:
                return refused
            if current is not None and current.name != rename:
                renamed = (
                    f"📏 <@{user}> renamed the KPI of *{esc(model.name)}*: "
                    f"*{esc(current.name)}* → *{esc(rename)}*."
                )
            name = rename
            current = tx.metrics.get(team_id, model.id, name_key(name))
        if current is None:
            others = tx.metrics.for_models([(team_id, model.id)]).get(model.id, [])
            stray = self._stray_name(model, name, others, changes)
            if stray:
                return Said(stray)
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
            return Said(audit.refusal(current.name, model.name, project.owner_id, current.owner_id))
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
            return Said(decision.reason)
        if (
            not decision.new_kpi
            and audit.protected(decision.changes)
            and not allowed
            and project is not None
        ):
            owner = current.owner_id if current else None
            return Said(audit.refusal(name, model.name, project.owner_id, owner))
        metric_id = tx.metrics.define(
            team_id=team_id,
            model_id=model.id,
            name=name,
            name_key=name_key(name),
            changes={c.field: c.new for c in decision.changes},
            now=iso(now),
        )
        if value is not None:
            tx.metrics.report(team_id, metric_id, value, iso(now), user)
        tx.models.check_at([(iso(now), model.id)])  # look again at the next pass
        rules, metrics = load_models(tx, [model])[model.id]
        line = audit.change_line(
            user,
            model.name,
            current.name if current else name,
            decision,
            current.unit if current else "",
            value,
        )
        still = [f for f in findings(rules, now, team_settings(tx, team_id)) if f.code != "F8"]
        recorded = (
            f"Recorded *{clip(name, 80)}* for *{model.name}*"
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
        if not still:
            return Said(recorded + " ✅ Its business metrics are complete.", thread, people)
        missing = "; ".join(f"{f.code} {render.RULE_NAMES[f.code]}" for f in still)
        return Said(f"{recorded} Still open: {missing}.", thread, people)

    @staticmethod
    def _stray_name(
        model: ModelRow, name: str, others: list[MetricRow], changes: dict[str, object]
    ) -> str | None:
        """A name that is not one of the model's KPIs, when it has some: a typo (`montly
        churn`) or a value meant for an existing KPI; a new KPI comes with its numbers."""
        if not others:
            return None
        names = {k.name_key: k.name for k in others}
        close = difflib.get_close_matches(name_key(name), list(names), n=1, cutoff=0.8)
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

    def _rename(
        self,
        tx: Tx,
        model: ModelRow,
        current: MetricRow | None,
        new: str,
        allowed: bool,
        project: ProjectRow | None,
        now: datetime,
    ) -> Said | None:
        """Rename the KPI (recorded in the thread); a Said when it cannot be, None when done
        (the rest of the request then applies to the new name)."""
        if current is None:
            return Said(f"*{esc(model.name)}* has no KPI by that name to rename.")
        if project is not None and not allowed:
            return Said(audit.refusal(current.name, model.name, project.owner_id, current.owner_id))
        taken = tx.metrics.get(model.team_id, model.id, name_key(new))
        if taken is not None and taken.id != current.id:
            return Said(f"*{esc(model.name)}* already has a KPI called *{esc(taken.name)}*.")
        if new != current.name:
            tx.metrics.rename(model.team_id, current.id, new, name_key(new), iso(now))
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
            tx.models.check_at([(iso(self.clock()), found.id)])
            line = (
                f"🗑️ <@{user}> removed the KPI *{esc(kpi.name)}* of *{esc(found.name)}* "
                f"(was {esc(kpi_line(kpi))}; its reported values went with it)."
            )
            return Said(f"Removed *{esc(kpi.name)}* from *{esc(found.name)}*.", (project, line))

        return await self._write(remove)

    # ---- retire
    async def retire(self, team_id: str, user: str, name: str | int) -> str:
        found = await self.store.read(lambda tx: self._model_and_project(tx, team_id, name))
        if isinstance(found, str):
            return found
        model, project = found
        if model.retired_at is not None:
            return f"*{model.name}* is already retired."
        if not await self._allowed(project, user):
            return (
                f"Only the owner of *{project.name}* (<@{project.owner_id}>) or a workspace "
                f"admin can retire *{model.name}*."
            )
        now = iso(self.clock())
        text = (
            f"🪦 <@{user}> retired *{esc(model.name)}*. No more business-metric reminders for it."
        )

        def retire(tx: Tx) -> Said:
            tx.models.retire(team_id, model.id, now)
            return Said(f"Retired *{model.name}*.", (project, text))

        return await self._write(retire)

    def _model_and_project(
        self, tx: Tx, team_id: str, name: str | int
    ) -> tuple[ModelRow, ProjectRow] | str:
        model = (
            tx.models.get(team_id, name) if isinstance(name, int) else find_model(tx, team_id, name)
        )
        if model is None:
            return "That model no longer exists."
        if isinstance(model, str):
            return model
        project = tx.projects.get(team_id, model.project_id)
        if project is None:
            return "That model's project no longer exists."
        return model, project

    # ---- buttons and forms
    async def form(self, team_id: str, model_id: int, which: str) -> dict[str, object] | None:
        """The modal for a reminder button, or None if the model is gone."""

        def build(tx: Tx) -> dict[str, object] | None:
            model = tx.models.get(team_id, model_id)
            project = tx.projects.get(team_id, model.project_id) if model else None
            if model is None or project is None:
                return None
            if which == render.SNOOZE:
                return render.snooze_modal(model.id, model.name)
            kpis = tx.metrics.for_models([(team_id, model.id)]).get(model.id, [])
            hint = render.hint_of(kpis[0]) if kpis else kpi_hint(tx, project, self.bank)
            return render.add_metric_modal(model.id, model.name, hint)

        return await self.store.read(build)

    async def snooze(self, team_id: str, user: str, model_id: int, reason: str) -> None:
        now = self.clock()
        until = now + SNOOZE

        def record(tx: Tx) -> Said:
            model = tx.models.get(team_id, model_id)
            project = tx.projects.get(team_id, model.project_id) if model else None
            if model is None or project is None:
                return Said("")
            tx.models.snooze(team_id, model_id, iso(until), reason, user)
            return Said(
                "",
                (
                    project,
                    f"⏸️ <@{user}> snoozed reminders about *{esc(model.name)}* "
                    f"until {until.date()}. Reason: {esc(clip(reason, 500))}",
                ),
            )

        await self._write(record)

    async def add_from_form(
        self, team_id: str, user: str, model_id: int, fields: dict[str, object]
    ) -> None:
        """The Add-metric form, already validated."""
        name = str(fields.pop("name"))
        value = fields.pop("value", None)
        model = await self.store.read(lambda tx: tx.models.get(team_id, model_id))
        if model is None:
            return
        now = self.clock()
        number = value if isinstance(value, float) else None
        allowed = await self._may_change(team_id, user, model_id, name)
        reply = await self._write(
            lambda tx: self._define(
                tx, team_id, user, model_id, name, number, fields, now, None, allowed
            )
        )
        project = await self.store.read(lambda tx: tx.projects.get(team_id, model.project_id))
        if project is not None:
            # the form has no other way to answer the person who sent it
            line = f"📏 <@{user}> (via the form): {reply}"
            await self._write(lambda tx: Said("", (project, line)))
