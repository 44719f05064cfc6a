"""Read a reply as an answer of a question's kind; pure and total (never raises)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.domain.bank import Kind, Question

_DURATION = re.compile(
    r"^(?P<n>\d+(?:[.,]\d+)?|an?|one|two|three|four|five|six)\s*"
    r"(?P<unit>d|days?|w|wks?|weeks?|m|mos?|months?)\.?$",
    re.IGNORECASE,
)
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
MAX_TIME_BOX_DAYS = 366

EXAMPLES = {
    Kind.TEXT: "any text",
    Kind.DURATION: "a duration such as `2 weeks`, `10 days` or `3w`",
    Kind.NUMBER: "a number such as `0.042` or `1200`",
    Kind.USER: "a mention of the person, such as @alice",
}


@dataclass(frozen=True)
class Parsed:
    text: str
    days: int | None = None
    number: float | None = None
    user: str | None = None


@dataclass(frozen=True)
class Rejected:
    reason: str


def example(question: Question) -> str:
    if question.kind is Kind.CHOICE:
        return "one of " + ", ".join(f"`{c}`" for c in question.choices)
    return EXAMPLES[question.kind]


def parse_duration(text: str) -> int | None:
    """Days in a duration like '2 weeks', '10 days', '3w', '1.5 months'; None if unreadable."""
    match = _DURATION.match(" ".join(text.split()))
    if not match:
        return None
    raw = match.group("n").lower().replace(",", ".")
    amount = float(_WORDS.get(raw, 0) or raw)
    days = round(amount * _UNIT_DAYS[match.group("unit")[0].lower()])
    return days if 1 <= days <= MAX_TIME_BOX_DAYS else None


def parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("_", "").rstrip("%")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_answer(question: Question, text: str) -> Parsed | Rejected:
    stripped = text.strip()
    if not stripped:
        return Rejected("that reply has no text")
    kind = question.kind
    if kind is Kind.TEXT:
        return Parsed(stripped)
    if kind is Kind.DURATION:
        days = parse_duration(stripped)
        if days is None:
            return Rejected(f"I couldn't read `{stripped[:60]}` as a duration of 1 day to a year")
        return Parsed(stripped, days=days)
    if kind is Kind.NUMBER:
        number = parse_number(stripped)
        if number is None:
            return Rejected(f"I couldn't read `{stripped[:60]}` as a number")
        return Parsed(stripped, number=number)
    if kind is Kind.USER:
        match = _MENTION.match(stripped)
        if not match:
            return Rejected("that isn't a mention of one person")
        return Parsed(stripped, user=match.group(1))
    for choice in question.choices:
        if stripped.lower() == choice.lower():
            return Parsed(choice)
    return Rejected(f"`{stripped[:60]}` isn't one of the choices")
