"""Whatever a person types — names, answers, reasons — no message the app renders carries a
mention, a broadcast or a link that the product did not put there itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank_file import load_bank
from bot.blocks import Post
from bot.checkins import render as checkin_render
from bot.digests import render as digest_render
from bot.domain.answers import Parsed, read_answer
from bot.domain.bank import Kind
from bot.domain.business_rules import Finding
from bot.domain.gates import gate
from bot.domain.kpi import Stated, read_plan
from bot.interview import render as interview_render
from bot.models import render as model_render
from storage.rows import AnswerRow, ProjectRow

PLANNING = load_bank().questions("planning")
# the mentions the product makes itself, from user ids it knows
OURS = re.compile(r"<@(U0OWNER|U0AUTHOR|U0ASKER|U0KPI)>")
FORBIDDEN = ("<!", "<http", "<@", "<#")

# what attackers type, mixed into arbitrary text
TRICKS = st.sampled_from(
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<!subteam^S123|@team>",
        "<https://evil.example/login|Click to verify>",
        "<@U0EVE>",
        "<#C0SECRET>",
        "&lt;!channel&gt;",
        "<",
        ">",
        "&",
    ]
)
TEXT = st.lists(st.one_of(TRICKS, st.text(max_size=30)), max_size=6).map("".join)


def _texts(value: Any) -> list[str]:
    """Every text Slack would parse as mrkdwn in a message (plain_text is shown as is)."""
    if isinstance(value, Post):
        return [value.text, *_texts(value.blocks)]
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        found = [value["text"]] if isinstance(value.get("text"), str) else []
        return found + [t for v in value.values() if not isinstance(v, str) for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return []


def _assert_clean(posts: list[Post], people: set[str]) -> None:
    """`people`: users the product itself names (a person question's answer is shown as a
    mention of the one user it names)."""
    for post in posts:
        for text in _texts(post):
            rest = OURS.sub("", text)
            for user in people:
                rest = rest.replace(f"<@{user}>", "")
            for token in FORBIDDEN:
                assert token not in rest, (token, text)


def _project(name: str) -> ProjectRow:
    now = datetime(2026, 11, 26, 8, tzinfo=UTC)
    return ProjectRow(1, "T1", name, "p-1", "C1", "1.1", "U0OWNER", "UTC", "planning", now, now)


def _answer(key: str, text: str) -> AnswerRow:
    now = datetime(2026, 11, 26, 8, tzinfo=UTC)
    return AnswerRow(1, "T1", 1, "planning", key, "answered", text, "U0AUTHOR", "1.2", now, now)


@settings(max_examples=400, deadline=None)
@given(name=TEXT, answer=TEXT, reason=TEXT)
def test_no_rendered_message_carries_a_control_sequence_someone_typed(
    name: str, answer: str, reason: str
) -> None:
    answers = {q.key: _answer(q.key, answer) for q in PLANNING}
    result = gate(PLANNING, {q.key: "answered" for q in PLANNING})
    plan = read_plan(PLANNING, {q.key: Stated("answered", answer) for q in PLANNING})
    finding = Finding("F7", reason, True, f"no recent value of {reason}")
    hint = model_render.KpiHint(name=answer, baseline=answer, target=reason, owner=answer)
    posts = [
        interview_render.parent(name, "U0OWNER", "planning", len(PLANNING)),
        interview_render.brief("planning", _project(name), PLANNING, answers, 2),
        interview_render.challenge("U0ASKER", 5, 12, reason),
        interview_render.plain("\n".join(interview_render.risks(PLANNING, answers, plan, result))),
        interview_render.reask("U0ASKER", 3, 12, PLANNING[2], reason),
        interview_render.edit_refused("U0ASKER", 3, reason),
        checkin_render.checkin(
            name=name,
            slug="p",
            stage="planning",
            day=4,
            time_box=3,
            questions=PLANNING,
            result=result,
            value="1:2",
        ),
        checkin_render.nudge(people=("U0OWNER",), name=name),
        model_render.reminder(
            model=name, model_id=1, project=name, mention="U0KPI", found=[finding], hint=hint
        ),
        model_render.f8_warning(model=name, mention="U0KPI", finding=finding),
        *digest_render.digest(
            [
                digest_render.ProjectFacts(
                    name, "planning", 9, 5, 2, datetime(2026, 11, 1, tzinfo=UTC)
                )
            ],
            [digest_render.ModelFacts(name, name, ("F7",), reason, 0.04, 0.05, 0.03, "lower")],
        ),
    ]
    named = {
        reading.user
        for q in PLANNING
        if q.kind is Kind.USER
        and isinstance(reading := read_answer(q, answer), Parsed)
        and reading.user
    }
    _assert_clean(posts, named)


def test_a_person_answer_is_shown_as_the_mention_it_names() -> None:
    owner = next(q for q in PLANNING if q.kind is Kind.USER)
    assert interview_render.shown_answer(owner, "<@U0BOB>") == "<@U0BOB>"
    assert interview_render.shown_answer(owner, "<!channel>") == "&lt;!channel&gt;"
