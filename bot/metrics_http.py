"""`GET /metrics`: on the HTTP server in HTTP mode, on METRICS_PORT in Socket Mode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot import metrics
from bot.services import Services
from storage.retries import RETRIED

Handler = Callable[[web.Request], Awaitable[web.Response]]


def metrics_handler(services: Services) -> Handler:
    engine = "postgresql" if services.settings.postgres else "sqlite"

    async def serve_metrics(request: web.Request) -> web.Response:
        # units the engine ran again when they lost a race (only PostgreSQL does)
        retried = RETRIED.snapshot()
        body = await metrics.scrape(services.store, services.clock(), engine, retried)
        return web.Response(body=body, headers={"Content-Type": metrics.CONTENT_TYPE})

    return serve_metrics


def make_metrics_app(services: Services) -> web.Application:
    """Socket Mode has no HTTP server of its own: this one serves only `/metrics`."""
    app = web.Application()
    app.router.add_get("/metrics", metrics_handler(services))
    return app
