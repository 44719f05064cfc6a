"""What the coach reads in a reply (issue 27, item 4): `no-go for now: …` is a decision with a
reason, a quote is never cut inside a word, `not sure yet, will ask …`, `tbd` and `idk` leave
even an optional question open. Table tests of the pure reading, then runs through the app."""

from __future__ import annotations

import pytest

from bot.bank_file import load_bank
from bot.domain.answers import NonAnswer, Parsed, Rejected, named_person, read_answer, with_people
from bot.domain.bank import Kind, Question
from bot.domain.reading import is_hedged, is_non_answer, quoted, read_choice
from tests.conftest import Harness
from tests.interviews import (
    PLANNING,
    block_text,
    briefs,
    new_project,
    reply,
    thread_posts,
    valid_answer,
)
from tests.test_coaching import answer_up_to, into_scoping, last_post, stored
from tests.test_reading import _question

SCOPING = load_bank().questions("scoping")
GDPR = "no-go for now: usage logs too short, legal hasnt cleared GDPR use"


@pytest.mark.parametrize(
    ("text", "choice", "reason", "hedged"),
    [
        (GDPR, "no-go", "for now: usage logs too short, legal hasnt cleared GDPR use", False),
        ("nogo for now - usage logs too short", "no-go", "for now - usage logs too short", False),
        ("no-go, for now", "no-go", "for now", False),
        ("go for now?", "go", "for now?", True),
        ("go, for now if legal agrees", "go", "for now if legal agrees", True),
        ("go-ish, pending cost check", "go", "ish, pending cost check", True),
    ],
)
def test_for_now_says_how_long_not_whether(
    text: str, choice: str, reason: str, hedged: bool
) -> None:
    chosen = read_choice(("go", "no-go"), text)
    assert chosen is not None and (chosen.choice, chosen.reason) == (choice, reason)
    assert is_hedged(chosen) is hedged


@pytest.mark.parametrize(
    ("text", "limit", "shown"),
    [
        (GDPR, 60, "no-go for now: usage logs too short, legal hasnt cleared…"),
        ("short enough", 60, "short enough"),
        ("a" * 80, 60, "a" * 59 + "…"),  # one word longer than the room: cut, marked
        ("exactly  ten words   here", 25, "exactly ten words here"),  # spaces squeezed
    ],
)
def test_a_quote_is_cut_between_words(text: str, limit: int, shown: str) -> None:
    assert quoted(text, limit) == shown
    assert len(quoted(text, limit)) <= limit


OPTIONAL = _question(Kind.TEXT, required=False)
OPTIONAL_NUMBER = _question(Kind.NUMBER, required=False)
REQUIRED = _question(Kind.TEXT)
PERSON = _question(Kind.USER)


@pytest.mark.parametrize(
    ("question", "text", "expected"),
    [
        (REQUIRED, "not sure yet, will ask the CS lead", NonAnswer),
        (OPTIONAL, "not sure yet, will ask the CS lead", NonAnswer),
        (OPTIONAL, "tbd", NonAnswer),
        (OPTIONAL, "idk", NonAnswer),
        (OPTIONAL, "IDK yet", NonAnswer),
        (OPTIONAL, "will ask the CS lead", NonAnswer),
        (OPTIONAL, "no idea yet", NonAnswer),
        (OPTIONAL_NUMBER, "tbd", NonAnswer),
        (OPTIONAL, "none", Parsed),  # nothing applies: an answer to an optional question
        (OPTIONAL, "n/a", Parsed),
        (REQUIRED, "none", NonAnswer),
        (OPTIONAL, "we will check the logs weekly", Parsed),
        (OPTIONAL, "Will ask the CS reps to tag every churn reason", Parsed),
        (OPTIONAL_NUMBER, "not sure, maybe 4%", Parsed),
    ],
)
def test_non_answers_for_required_and_optional_questions(
    question: Question, text: str, expected: type
) -> None:
    assert isinstance(read_answer(question, text), expected)


@pytest.mark.parametrize(
    "text", ["not sure yet, will ask the CS lead", "don't know yet, need to ask finance"]
)
def test_putting_it_off_is_a_non_answer(text: str) -> None:
    assert is_non_answer(text)


async def test_no_go_for_now_is_a_decision_with_its_reason(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING) - 1)
    await reply(harness, thread, GDPR)
    said = last_post(harness, thread)
    assert "reads as not decided yet" not in said, said
    assert "legal hasnt cleared GDPR use" in said, said  # said back whole
    assert "GDP…" not in said and "GDP`" not in said
    assert await stored(harness, "scoping") == {
        **{k: v for k, v in (await stored(harness, "scoping")).items() if k != "go_no_go"},
        "go_no_go": ("answered", GDPR),
    }


async def test_a_long_unreadable_reply_is_quoted_between_words(harness: Harness) -> None:
    thread = await into_scoping(harness)
    await answer_up_to(harness, thread, SCOPING, len(SCOPING) - 1)
    await reply(harness, thread, "maybe: usage logs too short, legal hasnt cleared GDPR use yet")
    said = last_post(harness, thread)
    assert "doesn't start with one of the choices" in said, said
    assert "GDPR use…`" in said, said  # not `GDPR use y`


async def test_put_off_tbd_and_idk_stay_open_and_are_not_counted(harness: Harness) -> None:
    thread = await new_project(harness)
    typed = {
        "decisions": "not sure yet, will ask the CS lead",  # required
        "constraints": "tbd",  # optional
        "milestones": "idk",  # optional
    }
    for question in PLANNING:
        await reply(harness, thread, typed.get(question.key, valid_answer(question)))
        if question.key in typed:
            said = last_post(harness, thread)
            assert "stays *open*" in said, (question.key, said)
    # the second round asks the required one again; still put off
    await reply(harness, thread, typed["decisions"])
    statuses = await stored(harness)
    assert {k: statuses[k][0] for k in typed} == {
        "decisions": "open",
        "constraints": "open",
        "milestones": "open",
    }
    brief = briefs(harness, thread)[-1]
    text = f"{brief.text}\n{last_post(harness, thread)}"
    assert "9 of 12 questions answered" in text or "9/12 answered" in text, text
    assert "12 of 12" not in text and "12/12" not in text
    for number, said in ((4, "not sure yet, will ask the CS lead"), (9, "tbd"), (11, "idk")):
        assert f"Q{number} answered “{said}”, which is not an answer yet" in text, text


async def test_skip_names_the_question_it_skips(harness: Harness) -> None:
    thread = await new_project(harness)
    await reply(harness, thread, "skip")
    said = last_post(harness, thread)
    assert f"Skipped Q1: _{PLANNING[0].text[:40]}" in said, said
    assert "It is required" in said
    await answer_up_to(harness, thread, PLANNING[1:], 7)  # Q2 … Q8
    await reply(harness, thread, "skip")
    said = last_post(harness, thread)
    assert f"Skipped Q9: _{PLANNING[8].text[:40]}" in said, said
    assert "It is required" not in said


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("carol", "carol"),
        ("carol from finance owns it", "carol"),
        ("carol i think", "carol"),
        ("Carol.", "Carol"),
        ("probably carol", "carol"),
        ("nobody yet", None),
        ("me", None),
        ("<@U0CAROL> from finance", None),
        ("the CS lead", None),
    ],
)
def test_a_name_without_the_at(text: str, name: str | None) -> None:
    assert named_person(text) == name


def test_a_member_named_without_the_at_reads_as_them() -> None:
    people = {"carol": "U0CAROL"}
    said = with_people(PERSON, "carol from finance owns it", people)
    assert said == "<@U0CAROL> from finance owns it"
    assert read_answer(PERSON, said) == Parsed(said, user="U0CAROL")
    assert with_people(PERSON, "maya from finance", people) == "maya from finance"
    assert with_people(OPTIONAL, "carol", people) == "carol"  # not a person question
    refused = read_answer(PERSON, "maya i think")
    assert isinstance(refused, Rejected) and "type `@maya`" in refused.reason


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("carol from finance owns it", "Q8 read as *<@U0CAROL>*"),
        ("carol i think", "Q8 read as *<@U0CAROL>*"),
        ("maya i think", "type `@maya` and pick them"),
    ],
)
async def test_a_member_named_without_the_at_through_the_app(
    harness: Harness, typed: str, said: str
) -> None:
    thread = await new_project(harness)
    await answer_up_to(harness, thread, PLANNING, 7)
    await reply(harness, thread, typed)
    await harness.idle()
    posts = "\n".join(f"{p.text}\n{block_text(p)}" for p in thread_posts(harness, thread)[-2:])
    assert said in posts, posts
    owner = (await stored(harness)).get("kpi_owner")
    if "maya" in typed:
        assert owner is None
    else:
        assert owner == ("answered", typed.replace("carol", "<@U0CAROL>"))
