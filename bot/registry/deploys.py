"""Which project a registered model belongs to, and the models MLE Coach deploys, moves to a
new version or retires because of what the registry says: one unit each, said in the project
thread "from MLflow"."""

from __future__ import annotations

import json
from datetime import datetime

from bot.blocks import clip, esc
from bot.domain.bank import QuestionBank
from bot.domain.names import name_key, name_problem, slugify
from bot.domain.registry_tags import KPI as KPI_TAG
from bot.models.reminders import kpi_hint, team_settings
from bot.models.render import fix_command
from bot.registry.client import Registered
from bot.registry.report import PROJECT_TAG, WORKSPACE_TAG, Report
from bot.scheduling import outbox
from storage.rows import ModelRow, ProjectRow
from storage.store import Tx


def _label(version: str) -> str:
    return version if version.lower().startswith("v") else f"v{version}"


def find_project(tx: Tx, model: Registered, report: Report) -> ProjectRow | None:
    ref = model.tags.get(PROJECT_TAG, "").strip()
    workspace = model.tags.get(WORKSPACE_TAG, "").strip()
    if not ref:
        report.unmatched.append(
            [workspace, model.name, f"add the tag `{PROJECT_TAG}` = the project's name or slug"]
        )
        return None
    found = tx.projects.named_anywhere(name_key(ref), slugify(ref))
    if workspace and workspace not in tx.projects.teams():
        report.unmatched.append(  # shown to every workspace: it is none of them
            [
                "",
                model.name,
                f"`{WORKSPACE_TAG}` = `{esc(clip(workspace, 40))}` is no workspace of this "
                "installation (`/mle registry` shows a workspace's id)",
            ]
        )
        return None
    if workspace:
        found = [p for p in found if p.team_id == workspace]
    if not found:
        report.unmatched.append(
            [workspace, model.name, f"no project called `{esc(clip(ref, 80))}`"]
        )
        return None
    if len(found) > 1:
        report.unmatched.append(
            [
                workspace,
                model.name,
                f"several workspaces have `{esc(clip(ref, 80))}`: add `{WORKSPACE_TAG}`",
            ]
        )
        return None
    return found[0]


def deploy(
    tx: Tx,
    bank: QuestionBank,
    model: Registered,
    project: ProjectRow,
    version: str,
    alias: str,
    now: datetime,
    report: Report,
) -> None:
    """Deploy the model or move its version (said in the project's thread)."""
    team_id = project.team_id
    label = _label(version)
    if problem := name_problem(model.name, "model name"):  # as `/mle deploy` refuses it
        report.unmatched.append([team_id, model.name, f"{problem} Rename it in MLflow."])
        return
    existing = tx.models.by_name(team_id, name_key(model.name), slugify(model.name))
    if (
        existing is not None
        and existing.registry not in (None, model.name)
        and (existing.retired_at is None or existing.name_key != name_key(model.name))
    ):  # two registered models, one name in MLE Coach (`churn_v2`, `churn-v2`)
        report.unmatched.append(
            [
                team_id,
                model.name,
                f"its name reads the same as *{esc(existing.registry or '')}*, which MLE "
                "Coach follows from MLflow"
                + (" (retired)" if existing.retired_at else "")
                + ": rename one of them",
            ]
        )
        return
    where = (
        f"alias `{esc(alias)}`, from MLflow"
        if alias != "Production"
        else ("stage Production, from MLflow")
    )
    if existing is not None and existing.project_id != project.id:
        # the other project is not named: it may live in a private channel
        report.unmatched.append(
            [
                team_id,
                model.name,
                f"the name is taken by *{esc(existing.name)}*, a model of another project in "
                f"MLE Coach: tag it `{PROJECT_TAG}` = that project, or `/mle retire "
                f"{existing.slug}` first",
            ]
        )
        return
    report.matched.append([team_id, model.name, project.name, label])
    if existing is not None and existing.retired_at is None:
        same = (existing.version or "").lower().removeprefix("v") == version.lower()
        if existing.registry is None:
            tx.models.set_registry(team_id, existing.id, model.name)
            if same or existing.version is None:
                if existing.version is None:
                    tx.models.new_version(team_id, existing.id, label, existing.deployed_by)
                line = (
                    f"🔗 *{esc(clip(model.name, 100))}* {label} is now followed from MLflow "
                    f"({where}): its versions, KPI tags and values come from there."
                )
                report.changes.append(f"{model.name}: followed from MLflow")
                tx.deliveries.add_many(outbox.thread_line("thread", project, line, now))
                return
        if same:
            return
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
            now=now,
            first_check=now + grace,
        )
        tx.models.set_registry(team_id, model_id, model.name)
        # deployed again (retired, or deleted and registered anew): what the old registered
        # model's tags said is no guide; its KPI, kept here, is written to the new one
        tx.models.set_registry_seen(team_id, model_id, None)
        kept = tx.metrics.for_models([(team_id, model_id)]).get(model_id, [])
        line = (
            f"🚀 *{esc(clip(model.name, 100))}* {label} of *{esc(project.name)}* is deployed "
            f"({where})."
        )
        if kept:
            names = ", ".join(f"*{esc(clip(k.name, 80))}*" for k in kept)
            line += f" It was deployed before: its KPI {names} and its values carry on."
        elif not model.tags.get(KPI_TAG):  # else its KPI follows, from the tags
            hint = kpi_hint(tx, project, bank)
            command = fix_command("F1", slugify(model.name), None, hint)
            line += (
                f" Within {grace.days} days it needs a business KPI it can be judged by: "
                f"tag the registered model (`{KPI_TAG}`, `{KPI_TAG}.baseline`, "
                f"`{KPI_TAG}.target` …), or\n`{esc(command)}`{hint.owner_note()}"
            )
        report.changes.append(f"{model.name}: {label} deployed")
    tx.deliveries.add_many(outbox.thread_line("thread", project, line, now))
    return


def retire_gone(
    tx: Tx,
    deployed: set[str],
    registered: set[str],
    now: datetime,
    report: Report,
    dry_run: bool,
    *,
    deletions: bool = True,
) -> None:
    """Models mirroring a registered model with no deployed alias left, or deleted from
    the registry, are retired. `deletions`: the listing was read well enough to tell a
    model is gone (no entry without a name). A model
    is retired as deleted when the last good sync did not see it either; a sync that would
    retire more than half of the followed models (two or more) retires none."""
    followed = tx.models.mirrored()
    missed: dict[str, set[str]] = {}  # team → models the last good sync did not see
    going: list[tuple[ModelRow, str]] = []
    for model in followed:
        if model.registry is None or model.registry in deployed:
            continue
        if model.team_id not in missed:
            missed[model.team_id] = missed_before(tx, model.team_id)
        project = tx.projects.get(model.team_id, model.project_id)
        label = project.name if project else ""
        if model.registry in registered:
            going.append((model, "has no deployed alias left in MLflow"))
            continue
        if deletions and model.registry in missed[model.team_id]:
            going.append((model, "was deleted from the MLflow registry"))
        elif deletions:  # the first good sync not to see it
            report.missing.append([model.team_id, model.registry, label])
            report.problems.append(
                [
                    model.team_id,
                    f"{model.registry}: not found in the registry; it is retired if the "
                    "next sync does not find it either",
                ]
            )
        elif model.registry in missed[model.team_id]:  # carried to the next good sync
            report.missing.append([model.team_id, model.registry, label])
    if len(going) > 1 and 2 * len(going) > len(followed):
        for model, why in going:
            if why.startswith("was deleted"):
                project = tx.projects.get(model.team_id, model.project_id)
                report.missing.append(
                    [model.team_id, model.registry or "", project.name if project else ""]
                )
        for team_id in sorted({model.team_id for model, _ in going}):
            report.problems.append(
                [
                    team_id,
                    f"{len(going)} of the {len(followed)} models followed from MLflow would "
                    "be retired at once: none was, in case the registry answered wrongly "
                    "(`/mle retire` retires a model that is really gone)",
                ]
            )
        return
    for model, why in going:
        project = tx.projects.get(model.team_id, model.project_id)  # locked: see _apply
        fresh = tx.models.get(model.team_id, model.id)
        if fresh is None or fresh.retired_at is not None:
            continue  # a sync running at the same time retired it
        report.changes.append(f"{model.name}: retired ({why})")
        if dry_run or project is None:
            continue
        tx.models.retire(model.team_id, model.id, now)
        line = f"🪦 *{esc(model.name)}* {why}: retired, and its business-metric reminders stop."
        tx.deliveries.add_many(outbox.thread_line("thread", project, line, now))


def missed_before(tx: Tx, team_id: str) -> set[str]:
    """The followed models the last good sync of a workspace did not find in the registry."""
    latest = tx.registry.latest(team_id)
    if latest is None:
        return set()
    return {str(m[0]) for m in json.loads(latest[1]).get("missing") or [] if m}
