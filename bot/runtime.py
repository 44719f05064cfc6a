"""Open the store, build the app, run a mode until told to stop, close everything."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot import metrics
from bot.app import WEB_API_TIMEOUT, build_app, build_client
from bot.config import Settings
from bot.http_site import start_site
from bot.inbox import STALE as INBOX_STALE
from bot.scheduling.poster import DEAD
from bot.services import Services, question_bank, utc_now
from bot.timing import REAL, Timing
from bot.web import make_web_app
from storage.open import open_store

log = logging.getLogger(__name__)


class Runtime:
    """One running MLE Coach: store, services and Bolt app."""

    def __init__(self, services: Services, app: AsyncApp) -> None:
        self.services = services
        self.app = app
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._pass: asyncio.Task[None] | None = None
        self.port: int | None = None

    @classmethod
    async def create(
        cls,
        settings: Settings,
        *,
        socket_mode: bool = False,
        clock: Callable[[], datetime] = utc_now,
        web_api_timeout: float = WEB_API_TIMEOUT,
        timing: Timing = REAL,
    ) -> Runtime:
        """`timing`: where waits in memory happen (tests pass a virtual one)."""
        settings.require("SLACK_BOT_TOKEN", mode="Socket Mode" if socket_mode else "HTTP mode")
        services = await open_services(settings, clock, web_api_timeout, timing)
        try:
            app = build_app(services, socket_mode=socket_mode)
        except BaseException:
            await close_services(services)
            raise
        return cls(services, app)

    def start_scheduler(self) -> None:
        """Every TICK_SECONDS: post what is due and retry posts that failed; the first pass at
        once, and one more when a dead process's claims have lapsed."""
        self._scheduler = AsyncIOScheduler(timezone="UTC")
        self._scheduler.add_job(
            self.tick,
            "interval",
            seconds=self.services.settings.TICK_SECONDS,
            max_instances=1,
            coalesce=True,
            id="tick",
            # at once: what a process that died here left is taken over now, not a pass later
            next_run_time=datetime.now(UTC),
            misfire_grace_time=None,
        )
        # and once its claims have lapsed, when it ran elsewhere: its posts' (its beat stops)
        # and the requests it was processing
        for lapse in (DEAD, INBOX_STALE):
            self._scheduler.add_job(
                self.tick,
                "date",
                run_date=datetime.now(UTC) + lapse + timedelta(seconds=1),
                id=f"takeover-{lapse.total_seconds():g}",
                misfire_grace_time=None,
            )
        self._scheduler.start()

    async def tick(self) -> None:
        """APScheduler's job: one pass. The pass runs as a task of its own, so stopping the
        scheduler (which cancels its jobs) lets a pass under way finish; `close` waits."""
        if self._pass is None or self._pass.done():
            self._pass = asyncio.create_task(self._one_pass())
        try:
            await asyncio.shield(self._pass)
        except asyncio.CancelledError:
            pass

    async def _one_pass(self) -> None:
        try:
            for line in await metrics.timed(metrics.SCHEDULER_PASS, self.services.scheduler_pass()):
                log.info("%s", line)
        except Exception:
            log.exception("scheduler pass failed")

    async def start_http(self, host: str, port: int) -> int:
        self._runner, self.port = await start_site(
            make_web_app(self.app, self.services), host, port
        )
        log.info("listening on http://%s:%s/slack/events", host, self.port)
        return self.port

    async def start_socket(self) -> None:
        token = self.services.settings.SLACK_APP_TOKEN
        assert token is not None
        self._socket = AsyncSocketModeHandler(self.app, token.get_secret_value())
        await self._socket.connect_async()
        log.info("connected in Socket Mode")

    async def close(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
        if self._pass is not None and not self._pass.done():
            try:
                await asyncio.wait_for(asyncio.shield(self._pass), 15)
            except TimeoutError:
                log.warning("stopping while a scheduler pass is still running")
        await self.services.registry.close()  # a sync under way stops (the next one resumes)
        await self.services.ticker.poster.close()
        try:
            await self.services.activity.idle(timeout=10)
        except TimeoutError:
            log.warning("stopping with work still running")
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()
        await close_services(self.services)


async def open_services(
    settings: Settings,
    clock: Callable[[], datetime] = utc_now,
    web_api_timeout: float = WEB_API_TIMEOUT,
    timing: Timing = REAL,
) -> Services:
    """The store (migrated), a Web API client with a pooled session, and the services."""
    bank = question_bank(settings)
    store = await open_store(settings.DATABASE_URL, pool_size=settings.DATABASE_POOL_SIZE)
    # with a session of its own, the client's `timeout` is not used: the session's is
    session = aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=web_api_timeout),
        trace_configs=[metrics.slack_trace(settings.SLACK_API_URL)],  # counts Slack's 429s
    )
    token = settings.SLACK_BOT_TOKEN.get_secret_value() if settings.SLACK_BOT_TOKEN else None
    client = build_client(token, settings.SLACK_API_URL, session, timing)
    from handlers import wire_inbox

    services = Services.wire(settings, store, client, bank, clock, timing)
    wire_inbox(services)
    return services


async def close_services(services: Services) -> None:
    await services.registry.close()
    if services.slack.client.session is not None:
        await services.slack.client.session.close()
    await services.store.close()


def stop_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT; install it before saying you are ready."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
