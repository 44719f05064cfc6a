"""The floor for an interview reply: no Bolt and no database, only what the product requires
of any implementation. Each request is checked as Slack's (signature, timestamp), answered
200, and a thread reply gets the ✅ and a reply, through slack_sdk's client as MLE Coach's.
No app that keeps the ✅ can handle replies faster on this machine than this one does."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

from aiohttp import web
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_serving import serve_handler


async def main() -> None:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    verifier = SignatureVerifier(os.environ["SLACK_SIGNING_SECRET"])
    tasks: set[asyncio.Task[None]] = set()

    async def answer(event: dict[str, Any]) -> None:
        await client.reactions_add(
            channel=event["channel"], timestamp=event["ts"], name="white_check_mark"
        )
        await client.chat_postMessage(
            channel=event["channel"], text="noted", thread_ts=event["thread_ts"]
        )

    async def events(request: web.Request) -> web.Response:
        body = await request.read()
        if not verifier.is_valid_request(body, dict(request.headers)):
            return web.Response(status=401)
        event = json.loads(body).get("event") or {}
        if event.get("type") == "message" and event.get("thread_ts") and not event.get("bot_id"):
            task = asyncio.create_task(answer(event))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return web.Response(status=200)

    await serve_handler(events)


if __name__ == "__main__":
    asyncio.run(main())
