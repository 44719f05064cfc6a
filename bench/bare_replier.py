"""Baseline for thread replies: a bare Bolt app that posts one reply per thread message; with
`BARE_REACT=1` it also marks the message ✅, as the product says an interview does (the same
Slack work per reply as MLE Coach, nothing recorded)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bench.bare_serving import bare_app, serve_until_stdin_closes


async def main() -> None:
    app = bare_app()
    react = os.environ.get("BARE_REACT") == "1"

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if not event.get("thread_ts") or event.get("bot_id"):
            return
        reply = client.chat_postMessage(
            channel=event["channel"], text="noted", thread_ts=event["thread_ts"]
        )
        if not react:
            await reply
            return
        mark = client.reactions_add(
            channel=event["channel"], timestamp=event["ts"], name="white_check_mark"
        )
        await asyncio.gather(mark, reply)

    await serve_until_stdin_closes(app)


if __name__ == "__main__":
    asyncio.run(main())
