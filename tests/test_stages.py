"""`/mle stage`: gates, --force by the owner only, the next stage's interview."""

from __future__ import annotations

from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer


def _last_ephemeral(h: Harness, user: str = "U0ALICE") -> str:
    return h.emulator.ephemerals_for(user)[-1].text


async def _stage(h: Harness, text: str, user: str = "U0ALICE") -> str:
    result = await h.emulator.slash(f"stage {text}", user=user)
    assert result.status == 200
    await h.idle()
    return _last_ephemeral(h, user)


async def test_gate_refusal_lists_missing_required_answers(harness: Harness) -> None:
    thread = await new_project(harness)
    await reply(harness, thread, valid_answer(PLANNING[0]))
    message = await _stage(harness, "churn-reduction next")
    assert "gate of *Churn reduction* is closed" in message
    assert "Q2. How is this done today" in message and "Q1." not in message
    assert (await harness.only_project()).stage == "planning"


async def test_force_by_someone_else_is_refused_politely(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")  # bob owns it; alice is a workspace admin
    message = await _stage(harness, "churn-reduction next --force", user="U0CAROL")
    assert "Only the owner" in message and "<@U0BOB>" in message
    assert (await harness.only_project()).stage == "planning"


async def test_owner_force_is_recorded_with_who_and_what_was_missing(harness: Harness) -> None:
    thread = await new_project(harness, user="U0BOB")
    message = await _stage(harness, "churn-reduction next --force", user="U0BOB")
    assert message == "Moved *Churn reduction* to *scoping*."
    project = await harness.only_project()
    assert project.stage == "scoping"
    history = await harness.read(lambda tx: tx.projects.history("T0SANDBOX", project.id))
    assert [(s, by, forced) for s, _, by, forced, _ in history] == [
        ("planning", "U0BOB", 0),
        ("scoping", "U0BOB", 1),
    ]
    assert "missing Q1" in (history[-1][4] or "")
    posts = [m.text for m in harness.emulator.bot_posts("C0MLTEAM", thread)]
    assert any("moved from *planning* to *scoping*" in p for p in posts)
    assert questions_asked(harness, thread)[-1].startswith("Q1/7 ")  # the scoping interview


async def test_admin_may_force(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")
    assert "Moved" in await _stage(harness, "churn-reduction scoping --force", user="U0ALICE")


async def test_gate_passes_after_the_interview(harness: Harness) -> None:
    thread = await new_project(harness)
    for question in PLANNING:
        await reply(harness, thread, valid_answer(question))
    assert await _stage(harness, "Churn reduction next", user="U0CAROL") == (
        "Moved *Churn reduction* to *scoping*."
    )
    await reply(harness, thread, "3 weeks")  # scoping Q1 is the research time box
    project = await harness.only_project()
    assert (
        await harness.read(lambda tx: tx.projects.time_box("T0SANDBOX", project.id, "scoping"))
        == 21
    )


async def test_skipping_a_stage_needs_force(harness: Harness) -> None:
    await new_project(harness)
    message = await _stage(harness, "churn-reduction deployment")
    assert "not the next stage" in message and "*scoping*" in message
    assert "Did you mean" in await _stage(harness, "churn-reductoin next")
    assert (
        "not a stage"
        in (await harness.emulator.slash("stage churn-reduction lunch")).json()["text"]
    )
