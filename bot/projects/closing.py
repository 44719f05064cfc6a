"""`/mle close` and `/mle reopen`: a project ends with an outcome and a retrospective in its
thread; reopening puts it back where it was."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.blocks import clip, esc
from bot.bus import home_changed
from bot.domain.bank import QuestionBank
from bot.domain.stages import Stage
from bot.interview.record import kpi_lines
from bot.interview.service import InterviewService
from bot.projects.parent import queue_update
from bot.scheduling import checkins as checkin_schedule
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import ProjectRow
from storage.store import Store, Tx

OUTCOMES = ("shipped", "cancelled", "paused")


class ProjectCloser:
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

    async def _refusal(self, team_id: str, user: str, project_id: int, verb: str) -> str | None:
        """Why `user` may not close or reopen the project (None: the owner or an admin)."""
        project = await self.store.read(lambda tx: tx.projects.get(team_id, project_id))
        if project is None:
            return "That project no longer exists."
        if user == project.owner_id or await self.slack.is_admin(user):
            return None
        return (
            f"Only the owner of *{esc(project.name)}* (<@{project.owner_id}>) or a "
            f"workspace admin can {verb} it."
        )

    async def close(
        self, team_id: str, user: str, project_id: int, outcome: str, reason: str
    ) -> str:
        refused = await self._refusal(team_id, user, project_id, "close")
        if refused:
            return refused
        moment = self.clock()
        questions = self.bank.questions(Stage.CLOSED)

        def close(tx: Tx) -> str | tuple[ProjectRow, list[str]]:
            fresh = tx.projects.get(team_id, project_id)
            if fresh is None:
                return "That project no longer exists."
            if fresh.stage == Stage.CLOSED:
                return (
                    f"*{esc(fresh.name)}* is already closed ({fresh.outcome}); "
                    f"`/mle reopen {fresh.slug}` reopens it."
                )
            tx.projects.move_stage(
                team_id=team_id,
                project_id=project_id,
                stage=Stage.CLOSED.value,
                now=moment,
                by=user,
                forced=False,
                reason=f"closed: {outcome}" + (f" — {reason}" if reason else ""),
            )
            tx.projects.set_outcome(
                team_id, project_id, outcome, reason or None, user, moment, fresh.stage
            )
            queue_update(tx, fresh, moment)  # the channel's message says how it ended
            # its check-ins are held, not skipped slot after slot while it stays closed
            checkin_schedule.hold(tx, fresh)
            live = [m.name for m in tx.models.for_project(team_id, project_id) if not m.retired_at]
            why = f" Reason: {esc(clip(reason, 500)).rstrip('.')}." if reason else ""
            line = (
                f"🏁 <@{user}> closed *{esc(fresh.name)}* ({outcome}), from {fresh.stage}.{why} "
                "Check-ins stop; it leaves the digest and stays in `/mle status`."
            )
            if live:
                names = ", ".join(f"*{esc(n)}*" for n in live)
                line += (
                    f"\n{names} {'is' if len(live) == 1 else 'are'} still deployed, so "
                    "business-metric reminders continue until `/mle retire`."
                )
            earlier = tx.interviews.get(team_id, project_id, Stage.CLOSED.value)
            if questions and earlier is None:
                line += f"\nA short retrospective follows: {len(questions)} questions."
                record = kpi_lines(tx, fresh)
                if record:
                    line += "\nFor Q1, the KPI as recorded:\n" + "\n".join(record)
            elif questions:
                line += (
                    "\nIts retrospective from the earlier close stands: `/mle brief "
                    f"{fresh.slug} closed` shows it, `/mle answer {fresh.slug} closed.Q2 …` "
                    "revises an answer."
                )
            tx.deliveries.add_many(outbox.thread_line("thread", fresh, line, moment))
            if questions and earlier is None:
                tx.interviews.create(team_id, project_id, Stage.CLOSED.value, moment)
                tx.interviews.requeue(team_id, project_id, Stage.CLOSED.value)
                moved = tx.projects.get(team_id, project_id)
                assert moved is not None
                self.interviews.queue_current(tx, moved, moment)
            home_changed(tx, team_id, fresh.owner_id, user)
            return fresh, live

        done = await self.store.write(close)
        if isinstance(done, str):
            return done
        closed, live = done
        still = f" {len(live)} model(s) still deployed keep their reminders." if live else ""
        return f"Closed *{esc(closed.name)}* ({outcome}).{still}"

    async def reopen(self, team_id: str, user: str, project_id: int) -> str:
        refused = await self._refusal(team_id, user, project_id, "reopen")
        if refused:
            return refused
        moment = self.clock()

        def reopen(tx: Tx) -> str | ProjectRow:
            fresh = tx.projects.get(team_id, project_id)
            if fresh is None:
                return "That project no longer exists."
            if fresh.stage != Stage.CLOSED:
                return f"*{esc(fresh.name)}* is not closed; it is in {fresh.stage}."
            back = fresh.reopen_stage or Stage.EVALUATION.value
            tx.projects.move_stage(
                team_id=team_id,
                project_id=project_id,
                stage=back,
                now=moment,
                by=user,
                forced=False,
                reason=f"reopened (was {fresh.outcome})",
            )
            tx.projects.set_outcome(team_id, project_id, None, None, None, None, None)
            queue_update(tx, fresh, moment)
            resumed = checkin_schedule.resume(tx, fresh, moment)  # held ones go on from now
            # the day count goes on from when it first entered that stage
            entered = [
                at for stage, at, _, _ in tx.projects.timeline(team_id, project_id) if stage == back
            ]
            if entered:
                tx.projects.set_stage_entered(team_id, project_id, entered[0])
            line = (
                f"🔄 <@{user}> reopened *{esc(fresh.name)}* (it was {fresh.outcome}); it is "
                f"back in {back}" + (", and check-ins resume." if resumed else ".")
            )
            tx.deliveries.add_many(outbox.thread_line("thread", fresh, line, moment))
            # the stage's interview picks up where it was: its waiting question is asked again
            tx.interviews.requeue(team_id, project_id, back)
            reopened = tx.projects.get(team_id, project_id)
            assert reopened is not None
            self.interviews.queue_current(tx, reopened, moment)
            home_changed(tx, team_id, fresh.owner_id, user)
            return fresh

        done = await self.store.write(reopen)
        if isinstance(done, str):
            return done
        return f"Reopened *{esc(done.name)}*."
