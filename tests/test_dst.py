"""Daily and weekly check-ins across DST changes fire once per local slot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import running_app
from tests.interviews import new_project

CASES = [
    # zone, a day on which the clocks change (a Sunday), the ambiguous/missing local time
    ("Europe/Berlin", datetime(2026, 3, 29), "02:30"),  # spring forward: 02:30 never happens
    ("Europe/Berlin", datetime(2026, 10, 25), "02:30"),  # fall back: 02:30 happens twice
    ("America/New_York", datetime(2026, 3, 8), "02:30"),
    ("America/New_York", datetime(2026, 11, 1), "01:30"),
]


@pytest.mark.parametrize(("zone", "day", "at"), CASES)
@pytest.mark.parametrize("days", ["daily", "sun"])
async def test_once_per_local_slot_across_dst(
    emulator: SlackEmulator, database: str, zone: str, day: datetime, at: str, days: str
) -> None:
    tz = ZoneInfo(zone)
    start = day.replace(tzinfo=tz) - timedelta(days=2)
    clock = ManualClock(start.astimezone(UTC))
    async with running_app(emulator, database, clock=clock) as h:
        thread = await new_project(h)
        result = await emulator.slash(f"checkin churn-reduction {days} {at} {zone}")
        assert result.status == 200
        await h.idle()
        moment = clock.now
        while moment < start.astimezone(UTC) + timedelta(days=4):
            moment = clock.advance(minutes=30)
            await h.runtime.services.scheduler_pass(moment)
        await h.idle()
    posts = [m for m in emulator.bot_posts("C0MLTEAM", thread) if m.text.startswith("Check-in")]
    project = await _project_slots(emulator, database)  # local slot of each posted check-in
    if days == "daily":
        assert len(project) == 4 and len(set(project)) == 4, project
        assert any(s.startswith(day.strftime("%Y-%m-%d")) for s in project)
    else:
        assert [s[:10] for s in project] == [day.strftime("%Y-%m-%d")], project
    assert len(posts) == len(project)


async def _project_slots(emulator: SlackEmulator, database: str) -> list[str]:
    async with running_app(emulator, database) as h:
        project = await h.only_project()
        rows = await h.read(
            lambda tx: tx.deliveries.for_subject("T0SANDBOX", "checkin", str(project.id))
        )
    assert all(r.status == "posted" for r in rows), [(r.slot, r.status) for r in rows]
    return [r.slot or "" for r in rows]
