"""Check-in and nudge messages; pure."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, ButtonElement

from bot.blocks import clip, context, section
from bot.domain.gates import Gate
from bot.domain.timebox import describe_days
from bot.interview.bank import Question
from bot.interview.render import Post

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
    if result.passes:
        open_text = "No open required questions: the gate passes."
    else:
        listed = "\n".join(
            f"• Q{questions.index(q) + 1}. {clip(q.text, 200)}" for q in result.missing
        )
        open_text = f"Open required questions ({len(result.missing)}):\n{listed}"
    text = f"Check-in: {name} — {stage}, {where}. " + (
        "Gate passes." if result.passes else f"{len(result.missing)} open required question(s)."
    )
    blocks = [section(f"*Check-in — {clip(name, 150)}*\nStage: *{stage}*, {where}.\n{open_text}")]
    if time_box is not None and day > time_box:
        warning = (
            f"⚠️ Past the {time_box}-day time box (day {day}). Risk: {RISK.get(stage, '')}."
            f"\nExtend with a reason — reply `extend 1 week: <why>` — or cut scope and "
            f"move on with `/mle stage {slug} next`."
        )
        blocks.append(section(warning))
        text += " Past the time box: extend with a reason or cut."
    blocks.append(
        ActionsBlock(
            block_id="checkin",
            elements=[
                ButtonElement(text="On track", action_id=ACTIONS[0], value=value, style="primary"),
                ButtonElement(text="Blocked", action_id=ACTIONS[1], value=value, style="danger"),
                ButtonElement(text="Ready for next stage", action_id=ACTIONS[2], value=value),
            ],
        ).to_dict()
    )
    blocks.append(context("Reply in this thread to add a check-in note."))
    return Post(text, blocks)


def nudge(*, owner: str, name: str) -> Post:
    text = (
        f"<@{owner}> nobody has answered the check-in above for *{name}* in a day. "
        "Is it on track? A button or a reply is enough."
    )
    return Post(text, [section(text)])
