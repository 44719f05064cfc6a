"""The interview's messages: the project's parent post, questions, re-asks, the brief."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.blocks import Post, actions, button, clip, context, esc, header, section, sections
from bot.domain.answers import Parsed, example, read_answer
from bot.domain.bank import Kind, Question, Sets, numbers
from bot.domain.gates import Gate, GateNews, Given, read_gate
from bot.domain.kpi import KpiPlan, Stated, read_plan
from bot.domain.reading import is_non_answer, quoted, show, unplaced
from bot.domain.reply import Record
from bot.domain.stages import Stage, stage_label
from storage.rows import AnswerRow, ProjectRow

BRIEF_ANSWER_LIMIT = 600
BRIEF_TEXT_BUDGET = 11_000
MAX_BLOCKS = 50


def _required(question: Question) -> str:
    return "required" if question.required else "optional"


def parent(name: str, owner: str, stage: str, total: int) -> Post:
    text = (
        f"{esc(name)}: new ML project by <@{owner}>, stage {stage}. "
        "Planning interview in the thread."
    )
    return Post(
        text,
        [
            section(
                f"*{esc(clip(name, 200))}* — a new ML project, owned by <@{owner}>.\n"
                f"Stage: *{stage}*."
            ),
            context(
                f"Next: I'll ask {total} {stage} questions in this thread, one at a time. "
                "Anyone here can answer by replying in the thread; `skip` skips a question, "
                "and replies starting with `//` are discussion."
            ),
        ],
    )


def _local(moment: datetime, zone: str) -> datetime:
    """A moment in the project's time zone (UTC if the zone is unknown)."""
    try:
        return moment.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return moment


def parent_now(project: ProjectRow, total: int, moved: bool = True) -> Post:
    """The project's message in the channel as it stands, for everyone who sees the channel
    and not the thread: its stage, or how it ended. Planning keeps the first words."""
    if project.stage == Stage.PLANNING and not moved:  # still its first stage
        return parent(project.name, project.owner_id, project.stage, total)
    name = esc(clip(project.name, 200))
    if project.stage == Stage.CLOSED:
        when = f" on {project.closed_at:%Y-%m-%d}" if project.closed_at else ""
        ended = f"closed ({project.outcome or 'no outcome'}){when}"
        return Post(
            f"{esc(project.name)}: ML project by <@{project.owner_id}>, {ended}.",
            [
                section(f"*{name}* — an ML project, owned by <@{project.owner_id}>.\n*{ended}*."),
                context(
                    "What was learned is in this thread: "
                    f"`/mle brief {project.slug} closed` shows the retrospective."
                ),
            ],
        )
    since = f"{_local(project.stage_entered_at, project.tz):%Y-%m-%d}"
    return Post(
        f"{esc(project.name)}: ML project by <@{project.owner_id}>, stage {project.stage}.",
        [
            section(
                f"*{name}* — an ML project, owned by <@{project.owner_id}>.\n"
                f"Stage: *{project.stage}* (since {since})."
            ),
            context(
                "Its interviews, briefs and check-ins are in this thread; "
                f"`/mle status {project.slug}` shows where it stands."
            ),
        ],
    )


@lru_cache(maxsize=512)
def question(number: int, total: int, q: Question, again: bool = False) -> Post:
    """The same question always renders the same way: built once, reused. `again`: the
    second round, for a required question left open."""
    once_more = " · _asked once more: it is still open_" if again else ""
    text = f"Q{number}/{total} ({_required(q)}) {q.text}"
    listed = (
        "\n" + "\n".join(f"{i}. {c}" for i, c in enumerate(q.choices, start=1))
        if q.kind is Kind.CHOICES
        else ""
    )
    return Post(
        text,
        [
            section(f"Q{number}/{total} · _{_required(q)}_{once_more}\n*{q.text}*{listed}"),
            context(
                f"Why: {q.why}",
                f"Answer with {example(q)} · `skip` to skip · start with `//` to discuss",
            ),
        ],
    )


def reask(user: str, number: int, total: int, q: Question, reason: str) -> Post:
    text = (
        f"<@{user}> {esc(reason)}, so it isn't recorded. Q{number}/{total} needs {example(q)}. "
        "Please reply again."
    )
    return Post(text, [section(text)])


AS_ANSWER = "reply_is_answer"
AS_NOTE = "reply_is_note"


def which(user: str, number: int, question: Question, said: str, value: str) -> Post:
    """A reply under a check-in that also reads as an answer to the pending question: the
    person says which, instead of a guess."""
    text = (
        f"<@{user}> “{esc(quoted(said, 80))}” could answer Q{number} "
        f"(_{esc(quoted(question.text, 80))}_) or be a note for the check-in: which is it?"
    )
    return Post(
        text,
        [
            section(text),
            actions(
                "which",
                button(f"Answer to Q{number}", AS_ANSWER, value, style="primary"),
                button("Check-in note", AS_NOTE, value),
            ),
        ],
    )


def plain(text: str) -> Post:
    return Post(text, [section(text)])


def with_lead(lead: tuple[str, ...], post: Post) -> Post:
    """Lines about the answer just taken, above the next question (one post, not two)."""
    said = "\n".join(lead)
    # the notification shows the question first; the message shows the lines above it
    return Post(f"{post.text}\n{said}", [section(said), *post.blocks][:MAX_BLOCKS])


def challenge(user: str, number: int, total: int, metric: str) -> Post:
    text = (
        f"<@{user}> {esc(metric)} measures the *model*, not the business: it can be excellent "
        "while nothing the business cares about moves. A business KPI is something like "
        "_monthly churn rate_ or _revenue per visit_ — the number the project exists to move. "
        f"Please answer Q{number}/{total} again with a business KPI. "
        f"If you are sure, send the same answer again and I'll keep it, flagged as F2."
    )
    return Post(text, [section(text)])


def read_back(decision: Record, slug: str, plan: KpiPlan | None) -> tuple[str, ...]:
    """How an answer was read, so a misreading shows at once: the number with its unit, the
    time box in days, the choice and its reason; what stays open and how to answer it."""
    q, n = decision.question, decision.number
    if decision.status == "skipped":  # named, so a `skip` meant for another one shows
        why = " It is required: the brief lists it as skipped." if q.required else ""
        return (f"⏭️ Skipped Q{n}: _{esc(quoted(q.text, 80))}_.{why}",)
    if decision.status == "open":
        how = f"reply `Q{n}: …` here or `/mle answer {slug} Q{n} …`"
        why = " (required)" if q.required else ""
        return (f"📝 Q{n} kept as a note, but it stays *open*{why}. Answer it any time: {how}.",)
    lines: list[str] = []
    reading = read_answer(q, decision.text)
    if isinstance(reading, Parsed):
        if reading.number is not None:
            lines.append(f"✅ Q{n} read as *{show(reading.number, reading.unit)}*.")
        elif reading.days is not None and decision.time_box_days is not None:
            lines.append(f"✅ Q{n}: time box set to *{reading.days} days*.")
        elif reading.user is not None:
            lines.append(f"✅ Q{n} read as *<@{reading.user}>*.")
        elif q.kind is Kind.CHOICES:
            picked = "; ".join(reading.picked) or "none of them"
            lines.append(f"✅ Q{n} read as: *{esc(picked)}*.")
            left, meant = unplaced(q.choices, decision.text)
            if meant:
                listed = " or ".join(f"*{q.choices.index(c) + 1}. {esc(c)}*" for c in meant)
                numbers_now = [q.choices.index(c) + 1 for c in reading.picked]
                example = ", ".join(str(i) for i in [*numbers_now, q.choices.index(meant[0]) + 1])
                lines.append(
                    f"⚠️ I couldn't place “{esc(clip(left, 60))}” — did you mean {listed}? "
                    f"If so, reply `Q{n}: {example}`."
                )
        elif reading.choice is not None:
            why = f" Reason kept: “{esc(quoted(reading.reason, 200))}”." if reading.reason else ""
            lines.append(f"✅ Q{n}: *{esc(reading.choice)}*.{why}")
    if decision.flagged:
        lines.append(
            f"⚠️ Kept as you wrote it, flagged *F2*: {esc(decision.flagged)} is a model metric, "
            "not a business KPI."
        )
    if plan is not None and plan.baseline and plan.target and q.sets is not None:
        if q.sets.value == "kpi_target" or (q.sets.value == "kpi_baseline" and plan.target):
            how = " (from the target against the baseline)" if plan.inferred else ""
            lines.append(f"📏 KPI: *{esc(plan.line())}*{how}.")
    if plan is not None:
        lines.extend(f"⚠️ {esc(risk)}." for risk in plan.risks if not risk.startswith("F2"))
    return tuple(lines)


def numbers_kept(former: str, plan: KpiPlan, questions: tuple[Question, ...]) -> str:
    """The KPI was renamed: its numbers were given for the former one."""
    number = numbers(questions)
    given = [
        f"{what} ({show(q.value, q.unit)})"
        for what, q in (("baseline", plan.baseline), ("target", plan.target))
        if q is not None
    ]
    asked = " and ".join(
        f"Q{number[q.key]}" for q in questions if q.sets in (Sets.KPI_BASELINE, Sets.KPI_TARGET)
    )
    were, they = ("were", "they don't") if len(given) > 1 else ("was", "it doesn't")
    return (
        f"⚠️ The {' and '.join(given)} {were} given for *{esc(clip(former, 80))}*: if {they} "
        f"fit *{esc(clip(plan.name or '', 80))}*, answer {asked} again."
    )


def gate_lines(
    news: GateNews, questions: tuple[Question, ...], stage: str, slug: str, current: bool
) -> tuple[str, ...]:
    """What an answer changed about the stage's gate, said where the answer was given: every
    required question answered, a no-go decided or lifted, and what still holds the gate.
    A past stage's gate holds nothing any more: only its questions being complete is said."""
    label = stage_label(stage)
    if not current:
        return (
            (f"✅ Every required {label} question is answered now.",) if news.answered_all else ()
        )
    number = numbers(questions)
    if stage == Stage.CLOSED:  # the retrospective: there is no stage after it
        return (
            (f"✅ Every required {label} question is answered now.",) if news.answered_all else ()
        )
    move = f"`/mle stage {slug} next` moves on."
    if news.no_go is not None and (news.answered_all or news.no_go_decided):
        n = number[news.no_go.key]
        how = (
            f"to go on, answer Q{n} again once something changed (`/mle answer {slug} Q{n} go - "
            f"<what changed>`), or close the project (`/mle close {slug} cancelled <why>`)."
        )
        if news.answered_all:
            return (
                f"✅ Every required {label} question is answered now, but the team's *no-go* "
                f"at Q{n} still closes the gate: {how}",
            )
        return (f"⛔ This *no-go* closes the {label} gate: {how}",)
    if news.no_go_lifted:
        if news.missing:
            still = ", ".join(f"Q{number[q.key]}" for q in news.missing)
            return (
                f"The *no-go* is lifted; the {label} gate still waits for {len(news.missing)} "
                f"required question(s): {still}.",
            )
        return (f"✅ The *no-go* is lifted and the {label} gate passes now: {move}",)
    if news.answered_all:
        return (f"✅ Every required {label} question is answered now: {move}",)
    return ()


def early_reply(user: str, number: int, total: int) -> Post:
    text = (
        f"<@{user}> your reply came before Q{number}/{total} was asked, so I kept it as a "
        f"note rather than an answer. Reply again to answer Q{number}/{total}."
    )
    return Post(text, [section(text)])


def edit_refused(user: str, number: int, reason: str) -> Post:
    text = f"<@{user}> your edit to the answer of Q{number} wasn't applied: {esc(reason)}."
    return Post(text, [section(text)])


def shown_answer(q: Question, text: str) -> str:
    """An answer as it may appear in a message: escaped; a person question's mention is
    rebuilt by the product from the user id it names."""
    if q.kind is Kind.USER:
        reading = read_answer(q, text)
        if isinstance(reading, Parsed) and reading.user:
            mention = re.compile(rf"&lt;@{re.escape(reading.user)}(?:\|[^&]*)?&gt;")
            return mention.sub(f"<@{reading.user}>", esc(text))
    return esc(text)


def read_as(q: Question, text: str) -> str:
    """How a number answer was read, so a misreading shows: ` (read as 3.8 %)`."""
    reading = read_answer(q, text)
    if isinstance(reading, Parsed) and reading.number is not None:
        return f" _(read as {show(reading.number, reading.unit)})_"
    if isinstance(reading, Parsed) and reading.days is not None and q.kind is Kind.DURATION:
        return f" _(read as {reading.days} days)_"
    return ""


def _answer_line(number: int, q: Question, answer: AnswerRow | None, limit: int) -> str:
    mark = "" if not q.required else " _(required)_"
    head = f"*Q{number}. {clip(q.text, 300)}*{mark}"
    if answer is None or answer.status == "withdrawn":
        return f"{head}\n_not answered_"
    if answer.status == "open":
        return f"{head}\n_open — <@{answer.author_id}> said “{esc(quoted(answer.text, 100))}”_"
    if answer.status == "skipped":
        return f"{head}\n_skipped by <@{answer.author_id}>_"
    body = clip(
        shown_answer(q, answer.text), limit, marker="… _(shortened; the full answer is stored)_"
    )
    block = "\n".join(f"> {line}" for line in body.splitlines() or [""])
    return f"{head}\n{block}\n— <@{answer.author_id}>{read_as(q, answer.text)}"


SUMMARY = (  # the built-in bank's questions a stakeholder reads first, by stage
    ("Success", "success"),
    ("For whom", "why_and_for_whom"),
    ("Decision each prediction drives", "decisions"),
    ("How it is done today", "current_process"),
    ("Out of scope", "out_of_scope"),
    ("Constraints", "constraints"),
    ("Research time box", "research_time_box"),
    ("Shortlist", "shortlist"),
    ("Data", "data_check"),
    ("Baseline to beat", "baseline"),
    ("Go / no-go", "go_no_go"),
    ("Approach chosen", "approach_chosen"),
    ("Beats the baseline", "beats_baseline"),
    ("Go / no-go for development", "build_go_no_go"),
    ("Serving design", "serving_design"),
    ("Where the KPI data lives", "kpi_data"),
    ("Measurement plan", "significance"),
    ("KPI now", "kpi_now"),
    ("Benefit vs cost", "benefit_vs_cost"),
    ("Keep, iterate or retire", "model_decision"),
    ("Outcome against the target", "outcome_vs_target"),
    ("Failure reasons", "failure_reasons"),
    ("Next time", "do_differently"),
)
# the worrying answer to a yes/no question written as text (`risk_if` in the bank): `no` to
# "Is training reproducible?", `yes` to "Any glue code …?", as a word of its own (`normally`,
# `none`, `not sure` are neither)
_NO = re.compile(
    r"(?:no(?!\s+(?:problem|worries|issue|doubt))|nope|nah|not yet|not really|not at all"
    r"|n(?![/.]))\b",
    re.IGNORECASE,
)
_YES = re.compile(r"(?:yes|yep|yeah|y|some|a few|a bit|a little|plenty|lots)\b", re.IGNORECASE)


def worrying(question: Question, answer: str) -> bool:
    """Whether a text answer to a yes/no question gives the answer its bank entry calls a
    risk."""
    said = answer.strip()
    decisive = said.lower().rstrip(".!") in ("no", "nope", "nah", "n", "yes", "yep", "yeah", "y")
    if not decisive and is_non_answer(said):  # `n/a`, `tbd`, `no idea`: neither way
        return False
    if question.risk_if == "no":
        return _NO.match(said) is not None
    if question.risk_if == "yes":
        return _YES.match(said) is not None
    return False


def _plain(q: Question, answer: AnswerRow | None) -> str | None:
    if answer is None or answer.status != "answered":
        return None
    if q.kind is Kind.CHOICES:
        reading = read_answer(q, answer.text)
        if isinstance(reading, Parsed):
            return "; ".join(reading.picked) or "none of them"
    return clip(" ".join(shown_answer(q, answer.text).split()), 300)


def risks(
    questions: tuple[Question, ...], answers: Mapping[str, AnswerRow], plan: KpiPlan, result: Gate
) -> list[str]:
    """What a stakeholder should worry about: the F-rule findings of the KPI, a no-go,
    non-answers, required questions skipped, a yes/no question answered the worrying way
    (optional ones too: the team answered them)."""
    number = numbers(questions)
    out = [esc(r) for r in plan.risks]
    if result.no_go is not None:
        why = f": “{esc(quoted(result.no_go.reason, 200))}”" if result.no_go.reason else ""
        out.append(f"the team decided *no-go* (<@{result.no_go.by}>){why}")
    for q in questions:
        answer = answers.get(q.key)
        if answer is None:
            continue
        if answer.status == "open":
            said = esc(quoted(answer.text, 60))
            out.append(f"Q{number[q.key]} answered “{said}”, which is not an answer yet")
        elif answer.status == "skipped" and q.required:
            out.append(f"Q{number[q.key]} (required) was skipped by <@{answer.author_id}>")
        elif answer.status == "answered" and worrying(q, answer.text):
            out.append(
                f"Q{number[q.key]} {esc(clip(q.text, 80))} — “{esc(clip(answer.text, 100))}”"
            )
    return out


def brief(
    stage: str,
    project: ProjectRow,
    questions: tuple[Question, ...],
    answers: Mapping[str, AnswerRow],
    notes: int,
    facts: list[str] | None = None,
) -> Post:
    """The stage's brief, for people who were not in the thread: a one-screen summary (what
    success means, the KPI, the decision, today, out of scope), the risks and open questions,
    then every answer. The planning one is the Planning brief."""
    name = project.name
    given = {k: Given(a.status, a.text, a.author_id, a.updated_at) for k, a in answers.items()}
    result = read_gate(questions, given)
    plan = read_plan(questions, {k: Stated(a.status, a.text) for k, a in answers.items()})
    titles: dict[str, str] = {Stage.PLANNING: "Planning brief", Stage.CLOSED: "Retrospective"}
    title = titles.get(stage, f"{stage.capitalize()} brief")
    number = numbers(questions)
    answered = sum(1 for q in questions if (a := answers.get(q.key)) and a.status == "answered")
    label = stage_label(stage)
    if result.no_go is not None:
        verdict = f"⛔ The {label} gate is closed: the team decided no-go."
    elif result.passes and stage == Stage.CLOSED:
        verdict = "✅ Every retrospective question is answered."
    elif result.passes:
        verdict = f"✅ The {label} gate passes: every required question is answered."
    elif stage == Stage.CLOSED:
        missing = ", ".join(f"Q{number[q.key]}" for q in result.missing)
        verdict = f"Open retrospective questions: {missing}."
    else:
        missing = ", ".join(f"Q{number[q.key]}" for q in result.missing)
        verdict = f"⛔ The {label} gate is closed. Open required questions: {missing}."
    if plan.model_metric:
        verdict += " ⚠️ F2: the KPI is a model metric."
    text = f"{title} — {esc(name)}: {answered}/{len(questions)} answered. {verdict}"
    by_key = {q.key: q for q in questions}
    summary = [
        f"*{label}:* {shown}"
        for label, key in SUMMARY
        if key in by_key and (shown := _plain(by_key[key], answers.get(key)))
    ]
    if plan.name or plan.baseline or plan.target:
        owner = f", owned by <@{plan.owner}>" if plan.owner else ""
        summary.insert(1 if summary else 0, f"*KPI:* {esc(plan.line())}{owner}")
    found = risks(questions, answers, plan, result)
    open_lines = [
        f"• Q{number[q.key]}. {clip(q.text, 150)} → reply `Q{number[q.key]}: …` in the thread "
        f"or `/mle answer {project.slug} Q{number[q.key]} …`"
        for q in result.missing
    ]
    limit = max(100, min(BRIEF_ANSWER_LIMIT, BRIEF_TEXT_BUDGET // max(1, len(questions))))
    lines = [_answer_line(i, q, answers.get(q.key), limit) for i, q in enumerate(questions, 1)]
    blocks = [
        header(clip(f"{title} — {name}", 150)),
        section(f"{answered} of {len(questions)} questions answered.\n{verdict}"),
    ]
    if summary:
        blocks.extend(sections(summary, limit=2900))
    if project.outcome and stage == Stage.CLOSED:
        why = f": {esc(clip(project.close_reason or '', 300))}" if project.close_reason else ""
        blocks.append(section(f"*Outcome:* {project.outcome}{why}"))
    if facts:
        blocks.extend(sections(["*What the record shows*", *facts], limit=2900))
    if found:
        blocks.extend(sections(["*Risks*", *(f"• {r}" for r in found)], limit=2900))
    if open_lines:
        blocks.extend(sections(["*Open*", *open_lines], limit=2900))
    body = sections(["*Every answer*", *lines], limit=2900)
    room = MAX_BLOCKS - len(blocks) - 1
    if len(body) > room:
        body = body[: room - 1] + [section("_More answers than fit here: see `/mle status`._")]
    blocks.extend(body)
    if notes:
        blocks.append(
            context(
                f"{notes} {'reply' if notes == 1 else 'replies'} in the thread kept as "
                f"{'a note' if notes == 1 else 'notes'}, not as answers: `/mle status "
                f"{project.slug}` lists the answers."
            )
        )
    return Post(text, blocks[:MAX_BLOCKS])
