"""The registry sync when the tracking server fails: down, slow, refusing the credentials, a
500, and a registry of 10,000 models. A proxy stands between the app and the real MLflow
server and injects the fault; the scheduler pass goes on, the error is shown by
`/mle registry`, and nothing is retired because of it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.fake_mlflow import serving
from tests.interviews import new_project, thread_posts
from tests.mlflow_server import free_port, sync, version

pytest.importorskip("mlflow")

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@dataclass
class Proxy:
    """Forwards to the tracking server unless told to fail. `extra`: registered models the
    search pages add after the real ones (a large registry without making each one)."""

    upstream: str
    status: int | None = None  # answer every call with this status
    delay: float = 0.0  # seconds before answering
    extra: list[dict[str, Any]] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)  # the page tokens asked for
    url: str = ""

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.status is not None:
            return web.json_response({"error_code": "FAILED"}, status=self.status)
        if request.path.endswith("registered-models/search") and self.extra:
            return await self._search(request)
        async with aiohttp.ClientSession() as session:
            async with session.request(
                request.method,
                f"{self.upstream}{request.path_qs}",
                data=await request.read(),
                headers={"Content-Type": request.headers.get("Content-Type", "")},
            ) as answer:
                body = await answer.read()
                return web.Response(
                    body=body, status=answer.status, content_type="application/json"
                )

    async def _search(self, request: web.Request) -> web.Response:
        """The real models, then the extra ones, at most 1,000 a page as MLflow does."""
        token = request.query.get("page_token", "")
        self.searches.append(token)
        size = min(int(request.query.get("max_results", "100")), 1000)
        async with aiohttp.ClientSession() as session:
            async with session.get(
                f"{self.upstream}/api/2.0/mlflow/registered-models/search",
                params={"max_results": "1000"},
            ) as answer:
                real = (await answer.json()).get("registered_models") or []
        everything = real + self.extra
        start = int(token or 0)
        page = everything[start : start + size]
        out: dict[str, Any] = {"registered_models": page}
        if start + size < len(everything):
            out["next_page_token"] = str(start + size)
        return web.json_response(out)


@asynccontextmanager
async def proxy_for(upstream: str) -> AsyncIterator[Proxy]:
    proxy = Proxy(upstream)
    async with serving(proxy.handle) as url:
        proxy.url = url
        yield proxy


async def registry_says(h: Harness) -> str:
    await h.emulator.slash("registry", user="U0ALICE")
    await h.idle()
    return h.emulator.ephemerals_for("U0ALICE")[-1].text


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ({"status": 401}, "the tracking server refused the credentials (401)"),
        ({"status": 403}, "the tracking server refused the credentials (403)"),
        ({"status": 500}, "registered-models/search answered 500"),
        ({"delay": 2.0}, "registered-models/search took longer than 1 s"),
        ({"down": True}, "cannot reach the tracking server"),
    ],
)
async def test_a_failing_registry_retires_nothing_and_says_why(
    emulator: SlackEmulator,
    database: str,
    client: Any,
    tracking_server: str,
    fault: dict[str, Any],
    said: str,
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    name = f"churn-lgbm-{tag}"
    async with proxy_for(tracking_server) as proxy:
        settings = {"MLFLOW_TRACKING_URI": proxy.url, "MLFLOW_TRACKING_TOKEN": "s3cret-token"}
        async with running_app(emulator, database, clock, settings=settings) as h:
            thread = await new_project(h, f"Churn {tag}")
            client.create_registered_model(name, tags={"mle.project": f"Churn {tag}"})
            client.set_registered_model_alias(name, "champion", version(client, name, 4.0))
            await sync(h, clock)
            posts = len(thread_posts(h, thread))
            registry: Any = h.runtime.services.registry.client
            registry.timeout = aiohttp.ClientTimeout(total=1.0)
            if fault.get("down"):
                registry.base_url = f"http://127.0.0.1:{free_port()}"
            proxy.status, proxy.delay = fault.get("status"), fault.get("delay", 0.0)
            # the scheduler pass runs the sync and goes on with its other work: the digest
            # due at 09:15 Berlin time goes out in the same pass
            await h.emulator.slash("digest daily 09:15 Europe/Berlin", user="U0ALICE")
            await h.idle()
            clock.at(clock() + timedelta(minutes=30))
            await h.runtime.services.scheduler_pass(clock())
            await h.runtime.services.scheduler_pass(clock())
            await h.idle()
            digests = [m for m in h.emulator.bot_posts("C0MLTEAM") if m.text.startswith("MLE")]
            assert len(digests) == 1
            answer = await registry_says(h)
            assert f"It failed: {said}" in answer and "nothing was retired" in answer
            assert "Failing since 2026-11-26 08:30 UTC" in answer
            # what the last good sync saw is still shown
            assert f"As of the last good sync (2026-11-26 08:00 UTC):\n• *{name}* v1" in answer
            assert "s3cret" not in answer
            model = await h.read(lambda tx: tx.models.by_name("T0SANDBOX", name, name))
            assert model is not None and model.retired_at is None
            assert len(thread_posts(h, thread)) == posts  # nothing said in the thread
            # the server back: the next sync is clean
            proxy.status, proxy.delay = None, 0.0
            registry.base_url = proxy.url
            await sync(h, clock, minutes=30)
            assert "It failed" not in await registry_says(h)


async def test_ten_thousand_registered_models_are_read_page_by_page(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    tag = uuid.uuid4().hex[:6]
    async with proxy_for(tracking_server) as proxy:
        proxy.extra = [
            {"name": f"bulk-{tag}-{i:05d}", "tags": [], "aliases": []} for i in range(10_000)
        ]
        last = proxy.extra[-1]
        last["tags"] = [{"key": "mle.project", "value": f"Churn {tag}"}]
        last["aliases"] = [{"alias": "champion", "version": "7"}]
        settings = {"MLFLOW_TRACKING_URI": proxy.url}
        async with running_app(emulator, database, clock, settings=settings) as h:
            thread = await new_project(h, f"Churn {tag}")
            report = await sync(h, clock)
            assert report.error is None
            assert len(proxy.searches) >= 10  # every page was read
            assert f"🚀 *{last['name']}* v7 of *Churn {tag}* is deployed" in (
                thread_posts(h, thread)[-1].text
            )
