"""`/mle new` and `/mle status` as a person sees them."""

from __future__ import annotations

from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer


def _last_ephemeral(h: Harness, user: str = "U0ALICE") -> str:
    shown = h.emulator.ephemerals_for(user)
    assert shown, "nothing was shown to the user"
    return shown[-1].text


async def test_new_project_sets_owner_and_owner_time_zone(harness: Harness) -> None:
    await new_project(harness, "Fraud alerts", user="U0BOB")
    project = await harness.only_project()
    assert (project.owner_id, project.tz, project.stage) == (
        "U0BOB",
        "America/New_York",
        "planning",
    )


async def test_duplicate_name_links_the_existing_thread(harness: Harness) -> None:
    await new_project(harness, "Churn reduction")
    result = await harness.emulator.slash("new   CHURN   reduction", user="U0BOB")
    await harness.idle()
    assert result.status == 200
    message = _last_ephemeral(harness, "U0BOB")
    assert "already exists" in message and "slack.com/archives/C0MLTEAM" in message
    assert len([m for m in harness.emulator.bot_posts("C0MLTEAM") if not m.thread_ts]) == 1


async def test_name_validation(harness: Harness) -> None:
    for text, expected in (
        ("new", "Give the project a name"),
        ("new " + "x" * 81, "at most 80"),
        ('new "unclosed', "never closed"),
    ):
        result = await harness.emulator.slash(text)
        assert expected in result.json()["text"]
    assert not harness.emulator.bot_posts("C0MLTEAM")
    ok = await harness.emulator.slash("new " + "y" * 80)
    await harness.idle()
    assert ok.status == 200 and harness.emulator.bot_posts("C0MLTEAM")


async def test_quoted_and_emoji_names(harness: Harness) -> None:
    thread = await new_project(harness, "\"Churn 🚀 'v2'\"")
    assert questions_asked(harness, thread)
    result = await harness.emulator.slash("status \"churn 🚀 'v2'\"")
    await harness.idle()
    assert result.status == 200
    assert "Status of Churn 🚀 'v2'" in _last_ephemeral(harness)


async def test_joins_a_public_channel_it_is_not_in(harness: Harness) -> None:
    channel = harness.emulator.workspace.channels["C0GENERAL"]
    assert "U0BOTUSER" not in channel.members
    thread = await new_project(harness, "Search ranking", channel="C0GENERAL")
    assert "U0BOTUSER" in channel.members
    assert questions_asked(harness, thread, "C0GENERAL")


async def test_private_channel_without_the_bot_explains_how_to_invite(harness: Harness) -> None:
    await harness.emulator.slash("new Secret model", channel="G0PRIVATE")
    await harness.idle()
    assert "/invite @MLE Coach" in _last_ephemeral(harness)
    assert not harness.emulator.bot_posts("G0PRIVATE")
    assert not await harness.read(lambda tx: tx.projects.all_names("T0SANDBOX"))


async def test_parent_post_failure_is_said_and_retry_works(harness: Harness) -> None:
    harness.emulator.fail_next("chat.postMessage", status=200, error="msg_too_long")
    await harness.emulator.slash("new Churn reduction")
    await harness.idle()
    assert harness.emulator.bot_posts("C0MLTEAM") == []  # Slack refused it for good
    thread = await new_project(harness, "Churn reduction")  # the owner types it again
    warnings = [e.text for e in harness.emulator.ephemerals_for("U0ALICE")]
    assert any(
        "couldn't post the project's first message for *Churn reduction*" in w
        and "msg_too_long" in w
        for w in warnings
    ), warnings
    assert len(questions_asked(harness, thread)) == 1


async def test_status_of_channel_and_of_one_project(harness: Harness) -> None:
    empty = await harness.emulator.slash("status")
    await harness.idle()
    assert empty.status == 200 and "No MLE Coach projects" in _last_ephemeral(harness)
    thread = await new_project(harness, "Churn reduction")
    await new_project(harness, "Fraud alerts")
    await reply(harness, thread, valid_answer(PLANNING[0]))
    await harness.emulator.slash("status")
    await harness.idle()
    overview = harness.emulator.ephemerals_for("U0ALICE")[-1]
    shown = "\n".join(b["text"]["text"] for b in overview.blocks or [] if b.get("text"))
    assert "Churn reduction" in shown and "Fraud alerts" in shown
    assert "planning, day 1 (no time box); 8 open required" in shown
    await harness.emulator.slash("status churn-reduction")
    await harness.idle()
    detail = harness.emulator.ephemerals_for("U0ALICE")[-1]
    shown = "\n".join(b["text"]["text"] for b in detail.blocks or [] if b.get("text"))
    assert "Cut churn by 2 points — <@U0ALICE>" in shown and "_not answered_" in shown
    await harness.emulator.slash("status churn reductoin")
    await harness.idle()
    assert "Did you mean *Churn reduction*" in _last_ephemeral(harness)
