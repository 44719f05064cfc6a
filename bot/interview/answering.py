"""`/mle answer` (any question of the current or an earlier stage, whenever) and `/mle brief`
(the latest brief again, in the project thread)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.blocks import clip, esc
from bot.bus import home_changed, request_key
from bot.domain.answers import example
from bot.domain.bank import Question, QuestionBank, Sets
from bot.domain.reading import model_metric_named
from bot.domain.reply import Record, Refused, Reply, ReplyState, decide_reply, numbered
from bot.domain.stages import ORDER, Stage, stage_label
from bot.interview import render
from bot.interview.service import InterviewService
from bot.scheduling import outbox
from storage.rows import ProjectRow
from storage.store import Store, Tx

# the service's line for an answer that changed (bot/interview/service.py `take`)
_REVISED = re.compile(r"^✏️ .+? Q\d+ (revised|skipped|kept open) (\(was .*\))\.$", re.S)


@dataclass(frozen=True)
class _Done:
    reply: str
    project: ProjectRow | None = None  # set when the thread got a post


def find_question(questions: tuple[Question, ...], ref: str) -> tuple[int, Question] | None:
    """`Q4` (1-based) or a question key → (number, question)."""
    if ref[:1] == "Q" and ref[1:].isdigit():
        number = int(ref[1:])
        return (number, questions[number - 1]) if 1 <= number <= len(questions) else None
    for number, question in enumerate(questions, start=1):
        if question.key == ref:
            return number, question
    return None


class AnswerService:
    def __init__(
        self,
        store: Store,
        bank: QuestionBank,
        interviews: InterviewService,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.bank = bank
        self.interviews = interviews
        self.clock = clock

    async def answer(
        self, team_id: str, user: str, project_id: int, stage: str | None, ref: str, text: str
    ) -> str:
        now = self.clock()
        key = request_key()

        def unit(tx: Tx) -> _Done:
            if key is not None and tx.answers.given_by(team_id, key):
                return _Done("That answer was recorded already; nothing changed.")
            done = self._answer(tx, team_id, user, project_id, stage, ref, text, now, key)
            if done.project is not None:
                home_changed(tx, done.project.team_id, done.project.owner_id, user)
            return done

        done = await self.store.write(unit)
        return done.reply

    def _answer(
        self,
        tx: Tx,
        team_id: str,
        user: str,
        project_id: int,
        stage_name: str | None,
        ref: str,
        text: str,
        now: datetime,
        key: str | None = None,
    ) -> _Done:
        project = tx.projects.get(team_id, project_id)
        if project is None:
            return _Done("That project no longer exists.")
        stage = Stage(stage_name or project.stage)
        current = Stage(project.stage)
        if current is not Stage.CLOSED and ORDER.index(stage) > ORDER.index(current):
            return _Done(
                f"*{esc(project.name)}* is in *{current}*; {stage} questions come when it gets "
                "there."
            )
        questions = self.bank.questions(stage)
        found = find_question(questions, ref)
        if found is None:
            keys = ", ".join(f"`{q.key}`" for q in questions[:4])
            return _Done(
                f"The {stage} interview has Q1 to Q{len(questions)}; `{esc(ref[:40])}` is none "
                f"of them (keys work too: {keys} …)."
            )
        number, question = found
        typed = f"Q{number}: {text.strip()}"
        if numbered(typed) is None:
            return _Done(f"Nothing recorded: give the answer after Q{number}.")
        interview = tx.interviews.get(team_id, project.id, stage)
        asking = interview is not None and interview.status == "active" and stage is current
        state = ReplyState(
            questions=questions,
            position=interview.position if asking and interview is not None else None,
            question_ts=interview.question_ts if asking and interview is not None else None,
            posting=False,  # a command does not wait for a question's post
            checkin_ts=None,
            seen=False,
            warned=True,  # a command is deliberate: a model metric is kept (and flagged)
            order=self.interviews.order(interview) if interview else (),
        )
        # read as the thread reads `Q4: …`, whenever it comes (bot/domain/reply.py)
        decision = decide_reply(state, Reply("", user, typed))
        if isinstance(decision, Refused):
            return _Done(
                f"Nothing recorded: {esc(decision.unreadable or decision.reason)}. "
                f"{stage_label(stage)} Q{number} needs {example(question)}."
            )
        if not isinstance(decision, Record):
            return _Done("Nothing recorded: an answer starting with `//` reads as discussion.")
        if decision.answered and question.sets is Sets.KPI:
            decision = replace(decision, flagged=model_metric_named(decision.text))
        pending = decision.pending
        text = decision.text
        problem = self.interviews.unit_problem(tx, project, stage.value, decision)
        if problem:
            return _Done(f"Nothing recorded: {esc(problem)}. Write the value with its unit.")
        lead = self.interviews.take(tx, project, decision, user, None, now, stage=stage.value)
        if key is not None:
            tx.answers.keep_request(team_id, project.id, stage.value, question.key, key)
        shown = clip(render.shown_answer(question, text.strip()), 600)
        # one line in the thread: what was said before goes on the answer's own line
        verb, was, rest = "answered", "", list(lead)
        for item in lead:
            revised = _REVISED.match(item)
            if revised is not None:
                verb, was = revised.group(1), f" {revised.group(2)}"
                rest.remove(item)
                break
        line = (
            f"✏️ <@{user}> {verb} {stage_label(stage)} Q{number} ({question.key}) with "
            f"`/mle answer`: “{shown}”{was}"
        )
        if project.thread_ts:
            lines = "\n".join((line, *rest))
            tx.deliveries.add_many(outbox.thread_line("thread", project, lines, now))
        if pending and interview is not None:
            moved = self.interviews.advance_past(tx, project, interview, now)
            tx.deliveries.add_many([self.interviews.question_row(tx, project, moved, now)])
        said = "Recorded" if decision.answered else f"Recorded as {decision.status}"
        return _Done(
            f"{said} {stage_label(stage)} Q{number} of *{esc(project.name)}*."
            + ("\n" + "\n".join(lead) if lead else ""),
            project if project.thread_ts else None,
        )

    async def brief(
        self, team_id: str, user: str, project_id: int, stage_name: str | None = None
    ) -> str:
        """The brief of the project's latest finished interview (or of `stage_name`'s, as
        its answers stand), posted in its thread again."""
        now = self.clock()

        def post(tx: Tx) -> _Done:
            project = tx.projects.get(team_id, project_id)
            if project is None:
                return _Done("That project no longer exists.")
            if not project.thread_ts:
                return _Done(f"*{esc(project.name)}* has no thread yet; try again in a minute.")
            if stage_name is not None:
                if tx.interviews.get(team_id, project.id, stage_name) is None:
                    return _Done(f"*{esc(project.name)}* has had no {stage_name} interview.")
                done = [Stage(stage_name)]
            else:
                done = [
                    stage
                    for stage in ORDER
                    if (i := tx.interviews.get(team_id, project.id, stage.value)) is not None
                    and i.status == "complete"
                ]
            if not done:
                return _Done(
                    f"No interview of *{esc(project.name)}* has finished yet. Its "
                    f"{project.stage} answers so far: `/mle status {project.slug}`."
                )
            stage = done[-1].value
            brief = self.interviews.brief(tx, project, stage)
            tx.deliveries.add_many(
                [
                    outbox.message(
                        team_id,
                        "thread",
                        str(project.id),
                        project.channel_id,
                        brief,
                        now,
                        thread_ts=project.thread_ts,
                        label=project.name,
                    )
                ]
            )
            return _Done(
                f"Posted the {stage} brief of *{esc(project.name)}* in its thread.", project
            )

        done = await self.store.write(post)
        return done.reply
