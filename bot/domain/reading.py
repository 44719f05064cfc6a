"""Reading replies the way people write them: numbers with their unit, durations, choices with
a reason, non-answers, model metrics named as a business KPI. Pure and total (never raises)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal

# ---- numbers

_CURRENCY_SIGNS = {"$": "$", "€": "€", "£": "£", "¥": "¥"}
_CURRENCY_WORDS = {
    "usd": "$",
    "dollar": "$",
    "dollars": "$",
    "eur": "€",
    "euro": "€",
    "euros": "€",
    "gbp": "£",
    "pounds": "£",
    "chf": "CHF",
    "jpy": "¥",
    "sek": "SEK",
    "inr": "INR",
}
_PERCENT_WORDS = {"%": "%", "percent": "%", "per cent": "%", "pct": "%"}
_PP_WORDS = {"pp", "pps", "percentage point", "percentage points", "points", "pts"}
_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "mio": 1e6,
    "million": 1e6,
    "millions": 1e6,
    "bn": 1e9,
    "b": 1e9,
    "billion": 1e9,
}
_NUMBER = re.compile(
    r"(?P<lead>(?<![\w.,%])[-−+](?=[$€£¥]))?"  # -$5k
    r"(?P<cur>[$€£¥]|\b(?i:usd|eur|gbp|chf|jpy|sek|inr)(?=\s?[-−+]?\d))?\s?"  # $5, USD 5
    r"(?P<sign>(?<![\w.,%])[-−+])?"
    r"(?P<num>\d{1,3}(?:(?:,|\.|'|\u00a0|\u202f| )\d{3})+(?:[.,]\d+)?(?!\d)"
    r"|\d+(?:[.,]\d+)?|[.,]\d+)"
    r"(?:\s?(?P<scale>k|K|M|mn|mio|m|bn|B|b|thousand|million|millions|billion)(?![A-Za-z]))?"
    r"(?:\s?(?P<unit>%|percent|per cent|pct|pp|pps|percentage points?|points|pts"
    r"|usd|USD|dollars?|eur|EUR|euros?|gbp|GBP|pounds|chf|CHF|jpy|JPY|sek|SEK|inr|INR"
    r"|[$€£¥])(?![A-Za-z]))?",
)
# Words that make a following number a duration or an ordinal rather than a value.
_NOT_A_VALUE_AFTER = re.compile(
    r"^\s?(?:d|days?|w|wks?|weeks?|mos?|months?|yrs?|years?|hours?|h|mins?|minutes?|st|nd|rd|th"
    r"|am|pm)\b",
    re.IGNORECASE,
)
_DATES = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_YEAR = re.compile(r"(?:19|20)\d\d")  # a year, when the reply also gives a value


@dataclass(frozen=True)
class Quantity:
    """A value with its unit: "" (none), "%", "pp", or a currency ("$", "€", "£", "CHF" …)."""

    value: float
    unit: str = ""


@dataclass(frozen=True)
class Several:
    """More than one number in the reply: which one is meant?"""

    values: tuple[Quantity, ...]


def _to_float(raw: str) -> float | None:
    text = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("'", "").replace(" ", "")
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        grouping = "." if decimal == "," else ","
        text = text.replace(grouping, "").replace(decimal, ".")
    elif "," in text:
        head, *groups = text.split(",")
        thousands = all(len(g) == 3 for g in groups) and head not in ("", "0")
        text = text.replace(",", "") if thousands else text.replace(",", ".", 1)
        if text.count(",") or text.count(".") > 1:
            return None
    elif text.count(".") > 1:
        head, *groups = text.split(".")
        if not all(len(g) == 3 for g in groups):
            return None
        text = text.replace(".", "")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def unit_named(word: str) -> str | None:
    """The unit a word names (`pct` → `%`, `usd` → `$`, `CHF`), or None: not one I know."""
    lowered = word.strip().lower()
    if lowered in _PERCENT_WORDS:
        return "%"
    if lowered in _PP_WORDS:
        return "pp"
    if lowered in _CURRENCY_SIGNS:
        return _CURRENCY_SIGNS[lowered]
    return _CURRENCY_WORDS.get(lowered)


def _unit(match: re.Match[str]) -> str:
    cur = match.group("cur")
    if cur:
        return _CURRENCY_SIGNS.get(cur) or _CURRENCY_WORDS[cur.lower()]
    word = match.group("unit") or ""
    return unit_named(word) or word.upper() if word else ""


def numbers_in(text: str) -> list[Quantity]:
    """Every value written in `text`, with its unit; durations, ordinals, years-as-dates and
    labels such as `Q4` or `v2` are not values."""
    found: list[Quantity] = []
    years: list[Quantity] = []
    text = _DATES.sub(lambda m: " " * len(m.group()), text)
    for match in _NUMBER.finditer(text):
        start = match.start("sign") if match.group("sign") else match.start("num")
        if not match.group("cur") and start > 0 and text[start - 1].isalpha():
            continue  # Q4, v2, F1, x10
        rest = text[match.end() :]
        bare = not match.group("unit") and not match.group("scale") and not match.group("cur")
        if bare and _NOT_A_VALUE_AFTER.match(rest):
            continue
        value = _to_float(match.group("num"))
        if value is None:
            continue
        unit = _unit(match)
        scale = match.group("scale") or ""
        if scale in ("m", "b") and unit in ("", "%", "pp"):
            scale = ""  # `5m` may be minutes; `$5m` and `€2.5m` are millions
        if scale:
            value *= _SCALE[scale.lower()]
        if not math.isfinite(value):
            continue
        if (match.group("lead") or match.group("sign")) in ("-", "−"):
            value = -value
        quantity = Quantity(value, unit)
        if bare and _YEAR.fullmatch(match.group("num")):
            years.append(quantity)
        else:
            found.append(quantity)
    return found or years


KNOWN_UNITS = frozenset({"", "%", "pp", *_CURRENCY_SIGNS.values(), *_CURRENCY_WORDS.values()})
_UNIT_WORD = re.compile(r"^[^\W\d_][\w/.-]{0,19}$")  # `bps`, `m2`, `req/s`
_SCALE_TAIL = re.compile(r"^(?:k|K|M|mn|mio|m|bn|B|b|thousand|millions?|billion)$")


def looks_like_unit(word: str) -> bool:
    """A word that could be a unit (`bps`, `m2`, `req/s`), known or not."""
    return bool(_UNIT_WORD.match(word))


def unit_after(word: str) -> str:
    """What follows the number in one word written without a known unit (`41bps` → `bps`;
    `4.1%`, `$1.2M`, `41k`, `1200` → ""): a unit the reading does not know."""
    digits = [i for i, ch in enumerate(word) if ch.isdigit()]
    if not digits:
        return ""
    tail = word[digits[-1] + 1 :].strip()
    if not _UNIT_WORD.match(tail) or _SCALE_TAIL.match(tail) or unit_named(tail):
        return ""
    return tail


def read_quantity(text: str) -> Quantity | Several | None:
    """The one value a reply gives (`about 4.1% monthly`, `3,8%`, `$1.2M`, `12 000`); Several
    when it gives more than one; None when it gives none."""
    values = numbers_in(text)
    if not values:
        return None
    distinct = tuple(dict.fromkeys(values))
    if len(distinct) > 1:
        return Several(distinct)
    return distinct[0]


def show(value: float, unit: str = "") -> str:
    """A value as people read it: `3.8 %`, `$1,200,000`, `0.042`, `4.1 pp` (never `5e-05`)."""
    if not math.isfinite(value):
        number = str(value)
    elif value == int(value) and abs(value) >= 1000:
        number = f"{value:,.0f}"
    elif abs(value) >= 1000:
        number = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        number = f"{Decimal(f'{value:.6g}'):f}"  # six significant digits, no exponent
    if unit in ("%", "pp"):
        return f"{number} {unit}"
    if unit in ("$", "€", "£", "¥"):
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    return f"{number} {unit}" if unit else number


# ---- durations

_DURATION = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?(?:\s?(?:-|–|to)\s?\d+(?:[.,]\d+)?)?"
    r"|\b(?:an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|couple of|few))"
    r"(?:-|\s+|(?<=\d))"  # `2 weeks`, `2-week`, `2w`; but `had`, `ad hoc` are not `a d`
    r"(?P<unit>fortnights?|business days?|working days?|d|days?|w|wks?|weeks?|m|mos?|months?"
    r"|y|yrs?|years?)\b",
    re.IGNORECASE,
)
_FORTNIGHT = re.compile(r"\b(?:a|one)?\s*fortnight\b", re.IGNORECASE)
_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "couple of": 2,
    "few": 3,
}
MAX_DAYS = 366


# a duration stated as the limit: `10 days max`, `at most 2 weeks`, `up to a month`
_LIMIT_BEFORE = re.compile(
    r"(?:at (?:the )?most|up to|no more than|not more than|max(?:imum)?:?|within)\s*$",
    re.IGNORECASE,
)
_LIMIT_AFTER = re.compile(r"^\s*(?:max(?:imum)?|at (?:the )?most|tops|top|latest)\b", re.IGNORECASE)


def read_duration(text: str) -> int | None:
    """Days in the duration a reply gives: the first one (`2 weeks overall, about 4 days per
    approach` is 14), unless another is stated as the limit (`a week or so, 10 days max` is
    10); `a fortnight`, `2-3 weeks` (the upper bound), `10 business days`. None if there is
    none, or it is not 1 day to a year."""
    clean = " ".join(text.split())
    found = sorted(
        [(m.start(), m.end(), _days(m)) for m in _DURATION.finditer(clean)]
        + [(m.start(), m.end(), 14) for m in _FORTNIGHT.finditer(clean)]
    )
    if not found:
        return None
    limits = [
        days
        for start, end, days in found
        if _LIMIT_BEFORE.search(clean[:start]) or _LIMIT_AFTER.match(clean[end:])
    ]
    first = found[0][2]
    # a limit raises the first guess (`a week or so, 10 days max`); a limit on a part of it
    # (`2 weeks overall, max 4 days per approach`) does not lower the whole
    days = limits[0] if limits and (first is None or (limits[0] or 0) >= first) else first
    return days if days is not None and 1 <= days <= MAX_DAYS else None


def _days(match: re.Match[str]) -> int | None:
    raw = match.group("n").lower()
    amount_text = re.split(r"\s?(?:-|–|to)\s?", raw)[-1]
    if amount_text in _WORDS:
        amount = float(_WORDS[amount_text])
    else:
        try:
            amount = float(amount_text.replace(",", "."))
        except ValueError:
            return None
    unit = match.group("unit").lower()
    if unit.startswith("fortnight"):
        per = 14.0
    elif unit.startswith(("business", "working")):
        per = 7 / 5
    else:
        per = {"d": 1.0, "w": 7.0, "m": 30.0, "y": 365.0}[unit[0]]
    return round(amount * per)


# ---- choices

_SQUASH = re.compile(r"[\s\-_–—]+")
_REASON_START = re.compile(r"^[\s\-–—:;,.!/()]+")


@dataclass(frozen=True)
class Chosen:
    choice: str
    reason: str = ""


def _squash(text: str) -> str:
    return _SQUASH.sub("", text.lower())


def read_choice(choices: tuple[str, ...], text: str) -> Chosen | None:
    """`Go - the signal is there` → go (reason kept), `no-go: no labels`, `NoGo!`, `customer
    facing`; the longest choice the reply starts with, when the rest reads as a reason."""
    stripped = text.strip()
    lowered = stripped.lower()
    best: Chosen | None = None
    for choice in sorted(choices, key=len, reverse=True):
        target = _squash(choice)
        # walk the reply's characters until the squashed prefix equals the choice
        taken = ""
        for index, char in enumerate(lowered):
            if not _SQUASH.fullmatch(char):
                taken += char
            if taken == target:
                rest = stripped[index + 1 :]
                if rest and rest[0].isalnum():
                    break  # `good` does not start with the choice `go`
                reason = _REASON_START.sub("", rest).strip()
                if reason.endswith(")") and "(" not in reason:
                    reason = reason[:-1].rstrip()  # `go (with caveats)`
                best = Chosen(choice, reason)
                break
            if not target.startswith(taken):
                break
        if best is not None:
            return best
    return None


def read_choices(choices: tuple[str, ...], text: str) -> tuple[str, ...]:
    """`1, 5`, `1 and 5`, `over-experimentation`, `2, fragile code`: the listed items named by
    number or by name, in list order (unknown numbers and words are ignored)."""
    picked: set[int] = set()
    for number in re.findall(r"(?<![\w.])(\d{1,2})(?![\w.])", text):
        if 1 <= int(number) <= len(choices):
            picked.add(int(number) - 1)
    words = f" {_words(text)} "
    for index, choice in enumerate(choices):
        # any of its alternatives: `fragile code`, `technical debt`, `not good enough`
        if any(f" {_words(part)} " in words for part in (choice, *choice.split(" or "))):
            picked.add(index)
    return tuple(choices[i] for i in sorted(picked))


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


_LINKS = frozenset(
    "a an and also as both but could did e enough g i ie item items like maybe mostly much my "
    "not of one ones or our plus some that the them these this those too very we with".split()
)


def unplaced(choices: tuple[str, ...], text: str) -> tuple[str, tuple[str, ...]]:
    """What `read_choices` could not place in a reply, when it still names a listed item by
    one of its words (`3, 5 and the data one`: `data`, which only item 9 mentions): those
    words, and the items they might mean; ("", ()) when nothing is left over."""
    rest = f" {_words(text)} "
    for choice in choices:
        for part in (choice, *choice.split(" or ")):
            rest = rest.replace(f" {_words(part)} ", " ")
    left = [w for w in rest.split() if not w.isdigit() and w not in _LINKS and len(w) > 3]
    picked = read_choices(choices, text)
    meant = tuple(
        c for c in choices if c not in picked and any(w in _words(c).split() for w in left)
    )
    if not meant:
        return "", ()
    return " ".join(left), meant


NONE_APPLIED = re.compile(
    r"^\s*(?:none|no(?:ne)? of (?:them|these|those|the above)|nothing)\b", re.I
)


_DECIDED_FOR_NOW = re.compile(r"^\s*for now\b", re.IGNORECASE)  # `no-go for now: …`
_HEDGES = re.compile(
    r"^(?:-?\s*ish\b|\?)|\b(?:maybe|probably|perhaps|pending|tentative(?:ly)?|if|unless|"
    r"not yet|not sure|tbd|tbc|depends|conditional(?:ly)?|for now)\b",
    re.IGNORECASE,
)


def is_hedged(chosen: Chosen) -> bool:
    """`go-ish, pending cost check`, `go?`, `go if legal agrees`: not decided yet; but
    `no-go for now: …` is decided (for now says how long, not whether)."""
    return bool(_HEDGES.search(_DECIDED_FOR_NOW.sub("", chosen.reason)[:80]))


def quoted(text: str, limit: int = 60) -> str:
    """A reply shown back in a message: whole when short, else cut at the last word that fits
    (`… legal hasnt cleared…`, never `GDP`), with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if not text[limit - 1].isspace() and " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


# ---- non-answers

_NON_ANSWERS = {
    "tbd",
    "tba",
    "tbc",
    "to be decided",
    "to be determined",
    "to be confirmed",
    "unknown",
    "unknown yet",
    "n/a",
    "na",
    "n.a",
    "not applicable",
    "?",
    "idk",
    "i don't know",
    "i dont know",
    "don't know",
    "dont know",
    "dunno",
    "-",
    "not sure",
    "not sure yet",
    "none",
    "none yet",
    "nothing yet",
    "no idea",
    "not yet",
    "not known",
    "not known yet",
    "unclear",
    "todo",
    "to do",
    "later",
    "pending",
    "will check",
    "will find out",
    "later on",
    "nil",
    "nope",
    "no clue",
    "don't know yet",
    "not decided",
    "undecided",
    "nothing",
    "x",
}
_NON_ANSWER_START = re.compile(
    r"^(?:tbd|tba|tbc|idk|unknown|unclear|dunno|n/a|todo|to be "
    r"(?:decided|determined|confirmed))\b(?:\s*[,;:(\-–—/]|\s+(?:w/|(?:with|until|till|"
    r"pending|yet|for now|ask|need|waiting|once|after|by)\b))",
    re.IGNORECASE,
)
# `not sure yet, will ask the CS lead` puts it off; `not sure, maybe 4%` still gives a value
_UNSURE_START = re.compile(
    r"^(?:not sure|unsure|no idea|(?:i )?don'?t know|not known|not decided|undecided)\b"
    r"(?:\s*[,;:(\-–—/]|\s+(?:yet|will|i'?ll|we'?ll|need|ask|until|till|pending|waiting)\b)",
    re.IGNORECASE,
)
# `will ask the CS lead`, `need to check with finance`: a short reply that puts it off
_PUT_OFF = re.compile(
    r"^(?:i'?ll|i will|we'?ll|we will|will|need to|have to|going to)\s+"
    r"(?:ask|check with|find out|confirm with|get back|follow up)\b",
    re.IGNORECASE,
)
# what says "nothing applies": an answer to an optional question, a non-answer to a required one
_NOTHING = {"none", "nothing", "nope", "nil", "n/a", "na", "n.a", "not applicable", "-", "x"}
_TRIM = re.compile(r"^[\s.!…]+|[\s.!…]+$")


def is_non_answer(text: str) -> bool:
    """`tbd`, `unknown`, `n/a`, `?`, `idk`, `-`, `not sure`, `none yet` … (any case, with
    trailing dots or a smiley's worth of punctuation)."""
    clean = " ".join(_TRIM.sub("", text.strip().lower().replace("’", "'")).split())
    if not clean:
        return bool(text.strip())  # only dots
    if set(clean) <= {"?", "-", "—", " "}:
        return True
    if _NON_ANSWER_START.match(clean):
        return True  # `tbd w/ finance`, `unknown - need to ask finance`, `not sure yet, …`
    if _UNSURE_START.match(clean) and not _gives_something(clean):
        return True
    if _PUT_OFF.match(clean) and len(clean.split()) <= 6:
        return True
    words = clean.rstrip("?").rstrip()
    return words in _NON_ANSWERS or words.removesuffix(" yet") in _NON_ANSWERS  # `idk yet`


def _gives_something(text: str) -> bool:
    """A value, a duration or a person after all (`not sure, maybe 4%`)."""
    return bool(numbers_in(text)) or read_duration(text) is not None or "<@" in text


def says_nothing_applies(text: str) -> bool:
    """`none`, `n/a`, `nothing`: to an optional question, an answer (nothing to add)."""
    clean = " ".join(_TRIM.sub("", text.strip().lower()).split())
    return clean in _NOTHING


# ---- model metrics named as a business KPI

MODEL_METRICS = {
    "auc": "AUC",
    "roc": "ROC",
    "rocauc": "ROC AUC",
    "aucroc": "AUC",
    "prauc": "PR AUC",
    "accuracy": "accuracy",
    "f1": "F1",
    "f1score": "F1",
    "fscore": "F-score",
    "precision": "precision",
    "recall": "recall",
    "rmse": "RMSE",
    "mse": "MSE",
    "mae": "MAE",
    "mape": "MAPE",
    "smape": "sMAPE",
    "logloss": "log loss",
    "crossentropy": "cross-entropy",
    "r2": "R²",
    "r²": "R²",
    "rsquared": "R²",
    "perplexity": "perplexity",
    "bleu": "BLEU",
    "rouge": "ROUGE",
    "ndcg": "NDCG",
    "gini": "Gini",
}
# which way a model metric is better, by its shown name: errors and losses go down
LOWER_IS_BETTER = frozenset(
    {"RMSE", "MSE", "MAE", "MAPE", "sMAPE", "log loss", "cross-entropy", "perplexity"}
)
_PHRASES = (
    ("log", "loss"),
    ("cross", "entropy"),
    ("r", "squared"),
    ("r", "2"),  # R^2
    ("roc", "auc"),
    ("pr", "auc"),
)
_TOKENS = re.compile(r"[a-z0-9²]+")
_NEGATIONS = {"not", "no", "than", "instead", "besides", "beyond", "vs", "versus", "unlike"}


# where a clause ends: a `no` before it answers something else (`no, AUC of the model` insists
# on AUC), a `not` within it sets the metric aside (`churn, not AUC`)
_ABBREVIATED = re.compile(r"\b(vs|v|e\.g|i\.e|etc|approx|incl)\.")
_CLAUSE = re.compile(r"[,;.:!?()]|\s[-–—]+\s")


def model_metric_named(text: str) -> str | None:
    """The model metric a KPI answer names (`AUC`, `F1-score`, `val RMSE`, `log loss`), unless
    only to set it aside (`churn, not AUC`); None when it names none."""
    plain = _ABBREVIATED.sub(r"\1", text.lower())  # `vs.` does not end a clause
    for clause in _CLAUSE.split(plain):
        found = _metric_in(_TOKENS.findall(clause))
        if found:
            return found
    return None


def _metric_in(tokens: list[str]) -> str | None:
    for index, token in enumerate(tokens):
        pair = (token, tokens[index + 1]) if index + 1 < len(tokens) else None
        word = "".join(pair) if pair in _PHRASES and pair is not None else token
        if token == "f" and index + 1 < len(tokens) and tokens[index + 1] in ("1", "score"):
            word = "f1"
        if word not in MODEL_METRICS:
            continue
        if _NEGATIONS & set(tokens[max(0, index - 3) : index]):
            continue
        return MODEL_METRICS[word]
    return None


# ---- which way is better

_LOWER = re.compile(
    r"\b(?:reduce|reduc\w+|lower|decrease|decreas\w+|cut|cutting|less|fewer|drop|minimi[sz]e|"
    r"shrink|down)\b",
    re.IGNORECASE,
)
_HIGHER = re.compile(
    r"\b(?:increase|increas\w+|raise|raising|higher|more|grow|growth|boost|maximi[sz]e|"
    r"up|lift)\b",
    re.IGNORECASE,
)


def stated_direction(text: str) -> str | None:
    """ "lower" or "higher" when a KPI answer says which way it should move."""
    lower, higher = bool(_LOWER.search(text)), bool(_HIGHER.search(text))
    if lower == higher:
        return None
    return "lower" if lower else "higher"
