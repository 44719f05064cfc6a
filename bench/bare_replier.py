"""Baseline for thread replies: a bare Bolt app that posts one reply per thread message."""

from __future__ import annotations

import asyncio
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_serving import bare_app, serve_until_stdin_closes


async def main() -> None:
    app = bare_app()

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("thread_ts") and not event.get("bot_id"):
            await client.chat_postMessage(
                channel=event["channel"], text="noted", thread_ts=event["thread_ts"]
            )

    await serve_until_stdin_closes(app)


if __name__ == "__main__":
    asyncio.run(main())
