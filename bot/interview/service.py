"""Interview use cases: replies, edits and deletes in a project thread; posting what is due.

Each decision is one unit of work run whole in a write transaction. Slack is called after the
commit; a question (or brief) is posted only by whoever claimed it in a transaction, so it
goes out once even when handlers race or processes restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.domain import flow, gates
from bot.domain import reply as reply_rules
from bot.domain.bank import Question, QuestionBank, Sets
from bot.domain.extension import BadExtension, Extension
from bot.domain.timebox import day_in_stage
from bot.interview import render
from bot.slack_gateway import PERMANENT, SlackGateway
from bot.touch import Touch, nobody
from storage.rows import AnswerRow, InterviewRow, ProjectRow
from storage.store import Store, Tx
from storage.timefmt import iso, parse

log = logging.getLogger(__name__)

# A claim to post older than this is taken to be from a process that died mid-post.
CLAIM_STALE = timedelta(seconds=60)
# A reply that arrives while the current question is being posted waits for the post to be
# recorded (its ts decides whether the reply came after the question), polling this often.
POSTING_POLL = 0.05
POSTING_WAIT = 3.0
CHECK = "white_check_mark"
NOTED = "memo"
SKIPPED = "fast_forward"


@dataclass(frozen=True)
class _Claim:
    """The right, taken in a transaction, to post an interview's current question or brief."""

    interview_id: int
    position: int
    channel: str
    thread_ts: str
    post: render.Post
    # taken over from a claimant that died or timed out: the post may already be in Slack
    retake: bool = False

    @property
    def key(self) -> str:
        return f"question:{self.interview_id}:{self.position}"


_WAIT = object()


@dataclass
class _Outcome:
    """What to do in Slack once the transaction has committed."""

    project: ProjectRow
    actor: str = ""
    react: str | None = None
    reply: render.Post | None = None
    claim: _Claim | None = None


class InterviewService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        clock: Callable[[], datetime],
        touch: Touch = nobody,
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock
        self.touch = touch  # whose Home tabs a change affects

    # ---- posting the current question or the brief
    def _compose(self, tx: Tx, project: ProjectRow, interview: InterviewRow) -> render.Post:
        questions = self.bank.questions(interview.stage)
        if interview.position < len(questions):
            return render.question(
                interview.position + 1, len(questions), questions[interview.position]
            )
        answers = {
            a.question_key: a
            for a in tx.answers.for_project(project.team_id, project.id, interview.stage)
        }
        notes = [
            n
            for n in tx.notes.for_project(project.team_id, project.id)
            if n.stage == interview.stage
        ]
        result = gates.gate(questions, {k: a.status for k, a in answers.items()})
        return render.brief(interview.stage, project.name, questions, answers, result, len(notes))

    def _claim(self, tx: Tx, project: ProjectRow, now: datetime) -> _Claim | None:
        if project.thread_ts is None:
            return None
        interview = tx.interviews.get(project.team_id, project.id, project.stage)
        if interview is None or not tx.interviews.claim_post(
            interview.id, interview.position, iso(now), iso(now - CLAIM_STALE)
        ):
            return None
        return _Claim(
            interview.id,
            interview.position,
            project.channel_id,
            project.thread_ts,
            self._compose(tx, project, interview),
            retake=interview.post_state == "posting",
        )

    async def _deliver(self, claim: _Claim) -> None:
        """Post the claimed question or brief, tagged with its key. A claim taken over from
        a claimant that died or timed out first looks for the tagged post in the thread, so
        a post that did reach Slack is recorded, not repeated."""
        if claim.retake:
            found = await self.slack.find_posted(claim.channel, claim.thread_ts, claim.key)
            if found.error:
                # cannot tell (history reads are rate-limited hard): the claim stays and is
                # taken over again, with another look, once it is stale
                log.info("post %s: outcome still unknown (%s)", claim.key, found.error)
                return
        if not claim.retake or not found.ok:
            found = await self.slack.post(
                claim.channel,
                claim.post.text,
                claim.post.blocks,
                thread_ts=claim.thread_ts,
                key=claim.key,
            )
        result = found

        def record(tx: Tx) -> None:
            if result.ok and result.ts:
                tx.interviews.mark_posted(claim.interview_id, claim.position, result.ts)
            elif not result.unknown:
                error = result.error or "unknown"
                tx.interviews.mark_post_failed(
                    claim.interview_id, claim.position, error, permanent=error in PERMANENT
                )
            # an unknown outcome keeps the claim: the next look finds the post or posts it

        await self.store.write(record)

    async def post_current(self, team_id: str, project_id: int) -> None:
        now = self.clock()

        def claim(tx: Tx) -> _Claim | None:
            project = tx.projects.get(team_id, project_id)
            return self._claim(tx, project, now) if project else None

        taken = await self.store.write(claim)
        if taken is not None:
            await self._deliver(taken)

    async def retry_pending(self) -> int:
        """Post every question or brief whose earlier post failed; returns how many tried."""
        stale = iso(self.clock() - CLAIM_STALE)
        waiting = await self.store.read(lambda tx: tx.interviews.waiting_to_post(stale))
        for interview in waiting:
            await self.post_current(interview.team_id, interview.project_id)
        return len(waiting)

    # ---- replies
    async def on_reply(
        self, team_id: str, channel: str, thread_ts: str, ts: str, user: str, text: str
    ) -> None:
        waited = 0.0
        while True:
            now = self.clock()
            patient = waited < POSTING_WAIT
            take = partial(
                self._take_reply,
                team_id=team_id,
                channel=channel,
                thread_ts=thread_ts,
                ts=ts,
                user=user,
                text=text,
                now=now,
                patient=patient,
            )
            outcome = await self.store.write(take)
            if outcome is not _WAIT:
                break
            await asyncio.sleep(POSTING_POLL)
            waited += POSTING_POLL
        if isinstance(outcome, _Outcome):
            await self._apply(outcome, ts)

    def _take_reply(
        self,
        tx: Tx,
        team_id: str,
        channel: str,
        thread_ts: str,
        ts: str,
        user: str,
        text: str,
        now: datetime,
        patient: bool,
    ) -> _Outcome | object | None:
        """Load the thread's state, decide (bot/domain/reply.py), apply the decision."""
        project = tx.projects.by_thread(team_id, channel, thread_ts)
        if project is None:
            return None
        interview = tx.interviews.get(team_id, project.id, project.stage)
        checkin = tx.deliveries.latest_posted(team_id, "checkin", str(project.id))
        state = reply_rules.ReplyState(
            questions=self.bank.questions(project.stage),
            position=interview.position if interview else None,
            question_ts=interview.question_ts if interview else None,
            posting=interview is not None and interview.post_state == "posting",
            checkin_ts=checkin.posted_ts if checkin else None,
            seen=self._seen(tx, project, ts),
        )
        decision = reply_rules.decide_reply(
            state, reply_rules.Reply(ts, user, text), patient=patient
        )
        if isinstance(decision, reply_rules.Wait):
            return _WAIT  # the question is on its way to Slack; its ts is not known yet
        if isinstance(decision, reply_rules.Ignore):
            return None
        if isinstance(decision, reply_rules.CheckinNote):
            assert checkin is not None
            outcome = self._checkin_note(tx, project, checkin.id, ts, user, text, now, decision)
            if decision.ask_again:  # the check-in came after the pending question
                tx.interviews.requeue(team_id, project.id, project.stage)
                outcome.claim = self._claim(tx, project, now)
            return outcome
        stamp = iso(now)
        outcome = _Outcome(project, actor=user)
        if isinstance(decision, reply_rules.Note):
            tx.notes.add(
                team_id=team_id,
                project_id=project.id,
                kind="early_reply" if decision.early else "unreadable",
                stage=project.stage,
                question_key=decision.question.key,
                author_id=user,
                message_ts=ts,
                text=text,
                now=stamp,
            )
            if decision.early:
                outcome.reply = render.early_reply(user, decision.number, decision.total)
            else:
                outcome.reply = render.reask(
                    user, decision.number, decision.total, decision.question, decision.reason
                )
            outcome.claim = self._claim(tx, project, now)  # re-post a question that failed
            return outcome
        assert interview is not None and project.thread_ts is not None
        tx.answers.record(
            team_id=team_id,
            project_id=project.id,
            stage=project.stage,
            question_key=decision.question.key,
            status="answered" if decision.answered else "skipped",
            text=decision.text,
            author_id=user,
            message_ts=ts,
            now=stamp,
        )
        if decision.time_box_days is not None:
            tx.projects.set_time_box(team_id, project.id, project.stage, decision.time_box_days)
        tx.interviews.advance(interview, decision.number, decision.finished, stamp, claim=True)
        moved = tx.interviews.get(team_id, project.id, project.stage)
        assert moved is not None
        outcome.react = CHECK if decision.answered else SKIPPED
        outcome.claim = _Claim(
            moved.id,
            moved.position,
            project.channel_id,
            project.thread_ts,
            self._compose(tx, project, moved),
        )
        return outcome

    def _checkin_note(
        self,
        tx: Tx,
        project: ProjectRow,
        checkin_id: int,
        ts: str,
        user: str,
        text: str,
        now: datetime,
        decision: reply_rules.CheckinNote,
    ) -> _Outcome:
        """A reply to the latest check-in: kept as a note; `extend …` extends the time box."""
        stamp = iso(now)
        tx.notes.add(
            team_id=project.team_id,
            project_id=project.id,
            kind="checkin",
            stage=project.stage,
            question_key=None,
            author_id=user,
            message_ts=ts,
            text=text,
            now=stamp,
            delivery_id=checkin_id,
        )
        tx.deliveries.respond(checkin_id, user, stamp)
        outcome = _Outcome(project, actor=user, react=NOTED)
        extension = decision.extension
        if isinstance(extension, BadExtension):
            outcome.reply = render.plain(f"<@{user}> noted, but not extended: {extension.problem}.")
        elif isinstance(extension, Extension):
            box = tx.projects.time_box(project.team_id, project.id, project.stage)
            base = (
                box
                if box is not None
                else day_in_stage(parse(project.stage_entered_at), now, project.tz)
            )
            tx.projects.set_time_box(
                project.team_id, project.id, project.stage, base + extension.days
            )
            outcome.reply = render.plain(
                f"⏱️ <@{user}> extended the {project.stage} time box by {extension.days} days "
                f"to {base + extension.days} days. Reason on record: {extension.reason}"
            )
        return outcome

    async def ask_again(self, team_id: str, project_id: int, after_ts: str) -> None:
        """Post the pending question again if a post at `after_ts` (a check-in) came after it."""

        def requeue(tx: Tx) -> None:
            project = tx.projects.get(team_id, project_id)
            if project is not None:
                tx.interviews.requeue(team_id, project_id, project.stage, before_ts=after_ts)

        await self.store.write(requeue)
        await self.post_current(team_id, project_id)

    def _seen(self, tx: Tx, project: ProjectRow, ts: str) -> bool:
        """True when this message was already taken (the same ts delivered again)."""
        if tx.answers.by_message(project.team_id, project.id, ts) is not None:
            return True
        return tx.notes.by_message(project.team_id, project.id, ts) is not None

    async def _apply(self, outcome: _Outcome, ts: str) -> None:
        project = outcome.project
        self.touch(project.team_id, project.owner_id, outcome.actor)

        async def react() -> None:
            if outcome.react:
                await self.slack.react(project.channel_id, ts, outcome.react)

        async def thread_posts() -> None:
            if outcome.reply:
                await self.slack.post(
                    project.channel_id,
                    outcome.reply.text,
                    outcome.reply.blocks,
                    thread_ts=project.thread_ts,
                )
            if outcome.claim:
                await self._deliver(outcome.claim)

        await asyncio.gather(react(), thread_posts())

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
        stamp = iso(self.clock())
        outcome = await self.store.write(
            lambda tx: self._take_edit(tx, team_id, channel, thread_ts, ts, user, text, stamp)
        )
        if outcome is not None:
            await self._apply(outcome, ts)

    def _take_edit(
        self,
        tx: Tx,
        team_id: str,
        channel: str,
        thread_ts: str,
        ts: str,
        user: str,
        text: str,
        now: str,
    ) -> _Outcome | None:
        project = tx.projects.by_thread(team_id, channel, thread_ts)
        if project is None:
            return None
        answer = tx.answers.by_message(team_id, project.id, ts)
        if answer is None:
            note = tx.notes.by_message(team_id, project.id, ts)
            if note is not None and note.text != text:
                tx.notes.change_text(note, text, now)
            return None
        number, question = self._question(answer)
        if question is None:
            tx.answers.change(answer, text=text, status="answered", by=user, now=now)
            return None
        reading = flow.read_edit(question, text)
        if isinstance(reading, flow.Unreadable):
            return _Outcome(
                project, actor=user, reply=render.edit_refused(user, number, reading.reason)
            )
        status = {flow.Answer: "answered", flow.Skip: "skipped", flow.Discussion: "withdrawn"}[
            type(reading)
        ]
        new_text = reading.parsed.text if isinstance(reading, flow.Answer) else text
        if (new_text, status) != (answer.text, answer.status):
            tx.answers.change(answer, text=new_text, status=status, by=user, now=now)
            if question.sets is Sets.TIME_BOX:
                days = reading.parsed.days if isinstance(reading, flow.Answer) else None
                tx.projects.set_time_box(team_id, project.id, answer.stage, days)
        return None

    async def on_delete(self, team_id: str, channel: str, thread_ts: str, deleted_ts: str) -> None:
        stamp = iso(self.clock())

        def withdraw(tx: Tx) -> None:
            project = tx.projects.by_thread(team_id, channel, thread_ts)
            if project is None:
                return
            answer = tx.answers.by_message(team_id, project.id, deleted_ts)
            if answer is None:
                note = tx.notes.by_message(team_id, project.id, deleted_ts)
                if note is not None:
                    tx.notes.remove(note)
                return
            if answer.status == "withdrawn":
                return
            tx.answers.change(
                answer, text=answer.text, status="withdrawn", by=answer.author_id, now=stamp
            )
            _, question = self._question(answer)
            if question is not None and question.sets is Sets.TIME_BOX:
                tx.projects.set_time_box(team_id, project.id, answer.stage, None)

        await self.store.write(withdraw)
