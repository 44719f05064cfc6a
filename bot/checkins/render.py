"""Check-in and nudge messages; pure."""

from __future__ import annotations

from bot.blocks import Post, actions, button, clip, context, esc, section
from bot.domain.bank import Question, numbers
from bot.domain.gates import Gate
from bot.domain.timebox import describe_days

RISK = {
    "planning": "over-planning: decide and move on to scoping",
    "scoping": "over-research: the classic way research eats a project",
    "experimentation": "over-experimentation: endless tuning instead of a decision",
    "development": "scope creep while building",
    "deployment": "an over-built or stalled deployment",
    "evaluation": "a model nobody can justify",
}
ACTIONS = ("checkin_on_track", "checkin_blocked", "checkin_next")


def checkin(
    *,
    name: str,
    slug: str,
    stage: str,
    day: int,
    time_box: int | None,
    questions: tuple[Question, ...],
    result: Gate,
    value: str,
) -> Post:
    where = describe_days(day, time_box)
    open_text = _open_required(questions, tuple(q.key for q in result.missing))
    text = f"Check-in: {esc(name)} — {stage}, {where}. " + (
        "Gate passes." if result.passes else f"{len(result.missing)} open required question(s)."
    )
    blocks = [
        section(f"*Check-in — {esc(clip(name, 150))}*\nStage: *{stage}*, {where}.\n{open_text}")
    ]
    if time_box is not None and day > time_box:
        warning = (
            f"⚠️ Past the {time_box}-day time box (day {day}). Risk: {RISK.get(stage, '')}."
            f"\nExtend with a reason — reply `extend 1 week: <why>` — or cut scope and "
            f"move on with `/mle stage {slug} next`."
        )
        blocks.append(section(warning))
        text += " Past the time box: extend with a reason or cut."
    blocks.append(
        actions(
            "checkin",
            button("On track", ACTIONS[0], value, "primary"),
            button("Blocked", ACTIONS[1], value, "danger"),
            button("Ready for next stage", ACTIONS[2], value),
        )
    )
    blocks.append(context("Reply in this thread to add a check-in note."))
    return Post(text, blocks)


# Thousands of check-ins in one pass share a few stages and gaps: list each gap once. Keyed by
# the bank's tuple of questions by identity (hashing the question models costs more than this
# saves), and checked on a hit, so a new bank never sees an old listing.
_LISTINGS: dict[tuple[int, tuple[str, ...]], tuple[tuple[Question, ...], str]] = {}


def _open_required(questions: tuple[Question, ...], missing: tuple[str, ...]) -> str:
    hit = _LISTINGS.get((id(questions), missing))
    if hit is not None and hit[0] is questions:
        return hit[1]
    if len(_LISTINGS) > 4096:
        _LISTINGS.clear()
    listing = _listing(questions, missing)
    _LISTINGS[(id(questions), missing)] = (questions, listing)
    return listing


def _listing(questions: tuple[Question, ...], missing: tuple[str, ...]) -> str:
    if not missing:
        return "No open required questions: the gate passes."
    number = numbers(questions)
    text = {q.key: q.text for q in questions}
    listed = "\n".join(f"• Q{number[key]}. {clip(text[key], 200)}" for key in missing)
    return f"Open required questions ({len(missing)}):\n{listed}"


def nudge(*, owner: str, name: str) -> Post:
    text = (
        f"<@{owner}> nobody has answered the check-in above for *{esc(name)}* in a day. "
        "Is it on track? A button or a reply is enough."
    )
    return Post(text, [section(text)])
