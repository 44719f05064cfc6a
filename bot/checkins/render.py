"""Check-in and nudge messages; pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.blocks import Post, actions, button, clip, context, esc, section
from bot.domain.bank import Question, numbers
from bot.domain.gates import Gate, NoGo
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


@dataclass(frozen=True)
class Said:
    """A note replied to the last check-in (or a button pressed on it)."""

    author: str
    text: str


@dataclass(frozen=True)
class Blocked:
    what: str
    since: str  # YYYY-MM-DD
    unblocker: str | None


STANDUP = (
    "*Stand-up* — reply in this thread:\n"
    "1. What moved since the last check-in?\n"
    "2. What is next?\n"
    "3. Is anything in the way?"
)


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
    owner: str = "",
    last: tuple[Said, ...] = (),
    blocked: tuple[Blocked, ...] = (),
    pending: int | None = None,
) -> Post:
    """The stage's stand-up: the owner mentioned, the last check-in's notes quoted, open
    blockers, the open required questions and the time box."""
    where = describe_days(day, time_box)
    open_text = _open_required(questions, tuple(q.key for q in result.missing))
    to = f"<@{owner}> " if owner else ""
    text = f"Check-in: {esc(name)} — {stage}, {where}. " + (
        "Gate passes."
        if result.passes
        else f"{len(result.missing)} open required question(s)."
        if result.missing
        else "No-go: the gate is closed."
    )
    if blocked:
        text += " Blocked."
    if owner:
        text += f" <@{owner}>"
    blocks = [section(f"{to}*Check-in — {esc(clip(name, 150))}*\nStage: *{stage}*, {where}.")]
    for blocker in blocked:
        who = f" <@{blocker.unblocker}> can unblock it." if blocker.unblocker else ""
        blocks.append(
            section(
                f"🚧 *Blocked* since {blocker.since}: “{esc(clip(blocker.what, 500))}”.{who}\n"
                f"Cleared by *On track*, *Ready for next stage* or `/mle unblock {slug}`."
            )
        )
    if last:
        quoted = "\n".join(
            f"> {esc(clip(' '.join(n.text.split()), 300))} — <@{n.author}>" for n in last[-5:]
        )
        blocks.append(section(f"*Said at the last check-in:*\n{quoted}"))
    standup = STANDUP
    if pending is not None:
        standup += (
            f"\n_Q{pending} of the {stage} interview is still waiting: reply `Q{pending}: …` "
            "to answer it; other replies here are check-in notes, and I'll ask "
            f"Q{pending} again below them._"
        )
    blocks.append(section(standup))
    if result.no_go is not None:
        blocks.append(section(_no_go(questions, result.no_go, slug)))
        if not result.missing:
            open_text = "No open required questions."
    blocks.append(section(open_text))
    if time_box is not None and day > time_box:
        if result.passes:
            onward = f"cut scope and move on with `/mle stage {slug} next`"
        elif result.no_go is not None:
            onward = f"close the project (`/mle close {slug} cancelled <why>`)"
        else:
            onward = (
                "cut scope: the gate waits for the open questions above, and the owner can "
                f"move on past them with `/mle stage {slug} next --force` (recorded)"
            )
        warning = (
            f"⚠️ Past the {time_box}-day time box (day {day}). Risk: {RISK.get(stage, '')}."
            f"\nExtend with a reason — reply `extend 1 week: <why>` — or {onward}."
        )
        blocks.append(section(warning))
        text += " Past the time box: extend with a reason or cut."
    buttons = [
        button("On track", ACTIONS[0], value, "primary"),
        button("Blocked", ACTIONS[1], value, "danger"),
    ]
    if result.no_go is None:  # a no-go closes the way on: no button that cannot work
        buttons.append(button("Ready for next stage", ACTIONS[2], value))
    blocks.append(actions("checkin", *buttons))
    blocks.append(context("Replies in this thread are check-in notes, kept with their authors."))
    return Post(text, blocks)


def blocker_modal(value: str, name: str) -> dict[str, Any]:
    """What is in the way, and who can unblock it (`value`: project id:check-in id)."""
    return {
        "type": "modal",
        "callback_id": "blocker",
        "title": {"type": "plain_text", "text": "Blocked"},
        "submit": {"type": "plain_text", "text": "Record blocker"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": json.dumps({"checkin": value}),
        "blocks": [
            section(f"What stops *{esc(clip(name, 100))}*? It stays on record until cleared."),
            {
                "type": "input",
                "block_id": "what",
                "label": {"type": "plain_text", "text": "What is in the way?"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": "value",
                    "multiline": True,
                    "min_length": 3,
                    "max_length": 1000,
                },
            },
            {
                "type": "input",
                "block_id": "who",
                "optional": True,
                "label": {"type": "plain_text", "text": "Who can unblock it?"},
                "element": {"type": "users_select", "action_id": "value"},
            },
        ],
    }


# Thousands of check-ins in one pass share a few stages and gaps: list each gap once. Keyed by
# the bank's tuple of questions by identity (hashing the question models costs more than this
# saves), and checked on a hit, so a new bank never sees an old listing.
_LISTINGS: dict[tuple[int, tuple[str, ...]], tuple[tuple[Question, ...], str]] = {}


def _no_go(questions: tuple[Question, ...], no_go: NoGo, slug: str) -> str:
    n = numbers(questions)[no_go.question.key]
    why = f": “{esc(clip(no_go.reason, 300))}”" if no_go.reason else ""
    return (
        f"⛔ The team decided *no-go* at Q{n} (<@{no_go.by}>, {no_go.at:%Y-%m-%d}){why}. The "
        f"gate stays closed: answer Q{n} again once something changed (reply `Q{n}: go - <what "
        f"changed>`), or close the project (`/mle close {slug} cancelled <why>`)."
    )


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


def nudge(*, people: tuple[str, ...], name: str) -> Post:
    """`people`: whom to ask — those who answered the project's questions and have not
    replied to the check-in, else the owner."""
    who = " ".join(f"<@{p}>" for p in people[:10])
    text = (
        f"{who} nobody has answered the check-in above for *{esc(name)}* in a day. "
        "What moved, what is next, anything in the way? A button or a reply is enough."
    )
    return Post(text, [section(text)])
