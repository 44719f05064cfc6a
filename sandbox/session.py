"""Wire the emulator and the real app together for the sandbox."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime

from bot.config import Settings
from bot.runtime import Runtime
from sandbox import persist
from sandbox.emulator import SlackEmulator
from sandbox.terminal import HELP, Terminal, read_lines

BANNER = """MLE Coach sandbox — the real app against a local Slack emulator (nothing leaves
this machine).
You are alice in #ml-team. Try: /mle help   or   /mle new Churn reduction"""


@contextlib.asynccontextmanager
async def sandbox_runtime(
    database_path: str,
    *,
    log_level: str = "WARNING",
    rate_limits: bool = True,
    start: datetime | None = None,
):  # type: ignore[no-untyped-def]
    """Start an emulator and the app (HTTP mode on loopback) connected to each other.
    `start`: where the sandbox's clock starts (it then runs on); a clock saved by an earlier
    run that is already later is kept, as time only moves forward."""
    emulator = SlackEmulator(rate_limits=rate_limits, echo_bot_messages=True)
    where = persist.state_path(database_path)
    saved = where.exists()
    persist.load(emulator, where)
    if start is not None and (not saved or start.timestamp() > emulator.clock.now()):
        emulator.clock.set(start.timestamp())
    api_url = await emulator.start()
    settings = Settings(
        SLACK_BOT_TOKEN=emulator.bot_token,  # type: ignore[arg-type]
        SLACK_SIGNING_SECRET=emulator.signing_secret,  # type: ignore[arg-type]
        SLACK_APP_TOKEN=None,
        SLACK_API_URL=api_url,
        DATABASE_URL=f"sqlite:///{database_path}",
        LOG_LEVEL=log_level,  # type: ignore[arg-type]
    )
    # one clock for Slack and the app: `:tick <time>` moves both, so commands, status, Home
    # and the scheduler agree on "now"
    runtime = await Runtime.create(
        settings, clock=lambda: datetime.fromtimestamp(emulator.clock.now(), UTC)
    )
    try:
        port = await runtime.start_http("127.0.0.1", 0)
        emulator.connect_http(f"http://127.0.0.1:{port}/slack/events")
        runtime.start_scheduler()
        yield emulator, runtime
    finally:
        await runtime.close()
        await emulator.stop()
        persist.save(emulator, persist.state_path(database_path))


async def run_sandbox(database_path: str, start: datetime | None = None) -> None:
    async with sandbox_runtime(database_path, start=start) as (emulator, runtime):
        services = runtime.services
        where = persist.state_path(database_path)
        terminal = Terminal(
            emulator,
            services.activity.idle,
            services.scheduler_pass,
            saved=lambda: persist.save(emulator, where),
            files=f"{database_path}.files",
        )
        terminal.say(BANNER)
        loaded = await _loaded(emulator, runtime)
        if loaded:
            terminal.say(loaded)
        if start is not None:
            clock = datetime.fromtimestamp(emulator.clock.now(), UTC)
            terminal.say(f"The sandbox's clock reads {clock.isoformat(timespec='minutes')}.")
        terminal.say(HELP)
        await read_lines(terminal)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}{'' if n == 1 else 's'}"


async def _loaded(emulator: SlackEmulator, runtime: Runtime) -> str | None:
    """What a sandbox started on earlier data holds ("Loaded earlier data: 3 projects, 2
    threads, clock at …"); None for a new one."""
    team = emulator.workspace.team_id
    projects = await runtime.services.store.read(lambda tx: len(tx.projects.for_team(team)))
    threads = sum(
        1
        for messages in emulator.workspace.messages.values()
        for m in messages
        if m.bot_id and not m.thread_ts and not m.deleted
    )
    if not projects and not threads:
        return None
    clock = datetime.fromtimestamp(emulator.clock.now(), UTC).isoformat(timespec="minutes")
    return (
        f"Loaded earlier data: {_count(projects, 'project')}, {_count(threads, 'thread')}, "
        f"clock at {clock}."
    )
