"""How project and model names are compared and shortened into slugs."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9]+")


def name_key(name: str) -> str:
    """Case- and spacing-insensitive identity of a name."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def slugify(name: str) -> str:
    """`Churn Reduction v2` → `churn-reduction-v2`; names without letters get a stable id."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NON_WORD.sub("-", ascii_name.lower()).strip("-")[:60].strip("-")
    if slug:
        return slug
    return "p-" + hashlib.sha1(name_key(name).encode()).hexdigest()[:8]


def ts_key(ts: str) -> tuple[int, int]:
    """Slack message timestamps ('1780000000.000100') in comparable form."""
    seconds, _, micros = ts.partition(".")
    try:
        return int(seconds), int((micros or "0").ljust(6, "0")[:6])
    except ValueError:
        return (0, 0)
