"""The thread-reply decision, case by case, without a database or Slack."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.bank_file import load_bank
from bot.domain.bank import Kind
from bot.domain.extension import BadExtension, Extension, read_extension
from bot.domain.reply import (
    CheckinNote,
    Decision,
    Ignore,
    Note,
    Record,
    Reply,
    ReplyState,
    Wait,
    decide_reply,
)

BANK = load_bank()
PLANNING = BANK.questions("planning")
KINDS = {q.kind: i for i, q in reversed(list(enumerate(PLANNING)))}
TEXT_Q = KINDS[Kind.TEXT]
NUMBER_Q = KINDS[Kind.NUMBER]
DURATION_Q = next(
    i for i, q in enumerate(PLANNING) if q.sets is not None and q.kind is Kind.DURATION
)
USER_Q = KINDS[Kind.USER]

ASKED = "1700000100.000100"
BEFORE = "1700000050.000000"
AFTER = "1700000200.000000"
CHECKIN = "1700000150.000000"
LATER = "1700000300.000000"


def state(position: int | None = TEXT_Q, **changes: object) -> ReplyState:
    base = ReplyState(
        questions=PLANNING,
        position=position,
        question_ts=ASKED,
        posting=False,
        checkin_ts=None,
        seen=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def reply(text: str, ts: str = AFTER) -> Reply:
    return Reply(ts, "U0ALICE", text)


CASES: list[tuple[str, ReplyState, Reply, type]] = [
    ("a sentence answers a text question", state(), reply("Cut churn by 2 points"), Record),
    ("skip skips it", state(), reply("skip"), Record),
    ("Skip with capitals and spaces", state(), reply("  SKIP "), Record),
    ("// is discussion", state(), reply("// what do we mean by churn?"), Ignore),
    ("indented // is discussion too", state(), reply("   // aside"), Ignore),
    ("a repeat of a taken message", state(seen=True), reply("Cut churn"), Ignore),
    ("nothing pending: the interview is done", state(len(PLANNING)), reply("hello"), Ignore),
    ("no interview in this stage", state(None), reply("hello"), Ignore),
    ("written before the question was asked", state(), reply("early bird", BEFORE), Note),
    ("the question was never posted", state(question_ts=None), reply("hi"), Note),
    ("a word for a number question", state(NUMBER_Q), reply("lots"), Note),
    ("a number for a number question", state(NUMBER_Q), reply("0.061"), Record),
    ("a duration for a time box", state(DURATION_Q), reply("2 weeks"), Record),
    ("no duration for a time box", state(DURATION_Q), reply("soon"), Note),
    ("a mention for a person question", state(USER_Q), reply("<@U0BOB>"), Record),
    ("a name without a mention", state(USER_Q), reply("bob"), Note),
    ("the question is being posted", state(posting=True), reply("fast"), Wait),
    (
        "a reply after a check-in that came after the question",
        state(checkin_ts=CHECKIN),
        reply("on track", LATER),
        CheckinNote,
    ),
    (
        "a reply after the question, the check-in being older",
        state(question_ts=CHECKIN, checkin_ts=ASKED),
        reply("Cut churn", LATER),
        Record,
    ),
    (
        "a reply before the check-in answers the question",
        state(checkin_ts=LATER),
        reply("Cut churn", AFTER),
        Record,
    ),
    (
        "a check-in reply when nothing is pending",
        state(len(PLANNING), checkin_ts=CHECKIN),
        reply("all good", LATER),
        CheckinNote,
    ),
    (
        "discussion under a check-in",
        state(checkin_ts=CHECKIN),
        reply("// later", LATER),
        Ignore,
    ),
]


@pytest.mark.parametrize(
    ("what", "given", "message", "expected"), CASES, ids=[case[0] for case in CASES]
)
def test_decision(what: str, given: ReplyState, message: Reply, expected: type) -> None:
    assert isinstance(decide_reply(given, message), expected), what


def test_an_impatient_caller_does_not_wait_for_a_post() -> None:
    decision = decide_reply(state(posting=True), reply("fast"), patient=False)
    assert isinstance(decision, Record)


def test_an_answer_records_the_question_its_number_and_the_parsed_text() -> None:
    decision = decide_reply(state(), reply("Cut churn by 2 points"))
    assert decision == Record(
        question=PLANNING[TEXT_Q],
        number=TEXT_Q + 1,
        total=len(PLANNING),
        status="answered",
        text="Cut churn by 2 points",
        time_box_days=None,
        finished=False,
    )


def test_skip_keeps_the_raw_text_and_is_not_answered() -> None:
    decision = decide_reply(state(), reply("skip"))
    assert isinstance(decision, Record) and not decision.answered and decision.text == "skip"


@pytest.mark.parametrize(
    ("typed", "days"), [("2 weeks", 14), ("10 days", 10), ("3w", 21), ("1 week", 7)]
)
def test_a_time_box_answer_sets_the_days(typed: str, days: int) -> None:
    decision = decide_reply(state(DURATION_Q), reply(typed))
    assert isinstance(decision, Record) and decision.time_box_days == days


def test_the_last_question_finishes_the_interview() -> None:
    last = len(PLANNING) - 1
    decision = decide_reply(state(last), reply("skip"))
    assert isinstance(decision, Record) and decision.finished and decision.number == len(PLANNING)


def test_an_unreadable_reply_says_why() -> None:
    decision: Decision = decide_reply(state(NUMBER_Q), reply("lots"))
    assert isinstance(decision, Note) and not decision.early and decision.reason


def test_a_check_in_reply_after_the_question_asks_it_again() -> None:
    decision = decide_reply(state(checkin_ts=CHECKIN), reply("on track", LATER))
    assert decision == CheckinNote(None, ask_again=True)
    done = decide_reply(state(len(PLANNING), checkin_ts=CHECKIN), reply("on track", LATER))
    assert done == CheckinNote(None, ask_again=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("extend 1 week: waiting for the data export", Extension(7, "waiting for the data export")),
        ("Extend 10 days because labels are late", Extension(10, "labels are late")),
        ("extend 2 weeks", BadExtension),
        ("extend soon: reasons", BadExtension),
    ],
)
def test_a_check_in_reply_may_extend_the_time_box(typed: str, expected: object) -> None:
    decision = decide_reply(state(checkin_ts=CHECKIN), reply(typed, LATER))
    assert isinstance(decision, CheckinNote)
    if isinstance(expected, Extension):
        assert decision.extension == expected
    else:
        assert isinstance(decision.extension, BadExtension)


def test_choice_questions_take_one_of_their_choices() -> None:
    scoping = BANK.questions("scoping")
    position = next(i for i, q in enumerate(scoping) if q.kind is Kind.CHOICE)
    given = state(position, questions=scoping)
    go = decide_reply(given, reply("go"))
    assert isinstance(go, Record) and go.text == "go"
    assert isinstance(decide_reply(given, reply("purple elephant")), Note)


@pytest.mark.parametrize(
    ("text", "days", "reason"),
    [
        ("extend 1 week: waiting for the data export", 7, "waiting for the data export"),
        ("extend 10 days - waiting for labels", 10, "waiting for labels"),
        ("extend 2-3 weeks because legal has not signed", 21, "legal has not signed"),
        ("extend a fortnight — GDPR review", 14, "GDPR review"),
    ],
)
def test_an_extension_reads_its_duration_and_reason(text: str, days: int, reason: str) -> None:
    assert read_extension(text) == Extension(days, reason)


@pytest.mark.parametrize("text", ["extend soon: data", "extend a fortnight", "extend 1 week: ok"])
def test_an_extension_without_a_duration_or_a_reason_is_refused(text: str) -> None:
    assert isinstance(read_extension(text), BadExtension)
