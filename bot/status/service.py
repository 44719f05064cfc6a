"""`/mle status`: this channel's projects, or one project's answers so far."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.blocks import Post, clip, esc, section, sections
from bot.domain.bank import Question, QuestionBank, numbers
from bot.domain.business_rules import findings, lacks_business_metrics
from bot.domain.gates import NoGo
from bot.domain.kpi import Stated, read_plan
from bot.domain.stages import ORDER, Stage
from bot.domain.timebox import describe_days
from bot.interview.render import read_as, shown_answer
from bot.models.facts import load_models
from bot.models.reminders import team_settings
from bot.models.render import RULE_NAMES, kpi_state
from bot.problems import LOOK_BACK, describe
from bot.projects.lookup import find_project
from bot.projects.progress import Progress, progress
from storage.rows import AnswerRow, ProjectRow
from storage.store import Store, Tx

MAX_BLOCKS = 50


class StatusService:
    def __init__(self, store: Store, bank: QuestionBank, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.bank = bank
        self.clock = clock

    def _stage_line(
        self, tx: Tx, project: ProjectRow, now: datetime, where: Progress | None = None
    ) -> tuple[str, int, NoGo | None]:
        """'planning, day 3 of 14', the number of open required questions and a no-go
        (`where`: its progress, when read with other projects')."""
        if project.stage == Stage.CLOSED:
            when = f" on {project.closed_at:%Y-%m-%d}" if project.closed_at else ""
            return f"closed ({project.outcome or 'no outcome'}){when}", 0, None
        where = where or progress(tx, self.bank, [project], now)[project.id]
        stage = f"{project.stage}, {describe_days(where.day, where.time_box)}"
        return stage, where.open_required, where.no_go

    async def channel(self, team_id: str, channel: str) -> Post:
        now = self.clock()
        return await self.store.read(lambda tx: self._channel(tx, team_id, channel, now))

    def _channel(self, tx: Tx, team_id: str, channel: str, now: datetime) -> Post:
        projects = tx.projects.in_channel(team_id, channel)
        if not projects:
            text = "No MLE Coach projects in this channel yet. Start one with `/mle new <name>`."
            return Post(text, [section(text)])
        lines = []
        standing = progress(tx, self.bank, [p for p in projects if p.stage != Stage.CLOSED], now)
        for project in projects:
            stage, open_required, no_go = self._stage_line(
                tx, project, now, standing.get(project.id)
            )
            opened = (
                f"{open_required} open required question(s)"
                if open_required
                else ""
                if no_go is not None
                else "gate passes"
                if project.stage != Stage.CLOSED
                else f"retrospective: `/mle brief {project.slug} closed`"
            )
            if no_go is not None:
                decided = "⛔ the team decided *no-go*: the gate is closed"
                opened = f"{opened}; {decided}" if opened else decided
            blocked = "; 🚧 blocked" if _blockers(tx, project) else ""
            lines.append(
                f"• *{clip(project.name, 100)}* — {stage}; {opened}{blocked}; owner "
                f"<@{project.owner_id}>"
            )
        text = f"{len(projects)} project(s) in this channel."
        blocks = [section(f"*Projects in this channel* ({len(projects)})"), *sections(lines)]
        problems = _problems(tx, projects, now)
        if problems:
            blocks += sections(["*Delivery problems*", *(f"⚠️ {p}" for p in problems)])
        return Post(text, blocks[:MAX_BLOCKS])

    async def project(self, team_id: str, name: str) -> Post:
        now = self.clock()
        return await self.store.read(lambda tx: self._project(tx, team_id, name, now))

    def _project(self, tx: Tx, team_id: str, name: str, now: datetime) -> Post:
        project = find_project(tx, team_id, name)
        if isinstance(project, str):
            return Post(project, [section(project)])
        stage_line, open_required, no_go = self._stage_line(tx, project, now)
        answers = tx.answers.for_project(team_id, project.id)
        lines = [
            f"*{clip(project.name, 150)}* — {stage_line}; owner <@{project.owner_id}>; "
            f"{open_required} open required question(s)."
        ]
        if no_go is not None:
            number = numbers(self.bank.questions(project.stage))[no_go.question.key]
            why = f": “{esc(clip(no_go.reason, 200))}”" if no_go.reason else ""
            lines.append(
                f"⛔ The team decided *no-go* at {project.stage} Q{number} (<@{no_go.by}>, "
                f"{no_go.at:%Y-%m-%d}){why}. The gate is closed until Q{number} is answered "
                f"`go` again, or the project is closed."
            )
        current = ORDER.index(Stage(project.stage))
        for stage in ORDER[: current + 1]:
            questions = self.bank.questions(stage)
            if not questions:
                continue
            by_key = {a.question_key: a for a in answers if a.stage == stage.value}
            lines.append(f"*{stage.value.capitalize()}*")
            plan = read_plan(questions, {k: Stated(a.status, a.text) for k, a in by_key.items()})
            if plan.name or plan.baseline:
                lines.append(f"📏 KPI: {esc(plan.line())}")
                lines.extend(f"⚠️ {esc(r)}" for r in plan.risks)
            lines.extend(
                _answer_line(i, q, by_key.get(q.key)) for i, q in enumerate(questions, start=1)
            )
        lines[1:1] = [
            *_blockers(tx, project),
            *_latest_notes(tx, project),
            *_models(tx, project, now),
        ]
        problems = _problems(tx, [project], now)
        if problems:
            lines += ["*Delivery problems*", *(f"⚠️ {p}" for p in problems)]
        blocks = sections(lines)
        if len(blocks) > MAX_BLOCKS:
            blocks = blocks[: MAX_BLOCKS - 1] + [section("_…more than fits here._")]
        return Post(f"Status of {project.name}: {stage_line}.", blocks)


def _blockers(tx: Tx, project: ProjectRow) -> list[str]:
    return [
        f"🚧 *Blocked* since {b.raised_at:%Y-%m-%d} (raised by <@{b.raised_by}>): "
        f"“{esc(clip(b.what, 300))}”"
        + (f" — <@{b.unblocker_id}> can unblock it" if b.unblocker_id else "")
        for b in tx.blockers.open_for([(project.team_id, project.id)]).get(project.id, [])
    ]


def _latest_notes(tx: Tx, project: ProjectRow) -> list[str]:
    """The latest check-in notes (and whether the latest check-in got any)."""
    latest = tx.deliveries.latest_posted(project.team_id, "checkin", str(project.id))
    if latest is None:
        return []
    notes = [n for n in tx.notes.for_project(project.team_id, project.id) if n.kind == "checkin"]
    lines = [f"> {esc(clip(' '.join(n.text.split()), 200))} — <@{n.author_id}>" for n in notes[-6:]]
    if latest.responded_at is None:
        day = f"{latest.posted_at:%Y-%m-%d}" if latest.posted_at else ""
        lines.append(f"_Nobody has answered the check-in of {day} yet._")
    return ["*Latest check-in notes*", *lines] if lines else []


def _models(tx: Tx, project: ProjectRow, now: datetime) -> list[str]:
    """Each deployed model and the state of its business metrics."""
    live = [m for m in tx.models.for_project(project.team_id, project.id) if m.retired_at is None]
    if not live:
        return []
    facts = load_models(tx, live)
    settings = team_settings(tx, project.team_id)
    lines = ["*Deployed models*"]
    for model in live:
        rules, metrics = facts[model.id]
        found = findings(rules, now, settings)
        version = f" {esc(model.version)}" if model.version else ""
        state = (
            "business metrics complete ✅"
            if not lacks_business_metrics(found)
            else "lacks business metrics: "
            + ", ".join(f"{f.code} {RULE_NAMES[f.code]}" for f in found if f.code != "F8")
        )
        values = {k.name: k.values for k in rules.metrics}
        kpis = "\n   ".join(
            esc(kpi_state(m, values.get(m.name, ())))
            + (f"; owner <@{m.owner_id}>" if m.owner_id else "")
            for m in metrics
        )
        f8 = " ⚠️ F8 not beating its baseline" if any(f.code == "F8" for f in found) else ""
        lines.append(
            f"• *{esc(model.name)}*{version} — {state}{f8}" + (f"\n   {kpis}" if kpis else "")
        )
    return lines


def _problems(tx: Tx, projects: list[ProjectRow], now: datetime) -> list[str]:
    """Recent posts Slack refused for good, for these projects."""
    names = {p.name for p in projects}
    found = []
    for team_id, owner in sorted({(p.team_id, p.owner_id) for p in projects}):
        for _, kind, name, channel, error in tx.deliveries.failures_of_owner(
            team_id, owner, now - LOOK_BACK, False
        ):
            if name in names:
                found.append(describe(kind, name, channel, error))
    return found


def _answer_line(number: int, q: Question, answer: AnswerRow | None) -> str:
    mark = " _(required)_" if q.required else ""
    head = f"Q{number}. {clip(q.text, 120)}{mark}: "
    if answer is None or answer.status == "withdrawn":
        return head + "_not answered_"
    if answer.status == "skipped":
        return head + "_skipped_"
    if answer.status == "open":
        return head + f"_open — “{clip(esc(answer.text), 80)}” is not an answer yet_"
    shown = shown_answer(q, " ".join(answer.text.split()))
    return head + f"{clip(shown, 300)}{read_as(q, answer.text)} — <@{answer.author_id}>"
