"""Waiting that costs a test nothing: the app's and the emulator's waits in memory (pacing,
Retry-After, the Web API client's retries, a Home publish's back-off) are skipped, and this
clock moves on as if they had been waited, so what a test asserts about them (a post a
second, Retry-After honoured, how long a burst takes) holds in this clock as in real time."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time

from bot.timing import Timing

# Real time left between two jumps, for what runs or answers meanwhile (a post under way,
# a database write) to go first, as it would while the sleeper waits.
SETTLE = 0.002


class VirtualTime(Timing):
    """Real time plus the waits skipped. Sleepers wake in the order of their deadlines; each
    jump moves the clock to the earliest one, so waits side by side overlap as they would."""

    def __init__(self) -> None:
        self.skipped = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._driver: asyncio.Task[None] | None = None

    def monotonic(self) -> float:
        return time.monotonic() + self.skipped

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        wake: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._sleepers, (self.monotonic() + seconds, next(self._order), wake))
        if self._driver is None or self._driver.done():
            self._driver = loop.create_task(self._drive())
        await wake

    async def _drive(self) -> None:
        while self._sleepers:
            await asyncio.sleep(SETTLE)
            at = self._sleepers[0][0]
            self.skipped += max(0.0, at - self.monotonic())
            now = self.monotonic()
            while self._sleepers and self._sleepers[0][0] <= now:
                _, _, wake = heapq.heappop(self._sleepers)
                if not wake.done():
                    wake.set_result(None)
