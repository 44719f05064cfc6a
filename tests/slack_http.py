"""Send requests to the app the way Slack does (signed), or the ways an attacker might."""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from sandbox.emulator.delivery import encode, signed_headers


async def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()


async def signed(
    url: str,
    secret: str,
    kind: str,
    payload: dict[str, Any],
    *,
    age_seconds: int = 0,
    extra: dict[str, str] | None = None,
) -> tuple[int, str]:
    body, content_type = encode(kind, payload)
    headers = signed_headers(secret, body, content_type, int(time.time()) - age_seconds)
    headers.update(extra or {})
    return await post(url, body, headers)
