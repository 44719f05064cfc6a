"""Interview use cases: replies, edits and deletes in a project thread; posting what is due.

Every decision is taken inside one write transaction; Slack is called after the commit, and a
question (or brief) is posted by whoever claims it, so it goes out once even when handlers race.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import gates
from bot.interview import flow, render
from bot.interview.bank import Question, QuestionBank, Sets
from bot.slack_gateway import SlackGateway
from storage.rows import AnswerRow, InterviewRow, ProjectRow
from storage.sqlite.store import SqliteStore, SqliteTx
from storage.timefmt import iso

log = logging.getLogger(__name__)

# A claim to post older than this is taken to be from a process that died mid-post.
CLAIM_STALE = timedelta(seconds=60)
CHECK = "white_check_mark"
SKIPPED = "fast_forward"


@dataclass
class _After:
    """What to do in Slack once the transaction has committed."""

    react: str | None = None
    reply: render.Post | None = None


class InterviewService:
    def __init__(
        self,
        store: SqliteStore,
        slack: SlackGateway,
        bank: QuestionBank,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock

    # ---- posting the current question or the brief
    async def post_current(self, team_id: str, project_id: int) -> None:
        now = self.clock()
        async with self.store.transaction() as tx:
            project = await tx.projects.get(team_id, project_id)
            if project is None or project.thread_ts is None:
                return
            interview = await tx.interviews.get(team_id, project_id, project.stage)
            if interview is None or not await tx.interviews.claim_post(
                interview.id, interview.position, iso(now), iso(now - CLAIM_STALE)
            ):
                return
            post = await self._compose(tx, project, interview)
        result = await self.slack.post(
            project.channel_id, post.text, post.blocks, thread_ts=project.thread_ts
        )
        async with self.store.transaction() as tx:
            if result.ok and result.ts:
                await tx.interviews.mark_posted(interview.id, interview.position, result.ts)
            else:
                await tx.interviews.mark_post_failed(
                    interview.id, interview.position, result.error or "unknown"
                )

    async def _compose(
        self, tx: SqliteTx, project: ProjectRow, interview: InterviewRow
    ) -> render.Post:
        questions = self.bank.questions(interview.stage)
        if interview.position < len(questions):
            return render.question(
                interview.position + 1, len(questions), questions[interview.position]
            )
        answers = {
            a.question_key: a
            for a in await tx.answers.for_project(project.team_id, project.id, interview.stage)
        }
        notes = [
            n
            for n in await tx.notes.for_project(project.team_id, project.id)
            if n.stage == interview.stage
        ]
        result = gates.gate(questions, {k: a.status for k, a in answers.items()})
        return render.brief(interview.stage, project.name, questions, answers, result, len(notes))

    async def retry_pending(self) -> int:
        """Post every question or brief whose earlier post failed; returns how many tried."""
        now = self.clock()
        waiting = await self.store.reading().interviews.waiting_to_post(iso(now - CLAIM_STALE))
        for interview in waiting:
            await self.post_current(interview.team_id, interview.project_id)
        return len(waiting)

    # ---- replies
    async def on_reply(
        self, team_id: str, channel: str, thread_ts: str, ts: str, user: str, text: str
    ) -> None:
        now = iso(self.clock())
        after = _After()
        async with self.store.transaction() as tx:
            project = await tx.projects.by_thread(team_id, channel, thread_ts)
            if project is None or await self._seen(tx, project, ts):
                return
            interview = await tx.interviews.get(team_id, project.id, project.stage)
            questions = self.bank.questions(project.stage)
            if interview is None or interview.position >= len(questions):
                return
            number, total = interview.position + 1, len(questions)
            question = questions[interview.position]
            reading = flow.read_reply(question, interview.question_ts, ts, text)
            if isinstance(reading, flow.Discussion):
                return
            if isinstance(reading, flow.Early | flow.Unreadable):
                kind = "early_reply" if isinstance(reading, flow.Early) else "unreadable"
                await tx.notes.add(
                    team_id=team_id,
                    project_id=project.id,
                    kind=kind,
                    stage=project.stage,
                    question_key=question.key,
                    author_id=user,
                    message_ts=ts,
                    text=text,
                    now=now,
                )
                after.reply = (
                    render.early_reply(user, number, total)
                    if isinstance(reading, flow.Early)
                    else render.reask(user, number, total, question, reading.reason)
                )
            else:
                answered = isinstance(reading, flow.Answer)
                await tx.answers.record(
                    team_id=team_id,
                    project_id=project.id,
                    stage=project.stage,
                    question_key=question.key,
                    status="answered" if answered else "skipped",
                    text=reading.parsed.text if isinstance(reading, flow.Answer) else text,
                    author_id=user,
                    message_ts=ts,
                    now=now,
                )
                if isinstance(reading, flow.Answer) and question.sets is Sets.TIME_BOX:
                    await tx.projects.set_time_box(
                        team_id, project.id, project.stage, reading.parsed.days
                    )
                await tx.interviews.advance(
                    interview, interview.position + 1, interview.position + 1 >= total, now
                )
                after.react = CHECK if answered else SKIPPED
        await self._apply(project, ts, after)
        await self.post_current(team_id, project.id)

    async def _seen(self, tx: SqliteTx, project: ProjectRow, ts: str) -> bool:
        """True when this message was already taken (the same ts delivered again)."""
        if await tx.answers.by_message(project.team_id, project.id, ts) is not None:
            return True
        return await tx.notes.by_message(project.team_id, project.id, ts) is not None

    async def _apply(self, project: ProjectRow, ts: str, after: _After) -> None:
        if after.react:
            await self.slack.react(project.channel_id, ts, after.react)
        if after.reply:
            await self.slack.post(
                project.channel_id,
                after.reply.text,
                after.reply.blocks,
                thread_ts=project.thread_ts,
            )

    # ---- edits and deletes
    def _question(self, answer: AnswerRow) -> tuple[int, Question | None]:
        questions = self.bank.questions(answer.stage)
        for number, question in enumerate(questions, start=1):
            if question.key == answer.question_key:
                return number, question
        return 0, None

    async def on_edit(
        self, team_id: str, channel: str, thread_ts: str, ts: str, user: str, text: str
    ) -> None:
        now = iso(self.clock())
        after = _After()
        async with self.store.transaction() as tx:
            project = await tx.projects.by_thread(team_id, channel, thread_ts)
            if project is None:
                return
            answer = await tx.answers.by_message(team_id, project.id, ts)
            if answer is None:
                note = await tx.notes.by_message(team_id, project.id, ts)
                if note is not None and note.text != text:
                    await tx.notes.change_text(note, text, now)
                return
            number, question = self._question(answer)
            if question is None:
                await tx.answers.change(answer, text=text, status="answered", by=user, now=now)
                return
            reading = flow.read_edit(question, text)
            if isinstance(reading, flow.Unreadable):
                after.reply = render.edit_refused(user, number, reading.reason)
            else:
                status = {
                    flow.Answer: "answered",
                    flow.Skip: "skipped",
                    flow.Discussion: "withdrawn",
                }[type(reading)]
                new_text = reading.parsed.text if isinstance(reading, flow.Answer) else text
                if (new_text, status) == (answer.text, answer.status):
                    return
                await tx.answers.change(answer, text=new_text, status=status, by=user, now=now)
                if question.sets is Sets.TIME_BOX:
                    days = reading.parsed.days if isinstance(reading, flow.Answer) else None
                    await tx.projects.set_time_box(team_id, project.id, answer.stage, days)
        await self._apply(project, ts, after)

    async def on_delete(self, team_id: str, channel: str, thread_ts: str, deleted_ts: str) -> None:
        now = iso(self.clock())
        async with self.store.transaction() as tx:
            project = await tx.projects.by_thread(team_id, channel, thread_ts)
            if project is None:
                return
            answer = await tx.answers.by_message(team_id, project.id, deleted_ts)
            if answer is None:
                note = await tx.notes.by_message(team_id, project.id, deleted_ts)
                if note is not None:
                    await tx.notes.remove(note)
                return
            if answer.status == "withdrawn":
                return
            await tx.answers.change(
                answer, text=answer.text, status="withdrawn", by=answer.author_id, now=now
            )
            _, question = self._question(answer)
            if question is not None and question.sets is Sets.TIME_BOX:
                await tx.projects.set_time_box(team_id, project.id, answer.stage, None)
