"""Deployed models found in the MLflow Model Registry, against a real MLflow tracking server
(started once for the test session, SQLite backend store in a temporary folder) driven with
MLflow's own client the way a team's training pipeline would."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import new_project, thread_posts

mlflow = pytest.importorskip("mlflow")

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def tracking_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("mlflow")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("mlflow")),
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--default-artifact-root",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{url}/health", timeout=2)  # noqa: S310 - local server
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError("the MLflow tracking server did not start") from None
                time.sleep(0.5)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def app_with_registry(
    emulator: SlackEmulator, database: str, clock: ManualClock, tracking: str
) -> AbstractAsyncContextManager[Harness]:
    return running_app(emulator, database, clock, settings={"MLFLOW_TRACKING_URI": tracking})


@pytest.fixture
def client(tracking_server: str) -> Any:
    """MLflow's own client, told the server explicitly (the environment stays untouched)."""
    return mlflow.MlflowClient(tracking_uri=tracking_server)


def _version(client: Any, name: str, value: float) -> str:
    """A training run logging the KPI, registered as a new version of `name`."""
    run = client.create_run(experiment_id="0")
    client.log_metric(run.info.run_id, "monthly churn", value)
    client.set_terminated(run.info.run_id)
    made = client.create_model_version(
        name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
    )
    return str(made.version)


async def _sync(h: Harness, clock: ManualClock, minutes: int = 0) -> Any:
    clock.at(clock() + timedelta(minutes=minutes))
    report = await h.runtime.services.registry.run(clock())
    await h.runtime.services.ticker.tick(clock())
    await h.idle()
    return report


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
        thread = await new_project(h)
        client.create_registered_model(name, tags={"mle.project": "churn-reduction"})
        first = _version(client, name, 4.3)
        client.set_registered_model_alias(name, "champion", first)
        await _sync(h, clock)
        line = thread_posts(h, thread)[-1].text
        assert f"🚀 *{name}* v{first} of *Churn reduction* is deployed" in line
        assert "alias `champion`, from MLflow" in line
        model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert model is not None and model.registry == name and model.version == f"v{first}"
        # the same again changes nothing
        posts = len(thread_posts(h, thread))
        await _sync(h, clock, minutes=1)
        assert len(thread_posts(h, thread)) == posts
        # the alias moves: a new version, the clock kept
        second = _version(client, name, 4.1)
        client.set_registered_model_alias(name, "champion", second)
        await _sync(h, clock, minutes=1)
        assert f"*{name}* v{second} replaces v{first}" in thread_posts(h, thread)[-1].text
        moved = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert moved is not None and moved.deployed_at == model.deployed_at
        # no deployed alias left: retired
        client.delete_registered_model_alias(name, "champion")
        await _sync(h, clock, minutes=1)
        assert f"*{name}* has no deployed alias left in MLflow: retired" in (
            thread_posts(h, thread)[-1].text
        )
        gone = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
        assert gone is not None and gone.retired_at is not None


async def test_unmatched_models_and_a_registry_that_is_down(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    loose = f"fraud-xgb-{uuid.uuid4().hex[:6]}"
    stray = f"pricing-{uuid.uuid4().hex[:6]}"
    async with app_with_registry(emulator, database, clock, tracking_server) as h:
        await new_project(h)
        client.create_registered_model(loose)
        client.set_registered_model_alias(loose, "production", _version(client, loose, 1.0))
        client.create_registered_model(stray, tags={"mle.project": "pricing engine"})
        client.set_registered_model_alias(stray, "champion", _version(client, stray, 1.0))
        await _sync(h, clock)
        said = await mle(h, "registry")
        assert f"*{loose}* is deployed in MLflow but not matched: add the tag `mle.project`" in said
        assert f"*{stray}* is deployed in MLflow but not matched: no project called" in said
        # once per MLFLOW_SYNC_MINUTES, however many passes
        services = h.runtime.services
        assert await services.registry.maybe_run(clock()) is not None
        assert await services.registry.maybe_run(clock()) is None
        # the server down: the error is recorded and shown, nothing is retired
        registry: Any = services.registry.client
        registry.base_url = f"http://127.0.0.1:{_free_port()}"
        report = await _sync(h, clock, minutes=30)
        assert report.error and "cannot reach the tracking server" in report.error
        said = await mle(h, "registry")
        assert (
            "It failed: cannot reach the tracking server" in said and "Nothing was retired" in said
        )


async def test_the_sync_is_off_without_a_tracking_uri(harness: Harness) -> None:
    said = await mle(harness, "registry")
    assert "The MLflow registry sync is off: set `MLFLOW_TRACKING_URI`" in said
    assert await harness.runtime.services.registry.maybe_run(NOW) is None
