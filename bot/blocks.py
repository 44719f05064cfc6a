"""Small helpers for building Block Kit within Slack's limits."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextBlock, HeaderBlock, SectionBlock
from slack_sdk.models.blocks.basic_components import MarkdownTextObject, PlainTextObject

SECTION_LIMIT = 3000
HEADER_LIMIT = 150
CONTEXT_LIMIT = 2000


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
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_LIMIT))).to_dict()


def header(text: str) -> dict[str, Any]:
    return HeaderBlock(text=PlainTextObject(text=clip(text, HEADER_LIMIT))).to_dict()


def context(*texts: str) -> dict[str, Any]:
    return ContextBlock(
        elements=[MarkdownTextObject(text=clip(t, CONTEXT_LIMIT)) for t in texts[:10]]
    ).to_dict()


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
