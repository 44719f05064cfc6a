"""Where the app waits: a monotonic clock and `sleep`, for what waits in memory (the
per-channel pacer, Slack's Retry-After, the Web API client's retries, a Home publish's
back-off). Real by default; tests pass a virtual one, so that waiting costs them nothing
and the ratios they assert are the same. (What waits in the database — a row due later —
follows the app's clock instead.) `wall` is the time of day claims are held and beaten by:
real whatever the app's clock says (`tick --at`, the sandbox's), so that processes compare
their claims on one clock."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta


class Timing:
    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def wall(self) -> datetime:
        """The time of day, moved on by what this timing skipped (nothing, when real)."""
        return datetime.now(UTC) + timedelta(seconds=self.monotonic() - time.monotonic())


REAL = Timing()
