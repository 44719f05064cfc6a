"""Run `mle-coach` as a real process: in a pseudo-terminal (as a person types) or in the
background (as a server)."""

from __future__ import annotations

import asyncio
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class PtyProcess:
    """A child process attached to a pseudo-terminal."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path) -> None:
        self.master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            cwd=cwd,
            close_fds=True,
        )
        os.close(slave)
        self.output = ""

    def read_until(self, pattern: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        start = len(self.output)
        while pattern not in self.output[start:]:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{pattern!r} not seen; got:\n{self.output[-2000:]}")
            ready, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    chunk = b""
                if not chunk and self.proc.poll() is not None:
                    raise EOFError(self.output[-2000:])
                self.output += ANSI.sub("", chunk.decode("utf-8", errors="replace"))
        return self.output[start:]

    def read_rest(self) -> None:
        """Whatever the finished process still had in the terminal."""
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                chunk = os.read(self.master, 65536) if ready else b""
            except OSError:
                return
            if not chunk:
                return
            self.output += ANSI.sub("", chunk.decode("utf-8", errors="replace"))

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> int:
        try:
            return self.proc.wait(timeout=15)
        finally:
            os.close(self.master)


# Where every sandbox a test starts has its clock (`MLE_SANDBOX_NOW`): the dates tests type
# (`:tick 2026-11-30T09:30Z`) are in its future whatever today's date is.
SANDBOX_START = "2026-11-26T12:00:00+00:00"


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a process a test starts: no Slack credentials or database of the
    developer's, and the sandbox's clock at SANDBOX_START."""
    drop = {
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_API_URL",
        "DATABASE_URL",
        "PORT",
        "HOST",
    }
    kept = {k: v for k, v in os.environ.items() if k not in drop}
    return kept | {"MLE_SANDBOX_NOW": SANDBOX_START} | extra


async def spawn_cli(
    args: Sequence[str], env: dict[str, str], cwd: Path
) -> asyncio.subprocess.Process:
    """`mle-coach <args>` started as a process with its output piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def run_cli(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 60
) -> tuple[int, str, str]:
    """`mle-coach <args>` as a process; its exit code, stdout and stderr."""
    proc = await spawn_cli(args, env, cwd)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return int(proc.returncode or 0), out.decode(), err.decode()


async def start_cli(
    args: list[str], env: dict[str, str], cwd: Path, ready: str, timeout: float = 30.0
) -> tuple[asyncio.subprocess.Process, str]:
    """`mle-coach <args>` as a long-running process, once its first line says `ready`."""
    proc = await spawn_cli(args, env, cwd)
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), timeout)).decode()
    if ready not in line:
        assert proc.stderr is not None
        err = (await asyncio.wait_for(proc.stderr.read(), 30)).decode()
        raise AssertionError(f"no {ready!r} line; got {line!r}; exit {proc.returncode}; {err}")
    return proc, line


async def wait_until(
    condition: Callable[[], bool], what: str = "the condition", timeout: float = 15.0
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
