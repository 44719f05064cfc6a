"""A real MLflow tracking server for the registry tests (started once for the test session,
SQLite backend store in a temporary folder), MLflow's own client, and the steps a team's
training pipeline takes with it."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.clock import ManualClock

if TYPE_CHECKING:
    from tests.conftest import Harness


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mlflow_server(folder: Path, workers: int = 1) -> Iterator[str]:
    """`mlflow server` on a free port with its SQLite store in `folder`; yields its URL."""
    port = free_port()
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
            str(workers),
        ],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
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


@pytest.fixture(scope="session")
def tracking_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with mlflow_server(tmp_path_factory.mktemp("mlflow")) as url:
        yield url


@pytest.fixture
def client(tracking_server: str) -> Any:
    """MLflow's own client, told the server explicitly (the environment stays untouched)."""
    mlflow = pytest.importorskip("mlflow")
    return mlflow.MlflowClient(tracking_uri=tracking_server)


def version(
    client: Any,
    name: str,
    value: float,
    *,
    metric: str = "monthly churn",
    at: datetime | None = None,
) -> str:
    """A training run logging `metric` (at `at`, default now), registered as a new version
    of `name`."""
    run = client.create_run(experiment_id="0")
    stamp = int((at or datetime.now(UTC)).timestamp() * 1000)
    client.log_metric(run.info.run_id, metric, value, timestamp=stamp)
    client.set_terminated(run.info.run_id)
    made = client.create_model_version(
        name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
    )
    return str(made.version)


async def sync(h: Harness, clock: ManualClock, minutes: int = 0) -> Any:
    clock.at(clock() + timedelta(minutes=minutes))
    report = await h.runtime.services.registry.run(clock())
    await h.runtime.services.ticker.tick(clock())
    await h.idle()
    return report
