"""A small fake MLflow tracking server (aiohttp, in the test's event loop) that answers the
REST calls the registry sync makes, and can misbehave the ways real servers and the proxies in
front of them do: a page token that repeats, an endless list of pages, a point logged in
nanoseconds, an entry that is not an object, a 200 whose body is not an object, a huge body, a
huge tag, an answer that never comes. The real `mlflow server` tests (tests/mlflow_server.py)
stay; this one exists because the real server cannot be made to misbehave."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import web

from tests.mlflow_server import free_port

API = "/api/2.0/mlflow/"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FakeModel:
    """A registered model with one version behind the alias `champion`, made from a run that
    logged `points` of the metric `metric`."""

    name: str
    project: str = ""
    version: str = "1"
    alias: str = "champion"
    tags: dict[str, str] = field(default_factory=dict)
    metric: str = "monthly churn"
    points: list[dict[str, Any]] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return f"run-{self.name}-{self.version}"

    def entry(self) -> dict[str, Any]:
        tags = dict(self.tags)
        if self.project:
            tags.setdefault("mle.project", self.project)
        return {
            "name": self.name,
            "tags": [{"key": k, "value": v} for k, v in tags.items()],
            "aliases": [{"alias": self.alias, "version": self.version}] if self.alias else [],
            "latest_versions": [
                {"version": self.version, "run_id": self.run_id, "current_stage": "None"}
            ],
        }

    def log(self, value: float, at: datetime, *, nanoseconds: bool = False) -> None:
        stamp = int(at.timestamp() * 1000) * (1_000_000 if nanoseconds else 1)
        self.points.append({"key": self.metric, "value": value, "timestamp": stamp, "step": 0})


@dataclass
class FakeMlflow:
    """What the server holds and how it misbehaves (change the fields at any time)."""

    models: dict[str, FakeModel] = field(default_factory=dict)
    page_size: int = 2  # registered models per search page (small: several pages)
    repeat_search_token: bool = False  # every search page says the same next_page_token
    endless_search: bool = False  # every search page has a new next_page_token, forever
    repeat_history_token: set[str] = field(default_factory=set)  # models whose history does it
    hang_history: set[str] = field(default_factory=set)  # models whose history never answers
    odd_entries: list[Any] = field(default_factory=list)  # added to the first search page
    search_body: bytes | None = None  # answer every search with this body (status 200)
    huge_search: int = 0  # answer every search with a JSON object this many bytes long
    hang_search: bool = False  # searches never answer
    calls: Counter[str] = field(default_factory=Counter)  # path → how many times asked
    sent: int = 0  # bytes of huge bodies written before the client went away
    url: str = ""

    def add(self, name: str, project: str, **options: Any) -> FakeModel:
        model = FakeModel(name, project, **options)
        self.models[name] = model
        return model

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.removeprefix(API)
        self.calls[path] += 1
        if path == "registered-models/search":
            return await self._search(request)
        if path == "registered-models/get":
            model = self.models.get(request.query.get("name", ""))
            if model is None:
                return _missing()
            return web.json_response({"registered_model": model.entry()})
        if path == "model-versions/get":
            model = self.models.get(request.query.get("name", ""))
            if model is None or request.query.get("version") != model.version:
                return _missing()
            return web.json_response({"model_version": {"run_id": model.run_id}})
        if path == "runs/get":
            model = self._of_run(request.query.get("run_id", ""))
            if model is None:
                return _missing()
            metrics = [{"key": model.metric}] if model.points else []
            return web.json_response({"run": {"data": {"metrics": metrics}}})
        if path == "metrics/get-history":
            return await self._history(request)
        if path in ("registered-models/set-tag", "registered-models/delete-tag"):
            body = await request.json()
            model = self.models.get(str(body.get("name")))
            if model is None:
                return _missing()
            if path.endswith("set-tag"):
                model.tags[str(body["key"])] = str(body["value"])
            else:
                model.tags.pop(str(body["key"]), None)
            return web.json_response({})
        return _missing()

    def _of_run(self, run_id: str) -> FakeModel | None:
        return next((m for m in self.models.values() if m.run_id == run_id), None)

    async def _search(self, request: web.Request) -> web.StreamResponse:
        if self.hang_search:
            await asyncio.Event().wait()
        if self.search_body is not None:
            return web.Response(body=self.search_body, content_type="application/json")
        if self.huge_search:
            return await self._huge(request)
        token = request.query.get("page_token", "")
        start = int(token[1:]) if token.startswith("p") else 0
        entries = [m.entry() for m in self.models.values()]
        page: list[Any] = entries[start : start + self.page_size]
        if start == 0:
            page = self.odd_entries + page
        out: dict[str, Any] = {"registered_models": page}
        if self.repeat_search_token:
            out["next_page_token"] = "the-same-token"
        elif self.endless_search or start + self.page_size < len(entries):
            out["next_page_token"] = f"p{start + self.page_size}"
        return web.json_response(out)

    async def _huge(self, request: web.Request) -> web.StreamResponse:
        """`{"registered_models": [], "padding": "xxx…"}`, streamed (no Content-Length), so
        only a client that reads it whole holds it whole."""
        answer = web.StreamResponse(headers={"Content-Type": "application/json"})
        await answer.prepare(request)
        chunk = b"x" * (1 << 20)
        try:
            await answer.write(b'{"registered_models": [], "padding": "')
            while self.sent < self.huge_search:
                await answer.write(chunk)
                self.sent += len(chunk)
            await answer.write(b'"}')
            await answer.write_eof()
        except (ConnectionError, RuntimeError):
            pass  # the client stopped reading
        return answer

    async def _history(self, request: web.Request) -> web.StreamResponse:
        model = self._of_run(request.query.get("run_id", ""))
        if model is None:
            return _missing()
        if model.name in self.hang_history:
            await asyncio.Event().wait()
        out: dict[str, Any] = {"metrics": model.points}
        if model.name in self.repeat_history_token:
            out["next_page_token"] = "again"
        return web.json_response(out)


def _missing() -> web.Response:
    return web.Response(
        status=404,
        text=json.dumps({"error_code": "RESOURCE_DOES_NOT_EXIST"}),
        content_type="application/json",
    )


@asynccontextmanager
async def serving(handle: Handler) -> AsyncIterator[str]:
    """An HTTP server on a free local port whose every request `handle` answers; its URL."""
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def fake_mlflow() -> AsyncIterator[FakeMlflow]:
    server = FakeMlflow()
    async with serving(server.handle) as url:
        server.url = url
        yield server
