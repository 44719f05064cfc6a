"""Two workspaces with the same project and model names never see or change each other's data;
secrets never reach the logs."""

from __future__ import annotations

import logging

import pytest

from bot.redact import RedactingFilter
from tests.conftest import Harness
from tests.interviews import new_project

OTHER = "T0OTHER"


async def _in(h: Harness, text: str, team: str | None = None, user: str = "U0ALICE") -> str:
    before = len(h.emulator.ephemerals_for(user))
    result = await h.emulator.slash(text, team_id=team, user=user)
    assert result.status == 200
    await h.idle()
    shown = h.emulator.ephemerals_for(user)[before:]
    return shown[-1].text if shown else ""


async def test_same_names_in_two_workspaces_stay_apart(harness: Harness) -> None:
    h = harness
    await new_project(h, "Churn reduction")
    await _in(h, "new Churn reduction", team=OTHER)  # same name, other workspace: allowed
    await _in(h, "deploy churn-reduction churn-v2")
    assert "Registered" in await _in(h, "deploy churn-reduction churn-v2 9.9", team=OTHER)
    await _in(h, 'metric churn-v2 "monthly churn" 0.05 baseline=0.06', team=OTHER)
    await _in(h, "stage churn-reduction scoping --force", team=OTHER)
    await _in(h, "checkin churn-reduction off", team=OTHER)
    await _in(h, "settings grace=2d", team=OTHER)
    store = h.runtime.services.store

    def facts(team: str):  # type: ignore[no-untyped-def]
        return store.read(
            lambda tx: (
                [(p.name, p.stage) for p in tx.projects.in_channel(team, "C0MLTEAM")],
                [(m.name, m.version) for m in tx.models.for_person(team, "U0ALICE")],
                tx.workspaces.settings([team]).get(team, {}),
                [s.enabled for s in tx.schedules.many(team, "checkin", ["1", "2"]).values()],
            )
        )

    mine, theirs = await facts("T0SANDBOX"), await facts(OTHER)
    assert mine[0] == [("Churn reduction", "planning")]
    assert theirs[0] == [("Churn reduction", "scoping")]
    assert mine[1] == [("churn-v2", None)] and theirs[1] == [("churn-v2", "9.9")]
    assert mine[2] == {} and theirs[2] == {"grace_days": 2}
    assert mine[3] == [1] and theirs[3] == [0]
    status = await _in(h, "status churn-reduction")
    assert "planning" in status
    metric = await h.read(lambda tx: tx.metrics.for_models([("T0SANDBOX", 1)]))
    assert metric == {}  # the other workspace's metric did not land on this model


async def test_deleting_in_one_workspace_leaves_the_other(harness: Harness) -> None:
    h = harness
    await new_project(h, "Churn reduction")
    await _in(h, "new Churn reduction", team=OTHER)
    ask = await _in(h, "delete churn-reduction", team=OTHER)
    assert "cannot be undone" in ask
    shown = h.emulator.ephemerals_for("U0ALICE")[-1]
    # the button carries the other workspace's project; pressed from this workspace it does
    # nothing (the emulator sends this workspace's team id)
    await h.emulator.click_ephemeral(shown, "project_delete_confirm")
    await h.idle()
    assert await h.read(lambda tx: tx.projects.all_names("T0SANDBOX")) == ["Churn reduction"]


@pytest.mark.parametrize("level", [logging.DEBUG])
def test_tokens_and_secrets_are_redacted_from_log_records(level: int) -> None:
    secret = "super-signing-secret-123"
    record = logging.LogRecord(
        "slack_sdk",
        level,
        __file__,
        1,
        "headers: %s body: %s",
        ({"Authorization": "Bearer xoxb-1-2-abc"}, f"secret={secret} xapp-1-A-xyz"),
        None,
    )
    RedactingFilter([secret]).filter(record)
    text = record.getMessage()
    assert "xoxb-1-2-abc" not in text and "xapp-1-A-xyz" not in text and secret not in text
    assert "xoxb-***" in text


async def test_scheduled_posts_retire_and_digests_stay_in_their_workspace(
    harness: Harness,
) -> None:
    from datetime import UTC, datetime

    h = harness
    await new_project(h, "Churn reduction")
    await _in(h, "new Churn reduction", team=OTHER)
    await _in(h, "new Only over there", team=OTHER)
    await _in(h, "deploy churn-reduction churn-v2")
    await _in(h, "deploy churn-reduction churn-v2", team=OTHER)
    assert "Retired" in await _in(h, "retire churn-v2", team=OTHER)
    models = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", "churn-v2", "churn-v2"))
    assert models is not None and models.retired_at is None
    await _in(h, "digest now", team=OTHER)
    digest = [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach")]
    shown = "\n".join(
        b["text"]["text"] for b in digest[-1].blocks or [] if isinstance(b.get("text"), dict)
    )
    assert "Only over there" in shown and "churn-v2" not in shown  # retired over there
    await _in(h, "checkin churn-reduction off", team=OTHER)
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    if monday < h.runtime.services.clock():
        monday = h.runtime.services.clock().replace(hour=23, minute=59)
    lines = [str(x) for x in await h.runtime.services.scheduler_pass(monday)]
    checkins = [line for line in lines if "checkin" in line and "posted" in line]
    assert all("Only over there" in line or "Churn reduction" in line for line in checkins)
    posted = await h.read(
        lambda tx: [
            (d.team_id, d.subject) for d in tx.deliveries.for_subject(OTHER, "checkin", "2")
        ]
    )
    assert posted == []  # the other workspace turned its Churn reduction check-ins off
