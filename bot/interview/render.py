"""The interview's messages: the project's parent post, questions, re-asks, the brief."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from bot.blocks import Post, clip, context, esc, header, section, sections
from bot.domain.answers import Parsed, example, read_answer
from bot.domain.bank import Kind, Question, numbers
from bot.domain.gates import Gate
from storage.rows import AnswerRow

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


@lru_cache(maxsize=512)
def question(number: int, total: int, q: Question) -> Post:
    """The same question always renders the same way: built once, reused."""
    text = f"Q{number}/{total} ({_required(q)}) {q.text}"
    return Post(
        text,
        [
            section(f"Q{number}/{total} · _{_required(q)}_\n*{q.text}*"),
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


def plain(text: str) -> Post:
    return Post(text, [section(text)])


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
            return f"<@{reading.user}>"
    return esc(text)


def _answer_line(number: int, q: Question, answer: AnswerRow | None, limit: int) -> str:
    mark = "" if not q.required else " _(required)_"
    head = f"*Q{number}. {clip(q.text, 300)}*{mark}"
    if answer is None or answer.status == "withdrawn":
        return f"{head}\n_not answered_"
    if answer.status == "skipped":
        return f"{head}\n_skipped by <@{answer.author_id}>_"
    body = clip(
        shown_answer(q, answer.text), limit, marker="… _(shortened; the full answer is stored)_"
    )
    quoted = "\n".join(f"> {line}" for line in body.splitlines() or [""])
    return f"{head}\n{quoted}\n— <@{answer.author_id}>"


def brief(
    stage: str,
    name: str,
    questions: tuple[Question, ...],
    answers: Mapping[str, AnswerRow],
    result: Gate,
    notes: int,
) -> Post:
    """The stage's summary; the planning one is the Planning brief."""
    title = "Planning brief" if stage == "planning" else f"{stage.capitalize()} summary"
    number = numbers(questions)
    answered = sum(1 for q in questions if (a := answers.get(q.key)) and a.status == "answered")
    if result.passes:
        verdict = f"✅ The {stage} gate passes: every required question is answered."
    else:
        missing = ", ".join(f"Q{number[q.key]}" for q in result.missing)
        verdict = f"⛔ The {stage} gate is closed. Missing required answers: {missing}."
    text = f"{title} — {esc(name)}: {answered}/{len(questions)} answered. {verdict}"
    limit = max(100, min(BRIEF_ANSWER_LIMIT, BRIEF_TEXT_BUDGET // max(1, len(questions))))
    lines = [_answer_line(i, q, answers.get(q.key), limit) for i, q in enumerate(questions, 1)]
    body = sections(lines, limit=2900)
    room = MAX_BLOCKS - 4
    if len(body) > room:
        body = body[: room - 1] + [section("_More answers than fit here: see `/mle status`._")]
    missing_lines = [f"• Q{number[q.key]}. {clip(q.text, 200)}" for q in result.missing]
    blocks = [
        header(clip(f"{title} — {name}", 150)),
        section(f"{answered} of {len(questions)} questions answered.\n{verdict}"),
        *body,
    ]
    if missing_lines:
        blocks.append(section("*Still missing*\n" + "\n".join(missing_lines)))
    if notes:
        blocks.append(
            context(
                f"{notes} {'reply' if notes == 1 else 'replies'} kept as "
                f"{'a note' if notes == 1 else 'notes'}, not taken as answers."
            )
        )
    return Post(text, blocks[:MAX_BLOCKS])
