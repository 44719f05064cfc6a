"""HTTP mode: `POST /slack/events` into Bolt and `GET /healthz`."""

from __future__ import annotations

import logging

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot import __version__
from bot.services import Services

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def make_web_app(app: AsyncApp, services: Services) -> web.Application:
    async def slack_events(request: web.Request) -> web.Response:
        try:
            bolt_request = await to_bolt_request(request)
        except (ValueError, TypeError, KeyError, AttributeError, UnicodeDecodeError):
            # not JSON or form data, or fields of the wrong type: Bolt cannot even read it
            log.info("refused a malformed request to /slack/events")
            return web.Response(status=400, text="invalid payload")
        try:
            bolt_response = await app.async_dispatch(bolt_request)
        except Exception:
            log.exception("a request could not be handled; answered 400")
            return web.Response(status=400, text="could not handle this payload")
        if bolt_response.status == 503:
            return await to_aiohttp_response(bolt_response)  # not recorded: Slack re-sends
        if bolt_response.status >= 500:
            # Bolt answers 500 when a payload breaks its own parsing (a field missing or of
            # the wrong type); what Slack really sends never does, so it is the sender's fault
            log.warning("a payload Bolt could not handle was answered 400 instead of 500")
            return web.Response(status=400, text="could not handle this payload")
        return await to_aiohttp_response(bolt_response)

    async def healthz(request: web.Request) -> web.Response:
        database_ok = await services.store.ping()
        body = {
            "status": "ok" if database_ok else "degraded",
            "database": "ok" if database_ok else "unavailable",
            "schema_version": await services.store.schema_version() if database_ok else None,
            "version": __version__,
        }
        return web.json_response(body, status=200 if database_ok else 503)

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    return web_app
