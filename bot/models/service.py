"""`/mle deploy`, `/mle metric`, `/mle retire`, and the reminder's buttons and forms."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.blocks import clip, esc
from bot.domain.names import name_key, name_problem, slugify
from bot.domain.reading import read_choice
from bot.models import render
from bot.models.reminders import kpi_hint, team_settings
from bot.models.units import ModelUnits, Said, find_model
from bot.projects.lookup import find_project
from storage.rows import ModelRow, ProjectRow
from storage.store import Tx

MAX_MODEL_NAME = 80
SNOOZE = timedelta(days=7)
TIER_ANSWERS = {
    "internal tooling": "internal-tooling",
    "internal assistive": "internal-assistive",
    "business-critical": "business-critical",
    "customer-facing": "customer-facing",
}


class ModelService(ModelUnits):
    """`/mle deploy`, `/mle retire`, the reminder's buttons and the Snooze form."""

    # ---- deploy
    async def deploy(
        self,
        team_id: str,
        user: str,
        words: tuple[str, ...],
        tier: str | None,
        can_see: Callable[[str], Awaitable[bool]],
    ) -> str:
        """`can_see`: whether the person may read a channel; a model whose project they may
        not see is never named in the answer, nor is its project."""
        now = self.clock()

        def holders(tx: Tx) -> dict[int, str]:
            """The projects (and their channels) of models the words may name."""
            found = {}
            for word in words[1:]:
                model = tx.models.by_name(team_id, name_key(word), slugify(word))
                project = tx.projects.get(team_id, model.project_id) if model else None
                if project is not None:
                    found[project.id] = project.channel_id
            return found

        seen = frozenset(
            [
                pid
                for pid, channel in (await self.store.read(holders)).items()
                if await can_see(channel)
            ]
        )
        return await self._write(lambda tx: self._deploy(tx, team_id, user, words, tier, now, seen))

    def _deploy(
        self,
        tx: Tx,
        team_id: str,
        user: str,
        words: tuple[str, ...],
        tier: str | None,
        now: datetime,
        seen: frozenset[int] = frozenset(),
    ) -> Said:
        """`seen`: the projects the person may see, of the models the words may name."""
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
        if existing is not None and existing.project_id not in (project.id, *seen):
            return Said(  # held by a project this person may not see: nothing more
                f"The model name *{esc(clip(name, 80))}* is taken. Pick another name."
            )
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
            now=now,
            first_check=first_check,
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
        now = self.clock()
        text = (
            f"🪦 <@{user}> retired *{esc(model.name)}*. No more business-metric reminders for it."
        )
        again = (
            f" It is followed from MLflow: remove its deployed alias on "
            f"*{esc(clip(model.registry, 80))}* there, or the next sync deploys it again."
            if model.registry
            else ""
        )

        def retire(tx: Tx) -> Said:
            tx.models.retire(team_id, model.id, now)
            return Said(f"Retired *{model.name}*.{again}", (project, text + again))

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
            tx.models.snooze(team_id, model_id, until, reason, user)
            return Said(
                "",
                (
                    project,
                    f"⏸️ <@{user}> snoozed reminders about *{esc(model.name)}* "
                    f"until {until.date()}. Reason: {esc(clip(reason, 500))}",
                ),
            )

        await self._write(record)
