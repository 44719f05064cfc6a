"""`mle-coach serve` and `mle-coach socket` as real processes: they answer, and stop cleanly on
SIGTERM / SIGINT."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import sqlite3
from pathlib import Path

import aiohttp

from sandbox.emulator import SlackEmulator
from tests import slack_http
from tests.processes import clean_env, run_cli, start_cli, wait_until


async def _stop(proc: asyncio.subprocess.Process, sig: int) -> tuple[int, str]:
    proc.send_signal(sig)
    _, err = await asyncio.wait_for(proc.communicate(), 15)
    return int(proc.returncode or 0), err.decode()


async def test_serve_answers_signed_help_and_stops_on_sigterm(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/s.db",
        LOG_LEVEL="DEBUG",
    )
    proc, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    port = re.search(r":(\d+)/slack/events", line)
    assert port is not None
    url = f"http://127.0.0.1:{port.group(1)}"
    try:
        status, body = await slack_http.signed(
            f"{url}/slack/events",
            emulator.signing_secret,
            "slash_commands",
            {
                "command": "/mle",
                "text": "help",
                "user_id": "U0ALICE",
                "team_id": "T0SANDBOX",
                "channel_id": "C0MLTEAM",
                "response_url": f"{emulator.base_url}/response/x",
            },
        )
        assert status == 200 and "/mle new <project name>" in body
        async with aiohttp.ClientSession() as session, session.get(f"{url}/healthz") as resp:
            assert (await resp.json())["database"] == "ok"
    finally:
        code, err = await _stop(proc, signal.SIGTERM)
    assert code == 0, err
    assert emulator.bot_token not in err and emulator.signing_secret not in err


async def test_socket_mode_process_connects_and_stops_on_sigint(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_APP_TOKEN=emulator.app_token,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/s.db",
    )
    proc, _ = await start_cli(["run"], env, tmp_path, "Socket Mode")
    try:
        await asyncio.wait_for(emulator.socket.connected.wait(), 10)
        result = await emulator.slash("help")
        assert "Usage:" in result.json()["text"]
    finally:
        code, err = await _stop(proc, signal.SIGINT)
    assert code == 0, err


async def test_port_zero_means_any_free_port(emulator: SlackEmulator, tmp_path: Path) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/s.db",
        PORT="3000",
    )
    proc, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    try:
        assert ":3000/" not in line
    finally:
        code, err = await _stop(proc, signal.SIGTERM)
    assert code == 0 and "WARNING" not in err, err
    assert "apscheduler" not in err  # its line per run of the pass is for DEBUG only


async def test_a_port_in_use_stops_serve_with_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        env = clean_env(
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_SIGNING_SECRET=emulator.signing_secret,
            SLACK_API_URL=emulator.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/s.db",
        )
        port = str(taken.getsockname()[1])
        code, out, err = await run_cli(
            "serve", "--host", "127.0.0.1", "--port", port, env=env, cwd=tmp_path
        )
    finally:
        taken.close()
    assert code == 2, err
    assert f"cannot listen on 127.0.0.1:{port}: the address is already in use" in err
    assert "Traceback" not in err


async def test_kill_9_mid_interview_then_restart_loses_and_doubles_nothing(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/k.db",
    )
    first, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    emulator.connect_http(line.split()[-1])
    await emulator.slash("new Survives kills")
    await wait_until(lambda: _asked(emulator) == 1)
    thread = _thread(emulator)
    await emulator.say("Cut churn by 2 points", thread_ts=thread)
    await wait_until(lambda: _asked(emulator) == 2)
    emulator.stall_next("chat.postMessage", 2.0)  # Q3 is held on its way to Slack ...
    await emulator.say("Spreadsheets", thread_ts=thread)
    await asyncio.sleep(0.5)
    first.kill()  # ... and the app dies: kill -9
    await first.communicate()
    await asyncio.sleep(2.0)
    assert _asked(emulator) == 2  # Q3 never reached Slack
    second, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    try:
        emulator.connect_http(line.split()[-1])
        # the restart takes over the dead process's claim at once: no pass, no waiting
        await wait_until(lambda: _asked(emulator) == 3, "Q3 after the restart", 5)
        await emulator.say("For the retention team", thread_ts=thread)
        await wait_until(lambda: _asked(emulator) == 4)
    finally:
        code, err = await _stop(second, signal.SIGTERM)
    asked = [
        m.text.split(" ")[0]
        for m in emulator.bot_posts("C0MLTEAM", thread)
        if m.text.startswith("Q")
    ]
    assert asked == ["Q1/12", "Q2/12", "Q3/12", "Q4/12"], asked
    with sqlite3.connect(tmp_path / "k.db") as conn:
        keys = [r[0] for r in conn.execute("SELECT question_key FROM answers ORDER BY id")]
    assert keys == ["success", "current_process", "why_and_for_whom"]


def _asked(emulator: SlackEmulator) -> int:
    return len([m for m in emulator.bot_posts("C0MLTEAM") if m.text.startswith("Q")])


def _thread(emulator: SlackEmulator) -> str:
    return next(m.ts for m in emulator.bot_posts("C0MLTEAM") if m.thread_ts is None)
