"""App Home: each person's dashboard, validated by the emulator's Block Kit checks."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.emulator import SlackEmulator
from storage.rows import DeliveryRow
from storage.store import Tx
from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, reply, valid_answer


def home_text(h: Harness, user: str = "U0ALICE") -> str:
    view = h.emulator.workspace.home_views[user].view
    parts = []
    for block in view["blocks"]:
        if isinstance(block.get("text"), dict):
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element, dict) and element.get("text"):
                parts.append(str(element["text"]))
        if block.get("accessory"):
            parts.append(f"[button {block['accessory']['action_id']}]")
    return "\n".join(parts)


def home_blocks(h: Harness, user: str = "U0ALICE") -> list[dict[str, Any]]:
    return h.emulator.workspace.home_views[user].view["blocks"]


async def open_home(h: Harness, user: str = "U0ALICE", team_id: str | None = None) -> None:
    event = {
        "type": "app_home_opened",
        "user": user,
        "channel": f"D{user}",
        "tab": "home",
        "event_ts": h.emulator.clock.next_ts(),
    }
    result = await h.emulator.deliver_event(event, team_id=team_id)
    assert result.status == 200
    await h.idle()


async def test_new_user_sees_how_it_works(harness: Harness) -> None:
    await open_home(harness, "U0CAROL")
    text = home_text(harness, "U0CAROL")
    assert "You have no projects" in text and "How MLE Coach works" in text


async def test_owner_of_several_projects_and_models(harness: Harness) -> None:
    h = harness
    late = await new_project(h, "Churn reduction")
    for question in PLANNING[:-1]:
        await reply(h, late, valid_answer(question))
    await new_project(h, "Fraud alerts")
    # one command after the other's answer, as a person types them (sent at once, the metric
    # could be taken before the deploy)
    for command in (
        "deploy churn-reduction churn-v2",
        'metric churn-v2 "monthly churn" baseline=0.06 target=0.04 owner=<@U0BOB> method=ab lower',
        "deploy fraud-alerts fraud-gbm",
    ):
        await h.emulator.slash(command)
        await h.idle()
    await open_home(h)
    text = home_text(h)
    assert "*Your projects* (2)" in text and "*Your deployed models* (2)" in text
    assert "Churn reduction|" not in text  # linked by permalink, named plainly
    assert "slack.com/archives/C0MLTEAM/p" in text
    assert "*planning*, day 1 (no time box); gate passes" in text
    assert "9 open required question(s)" in text and "next check-in" in text
    assert "fraud-gbm* (Fraud alerts) — F1 no business KPI" in text
    assert "[button model_add_metric]" in text
    # most urgent first: Fraud alerts (9 open) before Churn reduction (gate passes)
    assert text.index("Fraud alerts") < text.index("Churn reduction")
    # the KPI owner sees the model too
    await open_home(h, "U0BOB")
    assert "churn-v2" in home_text(h, "U0BOB") and "Fraud" not in home_text(h, "U0BOB")


async def test_answering_puts_the_project_on_your_home(harness: Harness) -> None:
    h = harness
    thread = await new_project(h, "Churn reduction")
    await reply(h, thread, valid_answer(PLANNING[0]), user="U0CAROL")
    await open_home(h, "U0CAROL")
    assert "Churn reduction" in home_text(h, "U0CAROL")


async def test_two_workspaces_never_mix(emulator: SlackEmulator, harness: Harness) -> None:
    h = harness
    await new_project(h, "Churn reduction")
    result = await h.emulator.slash("new Other team project", team_id="T0OTHER")
    await h.idle()
    assert result.status == 200
    await open_home(h, team_id="T0OTHER")
    other = home_text(h)
    assert "Other team project" in other and "Churn reduction" not in other
    await open_home(h)
    assert "Churn reduction" in home_text(h) and "Other team project" not in home_text(h)


async def test_two_hundred_projects_fit_with_and_n_more(harness: Harness) -> None:
    h = harness
    store = h.runtime.services.store
    now = h.runtime.services.clock()

    def many(tx: Any) -> None:
        for i in range(200):
            pid = tx.projects.insert(
                team_id="T0SANDBOX",
                name=f"Project {i}",
                name_key=f"project {i}",
                slug=f"project-{i}",
                channel_id="C0MLTEAM",
                owner_id="U0ALICE",
                tz="Europe/Berlin",
                stage="planning",
                now=now,
            )
            tx.projects.set_thread("T0SANDBOX", pid, f"1780000000.{i:06d}")

    await store.write(many)
    await open_home(h)
    blocks = home_blocks(h)
    assert len(blocks) <= 100
    assert "and 156 more projects" in home_text(h)


async def test_busy_interview_publishes_home_debounced(harness: Harness) -> None:
    h = harness
    h.runtime.services.home.debounce = 0.3
    thread = await new_project(h)
    for question in PLANNING[:6]:
        await reply(h, thread, valid_answer(question))
    await h.runtime.services.home.settle()
    publishes = [
        c for c in h.emulator.calls_to("views.publish") if c.params.get("user_id") == "U0ALICE"
    ]
    assert 1 <= len(publishes) <= 2, len(publishes)


def _publishes(h: Harness, user: str = "U0ALICE") -> int:
    return sum(1 for c in h.emulator.calls_to("views.publish") if c.params.get("user_id") == user)


async def test_a_burst_of_changes_is_published_once_with_the_latest_state(
    harness: Harness,
) -> None:
    """The publish is queued in the outbox with the change and goes out on its own once the
    debounce is over (no scheduler pass), composed then: it shows the last change."""
    h = harness
    h.runtime.services.home.debounce = 0.5
    thread = await new_project(h)
    for question in PLANNING[:3]:
        await reply(h, thread, valid_answer(question))
    assert _publishes(h) == 0  # still within the debounce
    for _ in range(40):
        await asyncio.sleep(0.05)
        if _publishes(h):
            break
    await h.idle()
    assert _publishes(h) == 1
    published = home_text(h)
    await open_home(h)  # what the tab shows when composed now
    assert "open required question(s)" in published and home_text(h) == published


async def test_a_queued_home_publish_outlives_the_process_that_queued_it(
    harness: Harness,
) -> None:
    """Queued with the change itself: a process that stops before the publish leaves it in
    the outbox, and the next pass (on any replica, after a restart) publishes it once."""
    h = harness
    h.runtime.services.home.debounce = 60.0  # the process "dies" before it would publish
    thread = await new_project(h)
    await reply(h, thread, valid_answer(PLANNING[0]))

    def waiting(tx: Tx) -> list[DeliveryRow]:
        return [r for r in tx.deliveries.for_subject("T0SANDBOX", "home", "U0ALICE")]

    [row] = await h.read(waiting)
    assert row.status == "pending" and _publishes(h) == 0
    later = datetime.now(UTC) + timedelta(minutes=2)
    await h.runtime.services.scheduler_pass(later)
    await h.runtime.services.scheduler_pass(later)  # a second pass publishes nothing more
    await h.idle()
    assert _publishes(h) == 1 and "Churn reduction" in home_text(h)
    [row] = await h.read(waiting)
    assert row.status == "posted"
    # the next change queues the next publish; the finished one is forgotten (one per person)
    await reply(h, thread, valid_answer(PLANNING[1]))
    [row] = await h.read(waiting)
    assert row.status == "pending"


async def test_a_queued_publish_slack_refuses_for_now_is_tried_again_within_seconds(
    harness: Harness,
) -> None:
    """Rate-limited past the client's own two waits: the poster tries again once the urgent
    backoff is over (5 s), without a scheduler pass, and publishes the tab as it is then."""
    h = harness
    h.runtime.services.home.debounce = 0.2
    thread = await new_project(h)
    h.emulator.fail_next("views.publish", status=429, error="ratelimited", retry_after=1, times=3)
    await reply(h, thread, valid_answer(PLANNING[0]))
    for _ in range(240):
        await asyncio.sleep(0.05)
        statuses = [c.status for c in h.emulator.calls_to("views.publish")]
        if statuses[-1:] == [200]:
            break
    assert statuses == [429, 429, 429, 200]
    published = home_text(h)
    await open_home(h)
    assert home_text(h) == published


async def test_rate_limited_publish_is_retried(harness: Harness) -> None:
    h = harness
    h.emulator.fail_next("views.publish", status=429, error="ratelimited", retry_after=1, times=3)
    await open_home(h, "U0CAROL")
    statuses = [c.status for c in h.emulator.calls_to("views.publish")]
    assert statuses == [429, 429, 429, 200]
    assert "How MLE Coach works" in home_text(h, "U0CAROL")
