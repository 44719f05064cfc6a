"""Reading a person's reply (pure): numbers with their unit, durations, choices with a reason,
non-answers, model metrics and the stated direction; then whole answers by question kind.

The tables hold replies the way a busy team lead types them in Slack; the properties check
that no reply makes a reader raise and that plain and displayed numbers read back the same."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank_file import load_bank
from bot.domain.answers import NonAnswer, Parsed, Rejected, read_answer
from bot.domain.bank import Kind, Question
from bot.domain.reading import (
    MAX_DAYS,
    MODEL_METRICS,
    Chosen,
    Quantity,
    Several,
    is_non_answer,
    model_metric_named,
    numbers_in,
    read_choice,
    read_duration,
    read_quantity,
    show,
    stated_direction,
    unplaced,
)

Q = Quantity

# ---- numbers

ONE_VALUE: list[tuple[str, Quantity]] = [
    # the cases the product issue names
    ("about 4.1% monthly", Q(4.1, "%")),
    ("3,8%", Q(3.8, "%")),
    ("1,200", Q(1200)),
    ("$1.2M", Q(1_200_000, "$")),
    ("1.2k", Q(1200)),
    ("12 000", Q(12_000)),
    ("~0.05", Q(0.05)),
    ("-3", Q(-3)),
    ("4.1 pp", Q(4.1, "pp")),
    ("4.5%", Q(4.5, "%")),
    ("0.042", Q(0.042)),
    # percentages as people write them
    ("roughly 4.1%", Q(4.1, "%")),
    ("4.1 percent", Q(4.1, "%")),
    ("around 3.8 % per month", Q(3.8, "%")),
    ("churn is ~4.1%/month", Q(4.1, "%")),
    ("we're at 4,1 % right now", Q(4.1, "%")),
    ("about 40 %", Q(40, "%")),
    ("4.1%.", Q(4.1, "%")),
    ("12%-ish", Q(12, "%")),
    ("only about 2.3% of visits convert", Q(2.3, "%")),
    ("4.1% (was 4.1% last month too)", Q(4.1, "%")),
    # percentage points
    ("4.1pp", Q(4.1, "pp")),
    ("4.1 pts", Q(4.1, "pp")),
    ("4.1 percentage points", Q(4.1, "pp")),
    ("-0.5pp", Q(-0.5, "pp")),
    ("+2pp on last quarter", Q(2, "pp")),
    # money
    ("€2.5m", Q(2_500_000, "€")),
    ("$1.2m", Q(1_200_000, "$")),
    ("2.5 million euros", Q(2_500_000, "€")),
    ("USD 300k", Q(300_000, "$")),
    ("300k USD", Q(300_000, "$")),
    ("$ 1.2M", Q(1_200_000, "$")),
    ("$3B", Q(3e9, "$")),
    ("£400", Q(400, "£")),
    ("400 GBP", Q(400, "£")),
    ("CHF 1200", Q(1200, "CHF")),
    ("1200 CHF", Q(1200, "CHF")),
    ("EUR 5", Q(5, "€")),
    ("5 eur per order", Q(5, "€")),
    ("$0.35 per visit", Q(0.35, "$")),
    ("0.35$", Q(0.35, "$")),
    ("$1.2M ARR", Q(1_200_000, "$")),
    ("1,2 M€", Q(1_200_000, "€")),
    ("avg basket is €42,50", Q(42.5, "€")),
    ("¥500", Q(500, "¥")),
    ("-$5k", Q(-5000, "$")),
    ("-€1,200 per month", Q(-1200, "€")),
    # grouping and decimal commas
    ("1.200.000", Q(1_200_000)),
    ("1'200'000", Q(1_200_000)),
    ("1 200 000", Q(1_200_000)),
    ("12 000 users", Q(12_000)),
    ("12,000,000", Q(12_000_000)),
    ("roughly 1,234,567 sessions/month", Q(1_234_567)),
    ("1,200.50", Q(1200.5)),
    ("1.200,50", Q(1200.5)),
    ("1,5", Q(1.5)),
    ("0,042", Q(0.042)),
    (".9", Q(0.9)),
    # scales
    ("about 12k visits a day", Q(12_000)),
    ("approx. 1.2k", Q(1200)),
    ("~1.2K", Q(1200)),
    ("1.2bn", Q(1.2e9)),
    # signs
    ("−3", Q(-3)),
    # labels, ordinals, dates and durations are not the value
    ("target is 3.5% by Q4", Q(3.5, "%")),
    ("3.5% by end of 2025", Q(3.5, "%")),
    ("about 5 % in 2024", Q(5, "%")),
    ("5% in March 2024", Q(5, "%")),
    ("baseline 4.1% as of 2024-03-31", Q(4.1, "%")),
    ("we churn ~4.1 % monthly (Q3 numbers)", Q(4.1, "%")),
    ("v2 scored 0.81", Q(0.81)),
    ("3rd quarter: 4.2%", Q(4.2, "%")),
    ("within 2 weeks we'll know, currently ~4%", Q(4, "%")),
    ("0", Q(0)),
    ("2025", Q(2025)),  # a year alone is what was given
]


@pytest.mark.parametrize(("text", "expected"), ONE_VALUE)
def test_one_value_with_its_unit(text: str, expected: Quantity) -> None:
    assert read_quantity(text) == expected


SEVERAL: list[tuple[str, tuple[Quantity, ...]]] = [
    ("from 4.1% to 3.5%", (Q(4.1, "%"), Q(3.5, "%"))),
    ("4.1% → 3.5%", (Q(4.1, "%"), Q(3.5, "%"))),
    ("4.1%, maybe 4.2%", (Q(4.1, "%"), Q(4.2, "%"))),
    ("0.05 (5%)", (Q(0.05), Q(5, "%"))),
    ("100k-200k", (Q(100_000), Q(200_000))),
    ("between $1M and $2M", (Q(1e6, "$"), Q(2e6, "$"))),
    ("4.1% now, target 3.5% by 2025", (Q(4.1, "%"), Q(3.5, "%"))),
]


@pytest.mark.parametrize(("text", "values"), SEVERAL)
def test_more_than_one_value_is_several(text: str, values: tuple[Quantity, ...]) -> None:
    assert read_quantity(text) == Several(values)


@pytest.mark.parametrize("text", ["3-4%", "~3–4 %", "1/3 of users"])
def test_a_range_is_not_one_value(text: str) -> None:
    assert isinstance(read_quantity(text), Several)


NO_VALUE = [
    "Q4",
    "v2 model",
    "not measured yet",
    "n/a",
    "tbd",
    "3rd",
    "within 2 weeks",
    "2 hours",
    "at 9am",
    "no idea, finance has it",
    "",
]


@pytest.mark.parametrize("text", NO_VALUE)
def test_no_value(text: str) -> None:
    assert read_quantity(text) is None
    assert numbers_in(text) == []


def test_a_number_too_large_for_a_float_is_not_a_value() -> None:
    huge = "1" + "0" * 300 + "bn"  # 1e309 overflows to infinity once scaled
    assert read_quantity(huge) is None
    assert read_answer(NUMBER, f"{huge}, or 5") == Parsed(f"{huge}, or 5", number=5)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("baseline 4.1%, target 3.5%", [Q(4.1, "%"), Q(3.5, "%")]),
        ("4.1% in Q3 2024, 3.9% in Q4", [Q(4.1, "%"), Q(3.9, "%")]),
        ("F1 0.72 on 12k samples", [Q(0.72), Q(12_000)]),
        ("2 weeks, 3 people, $40k", [Q(3), Q(40_000, "$")]),
    ],
)
def test_numbers_in_lists_every_value_in_order(text: str, values: list[Quantity]) -> None:
    assert numbers_in(text) == values


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (3.8, "%", "3.8 %"),
        (1_200_000, "$", "$1,200,000"),
        (0.042, "", "0.042"),
        (4.1, "pp", "4.1 pp"),
        (-5, "$", "-$5"),
        (1234.5, "€", "€1,234.5"),
        (1200, "", "1,200"),
        (1200, "CHF", "1,200 CHF"),
        (-0.5, "pp", "-0.5 pp"),
        (1234.567, "", "1,234.57"),
        (4.123456789, "%", "4.12346 %"),
        (0.00005, "", "0.00005"),
    ],
)
def test_show(value: float, unit: str, shown: str) -> None:
    assert show(value, unit) == shown


# ---- durations

DURATIONS: list[tuple[str, int | None]] = [
    ("a fortnight", 14),
    ("2-3 weeks", 21),
    ("2 weeks overall, about 4 days per approach", 14),
    ("a week or so, 10 days max", 10),  # the limit stated wins over the first guess
    ("2 weeks overall, max 4 days per approach", 14),  # a limit on a part: not the whole
    ("6 weeks, 2 weeks max per experiment", 42),
    ("3 weeks, with a check-in within 2 weeks", 21),
    ("a week, at most 10 days", 10),
    ("up to a fortnight, hopefully a week", 14),
    ("10 days tops", 10),
    ("2 weeks, maybe a bit more", 14),
    ("10 days", 10),
    ("3w", 21),
    ("2 weeks", 14),
    ("two weeks", 14),
    ("a week", 7),
    ("1 month", 30),
    ("1.5 months", 45),
    ("10 business days", 14),
    ("10 working days", 14),
    ("about 3 weeks", 21),
    ("~2 wks", 14),
    ("a couple of weeks", 14),
    ("a few days", 3),
    ("2 to 3 weeks", 21),
    ("2–3 weeks", 21),
    ("3 weeks max", 21),
    ("14d", 14),
    ("14D", 14),
    ("6 mo", 180),
    ("two fortnights", 28),
    ("we have 2 weeks", 14),
    ("we had 3 weeks last time, same again", 21),
    ("1-2 months", 60),
    ("1,5 weeks", 10),
    ("3 weeks.", 21),
    ("2-week time box", 14),
    ("10-day spike", 10),
    ("a month or so", 30),
    ("4 weeks, maybe 5", 28),
    ("in 2 weeks time", 14),
    ("1 year", 365),
    ("52 weeks", 364),
    ("366 days", 366),
    ("ad hoc, maybe 2 weeks", 14),
    ("soon", None),
    ("tbd", None),
    ("by Friday", None),
    ("next sprint", None),
    ("ad hoc", None),
    ("0 days", None),
    ("367 days", None),
    ("500 days", None),
    ("2 years", None),
    ("3 hours", None),
    ("5 min", None),
    ("until end of Q3", None),
    ("", None),
]


@pytest.mark.parametrize(("text", "days"), DURATIONS)
def test_durations(text: str, days: int | None) -> None:
    assert read_duration(text) == days


# ---- choices

GO = ("go", "no-go")
IMPACT = ("internal tooling", "internal assistive", "business-critical", "customer-facing")
REVIEW = ("keep", "iterate", "retire")

CHOICES: list[tuple[tuple[str, ...], str, Chosen | None]] = [
    (GO, "Go - the signal is there", Chosen("go", "the signal is there")),
    (GO, "no-go: no labels", Chosen("no-go", "no labels")),
    (GO, "Go - signal is there", Chosen("go", "signal is there")),
    (GO, "GO", Chosen("go")),
    (GO, "go!", Chosen("go")),
    (GO, "  go  ", Chosen("go")),
    (GO, "NoGo!", Chosen("no-go")),
    (GO, "no go", Chosen("no-go")),
    (GO, "No-go.", Chosen("no-go")),
    (GO, "No-Go - labels are too noisy", Chosen("no-go", "labels are too noisy")),
    (GO, "nogo, too expensive", Chosen("no-go", "too expensive")),
    (GO, "Go, but only for the EU market", Chosen("go", "but only for the EU market")),
    (GO, "go (with caveats)", Chosen("go", "with caveats")),
    (GO, "go — data is fine", Chosen("go", "data is fine")),
    (GO, "go; pending review", Chosen("go", "pending review")),
    (GO, "Go – the lift is real", Chosen("go", "the lift is real")),
    (GO, "no-go because the labels are junk", Chosen("no-go", "because the labels are junk")),
    (GO, "Go\nsignal is there", Chosen("go", "signal is there")),
    (GO, "No-go: no labels, see thread", Chosen("no-go", "no labels, see thread")),
    (GO, "good question", None),
    (GO, "going to say go", None),
    (GO, "let's go", None),
    (GO, "maybe", None),
    (GO, "no", None),
    (GO, "gogo", None),
    (IMPACT, "Customer facing, mostly B2B", Chosen("customer-facing", "mostly B2B")),
    (IMPACT, "internal tooling", Chosen("internal tooling")),
    (
        IMPACT,
        "Internal-assistive: helps support agents",
        Chosen("internal assistive", "helps support agents"),
    ),
    (IMPACT, "business critical!", Chosen("business-critical")),
    (IMPACT, "internal", None),
    (REVIEW, "Keep – it pays for itself", Chosen("keep", "it pays for itself")),
    (REVIEW, "iterate: retrain monthly", Chosen("iterate", "retrain monthly")),
    (REVIEW, "retire.", Chosen("retire")),
    (REVIEW, "keeping it for now", None),
]


@pytest.mark.parametrize(("choices", "text", "expected"), CHOICES)
def test_choices(choices: tuple[str, ...], text: str, expected: Chosen | None) -> None:
    assert read_choice(choices, text) == expected


# ---- non-answers

NON_ANSWERS: list[tuple[str, bool]] = [
    ("tbd", True),
    ("unknown", True),
    ("n/a", True),
    ("?", True),
    ("idk", True),
    ("-", True),
    ("not sure", True),
    ("none yet", True),
    ("TBD", True),
    ("TBD.", True),
    ("N/A", True),
    ("??", True),
    ("Not sure yet...", True),
    ("no idea!", True),
    ("no idea yet", True),
    ("dunno", True),
    ("I don’t know", True),
    ("tbd?", True),
    ("n.a.", True),
    ("not applicable", True),
    ("idk yet", True),
    ("TBC", True),
    ("—", True),
    ("...", True),
    ("Unknown.", True),
    ("to be decided", True),
    ("no, data is not available", False),
    ("Nobody yet, Carol will own it once hired", False),
    ("no", False),
    ("yes", False),
    ("0", False),
    ("not sure, maybe 4%", False),
    ("unknown users are excluded from the KPI", False),
    ("2 weeks", False),
    ("", False),
]


@pytest.mark.parametrize(("text", "expected"), NON_ANSWERS)
def test_non_answers(text: str, expected: bool) -> None:
    assert is_non_answer(text) is expected


# ---- model metrics named as a business KPI

METRICS: list[tuple[str, str | None]] = [
    ("AUC", "AUC"),
    ("ROC AUC", "ROC AUC"),
    ("accuracy", "accuracy"),
    ("F1", "F1"),
    ("F1-score", "F1"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("RMSE", "RMSE"),
    ("MAE", "MAE"),
    ("MAPE", "MAPE"),
    ("log loss", "log loss"),
    ("R²", "R²"),
    ("perplexity", "perplexity"),
    ("BLEU", "BLEU"),
    ("val RMSE", "RMSE"),
    ("AUC-ROC", "AUC"),
    ("roc-auc", "ROC AUC"),
    ("PR-AUC", "PR AUC"),
    ("f1 score", "F1"),
    ("R squared", "R²"),
    ("R^2", "R²"),
    ("logloss", "log loss"),
    ("MSE", "MSE"),
    ("top-1 accuracy", "accuracy"),
    ("NDCG@10", "NDCG"),
    ("AUC > 0.8", "AUC"),
    ("F1 of 0.7 on the holdout", "F1"),
    ("monthly churn rate", None),
    ("revenue per visit", None),
    ("churn, not AUC", None),
    ("monthly churn rate vs. AUC", None),
    ("no, AUC of the churn model - the retention team signed off on it", "AUC"),  # insisting
    ("No. AUC, as agreed", "AUC"),
    ("no AUC please, monthly churn", None),
    ("conversion rate instead of F1", None),
    ("churn rate rather than AUC", None),
    ("revenue per visit (not accuracy)", None),
    ("weekly active users", None),
    ("tickets resolved without escalation", None),
    ("NPS", None),
    ("avg handle time", None),
]


@pytest.mark.parametrize(("text", "expected"), METRICS)
def test_model_metric_named(text: str, expected: str | None) -> None:
    assert model_metric_named(text) == expected


DIRECTIONS: list[tuple[str, str | None]] = [
    ("reduce monthly churn", "lower"),
    ("lower is better", "lower"),
    ("cut handling time", "lower"),
    ("fewer escalations", "lower"),
    ("churn down to 3.5%", "lower"),
    ("minimise cost per ticket", "lower"),
    ("Decreasing churn", "lower"),
    ("less churn", "lower"),
    ("bring down churn", "lower"),
    ("increase conversion", "higher"),
    ("maximize revenue per visit", "higher"),
    ("boost CTR", "higher"),
    ("more sign-ups", "higher"),
    ("Higher", "higher"),
    ("churn", None),
    ("keep it stable", None),
    ("lower churn, higher retention", None),
    ("monthly churn rate", None),
    ("downtime", None),
    ("markup", None),
]


@pytest.mark.parametrize(("text", "expected"), DIRECTIONS)
def test_stated_direction(text: str, expected: str | None) -> None:
    assert stated_direction(text) == expected


# ---- whole answers by question kind


def _question(kind: Kind, required: bool = True, choices: tuple[str, ...] = ()) -> Question:
    return Question(
        key="q", text="A question?", why="[W4]", kind=kind, required=required, choices=choices
    )


NUMBER = _question(Kind.NUMBER)
DURATION = _question(Kind.DURATION)
USER = _question(Kind.USER)
TEXT = _question(Kind.TEXT)
CHOICE = _question(Kind.CHOICE, choices=GO)
OPTIONAL_NUMBER = _question(Kind.NUMBER, required=False)
OPTIONAL_TEXT = _question(Kind.TEXT, required=False)
OPTIONAL_CHOICE = _question(Kind.CHOICE, required=False, choices=GO)

CAROL = "probably <@U0CAROL>, she owns the churn dashboard"
NOBODY = "Nobody yet, Carol will own it once hired"
GO_SIGNAL = "Go - the signal is there"

ANSWERS: list[tuple[Question, str, Parsed | NonAnswer | type[Rejected]]] = [
    (NUMBER, "about 4.1% monthly", Parsed("about 4.1% monthly", number=4.1, unit="%")),
    (NUMBER, "  $1.2M  ", Parsed("$1.2M", number=1_200_000, unit="$")),
    (NUMBER, "3,8%", Parsed("3,8%", number=3.8, unit="%")),
    (NUMBER, "from 4.1% to 3.5%", Rejected),
    (NUMBER, "not measured", Rejected),
    (NUMBER, "tbd", NonAnswer("tbd")),
    (NUMBER, " - ", NonAnswer("-")),
    (OPTIONAL_NUMBER, "tbd", NonAnswer("tbd")),  # issue 27: open, not answered
    (DURATION, "2-3 weeks", Parsed("2-3 weeks", days=21)),
    (DURATION, "a fortnight", Parsed("a fortnight", days=14)),
    (DURATION, "soon", Rejected),
    (DURATION, "500 days", Rejected),
    (DURATION, "unknown", NonAnswer("unknown")),
    (USER, CAROL, Parsed(CAROL, user="U0CAROL")),
    (USER, "<@U0CAROL|carol>", Parsed("<@U0CAROL|carol>", user="U0CAROL")),
    (USER, "<@U0CAROL> (cc <@U0CAROL>)", Parsed("<@U0CAROL> (cc <@U0CAROL>)", user="U0CAROL")),
    (USER, "<@U0CAROL> and <@U0BOB>", Rejected),
    (USER, "Carol", Rejected),
    (USER, "<!here>", Rejected),
    (USER, "tbd", NonAnswer("tbd")),
    (TEXT, "no, data is not available", Parsed("no, data is not available")),
    (TEXT, NOBODY, Parsed(NOBODY)),
    (TEXT, "idk", NonAnswer("idk")),
    (OPTIONAL_TEXT, "tbd", NonAnswer("tbd")),  # issue 27: open, not answered
    (CHOICE, GO_SIGNAL, Parsed(GO_SIGNAL, choice="go", reason="the signal is there")),
    (CHOICE, "no-go: no labels", Parsed("no-go: no labels", choice="no-go", reason="no labels")),
    (CHOICE, "maybe", Rejected),
    (CHOICE, "n/a", NonAnswer("n/a")),
    (OPTIONAL_CHOICE, "-", Rejected),
    (TEXT, "   ", Rejected),
    (NUMBER, "", Rejected),
]


@pytest.mark.parametrize(("question", "text", "expected"), ANSWERS)
def test_read_answer(
    question: Question, text: str, expected: Parsed | NonAnswer | type[Rejected]
) -> None:
    result = read_answer(question, text)
    if isinstance(expected, type):
        assert isinstance(result, expected), result
    else:
        assert result == expected


# ---- properties

ANY_QUESTION = [NUMBER, DURATION, USER, TEXT, CHOICE, OPTIONAL_NUMBER, OPTIONAL_TEXT]
# text built from the characters the readers care about reaches deeper than arbitrary unicode
REPLY_ISH = st.text(alphabet="0123456789.,' -−+%$€£¥kKMmbBdwy~/()?:<@>|UaognpteriscuD\n\u00a0")


@settings(max_examples=400, deadline=None)
@given(text=st.one_of(st.text(), REPLY_ISH), choices=st.lists(st.text(max_size=12), max_size=4))
def test_readers_never_raise(text: str, choices: list[str]) -> None:
    found = read_quantity(text)
    values = [found] if isinstance(found, Quantity) else list(found.values) if found else []
    assert all(math.isfinite(q.value) for q in values)
    assert all(math.isfinite(q.value) for q in numbers_in(text))
    days = read_duration(text)
    assert days is None or 1 <= days <= MAX_DAYS
    chosen = read_choice(tuple(choices), text)
    assert chosen is None or chosen.choice in choices
    assert isinstance(is_non_answer(text), bool)
    assert model_metric_named(text) in (None, *MODEL_METRICS.values())
    assert stated_direction(text) in (None, "lower", "higher")
    for question in ANY_QUESTION:
        assert isinstance(read_answer(question, text), Parsed | Rejected | NonAnswer)


@settings(max_examples=200, deadline=None)
@given(value=st.floats(), unit=st.one_of(st.sampled_from(["", "%", "pp", "$", "€"]), st.text()))
def test_show_never_raises(value: float, unit: str) -> None:
    assert isinstance(show(value, unit), str)


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=-1e6, max_value=1e6), places=st.integers(0, 6))
def test_a_plain_number_reads_back(x: float, places: int) -> None:
    text = f"{x:.{places}f}"
    assert read_quantity(text) == Quantity(float(text), "")


@settings(max_examples=200, deadline=None)
@given(x=st.floats(min_value=-1e6, max_value=1e6), places=st.sampled_from([1, 2, 4, 5, 6]))
def test_a_decimal_comma_reads_back(x: float, places: int) -> None:
    # `1,200` (a comma, then exactly three digits) groups thousands, so three places are left out
    text = f"{x:.{places}f}"
    assert read_quantity(text.replace(".", ",")) == Quantity(float(text), "")


@settings(max_examples=200, deadline=None)
@given(
    x=st.floats(min_value=-1e6, max_value=1e6),
    places=st.integers(0, 4),
    prefix=st.sampled_from(["", "about ", "~", "roughly ", "currently at "]),
    written=st.sampled_from(
        [("%", "%"), (" %", "%"), (" percent", "%"), (" pp", "pp"), (" EUR", "€"), (" USD", "$")]
    ),
)
def test_a_number_with_its_unit_reads_back(
    x: float, places: int, prefix: str, written: tuple[str, str]
) -> None:
    suffix, unit = written
    text = f"{x:.{places}f}"
    assert read_quantity(f"{prefix}{text}{suffix} monthly") == Quantity(float(text), unit)


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1000, 10**12), separator=st.sampled_from([",", " ", "'", "\u00a0"]))
def test_grouped_thousands_read_back(n: int, separator: str) -> None:
    assert read_quantity(f"{n:,}".replace(",", separator)) == Quantity(n)


ROUND_TRIP_VALUES = st.one_of(
    # cents, up to a billion
    st.decimals(
        min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False
    ).map(float),
    # up to six significant digits below a thousand, down to 1e-12
    st.builds(
        lambda digits, shift: float(Decimal(digits).scaleb(-shift)),
        st.integers(-999_999, 999_999),
        st.integers(3, 12),
    ),
)


@settings(max_examples=400, deadline=None)
@given(value=ROUND_TRIP_VALUES, unit=st.sampled_from(["", "%", "pp", "$", "€"]))
def test_what_is_shown_reads_back(value: float, unit: str) -> None:
    assert read_quantity(show(value, unit)) == Quantity(value, unit)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, MAX_DAYS))
def test_days_read_back(n: int) -> None:
    assert read_duration(f"{n} days") == n
    assert read_duration(f"about {n} days, maybe less") == n


@settings(max_examples=100, deadline=None)
@given(low=st.integers(1, 51), more=st.integers(1, 51))
def test_a_range_of_weeks_reads_as_its_upper_bound(low: int, more: int) -> None:
    high = low + more
    expected = 7 * high if 7 * high <= MAX_DAYS else None
    assert read_duration(f"{low}-{high} weeks") == expected


KNOWN_NON_ANSWERS = ["tbd", "unknown", "n/a", "idk", "not sure", "none yet", "no idea", "dunno"]


@settings(max_examples=100, deadline=None)
@given(
    phrase=st.sampled_from(KNOWN_NON_ANSWERS),
    case=st.sampled_from([str.lower, str.upper, str.capitalize]),
    ending=st.sampled_from(["", ".", "...", "!", "?", " "]),
)
def test_non_answers_in_any_case_and_punctuation(
    phrase: str, case: Callable[[str], str], ending: str
) -> None:
    assert is_non_answer(f" {case(phrase)}{ending}")


FAILURES = load_bank().questions("closed")[1].choices  # the retrospective's failure reasons
UNPLACED = [
    # (reply, the words left over, the items they might mean)
    ("3, 5 and the data one", "data", ("data not available or not good enough",)),
    ("3 and 5 mostly", "", ()),  # nothing listed mentions `mostly`
    ("over-experimentation and fragile code", "", ()),
    ("data not good enough, stakeholders changed", "", ()),  # item 9 is read already
    ("2 and the deployment", "deployment", ("over-built deployment",)),
    ("1 - took too long", "", ()),
    ("1, we did not have enough time", "", ()),
]


@pytest.mark.parametrize(("text", "left", "meant"), UNPLACED)
def test_what_a_list_reply_leaves_unplaced(text: str, left: str, meant: tuple[str, ...]) -> None:
    assert unplaced(FAILURES, text) == (left, meant)


NAMED_WITHOUT_AT = [
    # (reply to a person question, the mention it suggests, or None)
    ("carol", "@carol"),
    ("Carol from RevOps", "@Carol"),
    ("bob.", "@bob"),
    ("that would be the revops lead", None),
]


@pytest.mark.parametrize(("text", "suggested"), NAMED_WITHOUT_AT)
def test_a_person_named_without_the_at_is_told_how_to_mention_them(
    text: str, suggested: str | None
) -> None:
    reading = read_answer(USER, text)
    assert isinstance(reading, Rejected)
    assert reading.reason.startswith("that reply doesn't mention anyone")
    if suggested:
        assert f"(to mention them, type `{suggested}` and pick them from Slack's list)" in (
            reading.reason
        )
    else:
        assert "type `@" not in reading.reason
