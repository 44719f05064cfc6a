"""Fixtures: the local Slack emulator and the real app served over HTTP against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.config import Settings
from bot.emulator import SlackEmulator
from bot.runtime import Runtime
from bot.services import utc_now
from storage.rows import ProjectRow
from storage.store import Tx
from tests.clock import ManualClock

T = TypeVar("T")


@dataclass
class Harness:
    emulator: SlackEmulator
    runtime: Runtime
    url: str
    db_path: str

    async def idle(self) -> None:
        await self.runtime.services.activity.idle()

    async def read(self, work: Callable[[Tx], T]) -> T:
        """Look into the database as the app sees it."""
        return await self.runtime.services.store.read(work)

    async def only_project(self, channel: str = "C0MLTEAM") -> ProjectRow:
        [project] = await self.read(lambda tx: tx.projects.in_channel("T0SANDBOX", channel))
        return project


def settings_for(emulator: SlackEmulator, db_path: str, **extra: Any) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=emulator.bot_token,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=emulator.signing_secret,  # type: ignore[arg-type]
        SLACK_APP_TOKEN=emulator.app_token,  # type: ignore[arg-type]
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{db_path}",
        **extra,
    )


@asynccontextmanager
async def running_app(
    emulator: SlackEmulator, db_path: str, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[Harness]:
    runtime = await Runtime.create(settings_for(emulator, db_path), clock=clock)
    try:
        runtime.services.ticker.min_gap = 0.0  # the pacing test turns it back on
        port = await runtime.start_http("127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}/slack/events"
        emulator.connect_http(url)
        yield Harness(emulator, runtime, url, db_path)
    finally:
        await runtime.close()


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    return str(tmp_path / "mle-coach.db")


@pytest.fixture
async def emulator() -> AsyncIterator[SlackEmulator]:
    emu = SlackEmulator(rate_limits=False, echo_bot_messages=True, retry_delays=(0.02, 0.02, 0.02))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def harness(emulator: SlackEmulator, db_path: str) -> AsyncIterator[Harness]:
    async with running_app(emulator, db_path) as h:
        yield h


# A Thursday before the first Monday check-ins (Mondays 10:00 in each owner's zone).
START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
def start() -> datetime:
    """When `timed` begins; a test module may override this fixture."""
    return START


@pytest.fixture
async def timed(
    emulator: SlackEmulator, db_path: str, start: datetime
) -> AsyncIterator[tuple[Harness, ManualClock]]:
    """The app with a clock the test moves by hand."""
    clock = ManualClock(start)
    async with running_app(emulator, db_path, clock=clock) as h:
        yield h, clock
