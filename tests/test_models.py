"""Deployed models, business metrics and reminders, as people and the scheduler use them."""

from __future__ import annotations

import html
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import new_project
from tests.processes import clean_env, run_cli

DAY0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def start() -> datetime:
    return DAY0


async def mle(h: Harness, text: str, user: str = "U0ALICE") -> str:
    result = await h.emulator.slash(text, user=user)
    assert result.status == 200
    await h.idle()
    if result.body.strip().startswith("{") and result.json().get("text"):
        return str(result.json()["text"])  # refused at once (usage)
    return h.emulator.ephemerals_for(user)[-1].text


def reminders(h: Harness, thread: str) -> list[Message]:
    return [
        m
        for m in h.emulator.bot_posts("C0MLTEAM", thread)
        if "cannot show its business value" in m.text
    ]


async def tick_process(h: Harness, day: float) -> str:
    at = (DAY0 + timedelta(days=day)).isoformat()
    env = clean_env(
        SLACK_BOT_TOKEN=h.emulator.bot_token,
        SLACK_API_URL=h.emulator.api_url,
        DATABASE_URL=h.database,
    )
    code, out, err = await run_cli("tick", "--at", at, env=env, cwd=Path(tempfile.mkdtemp()))
    assert code == 0, err
    return out


async def test_reminder_timeline(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h, user="U0BOB")
    await mle(h, "checkin churn-reduction off", user="U0BOB")
    assert "Registered *churn-v2 1.3*" in await mle(h, "deploy Churn reduction churn-v2 1.3")
    expected = {3: 0, 8: 1, 10: 1, 15: 2}
    for day, count in expected.items():
        out = await tick_process(h, day)
        assert len(reminders(h, thread)) == count, (day, out)
    first = reminders(h, thread)[0]
    assert first.text.startswith("<@U0BOB>") and "F1 no business KPI" in first.text
    shown = html.unescape((first.blocks or [{}])[1]["text"]["text"])  # as Slack shows it
    assert '/mle metric churn-v2 "<business KPI>" baseline=<n>' in shown
    clock.at(DAY0 + timedelta(days=16))
    reply = await mle(
        h,
        'metric churn-v2 "monthly churn" 0.05 baseline=0.06 target=0.04 '
        "owner=<@U0CAROL|carol> method=ab lower",
    )
    assert "✅ Its business metrics are complete" in reply
    for day, count in {22: 2, 50: 3}.items():
        await tick_process(h, day)
        assert len(reminders(h, thread)) == count, day
    stale = reminders(h, thread)[-1]
    assert stale.text.startswith("<@U0CAROL>") and "F7 no recent value" in stale.text
    assert "Retired *churn-v2*" in await mle(h, "retire churn-v2", user="U0BOB")
    await tick_process(h, 60)
    assert len(reminders(h, thread)) == 3


async def test_f8_warning_once_per_review_cadence(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread = await new_project(h)
    await mle(h, "deploy churn-reduction churn-v2")
    await mle(
        h,
        'metric churn-v2 "monthly churn" baseline=0.06 target=0.04 owner=<@U0BOB> '
        "method=holdout lower",
    )
    clock.at(DAY0 + timedelta(days=20))
    await mle(h, 'metric churn-v2 "monthly churn" 0.07')  # worse than the baseline
    services = h.runtime.services
    for day in (25, 31, 35, 45):
        await services.scheduler_pass(DAY0 + timedelta(days=day))
    await h.idle()
    warnings = [m for m in h.emulator.bot_posts("C0MLTEAM", thread) if "heads-up" in m.text]
    assert len(warnings) == 1 and "does not beat its baseline" in warnings[0].text
    assert "worth running? Keep, iterate or retire it" in warnings[0].text
    assert "?." not in warnings[0].text
    assert reminders(h, thread) == []


async def test_metric_and_deploy_validation(timed: tuple[Harness, ManualClock]) -> None:
    h, _ = timed
    await new_project(h)
    assert "No deployed model called *nope*" in await mle(h, "metric nope churn 1")
    assert "No project called" in await mle(h, "deploy Nothing here m1")
    await mle(h, "deploy churn-reduction churn-v2")
    for text, expected in [
        ("metric churn-v2 churn baseline=inf", "finite number"),
        ("metric churn-v2 churn baseline=abc", "finite number"),
        ("metric churn-v2 churn owner=bob", "mention of a person"),
        ("metric churn-v2 churn method=vibes", "not a method"),
        ("metric churn-v2 churn colour=red", "don't know the option"),
        ("metric churn-v2 churn 1 2", "one value at a time"),
        ("metric churn-v3 churn 1", "Did you mean *churn-v2*"),
    ]:
        assert expected in await mle(h, text), text
    await new_project(h, "Fraud alerts")
    assert "taken by project *Churn reduction*" in await mle(h, "deploy fraud-alerts churn-v2")


async def test_emoji_and_quoted_names(timed: tuple[Harness, ManualClock]) -> None:
    h, _ = timed
    await new_project(h, "\"Churn 🚀 'v2'\"")
    reply = await mle(h, """deploy "churn 🚀 'v2'" 'model "ø" 🧪' 2.0""")
    assert 'Registered *model "ø" 🧪 2.0*' in reply, reply
    reply = await mle(
        h,
        """metric 'model "ø" 🧪' "€ saved per user" 12.5 baseline=10 """
        "target=15 owner=<@U0BOB> method=pre_post",
    )
    assert "complete" in reply, reply


async def test_retire_is_for_the_owner_or_an_admin(timed: tuple[Harness, ManualClock]) -> None:
    h, _ = timed
    await new_project(h, user="U0BOB")
    await mle(h, "deploy churn-reduction churn-v2", user="U0BOB")
    assert "Only the owner" in await mle(h, "retire churn-v2", user="U0CAROL")
    assert "Retired" in await mle(h, "retire churn-v2", user="U0ALICE")  # a workspace admin


async def _reminded(h: Harness, clock: ManualClock) -> tuple[str, Message]:
    thread = await new_project(h)
    await mle(h, "checkin churn-reduction off")
    await mle(h, "deploy churn-reduction churn-v2")
    clock.at(DAY0 + timedelta(days=8))
    await h.runtime.services.scheduler_pass(clock.now)
    await h.idle()
    return thread, reminders(h, thread)[-1]


async def test_snooze_asks_why_and_stops_reminders(timed: tuple[Harness, ManualClock]) -> None:
    h, clock = timed
    thread, post = await _reminded(h, clock)
    result = await h.emulator.click(post, "model_snooze", user="U0BOB")
    await h.idle()
    assert result.status == 200
    [view] = [v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "snooze"]
    refused = await h.emulator.submit_view(
        view.id, {"reason": {"value": {"type": "plain_text_input", "value": " "}}}, user="U0BOB"
    )
    assert refused.json() == {
        "response_action": "errors",
        "errors": {"reason": "Say why (a few words are enough)."},
    }
    ok = await h.emulator.submit_view(
        view.id,
        {
            "reason": {
                "value": {"type": "plain_text_input", "value": "Waiting for the finance export"}
            }
        },
        user="U0BOB",
    )
    await h.idle()
    assert ok.status == 200
    assert any(
        "snoozed reminders" in m.text and "finance export" in m.text
        for m in h.emulator.bot_posts("C0MLTEAM", thread)
    )
    for day in (10, 14.9):
        await h.runtime.services.scheduler_pass(DAY0 + timedelta(days=day))
    await h.idle()
    assert len(reminders(h, thread)) == 1  # snoozed from day 8 until day 15
    await h.runtime.services.scheduler_pass(DAY0 + timedelta(days=15.1))
    await h.idle()
    assert len(reminders(h, thread)) == 2
    model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", "churn-v2", "churn-v2"))
    assert model is not None and model.snooze_reason == "Waiting for the finance export"
    assert model.snoozed_by == "U0BOB"


async def test_add_metric_form_shows_errors_inline_then_saves(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread, post = await _reminded(h, clock)
    await h.emulator.click(post, "model_add_metric", user="U0BOB")
    await h.idle()
    [view] = [
        v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "add_metric"
    ]

    def state(baseline: str) -> dict:
        return {
            "metric_name": {"value": {"type": "plain_text_input", "value": "monthly churn"}},
            "baseline": {"value": {"type": "number_input", "value": baseline}},
            "target": {"value": {"type": "number_input", "value": "0.04"}},
            "owner": {"value": {"type": "users_select", "selected_user": "U0CAROL"}},
            "method": {"value": {"type": "static_select", "selected_option": {"value": "ab"}}},
            "direction": {
                "value": {"type": "static_select", "selected_option": {"value": "lower"}}
            },
            "latest": {"value": {"type": "number_input", "value": "0.05"}},
        }

    refused = await h.emulator.submit_view(view.id, state("lots"), user="U0BOB")
    assert refused.json()["response_action"] == "errors"
    assert set(refused.json()["errors"]) == {"baseline"}
    ok = await h.emulator.submit_view(view.id, state("0.06"), user="U0BOB")
    await h.idle()
    assert ok.status == 200
    assert any(
        "via the form" in m.text and "complete" in m.text
        for m in h.emulator.bot_posts("C0MLTEAM", thread)
    )
    await h.runtime.services.scheduler_pass(DAY0 + timedelta(days=16))
    await h.idle()
    assert len(reminders(h, thread)) == 1


async def test_workspace_settings_change_the_grace_period(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, _ = timed
    thread = await new_project(h)
    await mle(h, "checkin churn-reduction off")
    assert "first reminder 7 days after deploy" in await mle(h, "settings")
    assert "Only a workspace admin" in await mle(h, "settings grace=3d", user="U0BOB")
    assert "Saved. " in await mle(h, "settings grace=3d reminder=2w")
    assert "I don't know the setting" in await mle(h, "settings colour=3")
    await mle(h, "deploy churn-reduction churn-v2")
    await h.runtime.services.scheduler_pass(DAY0 + timedelta(days=2.9))
    await h.idle()
    assert reminders(h, thread) == []
    await h.runtime.services.scheduler_pass(DAY0 + timedelta(days=3.1))
    await h.idle()
    assert len(reminders(h, thread)) == 1
