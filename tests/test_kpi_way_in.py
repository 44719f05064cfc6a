"""One way in for a KPI value: a value typed in `/mle metric`, entered in the Add-metric form
or logged in MLflow (a tag of the registered model, or the metric on the deployed version's
run) meets the same checks and, when refused, the same words; nothing is recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness
from tests.interviews import thread_posts
from tests.test_models import _reminded, mle
from tests.test_registry_kpis import KPI_TAGS, deployed, kpi

DAY0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
# what every way in says to a fraction given for a KPI in % (its baseline and target are ≥ 1)
FRACTION = "*monthly churn* is in %, and 0.038 looks like a fraction: did you mean `3.8%`?"
FRACTION_BASELINE = "*monthly churn* is in %, and 0.041 looks like a fraction: did you mean `4.1%`?"


@pytest.fixture
def start() -> datetime:
    return DAY0


def _form(baseline: str, target: str, latest: str) -> dict[str, Any]:
    def number(value: str) -> dict[str, Any]:
        return {"value": {"type": "number_input", "value": value}}

    return {
        "metric_name": {"value": {"type": "plain_text_input", "value": "monthly churn"}},
        "baseline": number(baseline),
        "target": number(target),
        "owner": {"value": {"type": "users_select", "selected_user": "U0BOB"}},
        "method": {"value": {"type": "static_select", "selected_option": {"value": "ab"}}},
        "direction": {"value": {"type": "static_select", "selected_option": {"value": "lower"}}},
        "latest": number(latest),
    }


async def _values(h: Harness, model: str) -> tuple[float, ...]:
    def read(tx: Any) -> tuple[float, ...]:
        found = tx.models.by_name("T0SANDBOX", model, model)
        [metric] = tx.metrics.for_models([("T0SANDBOX", found.id)])[found.id]
        values = tx.metrics.values_for([("T0SANDBOX", metric.id)]).get(metric.id, [])
        return tuple(v.value for v in values)

    return await h.read(read)


async def _by_command(h: Harness, clock: ManualClock, value: str) -> tuple[str, tuple]:
    thread, _ = await _reminded(h, clock)
    await mle(h, 'metric churn-v2 "monthly churn" baseline=4.5% target=3.8% owner=<@U0BOB>')
    said = await mle(h, f'metric churn-v2 "monthly churn" {value}', user="U0BOB")
    return said, await _values(h, "churn-v2")


async def _by_form(h: Harness, clock: ManualClock, value: str) -> tuple[str, tuple]:
    thread, post = await _reminded(h, clock)
    await mle(h, 'metric churn-v2 "monthly churn" baseline=4.5% target=3.8% owner=<@U0BOB>')
    await h.emulator.click(post, "model_add_metric", user="U0BOB")
    await h.idle()
    [view] = [
        v for v in h.emulator.workspace.views.values() if v.view["callback_id"] == "add_metric"
    ]
    assert any("(in %)" in str(b) for b in view.view["blocks"])  # the form says the unit
    sent = await h.emulator.submit_view(view.id, _form("4.5", "3.8", value), user="U0BOB")
    assert sent.status == 200
    await h.idle()
    said = [m.text for m in thread_posts(h, thread) if "via the form" in m.text][-1]
    return said, await _values(h, "churn-v2")


@pytest.mark.parametrize("way", [_by_command, _by_form], ids=["command", "form"])
async def test_a_fraction_for_a_percent_kpi_is_refused_the_same_way_in_slack(
    timed: tuple[Harness, ManualClock], way: Any
) -> None:
    h, clock = timed
    said, values = await way(h, clock, "0.038")
    assert FRACTION in said
    assert "complete" not in said
    assert values == ()


async def test_a_fraction_logged_in_mlflow_is_refused_with_the_same_words(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {k: v for k, v in KPI_TAGS.items() if k != "mle.kpi.owner"}
    tags["mle.kpi.baseline"] = "4.5%"
    async with deployed(emulator, database, client, tracking_server, tags, value=0.038) as setup:
        h, _, name, thread = setup
        [said] = [p.text for p in thread_posts(h, thread) if "was not taken" in p.text]
        assert FRACTION in said
        _, values = await kpi(h, name)
        assert values == []


async def test_a_fraction_in_an_mlflow_tag_is_refused_with_the_same_words(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {k: v for k, v in KPI_TAGS.items() if k != "mle.kpi.owner"}
    tags["mle.kpi.baseline"] = "0.041"
    async with deployed(emulator, database, client, tracking_server, tags) as setup:
        h, _, _, thread = setup
        [said] = [p.text for p in thread_posts(h, thread) if "were not applied" in p.text]
        assert FRACTION_BASELINE in said


async def test_the_same_value_is_accepted_and_reported_alike_by_command_and_form(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    said, values = await _by_form(h, clock, "3.9")
    assert values == (3.9,)
    assert "value 3.9 % on" in said
    said = await mle(h, 'metric churn-v2 "monthly churn" 4%', user="U0BOB")
    assert "value 4 % on" in said
    assert await _values(h, "churn-v2") == (3.9, 4.0)
