"""Parse `/mle` text into a command, or into a usage message. Never raises."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands.tokens import TokenError, split_words
from bot.commands.usage import usage_for

MAX_PROJECT_NAME = 80


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


Command = Help | Invalid | NewProject | Status


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
