"""Counts work still running after Slack was acknowledged, so callers can wait for quiet."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class Activity:
    def __init__(self) -> None:
        self._busy = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    def begin(self) -> None:
        """Work starts (in a task of its own: call `end` when it is over)."""
        self._busy += 1
        self._quiet.clear()

    def end(self) -> None:
        self._busy -= 1
        if self._busy == 0:
            self._quiet.set()

    @asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        self.begin()
        try:
            yield
        finally:
            self.end()

    async def idle(self, timeout: float = 10.0) -> None:
        """Wait until no handler is working (a short pause first lets queued work start)."""
        await asyncio.sleep(0.01)
        await asyncio.wait_for(self._quiet.wait(), timeout)
