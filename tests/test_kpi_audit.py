"""Every change to a KPI's numbers leaves a trace in the project thread, only the right people
may overwrite them once set, a KPI can be removed, and a new version keeps what was measured.
Bob owns the project, Carol is a teammate, Alice a workspace admin."""

from __future__ import annotations

from tests.conftest import Harness
from tests.interviews import new_project, thread_posts
from tests.test_home import home_text, open_home

SLUG = "churn-reduction"


async def mle(h: Harness, text: str, user: str) -> str:
    result = await h.emulator.slash(text, user=user)
    assert result.status == 200
    await h.idle()
    return h.emulator.ephemerals_for(user)[-1].text


async def kpi_state(h: Harness) -> tuple[object, ...] | None:
    model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm"))
    assert model is not None
    kpi = await h.read(lambda tx: tx.metrics.get("T0SANDBOX", model.id, "monthly churn"))
    if kpi is None:
        return None
    values = await h.read(lambda tx: tx.metrics.values_for([("T0SANDBOX", kpi.id)]))
    return (
        kpi.baseline,
        kpi.target,
        kpi.unit,
        kpi.direction,
        kpi.owner_id,
        tuple(v.value for v in values.get(kpi.id, [])),
    )


async def deployed_with_kpi(h: Harness) -> str:
    thread = await new_project(h, user="U0BOB")
    await mle(h, f"deploy {SLUG} churn-lgbm v2", user="U0BOB")
    said = await mle(
        h,
        'metric churn-lgbm "monthly churn" baseline=4.5% target=3.8% owner=<@U0BOB> method=ab',
        user="U0BOB",
    )
    assert "Recorded" in said
    return thread


async def test_a_definition_and_each_change_is_one_line_in_the_thread(harness: Harness) -> None:
    thread = await deployed_with_kpi(harness)
    lines = [m.text for m in thread_posts(harness, thread) if m.text.startswith("📏")]
    assert lines == [
        "📏 <@U0BOB> defined the KPI *monthly churn* of *churn-lgbm*: baseline 4.5 %; "
        "target 3.8 %; unit %; better is lower; owner <@U0BOB>; method ab."
    ]
    await mle(harness, 'metric churn-lgbm "monthly churn" target=3.5%', user="U0ALICE")
    last = thread_posts(harness, thread)[-1].text
    assert last == (
        "📏 <@U0ALICE> changed the KPI *monthly churn* of *churn-lgbm*: target 3.8 % → 3.5 %."
    )
    await mle(harness, 'metric churn-lgbm "monthly churn" 4.2%', user="U0CAROL")
    assert thread_posts(harness, thread)[-1].text == (
        "📈 <@U0CAROL> reported *monthly churn* of *churn-lgbm*: 4.2 %."
    )


async def test_a_teammate_cannot_overwrite_the_numbers_and_nothing_changes(
    harness: Harness,
) -> None:
    thread = await deployed_with_kpi(harness)
    before = await kpi_state(harness)
    posts = len(thread_posts(harness, thread))
    for attempt in (
        'metric churn-lgbm "monthly churn" baseline=0.2 target=0.01',
        'metric churn-lgbm "monthly churn" target=5%',
        'metric churn-lgbm "monthly churn" higher',
        'metric churn-lgbm "monthly churn" baseline=4.5pp target=3.8pp',
        'metric churn-lgbm "monthly churn" remove',
    ):
        refused = await mle(harness, attempt, user="U0CAROL")
        assert "only the owner of the project (<@U0BOB>)" in refused, attempt
        assert "or a workspace admin" in refused and "Nothing was changed" in refused
    assert await kpi_state(harness) == before
    assert len(thread_posts(harness, thread)) == posts
    # what she may do: report a value, add a field nobody had set, define a new KPI
    await mle(harness, 'metric churn-lgbm "monthly churn" window=60d', user="U0CAROL")
    assert "window none → 60 days" in thread_posts(harness, thread)[-1].text
    said = await mle(
        harness, 'metric churn-lgbm "retained revenue" baseline=$1.2M target=$1.5M', user="U0CAROL"
    )
    assert said.startswith("Recorded *retained revenue*")
    assert "defined the KPI *retained revenue*" in thread_posts(harness, thread)[-1].text
    assert "baseline $1,200,000; target $1,500,000" in thread_posts(harness, thread)[-1].text


async def test_the_kpi_owner_may_change_them(harness: Harness) -> None:
    thread = await new_project(harness, user="U0BOB")
    await mle(harness, f"deploy {SLUG} churn-lgbm", user="U0BOB")
    await mle(
        harness, 'metric churn-lgbm "monthly churn" baseline=4.5% owner=<@U0CAROL>', user="U0BOB"
    )
    said = await mle(harness, 'metric churn-lgbm "monthly churn" baseline=4.4%', user="U0CAROL")
    assert "Recorded" in said
    assert "baseline 4.5 % → 4.4 %" in thread_posts(harness, thread)[-1].text


async def test_rename_a_kpi(harness: Harness) -> None:
    thread = await deployed_with_kpi(harness)
    before = await kpi_state(harness)
    refused = await mle(
        harness, 'metric churn-lgbm "monthly churn" name="churn rate"', user="U0CAROL"
    )
    assert "Nothing was changed" in refused
    assert await kpi_state(harness) == before
    said = await mle(
        harness, 'metric churn-lgbm "monthly churn" name="monthly churn rate"', user="U0BOB"
    )
    assert said.startswith("Recorded *monthly churn rate*")
    assert thread_posts(harness, thread)[-1].text == (
        "📏 <@U0BOB> renamed the KPI of *churn-lgbm*: *monthly churn* → *monthly churn rate*."
    )
    assert await kpi_state(harness) is None  # no KPI under the old name any more


async def test_remove_a_kpi(harness: Harness) -> None:
    thread = await deployed_with_kpi(harness)
    await mle(harness, 'metric churn-lgbm "monthly churn" 4.1%', user="U0BOB")
    unknown = await mle(harness, 'metric churn-lgbm "weekly churn" remove', user="U0BOB")
    assert "has no KPI called *weekly churn*" in unknown and "*monthly churn*" in unknown
    said = await mle(harness, 'metric churn-lgbm "monthly churn" remove', user="U0BOB")
    assert said == "Removed *monthly churn* from *churn-lgbm*."
    assert await kpi_state(harness) is None
    assert thread_posts(harness, thread)[-1].text.startswith(
        "🗑️ <@U0BOB> removed the KPI *monthly churn* of *churn-lgbm* (was monthly churn: "
        "4.5 % → 3.8 % (lower is better)"
    )


async def test_a_new_version_keeps_kpis_values_and_the_reminder_clock(harness: Harness) -> None:
    thread = await deployed_with_kpi(harness)
    await mle(harness, 'metric churn-lgbm "monthly churn" 4.1%', user="U0BOB")
    first = await harness.read(
        lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm")
    )
    before = await kpi_state(harness)
    said = await mle(harness, f"deploy {SLUG} churn-lgbm v3", user="U0CAROL")
    assert said == "*churn-lgbm*: version v3 replaces v2."
    last = thread_posts(harness, thread)[-1].text
    assert "deployed version v3 of *churn-lgbm* — it replaces v2" in last
    assert "business KPI" not in last  # no suggestion to define a KPI again
    after = await harness.read(
        lambda tx: tx.models.by_name("T0SANDBOX", "churn-lgbm", "churn-lgbm")
    )
    assert first is not None and after is not None
    assert (after.version, after.deployed_at, after.next_check_at) == (
        "v3",
        first.deployed_at,
        first.next_check_at,
    )
    assert await kpi_state(harness) == before
    again = await mle(harness, f"deploy {SLUG} churn-lgbm v3", user="U0BOB")
    assert again == "*churn-lgbm* v3 is already deployed; nothing changed."


async def test_taking_over_a_kpi_is_an_overwrite_too(harness: Harness) -> None:
    await deployed_with_kpi(harness)
    before = await kpi_state(harness)
    refused = await mle(harness, 'metric churn-lgbm "monthly churn" owner=<@U0CAROL>', "U0CAROL")
    assert "Nothing was changed" in refused
    assert await kpi_state(harness) == before


async def test_the_person_who_deployed_a_model_sees_it_on_home(harness: Harness) -> None:
    await new_project(harness, user="U0BOB")
    await mle(harness, f"deploy {SLUG} churn-lgbm", user="U0CAROL")
    await open_home(harness, "U0CAROL")
    assert "*Your deployed models* (1)" in home_text(harness, "U0CAROL")
