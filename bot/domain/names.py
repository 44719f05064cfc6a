"""How project and model names are compared and shortened into slugs."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence

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


# characters that show nothing: spaces, controls, format characters (zero-width space and
# joiners, direction marks), separators
_INVISIBLE = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me"}


def name_problem(name: str, what: str = "name") -> str | None:
    """Why a project, model or metric name cannot be used, or None. A name is shown in
    channel messages: it needs something visible, and may hold no `<…>` (Slack reads those
    as mentions, @channel broadcasts and links)."""
    if not any(unicodedata.category(ch) not in _INVISIBLE for ch in name):
        return f"The {what} needs at least one visible character."
    if "<" in name or ">" in name:
        return (
            f"The {what} can't hold a mention, an @channel or @here, a link, or `<` `>` "
            "(Slack turns those into notifications and links). Type the name as plain text."
        )
    return None


def ts_key(ts: str) -> tuple[int, int]:
    """Slack message timestamps ('1780000000.000100') in comparable form."""
    seconds, _, micros = ts.partition(".")
    try:
        return int(seconds), int((micros or "0").ljust(6, "0")[:6])
    except ValueError:
        return (0, 0)


# How alike a typed word must be to a known one to be offered as "did you mean": words of
# the product's own (commands, stages, options, project names); names a team made up (KPIs)
# only when nearly the same, as two different KPIs often share most of their words.
CLOSE = 0.6
NAME_CLOSE = 0.8


def did_you_mean(
    word: str, options: Sequence[str], *, n: int = 1, cutoff: float = CLOSE
) -> list[str]:
    """What was meant, best first: the same letters in another order (`stauts` is `status`,
    not `stats`), then the nearest spellings."""
    swapped = [o for o in options if len(o) == len(word) and sorted(o) == sorted(word)]
    near = difflib.get_close_matches(word, list(options), n=n, cutoff=cutoff)
    return list(dict.fromkeys([*swapped, *near]))[:n]
