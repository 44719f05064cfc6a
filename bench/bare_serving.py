"""How the bare baselines are built and served: like MLE Coach (aiohttp, same path)."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.http_site import start_site


def bare_app() -> AsyncApp:
    """A plain Bolt app with the default client, configured from the environment."""
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    return AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])


async def serve_until_stdin_closes(app: AsyncApp) -> None:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    await serve_handler(events)


async def serve_handler(events: Callable[[web.Request], Awaitable[web.Response]]) -> None:
    """Serve `/slack/events` with this handler until the bench closes our stdin."""
    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    runner, port = await start_site(web_app, "127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{port}/slack/events", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await runner.cleanup()
