"""The MLflow Model Registry through its tracking server's REST API (`/api/2.0/mlflow/…`), with
the HTTP client the app already has (aiohttp): no MLflow package at run time."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

PAGE = 1000  # registered models per search page (the server's maximum)
TIMEOUT = 5.0  # seconds per call
# A tracking server, or a proxy in front of it, is not trusted to end what it starts:
PAGE_CAP = 100  # pages of one listing (100,000 registered models; a metric's history)
MAX_BODY = 10 << 20  # bytes of one answer (10 MB), read a chunk at a time, never more
TAG_CAP = 4000  # characters of an `mle.*` tag's value (MLflow itself allows 5,000)
EARLIEST_MS, LATEST_MS = 0, 253_402_300_799_999  # a point's time: 1970 … 9999, in ms


class RegistryError(Exception):
    """The registry could not be read (down, slow, refused): one line, no secrets."""


class Missing(RegistryError):
    """The thing asked for does not exist (404, RESOURCE_DOES_NOT_EXIST)."""


class Malformed(RegistryError):
    """The server answered, but not what it should have (a page token again, pages without
    end, a body that is not the JSON object expected, or too large): the answer is not used,
    and it says nothing about whether the server is reachable."""


@dataclass(frozen=True)
class Unreadable:
    """An entry of the registered models that could not be read: its name when it has one,
    and why (one line)."""

    name: str | None
    why: str


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
    # `mle.*` tags longer than TAG_CAP: left out of `tags`, with their length
    refused: dict[str, int] = field(default_factory=dict)

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
        self.page_cap = PAGE_CAP
        self.max_body = MAX_BODY

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
                    data = json.loads(await self._body(response, path))
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
        except (ValueError, RecursionError):  # RecursionError: nested too deep to be ours
            raise Malformed(f"{path} did not answer JSON") from None
        if not isinstance(data, dict):
            raise Malformed(f"{path} did not answer a JSON object")
        return data

    async def _body(self, response: aiohttp.ClientResponse, path: str) -> bytes:
        """The body, read a chunk at a time up to `max_body` bytes (more: Malformed)."""
        too_large = Malformed(f"{path} answered more than {_size(self.max_body)}: not read")
        if (response.content_length or 0) > self.max_body:
            raise too_large
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.content.iter_chunked(1 << 16):
            size += len(chunk)
            if size > self.max_body:
                raise too_large
            chunks.append(chunk)
        return b"".join(chunks)

    def _pages(self, path: str) -> _Pages:
        return _Pages(path, self.page_cap)

    async def registered_models(self) -> list[Registered | Unreadable]:
        """Every registered model, page after page, with its tags, aliases and the latest
        version of each stage; an entry that cannot be read is Unreadable (the rest are
        read). A listing that cannot be read whole raises RegistryError."""
        path = "registered-models/search"
        found: list[Registered | Unreadable] = []
        pages = self._pages(path)
        token = ""
        while True:
            params: dict[str, Any] = {"max_results": PAGE}
            if token:
                params["page_token"] = token
            data = await self._call("GET", path, params=params)
            found += [_entry(raw) for raw in _listed(data, "registered_models", path)]
            token = pages.next(data)
            if not token:
                return found

    async def registered_model(self, name: str) -> Registered | None:
        """One registered model (None: it no longer exists)."""
        try:
            data = await self._call("GET", "registered-models/get", params={"name": name})
        except Missing:
            return None
        entry = _entry(data.get("registered_model") or {"name": name})
        if isinstance(entry, Unreadable):
            raise Malformed(f"registered-models/get: {entry.why}")
        return entry

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
        try:
            metrics = data["run"]["data"].get("metrics") or []
            return sorted({str(m["key"])[:TAG_CAP] for m in metrics if m.get("key")})
        except (KeyError, TypeError, AttributeError):
            return []  # only said when the value is missing: an odd answer lists none

    async def latest_point(
        self, run_id: str, key: str, left_out: list[str] | None = None
    ) -> Point | None:
        """The latest point (by time, then step) of metric `key` logged on a run. A point
        that cannot be read (its time in nanoseconds, its value not a number) is left out
        and said in `left_out`."""
        path = "metrics/get-history"
        latest: Point | None = None
        pages = self._pages(path)
        token = ""
        while True:
            params: dict[str, Any] = {"run_id": run_id, "metric_key": key}
            if token:
                params["page_token"] = token
            try:
                data = await self._call("GET", path, params=params)
            except Missing:
                return None
            for raw in _listed(data, "metrics", path):
                point = _point(raw, key, left_out)
                if point is not None and (
                    latest is None
                    or (point.timestamp, point.step) > (latest.timestamp, latest.step)
                ):
                    latest = point
            token = pages.next(data)
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


class _Pages:
    """The page tokens of one listing: a token given twice, or more than `cap` pages, ends
    it with Malformed (a proxy that ignores query strings answers page one forever)."""

    def __init__(self, path: str, cap: int) -> None:
        self.path = path
        self.cap = cap
        self.read = 0
        self.seen: set[str] = set()

    def next(self, data: dict[str, Any]) -> str:
        """The next page's token ("": the listing is complete)."""
        self.read += 1
        token = data.get("next_page_token") or ""
        if not token:
            return ""
        if not isinstance(token, str) or len(token) > TAG_CAP:
            raise Malformed(f"{self.path} gave a page token that is not one")
        if token in self.seen:
            raise Malformed(
                f"{self.path} gave the page token it gave before (page {self.read}): "
                "the listing was not read"
            )
        if self.read >= self.cap:
            raise Malformed(f"{self.path} has more than {self.cap} pages: the listing was not read")
        self.seen.add(token)
        return token


def _size(limit: int) -> str:
    return f"{limit / (1 << 20):g} MB" if limit >= 1 << 20 else f"{limit:,} bytes"


def _listed(data: dict[str, Any], field_: str, path: str) -> list[Any]:
    """The list an answer carries under `field_` (absent: none)."""
    found = data.get(field_) or []
    if not isinstance(found, list):
        raise Malformed(f"{path}: `{field_}` is not a list")
    return found


def _point(raw: Any, key: str, left_out: list[str] | None) -> Point | None:
    """A point of a metric's history, or None (said in `left_out`) when it cannot be one."""
    why = None
    try:
        point = Point(
            float(raw.get("value", "nan")),
            int(raw.get("timestamp") or 0),
            int(raw.get("step") or 0),
        )
    except (AttributeError, TypeError, ValueError, OverflowError):
        why = f"a point of `{key[:80]}` is not a value, a time and a step"
    else:
        if EARLIEST_MS <= point.timestamp <= LATEST_MS:
            return point
        # the same words for every such point (said once in the thread, not once a point)
        why = (
            f"points of `{key[:80]}` have times that are not in milliseconds since 1970 "
            "(nanoseconds?): they were left out"
        )
    if left_out is not None and why not in left_out:
        left_out.append(why)
    return None


def _entry(raw: Any) -> Registered | Unreadable:
    """One registered model as the search or get answers it, or why it cannot be read."""
    if not isinstance(raw, dict):
        return Unreadable(
            None, f"An entry of the registered models is not an object (`{str(raw)[:40]}`)"
        )
    name = raw.get("name")
    if not isinstance(name, str) or not name or len(name) > TAG_CAP:
        return Unreadable(None, "An entry of the registered models has no name MLE Coach can read")
    try:
        return _registered(raw)
    except (KeyError, TypeError, AttributeError, ValueError):
        return Unreadable(name, "MLflow described it in a form MLE Coach cannot read")


def _registered(raw: dict[str, Any]) -> Registered:
    tags: dict[str, str] = {}
    refused: dict[str, int] = {}
    for tag in raw.get("tags") or []:
        key, value = str(tag["key"]), str(tag.get("value", ""))
        if len(value) <= TAG_CAP:
            tags[key] = value
        elif key.startswith("mle."):  # one of ours: said; the others are never read
            refused[key] = len(value)
    return Registered(
        name=str(raw["name"]),
        tags=tags,
        refused=refused,
        aliases={str(a["alias"]).lower(): str(a["version"]) for a in raw.get("aliases") or []},
        versions={
            str(v["version"]): Version(
                str(v["version"]), v.get("run_id"), str(v.get("current_stage"))
            )
            for v in raw.get("latest_versions") or []
        },
    )
