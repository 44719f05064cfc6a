"""A mirrored model's business KPI kept in step with its MLflow registered model's tags, both
ways, against a real MLflow tracking server driven with MLflow's own client."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import block_text, new_project, thread_posts
from tests.mlflow_server import free_port, sync, version
from tests.test_home import home_text, open_home

pytest.importorskip("mlflow")

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
TEAM = "T0SANDBOX"


@asynccontextmanager
async def deployed(
    emulator: SlackEmulator,
    database: str,
    client: Any,
    tracking: str,
    tags: dict[str, str],
    value: float = 4.0,
) -> AsyncIterator[tuple[Harness, ManualClock, str, str]]:
    """A project, and a registered model of it with `tags` whose champion's run logged
    `monthly churn` = `value` an hour before the first sync."""
    clock = ManualClock(NOW)
    name = f"churn-lgbm-{uuid.uuid4().hex[:6]}"
    settings = {"MLFLOW_TRACKING_URI": tracking}
    project = f"Churn {uuid.uuid4().hex[:6]}"  # the registry is shared by the session's tests
    async with running_app(emulator, database, clock, settings=settings) as h:
        thread = await new_project(h, project)
        client.create_registered_model(name, tags={"mle.project": project, **tags})
        champion = version(client, name, value, at=NOW - timedelta(hours=1))
        client.set_registered_model_alias(name, "champion", champion)
        await sync(h, clock)
        yield h, clock, name, thread


def tags_of(client: Any, name: str) -> dict[str, str]:
    return dict(client.get_registered_model(name).tags)


async def kpi(h: Harness, name: str) -> Any:
    def read(tx: Any) -> Any:
        model = tx.models.by_name(TEAM, name, name)
        [metric] = tx.metrics.for_models([(TEAM, model.id)])[model.id]
        values = tx.metrics.values_for([(TEAM, metric.id)]).get(metric.id, [])
        return metric, values

    return await h.read(read)


async def mle(h: Harness, text: str, user: str = "U0ALICE") -> str:
    await h.emulator.slash(text, user=user)
    await h.idle()
    return h.emulator.ephemerals_for(user)[-1].text


KPI_TAGS = {
    "mle.kpi": "monthly churn",
    "mle.kpi.baseline": "4.1%",
    "mle.kpi.target": "3,8 %",
    "mle.kpi.direction": "lower",
    "mle.kpi.owner": "carol@example.com",
    "mle.kpi.method": "A/B test on 10% of accounts",
    "mle.kpi.window_days": "30",
}


async def test_the_kpi_comes_from_the_tags_and_its_value_from_the_run(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        deploy = next(p.text for p in thread_posts(h, thread) if "is deployed" in p.text)
        assert "needs a business KPI" not in deploy  # its KPI comes from the tags
        said = "\n".join(p.text for p in thread_posts(h, thread)[-2:])
        defined = (
            f"MLflow (tags on the registered model) defined the KPI *monthly churn* of *{name}*"
        )
        assert defined in said
        assert "baseline 4.1 %" in said and "target 3.8 %" in said and "<@U0CAROL>" in said
        assert f"📈 MLflow reported *monthly churn* of *{name}*: 4 % (logged 2026-11-26 07:00" in (
            said
        )
        metric, values = await kpi(h, name)
        assert (metric.baseline, metric.target, metric.unit, metric.direction) == (
            4.1,
            3.8,
            "%",
            "lower",
        )
        assert (metric.owner_id, metric.window_days) == ("U0CAROL", 30)
        assert [(v.value, f"{v.observed_at:%Y-%m-%dT%H:%M}", v.reporter_id) for v in values] == [
            (4.0, "2026-11-26T07:00", "mlflow")
        ]
        # the model can justify itself: the registry says so next to it
        assert tags_of(client, name)["mle.business_metrics"] == "complete"
        # the same point again is not a second value, and nothing is said
        posts = len(thread_posts(h, thread))
        await sync(h, clock, minutes=10)
        assert len(thread_posts(h, thread)) == posts
        assert len((await kpi(h, name))[1]) == 1


async def test_a_change_in_slack_is_written_to_the_tags_and_a_later_tag_change_wins(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        said = await mle(h, f'metric {name} "monthly churn" target=3.5%')
        assert "Recorded" in said and f"written to the tags of *{name}* in MLflow" in said
        tags = tags_of(client, name)
        assert tags["mle.kpi.target"] == "3.5%"
        # only what changed is written: the rest stays as the pipeline wrote it
        assert tags["mle.kpi.baseline"] == "4.1%"
        assert tags["mle.kpi.owner"] == "carol@example.com"
        # a new owner, written the way the tags named the old one (an e-mail)
        await mle(h, f'metric {name} "monthly churn" owner=<@U0BOB>')
        assert tags_of(client, name)["mle.kpi.owner"] == "bob@example.com"
        await sync(h, clock, minutes=10)
        metric, _ = await kpi(h, name)
        assert metric.owner_id == "U0BOB"  # read back as the same person: nothing changes
        # the pipeline moves the target in MLflow afterwards: the next sync takes it, and the
        # KPI owner's Home shows it
        await open_home(h, "U0BOB")
        await h.runtime.services.home.settle()  # nothing left to publish from before
        assert "3.5 %" in home_text(h, "U0BOB")
        client.set_registered_model_tag(name, "mle.kpi.target", "3.6%")
        await sync(h, clock, minutes=10)
        await h.runtime.services.home.settle()
        assert "3.6 %" in home_text(h, "U0BOB")
        line = thread_posts(h, thread)[-1].text
        assert "MLflow (tags on the registered model) changed the KPI *monthly churn*" in line
        assert "target 3.5 % → 3.6 %" in line
        assert "⚠️ This overrides the change last made in Slack" in line
        metric, _ = await kpi(h, name)
        assert metric.target == 3.6
        # and it is not written back over itself
        assert tags_of(client, name)["mle.kpi.target"] == "3.6%"


async def test_a_change_made_while_the_registry_is_down_is_written_by_the_next_sync(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        registry: Any = h.runtime.services.registry.client
        registry.base_url = f"http://127.0.0.1:{free_port()}"
        said = await mle(h, f'metric {name} "monthly churn" baseline=4.2%')
        assert "Recorded" in said  # the person is not held up by MLflow
        assert tags_of(client, name)["mle.kpi.baseline"] == "4.1%"
        client.set_registered_model_tag(name, "mle.kpi.baseline", "4.0%")  # meanwhile
        registry.base_url = tracking_server
        await sync(h, clock, minutes=10)
        assert tags_of(client, name)["mle.kpi.baseline"] == "4.2%"
        said = thread_posts(h, thread)[-1].text
        assert "⚠️ In MLflow, `mle.kpi.baseline` = `4.0%` was set on" in said
        assert "the Slack change went first" in said
        metric, _ = await kpi(h, name)
        assert metric.baseline == 4.2  # Slack's change stood: it was the most recent


async def test_a_model_without_a_kpi_is_lacking_in_the_registry_until_one_is_defined(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, {}) as (h, clock, name, _):
        assert tags_of(client, name)["mle.business_metrics"].startswith(
            "lacking: F1 no business KPI"
        )
        said = await mle(
            h,
            f'metric {name} "monthly churn" baseline=4.1% target=3.8% owner=<@U0CAROL> 4.0%',
        )
        assert "Recorded" in said
        tags = tags_of(client, name)
        assert tags["mle.kpi"] == "monthly churn" and tags["mle.kpi.target"] == "3.8%"
        assert tags["mle.business_metrics"].startswith("lacking: F6 no measurement method")
        # removing it in Slack removes the tags
        await mle(h, f'metric {name} "monthly churn" remove')
        tags = tags_of(client, name)
        assert not any(k.startswith("mle.kpi") for k in tags)
        assert tags["mle.business_metrics"].startswith("lacking: F1")


async def test_tags_that_cannot_be_read_are_shown_and_change_nothing(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    bad = {
        **KPI_TAGS,
        "mle.kpi.baseline": "about four or five",
        "mle.kpi.owner": "nobody@elsewhere.org",
    }
    async with deployed(emulator, database, client, tracking_server, bad) as (h, clock, name, _t):
        metric, _ = await kpi(h, name)
        assert metric.baseline is None and metric.owner_id is None and metric.target == 3.8
        said = [p.text for p in thread_posts(h, _t) if "need a look" in p.text]
        assert len(said) == 1 and "`mle.kpi.baseline` = `about four or five`" in said[0]
        await sync(h, clock, minutes=10)
        assert len([p for p in thread_posts(h, _t) if "need a look" in p.text]) == 1
        # the registry says it too, next to the model
        assert tags_of(client, name)["mle.business_metrics"].endswith(
            "; tags not read: mle.kpi.baseline, mle.kpi.owner"
        )
        said = await mle(h, "registry")
        assert "`mle.kpi.baseline` = `about four or five` is not one number" in said
        assert "`mle.kpi.owner`: no one in Slack has the e-mail nobody@elsewhere.org" in said


async def test_a_value_reported_in_slack_after_the_run_is_not_overwritten(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {k: v for k, v in KPI_TAGS.items() if k != "mle.kpi.owner"}
    async with deployed(emulator, database, client, tracking_server, tags) as (h, clock, name, _):
        await mle(h, f'metric {name} "monthly churn" 3.9%')
        # a new run logged earlier than the Slack report moves the alias
        second = version(client, name, 4.4, at=NOW - timedelta(minutes=30))
        client.set_registered_model_alias(name, "champion", second)
        await sync(h, clock, minutes=10)
        _, values = await kpi(h, name)
        assert [v.value for v in values] == [4.0, 3.9]
        # one logged after it is taken
        third = version(client, name, 3.7, at=NOW + timedelta(minutes=15))
        client.set_registered_model_alias(name, "champion", third)
        await sync(h, clock, minutes=20)
        _, values = await kpi(h, name)
        assert [v.value for v in values] == [4.0, 3.9, 3.7]


async def test_tags_refused_are_said_once_and_listed_until_fixed(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        client.set_registered_model_tag(name, "mle.kpi.baseline", "$5")  # the KPI is in %
        client.set_registered_model_tag(name, "mle.kpi", "churn rate")  # and a new name
        await sync(h, clock, minutes=10)
        refusals = [p for p in thread_posts(h, thread) if "were not applied" in p.text]
        assert len(refusals) == 1 and "One KPI, one unit" in refusals[0].text
        metric, _ = await kpi(h, name)
        assert (metric.baseline, metric.name) == (4.1, "monthly churn")  # all or nothing
        status = tags_of(client, name)["mle.business_metrics"]
        assert "KPI tags not applied: One KPI, one unit" in status and "*" not in status
        await sync(h, clock, minutes=10)
        assert len([p for p in thread_posts(h, thread) if "were not applied" in p.text]) == 1
        assert "the KPI tags were not applied" in await mle(h, "registry")
        # fixed in MLflow: applied, and the listing clears
        client.set_registered_model_tag(name, "mle.kpi.baseline", "4.3%")
        await sync(h, clock, minutes=10)
        metric, _ = await kpi(h, name)
        assert (metric.baseline, metric.name) == (4.3, "churn rate")
        assert "not applied" not in await mle(h, "registry")


async def test_a_fraction_logged_for_a_percent_kpi_is_refused_once_with_what_to_log(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {k: v for k, v in KPI_TAGS.items() if k != "mle.kpi.owner"}
    async with deployed(emulator, database, client, tracking_server, tags, value=0.036) as setup:
        h, clock, name, thread = setup
        said = [p.text for p in thread_posts(h, thread) if "was not taken" in p.text]
        assert len(said) == 1
        assert "0.036 looks like a fraction: did you mean `3.6%`?" in said[0]
        assert "In MLflow, log it as 3.6" in said[0]
        await sync(h, clock, minutes=10)
        assert len([p for p in thread_posts(h, thread) if "was not taken" in p.text]) == 1
        assert "log it as 3.6" in await mle(h, "registry")
        _, values = await kpi(h, name)
        assert values == []


async def test_a_field_tag_removed_in_mlflow_is_written_back(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        client.delete_registered_model_tag(name, "mle.kpi.target")
        await sync(h, clock, minutes=10)
        line = thread_posts(h, thread)[-1].text
        assert f"`mle.kpi.target` removed from *{name}* in MLflow: MLE Coach keeps" in line
        assert tags_of(client, name)["mle.kpi.target"] == "3.8%"
        metric, _ = await kpi(h, name)
        assert metric.target == 3.8
        # the KPI's name tag removed: the KPI stays, and the thread says which tag went
        client.delete_registered_model_tag(name, "mle.kpi")
        await sync(h, clock, minutes=10)
        assert f"The tag `mle.kpi` of *{name}* was removed in MLflow" in (
            thread_posts(h, thread)[-1].text
        )
        metric, _ = await kpi(h, name)
        assert metric.name == "monthly churn"


async def test_a_kpi_name_no_metric_of_the_run_has_is_said(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {**KPI_TAGS, "mle.kpi": "montly churn"}  # a typo: the run logs `monthly churn`
    async with deployed(emulator, database, client, tracking_server, tags) as setup:
        h, _, name, thread = setup
        said = [p.text for p in thread_posts(h, thread) if "need a look" in p.text]
        assert len(said) == 1
        assert (
            "no metric `montly churn` is logged on the run of v1 (it logs: `monthly churn`)"
            in (said[0])
        )
        assert "no metric `montly churn`" in await mle(h, "registry")


async def test_a_model_metric_named_in_the_tags_is_kept_and_challenged(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    tags = {"mle.kpi": "AUC", "mle.kpi.baseline": "0.81", "mle.kpi.target": "0.85"}
    async with deployed(emulator, database, client, tracking_server, tags) as setup:
        h, _, name, thread = setup
        said = [p.text for p in thread_posts(h, thread) if "need a look" in p.text]
        assert len(said) == 1 and "`mle.kpi` = `AUC` measures the model (AUC)" in said[0]
        assert tags_of(client, name)["mle.business_metrics"].startswith(
            "lacking: F2 a model metric used as the KPI"
        )


async def test_reminders_of_a_model_followed_from_mlflow_name_its_tags(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, {}) as setup:
        h, clock, name, thread = setup
        clock.at(clock() + timedelta(days=8))  # past the grace period, with no KPI
        await h.runtime.services.scheduler_pass(clock())
        await h.idle()
        reminder = [p for p in thread_posts(h, thread) if "cannot show its business" in p.text]
        assert reminder, [p.text for p in thread_posts(h, thread)]
        shown = block_text(reminder[-1])
        assert "This model is followed from MLflow: the tags `mle.kpi`" in shown
        assert f"on *{name}* fix these too" in shown


async def test_a_model_deleted_and_registered_again_keeps_its_kpi(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    async with deployed(emulator, database, client, tracking_server, KPI_TAGS) as setup:
        h, clock, name, thread = setup
        project = (await h.only_project()).name
        client.delete_registered_model(name)
        await sync(h, clock, minutes=10)
        await sync(h, clock, minutes=10)  # two good syncs without it: retired
        client.create_registered_model(name, tags={"mle.project": project})
        client.set_registered_model_alias(name, "champion", version(client, name, 3.9))
        await sync(h, clock, minutes=10)
        posts = [p.text for p in thread_posts(h, thread)]
        again = next(p for p in posts if "is deployed" in p and "deployed before" in p)
        assert "its KPI *monthly churn* and its values carry on" in again
        assert not any("was removed in MLflow" in p for p in posts)
        assert not any("needs a business KPI" in p for p in posts)
        tags = tags_of(client, name)  # its KPI written to the new registered model
        assert tags["mle.kpi"] == "monthly churn" and tags["mle.kpi.target"] == "3.8%"
        # retiring it in Slack says the alias would bring it back
        said = await mle(h, f"retire {name}")
        assert "It is followed from MLflow: remove its deployed alias" in said


@pytest.mark.parametrize("bad", ["\u200b\u200b", "\u3164", "churn\u202e", "<!here> churn"])
async def test_a_kpi_name_from_the_tags_is_held_to_the_commands_rules(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str, bad: str
) -> None:
    """A KPI named in `mle.kpi` with nothing visible, a direction control or a broadcast is
    not defined; the thread says why (once), as a command would."""
    async with deployed(
        emulator, database, client, tracking_server, {**KPI_TAGS, "mle.kpi": bad}
    ) as setup:
        h, _, name, thread = setup
        said = "\n".join(p.text for p in thread_posts(h, thread))
        assert f"The KPI tags of *{name}* in MLflow were not applied: The KPI name" in said
        assert "<!here>" not in said
        model = await h.read(lambda tx: tx.models.by_name(TEAM, name, name))
        assert model is not None
        assert await h.read(lambda tx: tx.metrics.for_models([(TEAM, model.id)])) == {}
