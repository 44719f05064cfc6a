"""How long a sync with the MLflow Model Registry takes: a real `mlflow server` (SQLite backend
store in a temporary folder) holding 1,000 registered models, 200 of them deployed (alias
`champion`, tagged `mle.project` and a KPI, their run logging the KPI's metric), and MLE
Coach on a SQLite file with the emulator as Slack.

Reported: the first sync (200 deploys, 200 KPIs defined and valued, 200 thread lines, tags
written back), then the median of steady syncs (nothing changed), each against the bare
minimum on the same server in the same run: reading every registered model page by page and,
for each deployed one, its version and metric history (the calls a sync cannot do without).
Run: `python -m bench.registry_sync [--models 1000] [--deployed 200] [--runs 5]`
(needs the test extra: `mlflow`).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings
from bot.registry.client import RegistryClient, Unreadable
from bot.runtime import Runtime
from sandbox.emulator import SlackEmulator
from tests.mlflow_server import mlflow_server

PROJECTS = 10


def fill(url: str, models: int, deployed: int) -> None:
    """The registry as a team's pipelines leave it, made with MLflow's own client."""
    import mlflow

    client = mlflow.MlflowClient(tracking_uri=url)
    stamp = int(datetime.now(UTC).timestamp() * 1000)

    def make(i: int) -> None:
        name = f"model-{i:04d}"
        if i >= deployed:
            client.create_registered_model(name)
            return
        client.create_registered_model(
            name,
            tags={
                "mle.project": f"Project {i % PROJECTS}",
                "mle.kpi": "monthly churn",
                "mle.kpi.baseline": "4.1%",
                "mle.kpi.target": "3.8%",
                "mle.kpi.owner": "U0CAROL",
                "mle.kpi.method": "ab",
            },
        )
        run = client.create_run(experiment_id="0")
        client.log_metric(run.info.run_id, "monthly churn", 4.0, timestamp=stamp)
        made = client.create_model_version(
            name, source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id
        )
        client.set_registered_model_alias(name, "champion", str(made.version))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(make, range(models)))


async def bare_read(url: str) -> float:
    """Every registered model, and the version and metric history of the deployed ones."""
    client = RegistryClient(url)
    started = time.perf_counter()
    for model in await client.registered_models():
        if isinstance(model, Unreadable):
            continue
        found = model.deployed(("champion",))
        if found is not None:
            run = await client.run_of(model.name, found[0])
            if run:
                await client.latest_point(run, "monthly churn")
    return time.perf_counter() - started


async def measure(url: str, runs: int, folder: Path) -> None:
    emulator = SlackEmulator(rate_limits=False, echo_bot_messages=True)
    await emulator.start()
    settings = Settings(
        SLACK_BOT_TOKEN=emulator.bot_token,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=emulator.signing_secret,  # type: ignore[arg-type]
        SLACK_APP_TOKEN=emulator.app_token,  # type: ignore[arg-type]
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{folder / 'mle.db'}",
        MLFLOW_TRACKING_URI=url,
    )
    runtime = await Runtime.create(settings)
    try:
        runtime.services.ticker.min_gap = 0.0
        port = await runtime.start_http("127.0.0.1", 0)
        emulator.connect_http(f"http://127.0.0.1:{port}/slack/events")
        for i in range(PROJECTS):
            await emulator.slash(f"new Project {i}", user="U0ALICE", channel="C0MLTEAM")
        await runtime.services.activity.idle(60)
        await runtime.services.ticker.tick()
        registry = runtime.services.registry
        started = time.perf_counter()
        first = await registry.run(datetime.now(UTC))
        first_s = time.perf_counter() - started
        await runtime.services.activity.idle(120)
        assert first.error is None, first.error
        steady, bare = [], []
        for _ in range(runs):
            bare.append(await bare_read(url))
            started = time.perf_counter()
            report = await registry.run(datetime.now(UTC))
            steady.append(time.perf_counter() - started)
            assert not report.changes, report.changes[:3]
        matched = len(first.matched)
        bare_median, steady_median = statistics.median(bare), statistics.median(steady)
        print(
            f"first sync: {first_s:6.2f} s ({matched} models matched, {len(first.changes)} changes)"
        )
        print(f"steady sync: median {steady_median:6.2f} s over {runs} runs")
        print(f"bare reads:  median {bare_median:6.2f} s (the registry calls alone)")
        print(f"steady / bare: {steady_median / bare_median:.2f}x")
    finally:
        await runtime.close()
        await emulator.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--deployed", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        with mlflow_server(Path(folder), workers=2) as url:
            started = time.perf_counter()
            fill(url, args.models, args.deployed)
            print(
                f"registry: {args.models} models, {args.deployed} deployed "
                f"(made in {time.perf_counter() - started:.0f} s)"
            )
            asyncio.run(measure(url, args.runs, Path(folder)))


if __name__ == "__main__":
    main()
