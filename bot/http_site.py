"""Start an aiohttp application on a host and port (0 picks a free port)."""

from __future__ import annotations

from aiohttp import web


async def start_site(web_app: web.Application, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Start listening; returns the runner (for cleanup) and the bound port."""
    runner = web.AppRunner(web_app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    bound = runner.addresses[0][1]
    return runner, int(bound)
