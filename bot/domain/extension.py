"""Replies to a check-in: notes, and `extend <duration>: <reason>`; pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.reading import read_duration

_EXTEND = re.compile(r"^\s*extend\b\s*(?P<rest>.*)$", re.IGNORECASE | re.DOTALL)
# the duration, then its reason: `extend 1 week: …`, `… — …`, `… - …`, `… because …`
_SPLIT = re.compile(r"\s*(?::|—|–|(?<=\s)-(?=\s)|\bbecause\b)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Extension:
    days: int
    reason: str


@dataclass(frozen=True)
class BadExtension:
    problem: str


def read_extension(text: str) -> Extension | BadExtension | None:
    """None when the reply is a plain note."""
    match = _EXTEND.match(text)
    if not match:
        return None
    parts = _SPLIT.split(match.group("rest").strip(), maxsplit=1)
    days = read_duration(parts[0]) if parts and parts[0] else None
    if days is None:
        return BadExtension("say how long, e.g. `extend 1 week: waiting for the data export`")
    reason = parts[1].strip() if len(parts) > 1 else ""
    if len(reason) < 3:
        return BadExtension(
            "an extension needs a reason, e.g. `extend 1 week: waiting for the data export`"
        )
    return Extension(days, reason)
