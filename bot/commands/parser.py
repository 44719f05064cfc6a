"""Parse `/mle` text into a command, or into a usage message. Never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.tokens import TokenError, split_words
from bot.commands.usage import usage_for
from bot.domain.stages import ORDER

MAX_PROJECT_NAME = 80
STAGE_NAMES = [stage.value for stage in ORDER]


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Invalid:
    """Input that is not a command; `message` says what is wrong and how to write it."""

    message: str


@dataclass(frozen=True)
class NewProject:
    name: str


@dataclass(frozen=True)
class Status:
    project: str | None


@dataclass(frozen=True)
class MoveStage:
    project: str
    target: str  # "next" or a stage name
    force: bool


@dataclass(frozen=True)
class SetCheckin:
    project: str
    days: str | None  # None: check-ins off
    time: str | None
    tz: str | None


Command = Help | Invalid | NewProject | Status | MoveStage | SetCheckin
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def _invalid(problem: str, subcommand: str | None = None) -> Invalid:
    return Invalid(f"{problem}\n{usage_for(subcommand)}")


def parse(text: str) -> Command:
    """Turn the text after `/mle` into a command."""
    text = (text or "").strip()
    if not text:
        return Help()
    head, _, rest = text.partition(" ")
    sub = head.lower()
    rest = rest.strip()
    if sub in ("help", "-h", "--help", "?"):
        return Help()
    if sub == "new":
        return _parse_new(rest)
    if sub == "status":
        return _parse_status(rest)
    if sub == "stage":
        return _parse_stage(rest)
    if sub == "checkin":
        return _parse_checkin(rest)
    return _invalid(f"I don't know the command `{head[:40]}`.")


def _single_name(rest: str) -> str:
    """A name may be quoted or written plainly with spaces."""
    words = split_words(rest)
    if len(words) == 1:
        return words[0].strip()
    return " ".join(words).strip()


def _parse_new(rest: str) -> Command:
    try:
        name = _single_name(rest)
    except TokenError as exc:
        return _invalid(f"The project name is not right: {exc}.", "new")
    name = " ".join(name.split())
    if not name:
        return _invalid("Give the project a name.", "new")
    if len(name) > MAX_PROJECT_NAME:
        return _invalid(
            f"The project name has {len(name)} characters; at most {MAX_PROJECT_NAME} please.",
            "new",
        )
    return NewProject(name)


def _parse_status(rest: str) -> Command:
    if not rest:
        return Status(None)
    try:
        name = _single_name(rest)
    except TokenError as exc:
        return _invalid(f"The project name is not right: {exc}.", "status")
    return Status(" ".join(name.split()) or None)


def _words(rest: str, subcommand: str) -> list[str] | Invalid:
    try:
        return split_words(rest)
    except TokenError as exc:
        return _invalid(f"I couldn't read that: {exc}.", subcommand)


def _parse_stage(rest: str) -> Command:
    words = _words(rest, "stage")
    if isinstance(words, Invalid):
        return words
    force = any(w.lower() in ("--force", "-f", "—force") for w in words)
    words = [w for w in words if w.lower() not in ("--force", "-f", "—force")]
    if len(words) < 2:
        return _invalid("Name the project and where it goes: `next` or a stage.", "stage")
    target = words[-1].lower()
    if target != "next" and target not in STAGE_NAMES:
        return _invalid(
            f"`{words[-1][:30]}` is not a stage. Stages: {', '.join(STAGE_NAMES)}.", "stage"
        )
    return MoveStage(" ".join(words[:-1]), target, force)


def _parse_checkin(rest: str) -> Command:
    words = _words(rest, "checkin")
    if isinstance(words, Invalid):
        return words
    if len(words) >= 2 and words[-1].lower() == "off":
        return SetCheckin(" ".join(words[:-1]), None, None, None)
    if len(words) >= 3 and _TIME.match(words[-1]):
        return SetCheckin(" ".join(words[:-2]), words[-2], words[-1], None)
    if len(words) >= 4 and _TIME.match(words[-2]):
        return SetCheckin(" ".join(words[:-3]), words[-3], words[-2], words[-1])
    return _invalid(
        "Say the project, the days and the time, e.g. "
        "`/mle checkin churn mon,thu 09:30 Europe/Paris`.",
        "checkin",
    )
