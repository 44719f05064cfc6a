"""HTTP mode: `POST /slack/events` into Bolt, `GET /healthz` and `GET /metrics`."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp

from bot import __version__
from bot.metrics_http import metrics_handler
from bot.services import Services
from bot.verify import log_refusal, refusal
from handlers.middleware import is_message_event, take_message_event

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


async def _writable(services: Services) -> bool:
    now = services.clock()
    try:
        await asyncio.wait_for(services.store.write(lambda tx: tx.events.probe(now)), 2.0)
    except Exception as exc:
        log.error("health check: the database does not take writes (%s)", type(exc).__name__)
        return False
    return True


def make_web_app(app: AsyncApp, services: Services) -> web.Application:
    secret = services.settings.SLACK_SIGNING_SECRET

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()  # at most MAX_BODY: aiohttp answers 413 past it
        if secret is not None:
            reason = refusal(secret.get_secret_value(), _lower(request.headers), body)
            if reason:
                log_refusal(reason, body, request.remote)
                return web.Response(status=401, text="unverified request")
        if request.content_type == "application/json":
            # message events (thread replies, and the echo of every post of ours) are the
            # bulk of the traffic: taken here, without building a Bolt request
            try:
                text = body.decode()
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                parsed = None
            if isinstance(parsed, dict) and is_message_event(parsed):
                retry = request.headers.get("x-slack-retry-num", "0")
                status = await take_message_event(services, parsed, retry)
                return web.Response(status=status, text="")
        try:
            bolt_request = await to_bolt_request(request)
        except (
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            UnicodeDecodeError,
            RecursionError,
        ):
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
        """200 only when the database answers and takes a write (a tiny transaction): an
        app that can read but not write (a full disk) would acknowledge nothing."""
        database = "ok" if await services.store.ping() else "unavailable"
        if database == "ok" and not await _writable(services):
            database = "not writable"
        healthy = database == "ok"
        body = {
            "status": "ok" if healthy else "degraded",
            "database": database,
            "schema_version": await services.store.schema_version() if healthy else None,
            "version": __version__,
        }
        return web.json_response(body, status=200 if healthy else 503)

    web_app = web.Application(client_max_size=MAX_BODY)
    web_app.router.add_post("/slack/events", slack_events)
    web_app.router.add_get("/healthz", healthz)
    web_app.router.add_get("/metrics", metrics_handler(services))
    return web_app
