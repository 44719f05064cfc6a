"""`mle-coach serve` for benches that switch the emulator's rate limits off: the same app,
with its per-channel pacing off too, so a bench measures MLE Coach's own work (inbox,
units of work, outbox) against a bare Bolt app, not Slack's one-post-a-second limit that the
pacing exists to respect. Run as `python -m bench.coach_server` with the app's environment."""

from __future__ import annotations

import asyncio

from bot.config import load_settings
from bot.runtime import Runtime, stop_signals


async def serve() -> None:
    settings = load_settings()
    stop = stop_signals()
    runtime = await Runtime.create(settings)
    runtime.services.ticker.min_gap = 0.0  # the emulator's limits are off as well
    try:
        bound = await runtime.start_http("127.0.0.1", 0)
        runtime.start_scheduler()
        print(f"MLE Coach listening on http://127.0.0.1:{bound}/slack/events", flush=True)
        await stop.wait()
    finally:
        await runtime.close()


if __name__ == "__main__":
    asyncio.run(serve())
