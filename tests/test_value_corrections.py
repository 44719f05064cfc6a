"""A reported KPI value can be corrected or withdrawn, with a line in the project thread, by
who reported it, the KPI's owner, the project owner or an admin. Bob owns the project and the
KPI, Carol is a teammate, Alice a workspace admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import new_project, thread_posts
from tests.test_kpi_audit import kpi_state, mle

DAY0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
METRIC = 'metric churn-lgbm "monthly churn"'


@pytest.fixture
def start() -> datetime:
    return DAY0


async def _deployed(h: Harness, clock: ManualClock) -> str:
    thread = await new_project(h, user="U0BOB")
    await mle(h, "deploy churn-reduction churn-lgbm v2", user="U0BOB")
    said = await mle(h, f"{METRIC} baseline=4.5% target=3.8% owner=<@U0BOB>", user="U0BOB")
    assert "Recorded" in said
    clock.at(DAY0 + timedelta(days=3))
    assert "Recorded" in await mle(h, f"{METRIC} 4.4%", user="U0BOB")
    clock.at(DAY0 + timedelta(days=10))
    assert "Recorded" in await mle(h, f"{METRIC} 0.038%", user="U0CAROL")  # meant 3.8 %
    return thread


def _values(state: tuple[object, ...] | None) -> object:
    assert state is not None
    return state[-1]


async def test_the_reporter_corrects_the_latest_value_with_a_line_in_the_thread(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await _deployed(h, clock)
    said = await mle(h, f"{METRIC} correct 3.8%", user="U0CAROL")
    assert "Corrected" in said and "0.038 % → 3.8 %" in said
    assert _values(await kpi_state(h)) == (4.4, 3.8)
    assert thread_posts(h, thread)[-1].text == (
        "✏️ <@U0CAROL> corrected *monthly churn* of *churn-lgbm*: 0.038 % → 3.8 % "
        "(was reported by <@U0CAROL> on 2026-12-11)."
    )


async def test_a_correction_meets_the_checks_every_value_meets(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await _deployed(h, clock)
    said = await mle(h, f"{METRIC} correct 0.038", user="U0CAROL")
    assert "0.038 looks like a fraction: did you mean `3.8%`?" in said
    assert _values(await kpi_state(h)) == (4.4, 0.038)


async def test_a_value_of_a_day_is_withdrawn_from_every_figure(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    thread = await _deployed(h, clock)
    said = await mle(h, f"{METRIC} withdraw at=2026-12-04", user="U0BOB")  # the KPI's owner
    assert "Withdrew 4.4 %" in said
    assert _values(await kpi_state(h)) == (0.038,)
    assert thread_posts(h, thread)[-1].text == (
        "✏️ <@U0BOB> withdrew 4.4 % of *monthly churn* of *churn-lgbm* (was reported by "
        "<@U0BOB> on 2026-12-04); it counts nowhere now."
    )
    said = await mle(h, f"{METRIC} withdraw at=2026-12-04", user="U0BOB")
    assert "No value of *monthly churn* was reported on 2026-12-04" in said


async def test_only_the_reporter_the_owners_or_an_admin_may_change_a_value(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await _deployed(h, clock)
    said = await mle(h, f"{METRIC} withdraw at=2026-12-04", user="U0CAROL")  # bob's value
    assert "Nothing was changed" in said
    assert _values(await kpi_state(h)) == (4.4, 0.038)
    said = await mle(h, f"{METRIC} correct 3.8%", user="U0ALICE")  # an admin
    assert "Corrected" in said
    assert _values(await kpi_state(h)) == (4.4, 3.8)


async def test_the_only_kpi_needs_no_name_and_keeps_the_same_rule(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await _deployed(h, clock)
    said = await mle(h, "metric churn-lgbm withdraw at=2026-12-04", user="U0CAROL")
    assert "Nothing was changed" in said
    said = await mle(h, "metric churn-lgbm correct 3.8%", user="U0CAROL")
    assert "0.038 % → 3.8 %" in said
    assert _values(await kpi_state(h)) == (4.4, 3.8)


async def test_a_value_withdrawn_from_mlflow_does_not_come_back_at_the_next_sync(
    emulator: Any, database: str, client: Any, tracking_server: str
) -> None:
    pytest.importorskip("mlflow")
    from tests.mlflow_server import sync
    from tests.test_registry_kpis import KPI_TAGS, deployed, kpi
    from tests.test_registry_kpis import mle as registry_mle

    tags = {k: v for k, v in KPI_TAGS.items() if k != "mle.kpi.owner"}
    async with deployed(emulator, database, client, tracking_server, tags) as setup:
        h, clock, name, thread = setup
        assert [v.value for v in (await kpi(h, name))[1]] == [4.0]
        said = await registry_mle(h, f"metric {name} withdraw")
        assert "Withdrew 4 %" in said
        await sync(h, clock, minutes=10)
        assert (await kpi(h, name))[1] == []
