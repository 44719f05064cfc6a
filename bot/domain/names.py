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
# joiners, direction marks), separators, combining marks alone, unassigned code points
_INVISIBLE = {"Cc", "Cf", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"}
# letters and symbols drawn as nothing (fillers and blanks: Unicode's default-ignorable
# letters, the braille blank)
_BLANK = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
# text-direction controls: they reorder what follows, so a name can read as another one
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def visible(ch: str) -> bool:
    """Whether a character shows something (by its Unicode category, fillers aside)."""
    return ch not in _BLANK and unicodedata.category(ch) not in _INVISIBLE


def _spelled(chars: str) -> str:
    """`U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE`: what a person cannot see."""
    named = dict.fromkeys(
        f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in chars
    )
    return ", ".join(list(named)[:3]) + (" …" if len(named) > 3 else "")


def name_problem(name: str, what: str = "name") -> str | None:
    """Why a project, model or metric name cannot be used, or None. A name is shown in
    channel messages: it needs something visible (a letter, digit, symbol or emoji), no
    text-direction control, and no `<…>` (Slack reads those as mentions, @channel broadcasts
    and links). The message says what was wrong and how to type it."""
    if not any(visible(ch) for ch in name):
        hidden = "".join(ch for ch in name if not ch.isspace())
        held = f" (it holds only {_spelled(hidden)})" if hidden else ""
        return (
            f"The {what} needs at least one visible character{held}. "
            "Type it with letters, digits or emoji."
        )
    controls = "".join(ch for ch in name if ch in BIDI)
    if controls:
        kept = "".join(ch for ch in name if ch not in BIDI)
        shown = f" Without it the name reads “{kept[:80]}”." if not set("<>&") & set(kept) else ""
        return (
            f"The {what} holds a text-direction control ({_spelled(controls)}), which can "
            f"make a name read as another one. Type it without.{shown}"
        )
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


def ts_sortable(ts: str) -> str:
    """A Slack timestamp as text whose order is time order (`000001780000.000100`)."""
    seconds, micros = ts_key(ts)
    return f"{seconds:012d}.{micros:06d}"


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
