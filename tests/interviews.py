"""Helpers for driving a planning interview through the emulator, as people would."""

from __future__ import annotations

import re

from bot.bank_file import load_bank
from bot.domain.bank import Kind, Question
from sandbox.emulator.state import Message
from tests.conftest import Harness

PLANNING = load_bank().questions("planning")
VALID = {
    Kind.TEXT: "Cut churn by 2 points",
    Kind.NUMBER: "0.061",
    Kind.USER: "<@U0BOB>",
    Kind.DURATION: "2 weeks",
}
Q_PREFIX = re.compile(r"^Q(\d+)/(\d+) ")


def valid_answer(question: Question) -> str:
    return question.choices[0] if question.kind is Kind.CHOICE else VALID[question.kind]


async def new_project(
    h: Harness, name: str = "Churn reduction", *, user: str = "U0ALICE", channel: str = "C0MLTEAM"
) -> str:
    """Run `/mle new` and return the project's thread ts."""
    before = {m.ts for m in h.emulator.bot_posts(channel)}
    result = await h.emulator.slash(f"new {name}", user=user, channel=channel)
    assert result.status == 200
    await h.idle()
    parents = [
        m for m in h.emulator.bot_posts(channel) if m.ts not in before and m.thread_ts is None
    ]
    assert len(parents) == 1, [m.text for m in h.emulator.bot_posts(channel)]
    return parents[0].ts


async def reply(
    h: Harness, thread_ts: str, text: str, *, user: str = "U0ALICE", channel: str = "C0MLTEAM"
) -> Message:
    message, delivery = await h.emulator.say(text, user=user, channel=channel, thread_ts=thread_ts)
    assert delivery.status == 200
    await h.idle()
    return message


def thread_posts(h: Harness, thread_ts: str, channel: str = "C0MLTEAM") -> list[Message]:
    return h.emulator.bot_posts(channel, thread_ts)


def questions_asked(h: Harness, thread_ts: str, channel: str = "C0MLTEAM") -> list[str]:
    return [m.text for m in thread_posts(h, thread_ts, channel) if Q_PREFIX.match(m.text)]


def briefs(h: Harness, thread_ts: str, channel: str = "C0MLTEAM") -> list[Message]:
    return [
        m for m in thread_posts(h, thread_ts, channel) if "Planning brief" in m.text.splitlines()[0]
    ]


def block_text(message: Message) -> str:
    parts = []
    for block in message.blocks or []:
        for key in ("text",):
            if isinstance(block.get(key), dict):
                parts.append(block[key]["text"])
        for element in block.get("elements", []) or []:
            if isinstance(element, dict) and "text" in element:
                text = element["text"]
                parts.append(text["text"] if isinstance(text, dict) else str(text))
    return "\n".join(parts)
