"""The MLflow Model Registry through its tracking server's REST API (`/api/2.0/mlflow/…`), with
the HTTP client the app already has (aiohttp): no MLflow package at run time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import aiohttp

PAGE = 1000  # registered models per search page (the server's maximum)
TIMEOUT = 5.0


class RegistryError(Exception):
    """The registry could not be read (down, slow, refused): one line, no secrets."""


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
                    if response.status >= 400:
                        raise RegistryError(f"{path} answered {response.status}")
                    data = await response.json(content_type=None)
        except TimeoutError:
            raise RegistryError(f"{path} took longer than {self.timeout.total:g} s") from None
        except aiohttp.ClientError as exc:
            raise RegistryError(
                f"cannot reach the tracking server ({type(exc).__name__})"
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
            for raw in data.get("registered_models") or []:
                found.append(
                    Registered(
                        name=str(raw.get("name")),
                        tags={
                            str(t["key"]): str(t.get("value", "")) for t in raw.get("tags") or []
                        },
                        aliases={
                            str(a["alias"]).lower(): str(a["version"])
                            for a in raw.get("aliases") or []
                        },
                        versions={
                            str(v["version"]): Version(
                                str(v["version"]), v.get("run_id"), str(v.get("current_stage"))
                            )
                            for v in raw.get("latest_versions") or []
                        },
                    )
                )
            token = str(data.get("next_page_token") or "")
            if not token:
                return found
