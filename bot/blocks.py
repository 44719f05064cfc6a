"""Block Kit as plain dicts, clipped to Slack's limits.

Building through slack_sdk's model classes validated every field on every post and was the
main cost of a scheduler pass (10,000 check-ins: about 7 of 8 seconds). The shapes here are
simple; the local emulator validates every payload with slack_sdk's models, so the tests
catch a malformed block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Post:
    """A message: its plain-text fallback (notifications, screen readers) and its blocks."""

    text: str
    blocks: list[dict[str, Any]]


SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000
CONTEXT_ELEMENTS = 10


def esc(text: str) -> str:
    """User text placed in mrkdwn: `&`, `<` and `>` as Slack's entities, so nothing a person
    typed becomes a mention, an @channel broadcast or a disguised link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_USER_MENTION = re.compile(r"(<@[UW][A-Z0-9]+>)")


def esc_but_mentions(text: str) -> str:
    """A reply written for one person, posted in a channel: `<` and `>` as entities but in
    the mentions of users it names (`<@U…>`), so no broadcast or link survives."""
    parts = _USER_MENTION.split(text)
    return "".join(
        part if i % 2 else part.replace("<", "&lt;").replace(">", "&gt;")
        for i, part in enumerate(parts)
    )


def clip(text: str, limit: int, marker: str = "…") -> str:
    """Shorten to at most `limit` characters without cutting a Slack `<…>` or `&…;` token."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - len(marker))]
    opening = cut.rfind("<")
    if opening > cut.rfind(">"):
        cut = cut[:opening]
    amp = cut.rfind("&")
    if amp > cut.rfind(";") and amp >= len(cut) - 6:
        cut = cut[:amp]
    return cut + marker


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(clip(text, SECTION_LIMIT))}


def divider() -> dict[str, Any]:
    return {"type": "divider"}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def context(*texts: str) -> dict[str, Any]:
    return {
        "type": "context",
        "elements": [_mrkdwn(clip(t, CONTEXT_LIMIT)) for t in texts[:CONTEXT_ELEMENTS]],
    }


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75)},
        "action_id": action_id,
        "value": clip(value, 2000),
    }
    if style:
        element["style"] = style
    return element


def actions(block_id: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements[:25])}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text or " "}


def sections(lines: list[str], limit: int = SECTION_LIMIT - 50) -> list[dict[str, Any]]:
    """Pack lines into as few sections as fit; a single over-long line is clipped."""
    packed: list[str] = []
    current = ""
    for line in lines:
        line = clip(line, limit)
        if current and len(current) + 1 + len(line) > limit:
            packed.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    if current:
        packed.append(current)
    return [section(text) for text in packed]
