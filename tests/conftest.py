"""Fixtures: the local Slack emulator and the real app served over HTTP against it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.config import Settings
from bot.runtime import Runtime
from bot.services import utc_now
from sandbox.emulator import SlackEmulator
from storage.rows import ProjectRow
from storage.store import Tx
from tests.clock import ManualClock
from tests.pg import fresh_schema, whole_suite_on_postgres
from tests.virtual_time import VirtualTime

pytest_plugins = ("tests.mlflow_server",)  # the MLflow tracking server, once per session

T = TypeVar("T")


@dataclass
class Harness:
    emulator: SlackEmulator
    runtime: Runtime
    url: str
    database: str
    timing: VirtualTime

    async def idle(self) -> None:
        await self.runtime.services.activity.idle()

    async def read(self, work: Callable[[Tx], T]) -> T:
        """Look into the database as the app sees it."""
        return await self.runtime.services.store.read(work)

    async def only_project(self, channel: str = "C0MLTEAM") -> ProjectRow:
        [project] = await self.read(lambda tx: tx.projects.in_channel("T0SANDBOX", channel))
        return project


def settings_for(emulator: SlackEmulator, database: str, **extra: Any) -> Settings:
    return Settings(
        SLACK_BOT_TOKEN=emulator.bot_token,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=emulator.signing_secret,  # type: ignore[arg-type]
        SLACK_APP_TOKEN=emulator.app_token,  # type: ignore[arg-type]
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=database,
        **extra,
    )


def virtual_time(emulator: SlackEmulator) -> VirtualTime:
    """The emulator's virtual time (one for every app run against it), started if needed."""
    owner = getattr(emulator.monotonic, "__self__", None)
    if isinstance(owner, VirtualTime):
        return owner
    timing = VirtualTime()
    emulator.monotonic = timing.monotonic
    return timing


@asynccontextmanager
async def running_app(
    emulator: SlackEmulator,
    database: str,
    clock: Callable[[], datetime] = utc_now,
    settings: dict[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[Harness]:
    """`settings`: more settings than Slack's and the database's (MLFLOW_TRACKING_URI …).
    The app and the emulator wait in one virtual time (tests/virtual_time.py)."""
    timing = virtual_time(emulator)
    runtime = await Runtime.create(
        settings_for(emulator, database, **(settings or {})),
        clock=clock,
        timing=timing,
        **options,
    )
    try:
        runtime.services.ticker.min_gap = 0.0  # the pacing test turns it back on
        port = await runtime.start_http("127.0.0.1", 0)
        url = f"http://127.0.0.1:{port}/slack/events"
        emulator.connect_http(url)
        yield Harness(emulator, runtime, url, database, timing)
    finally:
        await runtime.close()


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    """A SQLite file, for tests about SQLite itself."""
    return str(tmp_path / "mle-coach.db")


@contextmanager
def _empty_database(engine: str, db_path: str) -> Iterator[str]:
    if engine == "postgresql":
        with fresh_schema() as url:
            yield url
    else:
        yield f"sqlite:///{db_path}"


@pytest.fixture
def database(db_path: str) -> Iterator[str]:
    """The DATABASE_URL the app under test uses: a SQLite file, or with
    MLE_TEST_BACKEND=postgresql an empty schema of the test PostgreSQL database."""
    with _empty_database("postgresql" if whole_suite_on_postgres() else "sqlite", db_path) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request: pytest.FixtureRequest, db_path: str) -> Iterator[str]:
    """Each engine in turn, empty: the contract tests hold both to the same behaviour."""
    with _empty_database(request.param, db_path) as url:
        yield url


@pytest.fixture
def sqlite_only() -> None:
    """The test looks at the SQLite file itself; a PostgreSQL run of the suite skips it."""
    if whole_suite_on_postgres():
        pytest.skip("about the SQLite file")


@pytest.fixture
async def emulator() -> AsyncIterator[SlackEmulator]:
    emu = SlackEmulator(rate_limits=False, echo_bot_messages=True, retry_delays=(0.02, 0.02, 0.02))
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest.fixture
async def harness(emulator: SlackEmulator, database: str) -> AsyncIterator[Harness]:
    async with running_app(emulator, database) as h:
        yield h


# A Thursday before the first Monday check-ins (Mondays 10:00 in each owner's zone).
START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


@pytest.fixture
def start() -> datetime:
    """When `timed` begins; a test module may override this fixture."""
    return START


@pytest.fixture
async def timed(
    emulator: SlackEmulator, database: str, start: datetime
) -> AsyncIterator[tuple[Harness, ManualClock]]:
    """The app with a clock the test moves by hand."""
    clock = ManualClock(start)
    async with running_app(emulator, database, clock=clock) as h:
        yield h, clock
