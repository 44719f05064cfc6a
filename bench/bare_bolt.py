"""The baseline: a bare Bolt app that only acks `/mle`, served like ours (aiohttp, same path)."""

from __future__ import annotations

import asyncio

from slack_bolt.async_app import AsyncAck

from bench.bare_serving import bare_app, serve_until_stdin_closes


async def main() -> None:
    app = bare_app()

    @app.command("/mle")
    async def mle(ack: AsyncAck) -> None:
        await ack()

    await serve_until_stdin_closes(app)


if __name__ == "__main__":
    asyncio.run(main())
