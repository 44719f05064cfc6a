"""The MLflow Model Registry through its tracking server's REST API (`/api/2.0/mlflow/…`), with
the HTTP client the app already has (aiohttp): no MLflow package at run time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

PAGE = 1000  # registered models per search page (the server's maximum)
TIMEOUT = 5.0


class RegistryError(Exception):
    """The registry could not be read (down, slow, refused): one line, no secrets."""


class Missing(RegistryError):
    """The thing asked for does not exist (404, RESOURCE_DOES_NOT_EXIST)."""


@dataclass(frozen=True)
class Point:
    """A metric's point: its value, when it was logged (ms since the epoch) and its step."""

    value: float
    timestamp: int
    step: int


@dataclass(frozen=True)
class Version:
    version: str
    run_id: str | None
    stage: str  # the legacy stage: None | Staging | Production | Archived


@dataclass(frozen=True)
class Registered:
    name: str
    tags: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias → version
    versions: dict[str, Version] = field(default_factory=dict)  # the latest per stage

    def deployed(self, aliases: tuple[str, ...]) -> tuple[str, str] | None:
        """(version, alias or `Production`) of the deployed version: the first configured
        alias found, else the legacy stage Production; None when nothing is deployed."""
        for alias in aliases:
            if alias in self.aliases:
                return self.aliases[alias], alias
        for version in self.versions.values():
            if version.stage.lower() == "production":
                return version.version, "Production"
        return None


class RegistryClient:
    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.auth = aiohttp.BasicAuth(username, password or "") if username else None
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    @property
    def address(self) -> str:
        """The server's address as it may be shown (no credentials in it)."""
        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")

    async def _call(self, verb: str, path: str, **kwargs: Any) -> dict[str, Any]:
        url = f"{self.base_url}/api/2.0/mlflow/{path}"
        try:
            async with aiohttp.ClientSession(
                timeout=self.timeout, headers=self.headers, auth=self.auth
            ) as session:
                async with session.request(verb, url, **kwargs) as response:
                    if response.status in (401, 403):
                        raise RegistryError(
                            f"the tracking server refused the credentials ({response.status})"
                        )
                    if response.status == 404:
                        raise Missing(f"{path}: not found")
                    if response.status >= 400:
                        raise RegistryError(f"{path} answered {response.status}")
                    data = await response.json(content_type=None)
        except TimeoutError:
            raise RegistryError(f"{path} took longer than {self.timeout.total:g} s") from None
        except aiohttp.ClientError as exc:
            why = {
                "ClientConnectorError": "connection refused or no route",
                "ServerDisconnectedError": "it closed the connection",
            }.get(type(exc).__name__, type(exc).__name__)
            raise RegistryError(
                f"cannot reach the tracking server at {self.address} ({why})"
            ) from None
        except ValueError:
            raise RegistryError(f"{path} did not answer JSON") from None
        return data if isinstance(data, dict) else {}

    async def registered_models(self) -> list[Registered]:
        """Every registered model, page after page, with its tags, aliases and the latest
        version of each stage."""
        found: list[Registered] = []
        token = ""
        while True:
            params: dict[str, Any] = {"max_results": PAGE}
            if token:
                params["page_token"] = token
            data = await self._call("GET", "registered-models/search", params=params)
            found += [_registered(raw) for raw in data.get("registered_models") or []]
            token = str(data.get("next_page_token") or "")
            if not token:
                return found

    async def registered_model(self, name: str) -> Registered | None:
        """One registered model (None: it no longer exists)."""
        try:
            data = await self._call("GET", "registered-models/get", params={"name": name})
        except Missing:
            return None
        return _registered(data.get("registered_model") or {"name": name})

    async def run_of(self, name: str, version: str) -> str | None:
        """The id of the run a model version was made from (None: none, or no such version)."""
        try:
            data = await self._call(
                "GET", "model-versions/get", params={"name": name, "version": version}
            )
        except Missing:
            return None
        run = (data.get("model_version") or {}).get("run_id")
        return str(run) if run else None

    async def metric_names(self, run_id: str) -> list[str]:
        """The names of the metrics logged on a run."""
        try:
            data = await self._call("GET", "runs/get", params={"run_id": run_id})
        except Missing:
            return []
        metrics = ((data.get("run") or {}).get("data") or {}).get("metrics") or []
        return sorted({str(m.get("key")) for m in metrics if m.get("key")})

    async def latest_point(self, run_id: str, key: str) -> Point | None:
        """The latest point (by time, then step) of metric `key` logged on a run."""
        latest: Point | None = None
        token = ""
        while True:
            params: dict[str, Any] = {"run_id": run_id, "metric_key": key}
            if token:
                params["page_token"] = token
            try:
                data = await self._call("GET", "metrics/get-history", params=params)
            except Missing:
                return None
            for raw in data.get("metrics") or []:
                point = Point(
                    float(raw.get("value", "nan")),
                    int(raw.get("timestamp") or 0),
                    int(raw.get("step") or 0),
                )
                if latest is None or (point.timestamp, point.step) > (
                    latest.timestamp,
                    latest.step,
                ):
                    latest = point
            token = str(data.get("next_page_token") or "")
            if not token:
                return latest

    async def set_tags(self, name: str, tags: dict[str, str]) -> None:
        for key, value in tags.items():
            await self._call(
                "POST", "registered-models/set-tag", json={"name": name, "key": key, "value": value}
            )

    async def delete_tags(self, name: str, keys: list[str]) -> None:
        for key in keys:
            try:
                await self._call(
                    "DELETE", "registered-models/delete-tag", json={"name": name, "key": key}
                )
            except Missing:
                continue  # already gone


def _registered(raw: dict[str, Any]) -> Registered:
    return Registered(
        name=str(raw.get("name")),
        tags={str(t["key"]): str(t.get("value", "")) for t in raw.get("tags") or []},
        aliases={str(a["alias"]).lower(): str(a["version"]) for a in raw.get("aliases") or []},
        versions={
            str(v["version"]): Version(
                str(v["version"]), v.get("run_id"), str(v.get("current_stage"))
            )
            for v in raw.get("latest_versions") or []
        },
    )
