"""Read a reply as an answer of a question's kind; pure and total (never raises)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.bank import Kind, Question
from bot.domain.reading import (
    NONE_APPLIED,
    Several,
    is_hedged,
    is_non_answer,
    quoted,
    read_choice,
    read_choices,
    read_duration,
    read_quantity,
    says_nothing_applies,
    show,
)

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")

EXAMPLES = {
    Kind.TEXT: "any text",
    Kind.DURATION: "a duration such as `2 weeks`, `10 days` or `a fortnight`",
    Kind.NUMBER: "one number, with its unit if it has one, such as `4.2%`, `$1.2M` or `1200`",
    Kind.USER: "a mention of the person, such as @alice",
}


@dataclass(frozen=True)
class Parsed:
    """An answer: the reply as written (`text`, kept whole) and what was read from it."""

    text: str
    days: int | None = None
    number: float | None = None
    unit: str = ""
    user: str | None = None
    choice: str | None = None
    reason: str = ""  # what followed a choice (`no-go: no labels`)
    picked: tuple[str, ...] = ()  # a several-choices answer's choices, in list order


@dataclass(frozen=True)
class Rejected:
    reason: str


@dataclass(frozen=True)
class NonAnswer:
    """`tbd`, `unknown`, `not sure yet, will ask …` (and `n/a`, `none` to a required
    question): kept, the question stays open."""

    text: str


def example(question: Question) -> str:
    if question.kind is Kind.CHOICES:
        return "the numbers of the items that apply (`1, 5`) or their names"
    if question.kind is Kind.CHOICE:
        return (
            "one of "
            + ", ".join(f"`{c}`" for c in question.choices)
            + ", then a reason if you like"
        )
    return EXAMPLES[question.kind]


# a person named without the @: `carol`, `carol from RevOps`, `carol i think`, `probably carol`
_NAMED = re.compile(
    r"^(?:(?:probably|maybe|i think|i guess|that's|thats|it's|its|it is)\s+)?"
    r"([A-Za-z](?:[\w.\-]{0,29}\w)?)"
    r"(?=\s*$|[,.!;:?]|\s+(?:from|in|at|on|of|i think|i guess|i believe|probably|maybe|"
    r"owns|runs|leads|will|does|should)\b)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    "a an the i we me myself nobody noone someone somebody none no not yes tbd idk unknown "
    "probably maybe team everyone anyone they he she it who whoever same that this there "
    "those these what whatever".split()
)


def named_person(text: str) -> str | None:
    """The name a reply starts with when it mentions no one (`carol from finance owns it` →
    `carol`), as written; None when it starts with no name."""
    if _MENTION.search(text):
        return None
    match = _NAMED.match(text.strip())
    if match is None or match.group(1).lower() in _NOT_NAMES:
        return None
    return match.group(1)


def with_people(question: Question, text: str, people: Mapping[str, str]) -> str:
    """For a person question, a member's name written without the @ is that member:
    `carol from finance` → `<@U0CAROL> from finance` (`people`: name → user id, the members
    the name was looked up among)."""
    name = named_person(text) if question.kind is Kind.USER else None
    member = people.get(name) or people.get(name.lower()) if name else None
    if name is None or member is None:
        return text
    return re.sub(
        rf"(?<![\w@<]){re.escape(name)}(?![\w>])",
        f"<@{member}>",
        text,
        count=1,
        flags=re.IGNORECASE,
    )


def read_answer(question: Question, text: str) -> Parsed | Rejected | NonAnswer:
    stripped = text.strip()
    if not stripped:
        return Rejected("that reply has no text")
    if question.kind is Kind.CHOICES and NONE_APPLIED.match(stripped):
        return Parsed(stripped)  # none of the items applied: an answer
    if is_non_answer(stripped) and (question.required or not says_nothing_applies(stripped)):
        return NonAnswer(stripped)  # `tbd`, `idk` leave even an optional question open
    kind = question.kind
    if kind is Kind.TEXT:
        return Parsed(stripped)
    if kind is Kind.DURATION:
        days = read_duration(stripped)
        if days is None:
            return Rejected(
                f"I couldn't find a duration of 1 day to a year in `{quoted(stripped)}`"
            )
        return Parsed(stripped, days=days)
    if kind is Kind.NUMBER:
        found = read_quantity(stripped)
        if isinstance(found, Several):
            listed = " and ".join(show(q.value, q.unit) for q in found.values[:3])
            return Rejected(f"`{quoted(stripped)}` gives {listed}; I can't tell which one you mean")
        if found is None:
            return Rejected(f"I couldn't find a number in `{quoted(stripped)}`")
        return Parsed(stripped, number=found.value, unit=found.unit)
    if kind is Kind.USER:
        users = list(dict.fromkeys(_MENTION.findall(stripped)))
        if not users:
            named = named_person(stripped)
            hint = (
                f" (to mention them, type `@{named}` and pick them from Slack's list)"
                if named
                else ""
            )
            return Rejected(f"that reply doesn't mention anyone{hint}")
        if len(users) > 1:
            return Rejected("that reply mentions several people; who is the one")
        return Parsed(stripped, user=users[0])
    if kind is Kind.CHOICES:
        picked = read_choices(question.choices, stripped)
        if picked and re.search(r"\bnone\b", stripped, re.IGNORECASE):
            return Rejected(f"`{quoted(stripped)}` names items and `none` at once; which is it")
        if not picked:
            return Rejected(
                f"I couldn't find any of the listed items in `{quoted(stripped)}`: give their "
                "numbers (`1, 5`) or names"
            )
        return Parsed(stripped, picked=picked)
    chosen = read_choice(question.choices, stripped)
    if chosen is None:
        return Rejected(f"`{quoted(stripped)}` doesn't start with one of the choices")
    if is_hedged(chosen):
        return Rejected(
            f"`{quoted(stripped)}` reads as not decided yet; once it is, answer with the choice "
            "alone or followed by a reason (`skip` for now)"
        )
    return Parsed(stripped, choice=chosen.choice, reason=chosen.reason)


_ME = re.compile(r"(?<![\w@<])(me|myself)(?![\w>])", re.IGNORECASE)


def with_author(question: Question, text: str, user: str) -> str:
    """For a person question, `me` is the person answering: `me and @bob` names two people."""
    if question.kind is not Kind.USER:
        return text
    return _ME.sub(f"<@{user}>", text)
