"""Parse `/mle` text into a command, or into a usage message. Never raises."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.commands.tokens import TokenError, split_quoted, split_words
from bot.domain.business_rules import METHOD_NAMES
from bot.domain.names import did_you_mean, name_problem
from bot.domain.reading import (
    Quantity,
    Several,
    looks_like_unit,
    read_duration,
    read_quantity,
    show,
    unit_after,
    unit_named,
)
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


@dataclass(frozen=True)
class Deploy:
    words: tuple[str, ...]  # <project> <model> [<version>]; the project may be several words
    tier: str | None


@dataclass(frozen=True)
class DefineMetric:
    model: str
    name: str
    value: float | None
    changes: dict[str, object]  # baseline, target, owner_id, method, window_days, direction
    units: dict[str, str] = field(default_factory=dict)  # baseline|target|value → unit typed


@dataclass(frozen=True)
class RemoveMetric:
    model: str
    name: str


@dataclass(frozen=True)
class CorrectValue:
    """`… correct 3.8%` / `… withdraw`, of the latest value or the one reported on `day`."""

    model: str
    name: str
    value: float | None  # None: withdraw
    unit: str = ""
    day: str | None = None  # YYYY-MM-DD


@dataclass(frozen=True)
class AnswerQuestion:
    """`/mle answer <project> [<stage>.]Q<n>|<key> <text>`."""

    project: str
    stage: str | None  # None: the project's current stage
    question: str  # `Q4` or a question key
    text: str


@dataclass(frozen=True)
class ShowBrief:
    project: str
    stage: str | None = None  # None: the latest finished interview's


@dataclass(frozen=True)
class Registry:
    pass


@dataclass(frozen=True)
class Stats:
    scope: str  # here | all


@dataclass(frozen=True)
class KpiChart:
    model: str


@dataclass(frozen=True)
class CloseProject:
    project: str
    outcome: str  # shipped | cancelled | paused
    reason: str


@dataclass(frozen=True)
class ReopenProject:
    project: str


@dataclass(frozen=True)
class Unblock:
    project: str
    note: str


@dataclass(frozen=True)
class Retire:
    model: str


@dataclass(frozen=True)
class Digest:
    action: str  # "set" | "off" | "now"
    days: str | None = None
    time: str | None = None
    tz: str | None = None


@dataclass(frozen=True)
class DeleteProject:
    project: str


@dataclass(frozen=True)
class Settings:
    # grace_days, interval_days, cadence_days, window_days, research_days, missed_hours (int);
    # registry_channel (a channel id, "here" or "" for none); empty: show
    changes: dict[str, int | str]


Command = (
    Help
    | Invalid
    | NewProject
    | Status
    | MoveStage
    | SetCheckin
    | Deploy
    | DefineMetric
    | Retire
    | Settings
    | Digest
    | DeleteProject
    | AnswerQuestion
    | ShowBrief
    | RemoveMetric
    | CorrectValue
    | Unblock
    | CloseProject
    | ReopenProject
    | Stats
    | KpiChart
    | Registry
)
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
    if sub in ("-h", "--help", "?"):
        return Help()
    found = BY_NAME.get(sub)
    if found is not None:
        return found.parse(rest.strip())
    close = did_you_mean(sub, list(BY_NAME))
    if close:
        return Invalid(
            f"I don't know the command `{head[:40]}`. Did you mean `{close[0]}`?\n"
            f"{usage_for(close[0])}"
        )
    return _invalid(f"I don't know the command `{head[:40]}`.")


def _parse_help(rest: str) -> Command:
    return Help()


def _parse_registry(rest: str) -> Command:
    return Registry()


def _parse_stats(rest: str) -> Command:
    scope = rest.lower() or "here"
    if scope not in ("here", "all"):
        return _invalid("Say `here` (this channel) or `all` (the workspace).", "stats")
    return Stats(scope)


def _parse_chart(rest: str) -> Command:
    model = " ".join(rest.strip("\"'“”").split())
    return KpiChart(model) if model else _invalid("Name the model.", "chart")


def _parse_reopen(rest: str) -> Command:
    name = " ".join(rest.strip("\"'“”").split())
    return ReopenProject(name) if name else _invalid("Name the project.", "reopen")


def _parse_brief(rest: str) -> Command:
    try:
        words = split_words(rest)
    except TokenError as exc:
        return _invalid(f"The project name is not right: {exc}.", "brief")
    stage = words[-1].lower() if len(words) > 1 and words[-1].lower() in STAGE_NAMES else None
    name = " ".join(" ".join(words[:-1] if stage else words).split())
    return ShowBrief(name, stage) if name else _invalid("Name the project.", "brief")


def _parse_delete(rest: str) -> Command:
    try:
        name = " ".join(_single_name(rest).split())
    except TokenError as exc:
        return _invalid(f"The project name is not right: {exc}.", "delete")
    return DeleteProject(name) if name else _invalid("Name the project.", "delete")


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
    problem = name_problem(name, "project name")
    if problem:
        return _invalid(problem, "new")
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
        close = did_you_mean(target, ["next", *STAGE_NAMES])
        guess = f" Did you mean `{close[0]}`?" if close else ""
        return _invalid(
            f"`{words[-1][:30]}` is not a stage.{guess} Stages: {', '.join(STAGE_NAMES)}.",
            "stage",
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


_TIERS = {"customer-facing", "business-critical", "internal-assistive", "internal-tooling"}
_METHODS = METHOD_NAMES
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def _parse_deploy(rest: str) -> Command:
    words = _words(rest, "deploy")
    if isinstance(words, Invalid):
        return words
    tier = None
    kept = []
    for word in words:
        if word.lower().startswith("tier="):
            tier = word.split("=", 1)[1].lower().replace(" ", "-")
            if tier not in _TIERS:
                return _invalid(
                    f"`{tier[:30]}` is not a tier. Tiers: {', '.join(sorted(_TIERS))}.", "deploy"
                )
        else:
            kept.append(word)
    if len(kept) < 2:
        return _invalid("Name the project and the model.", "deploy")
    return Deploy(tuple(kept), tier)


_QUESTION_REF = re.compile(
    rf"^(?:(?P<stage>{'|'.join(STAGE_NAMES)})\.)?(?P<ref>[Qq]\d{{1,2}}|[a-z][a-z0-9_]{{0,40}})"
    r":?$",
    re.IGNORECASE,
)
_QUOTE_OPEN = {'"': '"', "'": "'", "\u201c": "\u201d", "\u2018": "\u2019"}
_NUMBERED_REF = re.compile(r"^(?:[a-z]+\.)?[Qq]\d{1,2}:?$|^[a-z]+\.[a-z][a-z0-9_]*:?$", re.I)


def _parse_answer(rest: str) -> Command:
    """The project (quoted, or every word before a `Q<n>`, or one word), the question, the
    answer as typed."""
    if rest[:1] in _QUOTE_OPEN:
        close = rest.find(_QUOTE_OPEN[rest[0]], 1)
        if close == -1:
            return _invalid(f"the quote {rest[0]} is never closed.", "answer")
        words = [rest[1:close], *rest[close + 1 :].split()]
        at = 1
    else:
        words = rest.split()
        at = next((i for i, w in enumerate(words) if i > 0 and _NUMBERED_REF.match(w)), 1)
    if len(words) < at + 2:
        return _invalid("Name the project, the question and your answer.", "answer")
    project = " ".join(words[:at]).strip()
    match = _QUESTION_REF.match(words[at])
    if not project or match is None:
        return _invalid(
            f"`{words[at][:30]}` is not a question: write `Q4`, `planning.Q4` or its key.",
            "answer",
        )
    stage = match.group("stage").lower() if match.group("stage") else None
    ref = match.group("ref")
    ref = ref.upper() if ref[:1] in "qQ" and ref[1:].isdigit() else ref.lower()
    return AnswerQuestion(project, stage, ref, " ".join(words[at + 1 :]))


OUTCOMES = ("shipped", "cancelled", "paused")
_OUTCOME_WORDS = {"canceled": "cancelled", "ship": "shipped", "pause": "paused"}


def _parse_close(rest: str) -> Command:
    """`<project> shipped|cancelled|paused [reason]`: the project is the words before the
    outcome."""
    words = rest.split()
    for at, word in enumerate(words):
        outcome = _OUTCOME_WORDS.get(word.lower().strip(".,:;"), word.lower().strip(".,:;"))
        if at > 0 and outcome in OUTCOMES:
            project = " ".join(words[:at]).strip("\"'“”")
            reason = " ".join(words[at + 1 :]).lstrip("-–—:, ")
            return CloseProject(project, outcome, reason[:500])
    near = [
        (word, match[0]) for word in words[1:] if (match := did_you_mean(word.lower(), OUTCOMES))
    ]
    named = (
        f"`{near[0][0][:30]}` is not an outcome"
        if near
        else f"`{words[-1][:30]}` is not an outcome"
        if len(words) == 2
        else "Say how it ended"
    )
    guess = f" (did you mean `{near[0][1]}`?)" if near else ""
    return _invalid(
        f"{named}{guess}: `shipped`, `cancelled` or `paused`, after the project, then a reason.",
        "close",
    )


def _parse_unblock(rest: str) -> Command:
    """`<project> [note]`: the project is one word or quoted."""
    if rest[:1] in _QUOTE_OPEN:
        close = rest.find(_QUOTE_OPEN[rest[0]], 1)
        if close == -1:
            return _invalid(f"the quote {rest[0]} is never closed.", "unblock")
        project, note = rest[1:close], rest[close + 1 :]
    else:
        project, _, note = rest.partition(" ")
    project = " ".join(project.split())
    if not project:
        return _invalid("Name the project.", "unblock")
    return Unblock(project, " ".join(note.split())[:500])


def _number(key: str, raw: str) -> tuple[float, str] | Invalid:
    found = read_quantity(raw)
    if isinstance(found, Several):
        listed = " and ".join(show(q.value, q.unit) for q in found.values[:3])
        return _invalid(f"`{key}` needs one number; `{raw[:30]}` gives {listed}.", "metric")
    if found is None:
        if key == "value":
            return _invalid(f"{_code(raw)} is not a number.", "metric")
        return _invalid(f"`{key}` needs a finite number; {_code(raw)} is not one.", "metric")
    if not found.unit and unit_after(raw):  # `41bps`: the service says the unit is unknown
        return found.value, unit_after(raw)
    return found.value, found.unit


def _code(raw: str) -> str:
    """What a person typed, shown back as code: short, and nothing in it a mention or link."""
    shown = raw[:30].replace("`", "'").replace("&", "&amp;").replace("<", "&lt;")
    return f"`{shown.replace('>', '&gt;')}`"


def _parse_metric(rest: str) -> Command:
    try:
        quoted = split_quoted(rest)
    except TokenError as exc:
        return _invalid(f"I couldn't read that: {exc}.", "metric")
    words = [word for word, _ in quoted]
    if len(words) < 2:
        return _invalid("Name the model and the metric.", "metric")
    words = _units_attached(words)
    name_quoted = quoted[1][1]  # `"monthly churn" banana`: the name ends at its quote
    if not name_quoted and (_is_number(words[1]) or words[1].lower() in _VALUE_FIXES):
        words = [words[0], "", *words[1:]]
    if not name_quoted:
        words = _name_unquoted(words)
    model, name = words[0], " ".join(words[1].split())  # "": the model's only KPI
    if len(name) > 80:
        return _invalid("The metric name must have 1 to 80 characters.", "metric")
    problem = name_problem(name, "metric name") if name else None
    if problem:
        return _invalid(problem, "metric")
    if [w.lower() for w in words[2:]] == ["remove"]:
        return RemoveMetric(model, name)
    if words[2:] and words[2].lower() in _VALUE_FIXES:
        return _parse_correction(model, name, words[2].lower(), words[3:])
    value: float | None = None
    changes: dict[str, object] = {}
    units: dict[str, str] = {}
    after_value = False  # the word before was a value written without its unit
    for word in words[2:]:
        key, eq, raw = word.partition("=")
        key = key.lower()
        if not eq:
            if key in ("higher", "lower"):
                changes["direction"] = key
                after_value = False
                continue
            if after_value and _unit_word(word):  # `41 bps`, `41 usd`
                units["value"] = unit_named(word) or word
                after_value = False
                continue
            number = _number("value", word)
            if isinstance(number, Invalid):
                return number
            if value is not None:
                return _invalid("Give one value at a time.", "metric")
            value, units["value"] = number
            after_value = not units["value"]
            continue
        after_value = False
        if key in ("baseline", "target"):
            number = _number(key, raw)
            if isinstance(number, Invalid):
                return number
            changes[key], units[key] = number
        elif key == "name":
            new = " ".join(raw.split())
            problem = name_problem(new, "metric name") if new else "Give the new name."
            if problem or len(new) > 80:
                return _invalid(
                    problem or "The metric name must have 1 to 80 characters.", "metric"
                )
            changes["rename"] = new
        elif key == "owner":
            match = _MENTION.match(raw.strip())
            if not match:
                return _invalid(
                    f"`owner=` needs a mention of a person, e.g. `owner=@alice`; "
                    f"`{raw[:30]}` is not one.",
                    "metric",
                )
            changes["owner_id"] = match.group(1)
        elif key == "method":
            method = _METHODS.get(raw.lower())
            if method is None:
                return _invalid(
                    f"`{raw[:30]}` is not a method. Use ab, holdout or pre_post.", "metric"
                )
            changes["method"] = method
        elif key == "window":
            days = read_duration(raw) or (
                int(raw) if raw.isdigit() and 0 < int(raw) < 367 else None
            )
            if days is None:
                return _invalid(
                    f"`window=` needs a duration such as `30d` or `4 weeks`; "
                    f"`{raw[:30]}` is not one.",
                    "metric",
                )
            changes["window_days"] = days
        else:
            close = did_you_mean(key, _METRIC_OPTIONS)
            hint = f" Did you mean `{close[0]}=`?" if close else ""
            return _invalid(f"I don't know the option `{key[:30]}=`.{hint}", "metric")
    return DefineMetric(model, name, value, changes, units)


_METRIC_OPTIONS = ("baseline", "target", "owner", "method", "window", "name")
_METRIC_WORDS = ("higher", "lower", "remove", "correct", "withdraw")
_NOT_UNITS = _METRIC_WORDS
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_VALUE_FIXES = ("correct", "withdraw")  # `/mle metric churn-v1 withdraw`: its only KPI


def _parse_correction(model: str, name: str, verb: str, words: list[str]) -> Command:
    """`correct <value> [at=<YYYY-MM-DD>]` or `withdraw [at=<YYYY-MM-DD>]`."""
    day: str | None = None
    rest: list[str] = []
    for word in words:
        key, eq, raw = word.partition("=")
        if eq and key.lower() == "at":
            if not _DAY.match(raw):
                return _invalid(
                    f"`at=` needs a day such as `2026-11-03`; {_code(raw)} is not one.", "metric"
                )
            day = raw
        else:
            rest.append(word)
    if verb == "withdraw":
        if rest:
            return _invalid(
                f"`withdraw` takes only `at=<YYYY-MM-DD>`; not {_code(rest[0])}.", "metric"
            )
        return CorrectValue(model, name, None, "", day)
    if not rest:
        return _invalid("`correct` needs the right value, e.g. `correct 3.8%`.", "metric")
    number = _number("value", rest[0])
    if isinstance(number, Invalid):
        return number
    unit = number[1]
    if len(rest) == 2 and not unit and _unit_word(rest[1]):  # `correct 41 bps`
        unit = unit_named(rest[1]) or rest[1]
    elif len(rest) > 1:
        return _invalid("Give one value at a time.", "metric")
    return CorrectValue(model, name, number[0], unit, day)


def _unit_word(word: str) -> bool:
    """A word that can only be a unit written after a bare value: `bps`, `usd`, `pct`."""
    return looks_like_unit(word) and word.lower() not in _NOT_UNITS


def _name_unquoted(words: list[str]) -> list[str]:
    """`/mle metric churn-v1 monthly churn rate 4,0%`: the words between the model and the
    first value, option or keyword are the KPI's name, quoted or not."""
    end = 1
    while end < len(words) and not (
        _is_number(words[end])
        or "=" in words[end]
        or words[end].lower() in _METRIC_WORDS
        or _value_in_unknown_unit(words[end:])
    ):
        end += 1
    if end <= 2:
        return words
    return [words[0], " ".join(words[1:end]), *words[end:]]


def _value_in_unknown_unit(words: list[str]) -> bool:
    """`monthly churn 41bps`: the last word before the options is a value whose unit I don't
    know (but `7d active users 4%` is a name with a number in it)."""
    first = words[0]
    return (
        first[:1].isdigit()
        and bool(unit_after(first))
        and isinstance(read_quantity(first), Quantity)
        and all("=" in w or w.lower() in _METRIC_WORDS for w in words[1:])
    )


_NUMBER_ONLY = re.compile(r"^[\s\d.,%$€£¥+\-−~kKMBnbp']+$")
_LONE_UNITS = {"%", "pp", "percent", "pct", "$", "€", "£"}


def _is_number(word: str) -> bool:
    """`3.9%`, `4,1`, `$1.2M`, `41pct`, `41usd`: a value, not a KPI's name."""
    unit = _UNIT_TAIL.search(word)
    number = word[: unit.start()] if unit and unit_named(unit.group()) else word
    return bool(_NUMBER_ONLY.match(number)) and isinstance(read_quantity(word), Quantity)


_UNIT_TAIL = re.compile(r"[A-Za-z][A-Za-z ]*$")


def _units_attached(words: list[str]) -> list[str]:
    """`3.7 %` typed with a space is one value, as the bot itself writes it."""
    out: list[str] = []
    for word in words:
        if word.lower() in _LONE_UNITS and out and _is_number(out[-1].split("=")[-1]):
            out[-1] = f"{out[-1]}{word}"
        else:
            out.append(word)
    return out


def _parse_retire(rest: str) -> Command:
    words = _words(rest, "retire")
    if isinstance(words, Invalid):
        return words
    if not words:
        return _invalid("Name the model to retire.", "retire")
    return Retire(" ".join(words))


_SETTING_NAMES = {
    "grace": "grace_days",
    "reminder": "interval_days",
    "interval": "interval_days",
    "cadence": "cadence_days",
    "review": "cadence_days",
    "window": "window_days",
    "research": "research_days",
}


_CHANNEL_LINK = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")


def _registry_channel(raw: str) -> str | None:
    """A channel as Slack escapes it (`<#C…|name>`), `here`, or `off`/`none` (→ "")."""
    if raw.lower() in ("here", "this"):
        return "here"
    if raw.lower() in ("off", "none", "-"):
        return ""
    found = _CHANNEL_LINK.match(raw)
    return found.group(1) if found else None


def _parse_settings(rest: str) -> Command:
    words = _words(rest, "settings")
    if isinstance(words, Invalid):
        return words
    changes: dict[str, int | str] = {}
    for word in words:
        key, eq, raw = word.partition("=")
        field = _SETTING_NAMES.get(key.lower())
        if eq and key.lower() == "registry_channel":
            channel = _registry_channel(raw)
            if channel is None:
                named = f"I can't find the channel `{raw[:40]}`" if raw.startswith("#") else ""
                return _invalid(
                    (f"{named}: " if named else "`registry_channel=` needs a channel: ")
                    + "pick it from Slack's list as you type `#` (it arrives as a link), or "
                    "say `registry_channel=here` in it (`off`: none).",
                    "settings",
                )
            changes["registry_channel"] = channel
            continue
        if eq and key.lower() == "missed":
            hours = raw.lower().removesuffix("h")
            if not hours.isdigit() or int(hours) > 168:
                return _invalid(
                    "`missed=` needs hours from 0 to 168, e.g. `missed=6h`.", "settings"
                )
            changes["missed_hours"] = int(hours)
            continue
        if not eq or field is None:
            return _invalid(f"I don't know the setting `{word[:30]}`.", "settings")
        days = read_duration(raw) or (int(raw) if raw.isdigit() and 0 < int(raw) < 367 else None)
        if days is None:
            return _invalid(f"`{key}=` needs a duration such as `7d` or `2 weeks`.", "settings")
        changes[field] = days
    return Settings(changes)


def _parse_digest(rest: str) -> Command:
    words = _words(rest, "digest")
    if isinstance(words, Invalid):
        return words
    if len(words) == 1 and words[0].lower() in ("off", "now"):
        return Digest(words[0].lower())
    if len(words) in (2, 3) and _TIME.match(words[1]):
        return Digest("set", words[0], words[1], words[2] if len(words) == 3 else None)
    return _invalid(
        "Say when, e.g. `/mle digest mon 09:00 Europe/Paris`, or `off` / `now`.", "digest"
    )


@dataclass(frozen=True)
class Subcommand:
    """One `/mle` subcommand: its name, how its text is read, and its usage line. Its
    handler is keyed by the command it reads to (handlers/command_table.py)."""

    name: str
    parse: Callable[[str], Command]
    syntax: str
    what: str


# every subcommand, in the order the usage lists them: a new one is added here (and its
# handler in the table)
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand(
        "new",
        _parse_new,
        "/mle new <project name>",
        "start a project in this channel and its planning interview in a thread",
    ),
    Subcommand(
        "status",
        _parse_status,
        "/mle status [<project>]",
        "this channel's projects, or one project's answers so far",
    ),
    Subcommand(
        "stage",
        _parse_stage,
        "/mle stage <project> next|<stage> [--force]",
        "move a project on when its stage gate passes (`--force`: owner or admin)",
    ),
    Subcommand(
        "checkin",
        _parse_checkin,
        "/mle checkin <project> <days> <HH:MM> [<IANA tz>]  |  off",
        "when to check in, e.g. `mon,thu 09:30 Europe/Paris` (default: mon 10:00)",
    ),
    Subcommand(
        "answer",
        _parse_answer,
        "/mle answer <project> [<stage>.]Q<n> <answer>",
        "answer or revise a question of the current stage (`Q4`) or an earlier one "
        "(`planning.Q4`); in the thread, a reply `Q4: …` does the same",
    ),
    Subcommand(
        "close",
        _parse_close,
        "/mle close <project> shipped|cancelled|paused [reason]",
        "end the project (owner or admin): check-ins stop, a short retrospective follows",
    ),
    Subcommand(
        "reopen",
        _parse_reopen,
        "/mle reopen <project>",
        "undo a close: back to the stage it was in",
    ),
    Subcommand(
        "stats",
        _parse_stats,
        "/mle stats [here|all]",
        "the team's failure profile as a chart (text for you): outcomes, failure reasons, "
        "days per stage, models with complete business metrics",
    ),
    Subcommand(
        "chart",
        _parse_chart,
        "/mle chart <model>",
        "the model's KPI over time, as a chart in its project thread",
    ),
    Subcommand(
        "registry",
        _parse_registry,
        "/mle registry",
        "what the last MLflow registry sync saw: matched and unmatched models, problems",
    ),
    Subcommand(
        "unblock",
        _parse_unblock,
        "/mle unblock <project> [note]",
        "clear the project's blocker (recorded with your note)",
    ),
    Subcommand(
        "brief",
        _parse_brief,
        "/mle brief <project> [<stage>]",
        "post the project's latest brief (or that stage's) in its thread again",
    ),
    Subcommand(
        "deploy",
        _parse_deploy,
        "/mle deploy <project> <model> [<version>] [tier=<tier>]",
        "register a deployed model of a project (tier: customer-facing, "
        "business-critical, internal-assistive, internal-tooling)",
    ),
    Subcommand(
        "metric",
        _parse_metric,
        '/mle metric <model> "<name>" [<value>] [baseline=<n>] [target=<n>] '
        "[owner=@someone] [method=ab|holdout|pre_post] [window=<days>] [higher|lower]",
        "define the model's business KPI and/or report a value; numbers may carry their "
        'unit (`baseline=4.5% target=3,8%`, `$1.2M`); `/mle metric <model> "<name>" remove` '
        'removes it, `correct <value>`/`withdraw` fix a value; `name="<new>"` renames it',
    ),
    Subcommand(
        "retire",
        _parse_retire,
        "/mle retire <model>",
        "the model is no longer deployed; reminders stop",
    ),
    Subcommand(
        "digest",
        _parse_digest,
        "/mle digest <days> <HH:MM> [<IANA tz>]  |  off  |  now",
        "this channel's digest: what needs attention, every project and model",
    ),
    Subcommand(
        "delete",
        _parse_delete,
        "/mle delete <project>",
        "delete a project and everything under it, after you confirm (owner or admin)",
    ),
    Subcommand(
        "settings",
        _parse_settings,
        "/mle settings [grace=<days>] [reminder=<days>] [cadence=<days>] [window=<days>] "
        "[research=<days>] [missed=<hours>] [registry_channel=#channel|here|off]",
        "reminder settings, how late a missed post may go out, which digest lists unmatched "
        "MLflow models (admins change)",
    ),
    Subcommand(
        "help",
        _parse_help,
        "/mle help",
        "this message",
    ),
)
BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}


def usage_for(subcommand: str | None = None) -> str:
    found = BY_NAME.get(subcommand or "")
    if found is not None:
        return f"Usage: `{found.syntax}` — {found.what}."
    return full_usage()


def full_usage() -> str:
    rows = "\n".join(f"• `{sub.syntax}` — {sub.what}" for sub in SUBCOMMANDS)
    return (
        "*MLE Coach* keeps ML projects on the process from _Machine Learning Engineering in "
        "Action_: a planning interview in a thread, then stage by stage.\n"
        f"Usage:\n{rows}\n"
        "In a project thread, reply to answer the pending question; start a reply with `//` "
        "to discuss without answering, reply `skip` to skip the question, or `Q4: …` to answer "
        "question 4 whenever you like."
    )
