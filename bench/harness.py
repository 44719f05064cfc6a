"""Shared benchmark plumbing: start servers as separate processes, fire signed requests."""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aiohttp

from sandbox.emulator.delivery import encode, signed_headers


@dataclass
class Server:
    proc: asyncio.subprocess.Process
    url: str

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.proc.terminate()
            if self.proc.stdin:
                self.proc.stdin.close()
            await asyncio.wait_for(self.proc.wait(), 20)


async def start_server(args: Sequence[str], env: dict[str, str]) -> Server:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env={**os.environ, **env},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), 60)).decode()
    found = re.search(r"(http://\S+/slack/events)", line)
    if not found:
        raise RuntimeError(f"server did not start: {line!r}")
    return Server(proc, found.group(1))


async def fire(
    session: aiohttp.ClientSession, url: str, secret: str, kind: str, payload: dict[str, Any]
) -> float:
    """One signed request; returns seconds until the answer arrived."""
    body, content_type = encode(kind, payload)
    headers = signed_headers(secret, body, content_type)
    started = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as resp:
        await resp.read()
        if resp.status != 200:
            raise RuntimeError(f"HTTP {resp.status}")
    return time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values)
