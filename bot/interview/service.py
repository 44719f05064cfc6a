"""Interview use cases: replies, edits and deletes in a project thread; asking what is due.

Each decision is one unit of work run whole in a write transaction, which also writes what
it says (the next question, a reaction, a re-ask) to the outbox; the poster posts it after
the commit. A question (or brief) is queued only by whoever claimed it in a transaction, so
it goes out once even when handlers race or processes restart; the poster tells the
interview its ts (`question_posted`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial

from bot.blocks import clip, esc
from bot.bus import Waiting, home_changed
from bot.domain import flow, gates, kpi
from bot.domain import reply as reply_rules
from bot.domain.bank import Question, QuestionBank, Sets
from bot.domain.extension import BadExtension, Extension, read_extension
from bot.domain.names import ts_sortable
from bot.domain.stages import Stage, stage_label
from bot.domain.timebox import day_in_stage
from bot.interview import render
from bot.interview.record import record_lines
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import AnswerRow, DeliveryRow, InterviewRow, NewDelivery, ProjectRow
from storage.store import Store, Tx

log = logging.getLogger(__name__)

# A reply that arrives while the current question is being posted waits for the post to be
# recorded (its ts decides whether the reply came after the question), polling this often.
POSTING_POLL = 0.05
POSTING_WAIT = 3.0
QUESTION = "question"  # the outbox kind of questions and briefs
CHECK = "white_check_mark"
NOTED = "memo"
SKIPPED = "fast_forward"
MARKS = {"answered": CHECK, "skipped": SKIPPED, "open": NOTED}
KPI_PARTS = (Sets.KPI, Sets.KPI_BASELINE, Sets.KPI_TARGET)
UNDECIDED = "undecided"  # a reply kept until its author says: an answer or a check-in note


_WAIT = Waiting()


@dataclass(frozen=True)
class LookUp:
    """The reply names someone without the @: look them up among the channel's members
    (a Slack call, outside the transaction), then take it again."""

    name: str


@dataclass(frozen=True)
class ThreadReply:
    """A person's message in a thread, and where it was written."""

    team_id: str
    channel: str
    thread_ts: str
    ts: str
    user: str
    text: str
    people: Mapping[str, str] | None = None  # members named without the @, as looked up


# the edit stamp of a deleted message: later than any edit's
DELETED = ts_sortable("999999999999.999999")


class InterviewService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock

    # ---- posting the current question or the brief
    def order(self, interview: InterviewRow) -> tuple[int, ...]:
        """The interview's questions as asked (indexes into the stage's questions): each once,
        then the second round's."""
        return flow.asking_order(self.bank.questions(interview.stage), interview.second_round())

    def _compose(self, tx: Tx, project: ProjectRow, interview: InterviewRow) -> render.Post:
        questions = self.bank.questions(interview.stage)
        order = self.order(interview)
        if interview.position < len(order):
            index = order[interview.position]
            return render.question(
                index + 1,
                len(questions),
                questions[index],
                again=interview.position >= len(questions),
            )
        return self.brief(tx, project, interview.stage)

    def brief(self, tx: Tx, project: ProjectRow, stage: str) -> render.Post:
        """The stage's brief as the answers stand now."""
        questions = self.bank.questions(stage)
        answers = {
            a.question_key: a for a in tx.answers.for_project(project.team_id, project.id, stage)
        }
        notes = [n for n in tx.notes.for_project(project.team_id, project.id) if n.stage == stage]
        facts = record_lines(tx, project, self.clock()) if stage == Stage.CLOSED else []
        return render.brief(stage, project, questions, answers, len(notes), facts)

    def queue_current(self, tx: Tx, project: ProjectRow, now: datetime) -> bool:
        """Claim the interview's current question (or its brief) and write it to the outbox;
        False when there is nothing to ask or someone else has claimed it."""
        if project.thread_ts is None:
            return False
        interview = tx.interviews.get(project.team_id, project.id, project.stage)
        if interview is None or not tx.interviews.claim_post(interview.id, interview.position, now):
            return False
        self._queue(tx, project, interview, now)
        return True

    def _queue(self, tx: Tx, project: ProjectRow, interview: InterviewRow, now: datetime) -> None:
        tx.deliveries.add_many([self.question_row(tx, project, interview, now)])

    def question_row(
        self,
        tx: Tx,
        project: ProjectRow,
        interview: InterviewRow,
        now: datetime,
        lead: tuple[str, ...] = (),
    ) -> NewDelivery:
        """`lead`: lines about the answer just taken, shown above the next question."""
        assert project.thread_ts is not None
        post = self._compose(tx, project, interview)
        return outbox.message(
            project.team_id,
            QUESTION,
            f"{interview.id}:{interview.position}",
            project.channel_id,
            render.with_lead(lead, post) if lead else post,
            now,
            thread_ts=project.thread_ts,
            label=f"{project.name} ({interview.stage} {interview.position + 1})",
        )

    @staticmethod
    def question_posted(tx: Tx, row: DeliveryRow, ts: str, now: datetime) -> None:
        """The poster's news: the question is in Slack with this ts."""
        interview_id, position = (int(x) for x in row.subject.split(":"))
        tx.interviews.mark_posted(interview_id, position, ts)

    @staticmethod
    def question_failed(tx: Tx, row: DeliveryRow, error: str, now: datetime) -> None:
        """Slack refused it for good (an archived channel): asked again when someone
        replies in the thread."""
        interview_id, position = (int(x) for x in row.subject.split(":"))
        tx.interviews.mark_post_failed(interview_id, position, error, permanent=True)

    async def post_current(self, team_id: str, project_id: int) -> None:
        now = self.clock()

        def claim(tx: Tx) -> bool:
            project = tx.projects.get(team_id, project_id)
            return self.queue_current(tx, project, now) if project else False

        await self.store.write(claim)

    async def retry_pending(self) -> int:
        """Ask every question or brief left unasked (a refusal, a thread that came back);
        returns how many."""
        waiting = await self.store.read(lambda tx: tx.interviews.waiting_to_post())
        for interview in waiting:
            await self.post_current(interview.team_id, interview.project_id)
        return len(waiting)

    # ---- replies
    async def on_reply(self, reply: ThreadReply) -> None:
        waited = 0.0
        while True:
            now = self.clock()
            patient = waited < POSTING_WAIT
            take = self._reply_unit(reply, now, patient)
            result = await self.store.write(take)
            if isinstance(result, LookUp):
                member = await self.slack.member_named(reply.channel, result.name)
                reply = replace(reply, people={result.name: member} if member else {})
                continue
            if result is not _WAIT:
                return
            await asyncio.sleep(POSTING_POLL)
            waited += POSTING_POLL

    def reply_in(self, tx: Tx, reply: ThreadReply, now: datetime) -> bool:
        """Take a reply within the caller's transaction (the one recording it in the inbox);
        False when it has to wait for the question's ts (`on_reply` then takes it)."""
        taken = self._take_reply(tx, reply, now, True)
        return taken is not _WAIT and not isinstance(taken, LookUp)

    def _take_reply(
        self, tx: Tx, reply: ThreadReply, now: datetime, patient: bool, as_answer: bool = False
    ) -> Waiting | LookUp | None:
        """Load the thread's state, decide (bot/domain/reply.py), apply the decision."""
        team_id, ts, user, text = reply.team_id, reply.ts, reply.user, reply.text
        project = tx.projects.by_thread(team_id, reply.channel, reply.thread_ts)
        if project is None:
            return None
        interview = tx.interviews.get(team_id, project.id, project.stage)
        if interview is not None and interview.status != "active":
            interview = None  # finished: its brief is out; `Q4: …` replies still answer
        checkin = tx.deliveries.latest_posted(team_id, "checkin", str(project.id))
        questions = self.bank.questions(project.stage)
        order = self.order(interview) if interview else ()
        state = reply_rules.ReplyState(
            questions=questions,
            position=interview.position if interview else None,
            question_ts=interview.question_ts if interview else None,
            posting=interview is not None and interview.post_state == "posting",
            checkin_ts=checkin.posted_ts if checkin else None,
            seen=self._seen(tx, project, ts),
            warned=interview is not None and self._warned(tx, project, interview, order),
            order=order,
        )
        typed = reply_rules.Reply(ts, user, text, reply.people, as_answer)
        name = reply_rules.name_to_look_up(state, typed)
        if name is not None:
            return LookUp(name)  # `carol from finance`: is carol a member?
        decision = reply_rules.decide_reply(state, typed, patient=patient)
        if isinstance(decision, reply_rules.Wait):
            return _WAIT  # the question is on its way to Slack; its ts is not known yet
        if isinstance(decision, reply_rules.Ignore):
            return None
        if isinstance(decision, reply_rules.CheckinNote):
            assert checkin is not None
            self._checkin_note(tx, project, checkin.id, ts, user, text, now, decision)
            if decision.ask_again:  # the check-in came after the pending question
                tx.interviews.requeue(team_id, project.id, project.stage)
                self.queue_current(tx, project, now)
            return None
        # the Home tabs of the project's owner and of the person who replied
        home_changed(tx, team_id, project.owner_id, user)
        if isinstance(decision, reply_rules.Record):
            problem = self.unit_problem(tx, project, project.stage, decision)
            if problem and decision.pending:
                decision = reply_rules.Note(
                    decision.question,
                    decision.number,
                    decision.total,
                    early=False,
                    reason=problem,
                )
            elif problem:
                decision = reply_rules.Refused(f"Q{decision.number} not recorded: {problem}")
        if isinstance(decision, reply_rules.Refused):
            self._say(tx, project, render.plain(f"<@{user}> {esc(decision.reason)}."), now)
            return None
        if isinstance(decision, (reply_rules.Note, reply_rules.Challenge, reply_rules.Which)):
            kind = (
                UNDECIDED  # until its author says: an answer, or a check-in note
                if isinstance(decision, reply_rules.Which)
                else "model_metric"
                if isinstance(decision, reply_rules.Challenge)
                else ("early_reply" if decision.early else "unreadable")
            )
            tx.notes.add(
                team_id=team_id,
                project_id=project.id,
                kind=kind,
                stage=project.stage,
                question_key=decision.question.key,
                author_id=user,
                message_ts=ts,
                text=text,
                now=now,
            )
            if isinstance(decision, reply_rules.Which):
                value = f"{project.id}:{ts}"
                asked = render.which(user, decision.number, decision.question, text, value)
                self._say(tx, project, asked, now)
                return None
            if isinstance(decision, reply_rules.Challenge):
                said = render.challenge(user, decision.number, decision.total, decision.metric)
            elif decision.early:
                said = render.early_reply(user, decision.number, decision.total)
            else:
                said = render.reask(
                    user, decision.number, decision.total, decision.question, decision.reason
                )
            self._say(tx, project, said, now)
            self.queue_current(tx, project, now)  # re-post a question that failed
            return None
        assert project.thread_ts is not None
        lead, stated = self._take(tx, project, decision, user, ts, now)
        reaction = outbox.reaction(team_id, project.channel_id, ts, MARKS[decision.status], now)
        if not decision.pending or interview is None:
            tx.deliveries.add_many([reaction])
            if lead:
                self._say(tx, project, render.plain("\n".join(lead)), now)
            return None
        moved = self.advance_past(tx, project, interview, now, stated)
        rows = [reaction, self.question_row(tx, project, moved, now, lead)]
        if tx.deliveries.thread_waiting(team_id, project.channel_id, project.thread_ts):
            tx.deliveries.add_many(rows)  # behind what the thread still waits for
        else:  # posted right after the commit, without a claim of their own
            tx.deliveries.add_claimed(rows, now)
        return None

    def take(
        self,
        tx: Tx,
        project: ProjectRow,
        decision: reply_rules.Record,
        user: str,
        ts: str | None,
        now: datetime,
        stage: str | None = None,
    ) -> tuple[str, ...]:
        """Record an answer (a skip, a non-answer) to a question of `stage` (the project's
        current one by default); returns the lines that say how it was read."""
        return self._take(tx, project, decision, user, ts, now, stage)[0]

    def _take(
        self,
        tx: Tx,
        project: ProjectRow,
        decision: reply_rules.Record,
        user: str,
        ts: str | None,
        now: datetime,
        stage: str | None = None,
    ) -> tuple[tuple[str, ...], dict[str, kpi.Stated]]:
        """`take`, with the stage's answers as they stand after it."""
        stage = stage or project.stage
        questions = self.bank.questions(stage)
        before = self._stated(tx, project, stage)
        earlier = before.get(decision.question.key)
        tx.answers.record(
            team_id=project.team_id,
            project_id=project.id,
            stage=stage,
            question_key=decision.question.key,
            status=decision.status,
            text=decision.text,
            author_id=user,
            message_ts=ts,
            now=now,
        )
        if decision.time_box_days is not None:
            tx.projects.set_time_box(project.team_id, project.id, stage, decision.time_box_days)
        after = {**before, decision.question.key: kpi.Stated(decision.status, decision.text)}
        plan = None
        if decision.question.sets in KPI_PARTS:
            plan = kpi.read_plan(questions, after)
        lines = render.read_back(
            decision, project.slug, plan if decision.status == "answered" else None
        )
        if earlier is not None and (earlier.status, earlier.text) != (
            decision.status,
            decision.text,
        ):
            shown = render.shown_answer(decision.question, earlier.text)
            what = {"skipped": "skipped", "open": "kept open"}.get(decision.status, "revised")
            lines = (
                f"✏️ {stage_label(stage)} Q{decision.number} {what} (was {earlier.status}: "
                f"“{clip(shown, 300)}”).",
                *lines,
            )
        if decision.question.sets is Sets.KPI and decision.status == "answered":
            change = kpi.renamed(questions, before, after)
            if change is not None:
                lines = (*lines, render.numbers_kept(change[0], change[1], questions))
        if not decision.pending:
            news = gates.gate_news(
                questions,
                {k: (a.status, a.text) for k, a in before.items()},
                {k: (a.status, a.text) for k, a in after.items()},
            )
            current = stage == project.stage
            lines = (*lines, *render.gate_lines(news, questions, stage, project.slug, current))
        return lines, after

    def unit_problem(
        self, tx: Tx, project: ProjectRow, stage: str, decision: reply_rules.Record
    ) -> str | None:
        """A KPI baseline or target that reads as a fraction of the other's %: asked again,
        as `/mle metric` refuses it."""
        if decision.status != "answered" or decision.question.sets not in (
            Sets.KPI_BASELINE,
            Sets.KPI_TARGET,
        ):
            return None
        stated = {
            **self._stated(tx, project, stage),
            decision.question.key: kpi.Stated("answered", decision.text),
        }
        plan = kpi.read_plan(self.bank.questions(stage), stated)
        return next((r for r in plan.risks if "reads as a fraction" in r), None)

    def _stated(
        self, tx: Tx, project: ProjectRow, stage: str | None = None
    ) -> dict[str, kpi.Stated]:
        return {
            a.question_key: kpi.Stated(a.status, a.text)
            for a in tx.answers.for_project(project.team_id, project.id, stage or project.stage)
        }

    def advance_past(
        self,
        tx: Tx,
        project: ProjectRow,
        interview: InterviewRow,
        stamp: datetime,
        stated: dict[str, kpi.Stated] | None = None,
    ) -> InterviewRow:
        """Move past the pending question: to the next one not answered yet; at the end of
        the first round, to the required questions left open (asked once more), then to the
        brief. The next post is claimed by the caller. `stated`: the stage's answers, when
        the caller has them."""
        questions = self.bank.questions(interview.stage)
        current = stated if stated is not None else self._stated(tx, project, interview.stage)
        statuses = {k: a.status for k, a in current.items()}
        reask = interview.second_round()
        position = interview.position + 1
        order = flow.asking_order(questions, reask)
        while True:
            while position < len(order) and (
                statuses.get(questions[order[position]].key) == "answered"
            ):
                position += 1  # answered meanwhile (`Q7: …`): not asked again
            if reask is not None or position < len(questions):
                break
            reask = flow.second_round(questions, statuses)  # the first round just ended
            order = flow.asking_order(questions, reask)
        tx.interviews.advance(
            interview,
            position,
            position >= len(order),
            stamp,
            claim=True,
            reask=None if reask is None else ",".join(reask),
        )
        moved = tx.interviews.get(project.team_id, project.id, interview.stage)
        assert moved is not None
        return moved

    def _warned(
        self, tx: Tx, project: ProjectRow, interview: InterviewRow, order: tuple[int, ...]
    ) -> bool:
        """The pending question names the KPI and was told once it got a model metric."""
        if interview.position >= len(order):
            return False
        question = self.bank.questions(interview.stage)[order[interview.position]]
        if question.sets is not Sets.KPI:
            return False
        return any(
            n.kind == "model_metric"
            and n.stage == interview.stage
            and n.question_key == question.key
            for n in tx.notes.for_project(project.team_id, project.id)
        )

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
    ) -> None:
        """A reply to the latest check-in: kept as a note; `extend …` extends the time box."""
        tx.notes.add(
            team_id=project.team_id,
            project_id=project.id,
            kind="checkin",
            stage=project.stage,
            question_key=None,
            author_id=user,
            message_ts=ts,
            text=text,
            now=now,
            delivery_id=checkin_id,
        )
        tx.deliveries.respond(checkin_id, user, now)
        home_changed(tx, project.team_id, project.owner_id, user)
        self._react(tx, project, ts, NOTED, now)
        extension = decision.extension
        if isinstance(extension, BadExtension):
            self._say(
                tx,
                project,
                render.plain(f"<@{user}> noted, but not extended: {esc(extension.problem)}."),
                now,
            )
        elif isinstance(extension, Extension):
            box = tx.projects.time_box(project.team_id, project.id, project.stage)
            base = (
                box if box is not None else day_in_stage(project.stage_entered_at, now, project.tz)
            )
            tx.projects.set_time_box(
                project.team_id, project.id, project.stage, base + extension.days
            )
            day = day_in_stage(project.stage_entered_at, now, project.tz)
            still = f" Still past it: this is day {day}." if day > base + extension.days else ""
            did = (
                f"extended the {project.stage} time box by {extension.days} days to "
                f"{base + extension.days} days"
                if box is not None
                else f"set a {project.stage} time box of {base + extension.days} days (day "
                f"{base} + {extension.days}; there was none)"
            )
            said = render.plain(
                f"⏱️ <@{user}> {did}.{still} Reason on record: {esc(extension.reason)}"
            )
            self._say(tx, project, said, now)

    async def settle(
        self, team_id: str, user: str, value: str, as_answer: bool
    ) -> tuple[str, bool]:
        """The person who wrote a reply (or the project's owner) says whether it answers the
        pending question or is a note for the check-in: what to say, and whether it was
        settled (then it replaces the buttons)."""
        project_part, _, ts = value.partition(":")
        if not project_part.isdigit() or not ts:
            return "That reply no longer exists.", False
        now = self.clock()

        def unit(tx: Tx) -> tuple[str, bool]:
            project = tx.projects.get(team_id, int(project_part))
            note = tx.notes.by_message(team_id, project.id, ts) if project else None
            if project is None or note is None or note.kind != UNDECIDED:
                return "That reply was settled already.", False
            if user not in (note.author_id, project.owner_id):
                return (
                    f"Only <@{note.author_id}>, who wrote it, or the project's owner "
                    f"<@{project.owner_id}> can say which it is.",
                    False,
                )
            tx.notes.remove(note)
            assert project.thread_ts is not None
            if as_answer:
                reply = ThreadReply(
                    team_id,
                    project.channel_id,
                    project.thread_ts,
                    ts,
                    note.author_id,
                    note.text,
                    people={},
                )
                self._take_reply(tx, reply, now, False, as_answer=True)
                return (
                    f"✅ <@{note.author_id}>’s reply taken as the answer (<@{user}> said so).",
                    True,
                )
            checkin = tx.deliveries.latest_posted(team_id, "checkin", str(project.id))
            if checkin is None:
                return "That check-in no longer exists.", False
            decision = reply_rules.CheckinNote(read_extension(note.text), ask_again=False)
            self._checkin_note(
                tx, project, checkin.id, ts, note.author_id, note.text, now, decision
            )
            return (
                f"📝 <@{note.author_id}>’s reply kept as a check-in note (<@{user}> said so).",
                True,
            )

        result: tuple[str, bool] = await self.store.write(unit)
        return result

    async def ask_again(self, team_id: str, project_id: int, after_ts: str) -> None:
        """Post the pending question again if a post at `after_ts` (a check-in) came after it."""

        now = self.clock()

        def requeue(tx: Tx) -> bool:
            project = tx.projects.get(team_id, project_id)
            if project is None:
                return False
            tx.interviews.requeue(team_id, project_id, project.stage, before_ts=after_ts)
            return self.queue_current(tx, project, now)

        await self.store.write(requeue)

    def _seen(self, tx: Tx, project: ProjectRow, ts: str) -> bool:
        """True when this message was already taken (the same ts delivered again)."""
        if tx.answers.by_message(project.team_id, project.id, ts) is not None:
            return True
        return tx.notes.by_message(project.team_id, project.id, ts) is not None

    def _react(self, tx: Tx, project: ProjectRow, ts: str, name: str, now: datetime) -> None:
        tx.deliveries.add_many(
            [outbox.reaction(project.team_id, project.channel_id, ts, name, now)]
        )

    def _say(self, tx: Tx, project: ProjectRow, post: render.Post, now: datetime) -> None:
        """A message in the project thread (a re-ask, a refused edit, an extension)."""
        assert project.thread_ts is not None
        tx.deliveries.add_many(
            [
                outbox.message(
                    project.team_id,
                    "thread",
                    str(project.id),
                    project.channel_id,
                    post,
                    now,
                    thread_ts=project.thread_ts,
                    label=project.name,
                )
            ]
        )

    def _reply_unit(
        self, reply: ThreadReply, now: datetime, patient: bool
    ) -> Callable[[Tx], object]:
        return partial(self._take_reply, reply=reply, now=now, patient=patient)

    # ---- edits and deletes
    def _question(self, answer: AnswerRow) -> tuple[int, Question | None]:
        questions = self.bank.questions(answer.stage)
        for number, question in enumerate(questions, start=1):
            if question.key == answer.question_key:
                return number, question
        return 0, None

    async def on_edit(
        self,
        team_id: str,
        channel: str,
        thread_ts: str,
        ts: str,
        user: str,
        text: str,
        edited: str = "",
    ) -> None:
        """`edited`: when the edit was made (Slack's `edited.ts`): edits apply in that
        order, whatever order they are delivered in."""
        moment = self.clock()
        await self.store.write(
            lambda tx: self._take_edit(
                tx, team_id, channel, thread_ts, ts, user, text, moment, edited
            )
        )

    def _take_edit(
        self,
        tx: Tx,
        team_id: str,
        channel: str,
        thread_ts: str,
        ts: str,
        user: str,
        text: str,
        moment: datetime,
        edited: str = "",
    ) -> None:
        project = tx.projects.by_thread(team_id, channel, thread_ts)
        if project is None:
            return None
        stamp = ts_sortable(edited) if edited else ""
        answer = tx.answers.by_message(team_id, project.id, ts)
        if answer is None:
            note = tx.notes.by_message(team_id, project.id, ts)
            if note is None or (stamp and not tx.notes.take_edit(note, stamp)):
                return None  # (an older edit than one applied already)
            if note.text != text:
                tx.notes.change_text(note, text, moment)
            return None
        if stamp and not tx.answers.take_edit(answer, stamp):
            return None  # an older edit than one applied already, delivered late
        number, question = self._question(answer)
        if question is None:
            tx.answers.change(answer, text=text, status="answered", by=user, now=moment)
            return None
        prefixed = reply_rules.numbered(text)
        reading = flow.read_edit(question, prefixed[1] if prefixed else text)
        if isinstance(reading, flow.Unreadable):
            self._say(tx, project, render.edit_refused(user, number, reading.reason), moment)
            home_changed(tx, team_id, project.owner_id, user)
            return None
        status = {
            flow.Answer: "answered",
            flow.Skip: "skipped",
            flow.Discussion: "withdrawn",
            flow.Open: "open",
        }[type(reading)]
        new_text = reading.parsed.text if isinstance(reading, flow.Answer) else text
        if (new_text, status) != (answer.text, answer.status):
            tx.answers.change(answer, text=new_text, status=status, by=user, now=moment)
            if question.sets is Sets.TIME_BOX:
                days = reading.parsed.days if isinstance(reading, flow.Answer) else None
                tx.projects.set_time_box(team_id, project.id, answer.stage, days)
        return None

    async def on_delete(self, team_id: str, channel: str, thread_ts: str, deleted_ts: str) -> None:
        stamp = self.clock()

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
            # a deleted message is final: an edit of it delivered late changes nothing
            tx.answers.take_edit(answer, DELETED)
            if answer.status == "withdrawn":
                return
            tx.answers.change(
                answer, text=answer.text, status="withdrawn", by=answer.author_id, now=stamp
            )
            _, question = self._question(answer)
            if question is not None and question.sets is Sets.TIME_BOX:
                tx.projects.set_time_box(team_id, project.id, answer.stage, None)

        await self.store.write(withdraw)
