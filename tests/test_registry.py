"""Deployed models found in the MLflow Model Registry, against a real MLflow tracking server
(started once for the test session, SQLite backend store in a temporary folder) driven with
MLflow's own client the way a team's training pipeline would."""

from __future__ import annotations

import asyncio
import uuid
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import block_text, new_project, thread_posts
from tests.mlflow_server import free_port, sync, version
from tests.processes import clean_env, run_cli

pytest.importorskip("mlflow")

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def app_with_registry(
    emulator: SlackEmulator, database: str, clock: ManualClock, tracking: str
) -> AbstractAsyncContextManager[Harness]:
    return running_app(emulator, database, clock, settings={"MLFLOW_TRACKING_URI": tracking})


async def mle(h: Harness, text: str, user: str = "U0ALICE") -> str:
    await h.emulator.slash(text, user=user)
    await h.idle()
    return h.emulator.ephemerals_for(user)[-1].text


async def test_an_alias_deploys_moves_and_retires_a_model(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    name = f"churn-lgbm-{uuid.uuid4().hex[:6]}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        tag = uuid.uuid4().hex[:6]  # the registry is shared by the session's tests
        thread = await new_project(h, f"Churn reduction {tag}")
        client.create_registered_model(name, tags={"mle.project": f"churn-reduction-{tag}"})
        first = version(client, name, 4.3)
        client.set_registered_model_alias(name, "champion", first)
        # two syncs at once (a pass and `mle-coach mlflow-sync`, or two replicas): one deploy
        registry = h.runtime.services.registry
        await asyncio.gather(registry.run(clock()), registry.run(clock()))
        await sync(h, clock)
        deployed = [p for p in thread_posts(h, thread) if f"🚀 *{name}*" in p.text]
        assert len(deployed) == 1
        line = thread_posts(h, thread)[-1].text
        assert f"🚀 *{name}* v{first} of *Churn reduction {tag}* is deployed" in line
        assert "alias `champion`, from MLflow" in line
        assert "it needs a business KPI it can be judged by: tag the registered model" in line
        assert f'`/mle metric {name} "&lt;business KPI&gt;" baseline=' in line
        model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert model is not None and model.registry == name and model.version == f"v{first}"
        # the same again changes nothing
        posts = len(thread_posts(h, thread))
        await sync(h, clock, minutes=1)
        assert len(thread_posts(h, thread)) == posts
        # the alias moves: a new version, the clock kept
        second = version(client, name, 4.1)
        client.set_registered_model_alias(name, "champion", second)
        await sync(h, clock, minutes=1)
        assert f"*{name}* v{second} replaces v{first}" in thread_posts(h, thread)[-1].text
        moved = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert moved is not None and moved.deployed_at == model.deployed_at
        # no deployed alias left: retired
        client.delete_registered_model_alias(name, "champion")
        await asyncio.gather(registry.run(clock()), registry.run(clock()))
        await sync(h, clock, minutes=1)
        assert f"*{name}* has no deployed alias left in MLflow: retired" in (
            thread_posts(h, thread)[-1].text
        )
        retired = [p for p in thread_posts(h, thread) if "has no deployed alias left" in p.text]
        assert len(retired) == 1
        gone = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert gone is not None and gone.retired_at is not None
        # a model deleted from the registry is said to be so
        other = f"churn-xgb-{tag}"
        client.create_registered_model(other, tags={"mle.project": f"churn-reduction-{tag}"})
        client.set_registered_model_alias(other, "champion", version(client, other, 4.0))
        await sync(h, clock, minutes=1)
        client.delete_registered_model(other)
        await sync(h, clock, minutes=1)  # not seen once: it may be the registry's mistake
        kept = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", other, other))
        assert kept is not None and kept.retired_at is None
        await sync(h, clock, minutes=1)  # nor by the next good sync: retired
        assert f"🪦 *{other}* was deleted from the MLflow registry: retired" in (
            thread_posts(h, thread)[-1].text
        )


async def test_a_model_deployed_by_hand_is_followed_from_mlflow_or_named_when_it_clashes(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    name = f"upsell-ranker-{tag}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        fraud = await new_project(h, f"Fraud {tag}")
        await new_project(h, f"Churn {tag}")
        assert "Registered" in await mle(h, f"deploy fraud-{tag} {name} 1")
        client.create_registered_model(name, tags={"mle.project": f"Churn {tag}"})
        client.set_registered_model_alias(name, "champion", version(client, name, 1.0))
        await sync(h, clock)
        said = await mle(h, "registry")
        assert f"the name is taken by *{name}*, a model of another project in MLE Coach" in said
        assert f"`/mle retire {name}` first" in said
        # tagged to the project it was deployed in: followed from MLflow, not "v1 replaces 1"
        client.set_registered_model_tag(name, "mle.project", f"Fraud {tag}")
        await sync(h, clock, minutes=1)
        line = thread_posts(h, fraud)[-1].text
        assert f"🔗 *{name}* v1 is now followed from MLflow" in line and "replaces" not in line


async def test_unmatched_models_and_a_registry_that_is_down(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    loose = f"fraud-xgb-{uuid.uuid4().hex[:6]}"
    stray = f"pricing-{uuid.uuid4().hex[:6]}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        project = f"Churn {uuid.uuid4().hex[:6]}"
        await new_project(h, project)
        client.create_registered_model(loose)
        client.set_registered_model_alias(loose, "production", version(client, loose, 1.0))
        client.create_registered_model(stray, tags={"mle.project": "pricing engine"})
        client.set_registered_model_alias(stray, "champion", version(client, stray, 1.0))
        elsewhere = f"churn-x-{uuid.uuid4().hex[:6]}"
        tags = {"mle.project": project, "mle.workspace": "T0NOTHERE"}
        client.create_registered_model(elsewhere, tags=tags)
        client.set_registered_model_alias(elsewhere, "champion", version(client, elsewhere, 1.0))
        torn = f"churn-y-{uuid.uuid4().hex[:6]}"
        client.create_registered_model(torn, tags={"mle.project": project})
        client.set_registered_model_alias(torn, "champion", version(client, torn, 1.0))
        client.set_registered_model_alias(torn, "production", version(client, torn, 2.0))
        await sync(h, clock)
        said = await mle(h, "registry")
        assert "(this workspace's `mle.workspace`: `T0SANDBOX`)" in said
        assert f"*{loose}* is deployed in MLflow but not matched: add the tag `mle.project`" in said
        assert f"*{stray}* is deployed in MLflow but not matched: no project called" in said
        assert f"*{elsewhere}* is deployed in MLflow but not matched: `mle.workspace` = " in said
        assert "`T0NOTHERE` is no workspace of this installation" in said
        assert (
            f"{torn}: its deployed aliases point at different versions (`champion` → v1, "
            "`production` → v2); v1 is followed"
        ) in said
        # an admin has them listed in a channel's digest; only an admin
        refused = await mle(h, "settings registry_channel=<#C0MLTEAM|ml-team>", user="U0BOB")
        assert refused == "Only a workspace admin can change these settings."
        typed = await mle(h, "settings registry_channel=#mlops")
        assert "I can't find the channel `#mlops`: pick it from Slack's list" in typed
        saved = await mle(h, "settings registry_channel=<#C0MLTEAM|ml-team>")
        assert "MLflow models matched to no project are listed in the digest of <#C0MLTEAM>" in (
            saved
        )
        assert "once it has one (`/mle digest mon 09:00` in <#C0MLTEAM>)" in saved
        await mle(h, "digest now")
        digest = block_text(
            [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE Coach")][-1]
        )
        assert f"*{loose}* is deployed in MLflow but matched to no project: add the tag" in digest
        assert f"*{stray}* is deployed in MLflow but matched to no project" in digest
        await h.emulator.slash("digest now", user="U0ALICE", channel="C0GENERAL")
        await h.idle()
        elsewhere = [m for m in h.emulator.bot_posts("C0GENERAL") if m.text.startswith("MLE")]
        assert elsewhere and loose not in block_text(elsewhere[-1])
        # once per MLFLOW_SYNC_MINUTES, however many passes
        services = h.runtime.services
        assert await services.registry.maybe_run(clock()) is not None
        assert await services.registry.maybe_run(clock()) is None
        # the server down: the error is recorded and shown, nothing is retired
        registry: Any = services.registry.client
        registry.base_url = f"http://127.0.0.1:{free_port()}"
        report = await sync(h, clock, minutes=30)
        assert report.error and "cannot reach the tracking server" in report.error
        said = await mle(h, "registry")
        assert (
            "It failed: cannot reach the tracking server at http://127.0.0.1:" in said
            and "(connection refused or no route)" in said
            and "nothing was retired" in said
        )


async def test_the_sync_is_off_without_a_tracking_uri(harness: Harness) -> None:
    said = await mle(harness, "registry")
    assert "The MLflow registry sync is off: set `MLFLOW_TRACKING_URI`" in said
    assert await harness.runtime.services.registry.maybe_run(NOW) is None


async def test_mlflow_sync_from_the_command_line(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str, tmp_path: Path
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    name, loose = f"churn-lgbm-{tag}", f"fraud-xgb-{tag}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        thread = await new_project(h, f"Churn {tag}")
        client.create_registered_model(
            name,
            tags={"mle.project": f"Churn {tag}", "mle.kpi": "monthly churn", "mle.kpi.owner": "?"},
        )
        client.set_registered_model_alias(name, "champion", version(client, name, 4.0))
        client.create_registered_model(loose)
        client.set_registered_model_alias(loose, "production", version(client, loose, 1.0))
        env = clean_env(
            DATABASE_URL=database,
            MLFLOW_TRACKING_URI=tracking_server,
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_API_URL=emulator.api_url,
        )
        code, out, err = await run_cli("mlflow-sync", "--dry-run", env=env, cwd=tmp_path)
        assert code == 0, err
        assert f"matched: {name} v1 -> Churn {tag}" in out
        assert f"unmatched: {loose}: add the tag `mle.project`" in out
        assert f"would: {name}: v1 deployed" in out
        assert "problem:" in out and "`mle.kpi.owner`" in out
        assert not [p for p in thread_posts(h, thread) if "🚀" in p.text]  # a dry run
        code, out, err = await run_cli("mlflow-sync", env=env, cwd=tmp_path)
        assert code == 0, err
        assert f"  {name}: v1 deployed" in out
        await h.idle()
        assert [p for p in thread_posts(h, thread) if f"🚀 *{name}*" in p.text]
        # the server down: exit code 1 and the error
        down = {**env, "MLFLOW_TRACKING_URI": f"http://127.0.0.1:{free_port()}"}
        code, out, _ = await run_cli("mlflow-sync", env=down, cwd=tmp_path)
        assert code == 1 and "error: cannot reach the tracking server" in out


async def test_two_registered_models_whose_names_read_the_same_do_not_take_turns(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    hyphen, underscore = f"churn-v2-{tag}", f"churn_v2_{tag}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        thread = await new_project(h, f"Churn {tag}")
        for name in (hyphen, underscore):
            client.create_registered_model(name, tags={"mle.project": f"Churn {tag}"})
        client.set_registered_model_alias(hyphen, "champion", version(client, hyphen, 4.0))
        await sync(h, clock)
        version(client, underscore, 4.0)  # v1 of the other one
        client.set_registered_model_alias(underscore, "champion", "1")
        posts = len(thread_posts(h, thread))
        for minutes in (1, 1, 1):
            await sync(h, clock, minutes=minutes)
        assert len(thread_posts(h, thread)) == posts  # no flip-flop between the two
        said = await mle(h, "registry")
        assert f"*{underscore}* is deployed in MLflow but not matched: its name reads the same" in (
            said
        )
        model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", hyphen, hyphen))
        assert model is not None and model.registry == hyphen and model.version == "v1"


async def test_a_private_channels_model_stays_out_of_registry_for_outsiders(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    name = f"merger-scorer-{tag}"
    emulator.workspace.add_channel(
        "G0MERGER", "merger", is_private=True, members=("U0ALICE", emulator.workspace.bot_user_id)
    )
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        await new_project(h, f"Secret Merger {tag}", channel="G0MERGER")
        tags = {"mle.project": f"Secret Merger {tag}", "mle.kpi": "AUC"}
        client.create_registered_model(name, tags=tags)
        client.set_registered_model_alias(name, "champion", version(client, name, 0.8))
        await sync(h, clock)
        assert f"*{name}* v1 → *Secret Merger {tag}*" in await mle(h, "registry")  # a member
        outside = await mle(h, "registry", user="U0BOB")
        assert name not in outside and "Secret Merger" not in outside
