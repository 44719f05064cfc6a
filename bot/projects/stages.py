"""`/mle stage`: move a project through the lifecycle, behind its stage gate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from bot.blocks import clip, esc
from bot.bus import home_changed
from bot.domain import gates
from bot.domain.bank import QuestionBank, Sets, numbers
from bot.domain.kpi import Stated, read_plan
from bot.domain.stage_move import (
    AlreadyThere,
    Closed,
    GateClosed,
    NoGoDecided,
    NotNext,
    decide_move,
)
from bot.domain.stages import ORDER, Stage
from bot.interview.service import InterviewService
from bot.projects.lookup import find_project
from bot.projects.parent import queue_update
from bot.scheduling import checkins as checkin_schedule
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import ProjectRow
from storage.store import Store, Tx


@dataclass(frozen=True)
class Moved:
    """The project moved; `text` says so to the person who asked."""

    text: str


@dataclass(frozen=True)
class Refused:
    """It did not move: `text` says why to the person who asked, `why` in a few words for
    a record (a check-in's note)."""

    text: str
    why: str = "refused"


class StageService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        interviews: InterviewService,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.interviews = interviews
        self.clock = clock

    def _gate(self, tx: Tx, project: ProjectRow) -> gates.Gate:
        answers = tx.answers.for_project(project.team_id, project.id, project.stage)
        return gates.read_gate(
            self.bank.questions(project.stage),
            {
                a.question_key: gates.Given(a.status, a.text, a.author_id, a.updated_at)
                for a in answers
            },
        )

    def _missing(self, project: ProjectRow, result: gates.Gate) -> str:
        number = numbers(self.bank.questions(project.stage))
        return "\n".join(
            f"• Q{number[q.key]}. {clip(q.text, 200)}  →  `/mle answer {project.slug} "
            f"Q{number[q.key]} …`"
            for q in result.missing
        )

    def _kpi_warning(self, tx: Tx, project: ProjectRow) -> str:
        """Leaving a stage whose KPI is a model metric (F2) says so again."""
        questions = self.bank.questions(project.stage)
        answers = tx.answers.for_project(project.team_id, project.id, project.stage)
        plan = read_plan(questions, {a.question_key: Stated(a.status, a.text) for a in answers})
        if not plan.model_metric:
            return ""
        number = next(n for n, q in enumerate(questions, 1) if q.sets is Sets.KPI)
        return (
            f"\n⚠️ *F2*: the KPI agreed in {project.stage} ({esc(plan.model_metric)}) measures "
            "the model, not the business. Name the business KPI before launch: "
            f"`/mle answer {project.slug} {project.stage}.Q{number} <business KPI>`."
        )

    def _no_go(self, project: ProjectRow, no_go: gates.NoGo) -> str:
        number = numbers(self.bank.questions(project.stage))[no_go.question.key]
        why = f" Reason given: “{esc(clip(no_go.reason, 300))}”." if no_go.reason else ""
        return (
            f"⛔ The team decided *no-go* on *{esc(project.name)}* at {project.stage} Q{number} "
            f"(<@{no_go.by}>, {no_go.at:%Y-%m-%d}).{why}\nThe way to the next stage is closed. "
            "Either re-scope and answer the question again "
            f"(`/mle answer {project.slug} Q{number} go - <what changed>`), or close the "
            f"project: `/mle close {project.slug} cancelled <why>`. The owner can still "
            "override with `--force` (recorded)."
        )

    async def move(
        self,
        team_id: str,
        user: str,
        name: str,
        target: str,
        force: bool,
        along: Callable[[Tx, ProjectRow], None] | None = None,
    ) -> Moved | Refused:
        """What came of it, with what to tell the person who asked. `along`: more to write
        in the same transaction as the move (only if the project moves), given the project
        as it was."""
        found = await self.store.read(
            lambda tx: (
                p := find_project(tx, team_id, name),
                self._gate(tx, p) if not isinstance(p, str) else None,
            )
        )
        project, result = found
        if isinstance(project, str):
            return Refused(project)
        assert result is not None
        current = Stage(project.stage)
        decision = decide_move(current, target, force, result)
        if isinstance(decision, Closed):
            return Refused(f"*{project.name}* is closed; there is no next stage.")
        if isinstance(decision, AlreadyThere):
            return Refused(f"*{project.name}* is already in *{current}*.")
        if isinstance(decision, NotNext):
            return Refused(
                f"*{decision.dest}* is not the next stage of *{project.name}* (that is "
                f"*{decision.upcoming}*). The owner can jump with `--force`."
            )
        if isinstance(decision, NoGoDecided):
            return Refused(self._no_go(project, decision.no_go), "the team decided no-go")
        if isinstance(decision, GateClosed):
            return Refused(
                f"The *{current}* gate of *{project.name}* is closed. Missing required "
                f"answers:\n{self._missing(project, result)}\nAnswer with the command shown, "
                "or reply `Q<n>: <answer>` in the project thread. The owner can override "
                "with `--force`.",
                "the gate is closed",
            )
        dest, forced = decision.dest, decision.forced
        if forced and user != project.owner_id and not await self.slack.is_admin(user):
            return Refused(
                f"Only the owner of *{project.name}* (<@{project.owner_id}>) or a workspace "
                "admin can force a stage change."
            )
        reason = None
        if forced:
            number = numbers(self.bank.questions(current))
            missing = ", ".join(f"Q{number[q.key]}" for q in decision.missing)
            reason = (
                "forced"
                + ("; over the team's no-go" if result.no_go is not None else "")
                + (f"; missing {missing}" if missing else "")
                + (
                    "; skipped "
                    + ", ".join(stage.value for stage in decision.skipped)
                    + " (their questions were never asked)"
                    if decision.skipped
                    else ""
                )
                + ("; moved back" if ORDER.index(dest) < ORDER.index(current) else "")
            )
        return await self._enter(project, dest, user, forced, reason, along)

    async def _enter(
        self,
        project: ProjectRow,
        dest: Stage,
        user: str,
        forced: bool,
        reason: str | None,
        along: Callable[[Tx, ProjectRow], None] | None = None,
    ) -> Moved | Refused:
        moment = self.clock()
        note = f" ({reason})" if reason else ""
        text = (
            f"➡️ *{esc(project.name)}* moved from *{project.stage}* to *{dest}* by <@{user}>{note}."
        )
        if self.bank.questions(dest):
            text += f" Here come the {dest} questions."

        def apply(tx: Tx) -> bool:
            fresh = tx.projects.get(project.team_id, project.id)
            if fresh is None or fresh.stage != project.stage:
                return False
            tx.projects.move_stage(
                team_id=project.team_id,
                project_id=project.id,
                stage=dest.value,
                now=moment,
                by=user,
                forced=forced,
                reason=reason,
            )
            queue_update(tx, project, moment)  # the channel's message shows the new stage
            if dest == Stage.CLOSED:  # held while closed, as a close holds them
                checkin_schedule.hold(tx, project)
            said = text + self._kpi_warning(tx, project)
            tx.deliveries.add_many(outbox.thread_line("thread", project, said, moment))
            if self.bank.questions(dest):
                tx.interviews.create(project.team_id, project.id, dest.value, moment)
                tx.interviews.requeue(project.team_id, project.id, dest.value)
                moved = tx.projects.get(project.team_id, project.id)
                assert moved is not None
                self.interviews.queue_current(tx, moved, moment)
            home_changed(tx, project.team_id, project.owner_id, user)
            if along is not None:
                along(tx, project)
            return True

        if not await self.store.write(apply):
            return Refused(
                f"*{project.name}* changed stage meanwhile; check `/mle status` and retry."
            )
        return Moved(f"Moved *{project.name}* to *{dest}*.")
