"""What operators see: `GET /metrics` (Prometheus' text format) over real HTTP, in HTTP mode
and on METRICS_PORT in Socket Mode, and LOG_FORMAT=json logs. The database-derived gauges are
read on whichever engine the suite runs (MLE_TEST_BACKEND=postgresql for PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.redact import configure_logging
from sandbox.emulator import SlackEmulator
from storage.errors import DuplicateKey
from storage.timefmt import iso, parse
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.fake_mlflow import fake_mlflow
from tests.interviews import new_project
from tests.processes import clean_env, spawn_cli, start_cli, wait_until

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the check-ins: 10:00 Berlin
TEAM = "T0SANDBOX"

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def start() -> datetime:
    return START


def _parse(text: str) -> Samples:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def _scrape_url(url: str) -> tuple[str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as resp:
        assert resp.status == 200
        return resp.headers["Content-Type"], await resp.text()


async def scrape(h: Harness) -> Samples:
    content_type, text = await _scrape_url(h.url.replace("/slack/events", "/metrics"))
    assert content_type.startswith("text/plain; version=0.0.4")
    assert h.emulator.bot_token not in text and h.emulator.signing_secret not in text
    return _parse(text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_metrics_follow_the_outbox_the_inbox_and_slacks_429s(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    engine = "postgresql" if h.database.startswith("postgresql") else "sqlite"
    before = await scrape(h)
    assert value(before, "mle_coach_database_up", engine=engine) == 1
    await new_project(h, "Alpha")
    await h.idle()
    after_new = await scrape(h)
    assert (
        value(after_new, "mle_coach_posts_total", outcome="posted")
        >= value(before, "mle_coach_posts_total", outcome="posted") + 2
    )  # the project's parent message and its first question
    assert value(after_new, "mle_coach_outbox_oldest_ready_seconds") == 0

    # Monday's check-in: Slack answers 500, so its outcome is unknown and it waits
    h.emulator.fail_next("chat.postMessage", status=500, error="internal_error")
    clock.at(MONDAY)
    await h.runtime.services.scheduler_pass(MONDAY)
    await h.idle()
    clock.at(MONDAY + timedelta(minutes=10))  # no pass runs meanwhile
    stuck = await scrape(h)
    assert (
        value(stuck, "mle_coach_posts_total", outcome="unknown")
        == value(after_new, "mle_coach_posts_total", outcome="unknown") + 1
    )
    assert value(stuck, "mle_coach_outbox_rows", state="unknown") == 1
    # ready since its look-up became due (its next attempt): ten minutes less that wait
    [due] = await h.read(
        lambda tx: tx.conn.execute(
            "SELECT next_attempt_at FROM deliveries WHERE status = 'unknown'"
        ).fetchall()
    )
    waited = (clock.now - parse(str(due[0]))).total_seconds()
    assert 0 < waited <= 600
    assert value(stuck, "mle_coach_outbox_oldest_ready_seconds") == pytest.approx(waited)
    assert value(stuck, "mle_coach_outbox_oldest_claim_seconds") == 0  # nobody holds it
    # a poster holds it (claimed two minutes ago, and stuck since)
    held = clock.now - timedelta(minutes=2)
    [claimed] = await h.runtime.services.store.write(
        lambda tx: tx.deliveries.claim_ready(clock.now, held, 5, dead=held, held_at=held)
    )
    assert value(await scrape(h), "mle_coach_outbox_oldest_claim_seconds") == 120
    await h.runtime.services.store.write(lambda tx: tx.deliveries.release(claimed.id, clock.now))

    # the next pass posts it, through two 429s that each say wait 3 seconds
    h.emulator.fail_next(
        "chat.postMessage", status=429, error="ratelimited", retry_after=3, times=2
    )
    await h.runtime.tick()  # the scheduler's job: one pass, timed
    await h.idle()
    done = await scrape(h)
    assert value(done, "mle_coach_outbox_rows", state="unknown") == 0
    assert value(done, "mle_coach_outbox_oldest_ready_seconds") == 0
    assert value(done, "mle_coach_posts_total", outcome="posted") > value(
        stuck, "mle_coach_posts_total", outcome="posted"
    )
    assert value(done, "mle_coach_slack_rate_limited_total", method="chat.postMessage") == (
        value(stuck, "mle_coach_slack_rate_limited_total", method="chat.postMessage") + 2
    )
    assert value(done, "mle_coach_slack_retry_after_seconds_sum") == (
        value(stuck, "mle_coach_slack_retry_after_seconds_sum") + 6
    )
    assert value(done, "mle_coach_scheduler_pass_seconds_count") == (
        value(stuck, "mle_coach_scheduler_pass_seconds_count") + 1
    )

    # a request a crash left in the inbox, two minutes old
    now = clock.now
    row = await h.runtime.services.store.write(
        lambda tx: tx.inbox.record(TEAM, "crash:1", "command", "{}", now - timedelta(minutes=2))
    )
    assert row is not None
    waiting = await scrape(h)
    assert value(waiting, "mle_coach_inbox_waiting") == 1
    assert value(waiting, "mle_coach_inbox_oldest_waiting_seconds") == pytest.approx(120)
    await h.runtime.services.store.write(lambda tx: tx.inbox.done([row], now))
    cleared = await scrape(h)
    assert value(cleared, "mle_coach_inbox_waiting") == 0
    assert value(cleared, "mle_coach_inbox_oldest_waiting_seconds") == 0


async def test_metrics_count_models_and_the_last_good_mlflow_sync(
    timed: tuple[Harness, ManualClock],
) -> None:
    h, clock = timed
    await new_project(h, "Alpha")
    await h.emulator.slash("deploy Alpha churn-v2")
    await h.idle()
    samples = await scrape(h)
    assert value(samples, "mle_coach_models", source="slack", state="deployed") == 1
    assert value(samples, "mle_coach_models", source="mlflow", state="deployed") == 0
    assert ("mle_coach_mlflow_last_success_timestamp_seconds", ()) not in samples
    good, bad = clock.now - timedelta(minutes=30), clock.now - timedelta(minutes=10)
    store = h.runtime.services.store
    await store.write(lambda tx: tx.registry.record(TEAM, good, json.dumps({"matched": []})))
    failing = {"error": "HTTP 503", "good_at": iso(good)}
    await store.write(lambda tx: tx.registry.record(TEAM, bad, json.dumps(failing)))
    samples = await scrape(h)
    assert value(samples, "mle_coach_mlflow_last_success_timestamp_seconds") == good.timestamp()


async def test_metrics_time_each_mlflow_sync_and_say_when_one_last_read_the_registry(
    emulator: SlackEmulator, database: str
) -> None:
    clock = ManualClock(START)
    async with fake_mlflow() as fake:
        settings = {"MLFLOW_TRACKING_URI": fake.url}
        async with running_app(emulator, database, clock, settings=settings) as h:
            await new_project(h, "Alpha")
            for name in ("m1", "m2"):
                fake.add(name, "Alpha")
            before = await scrape(h)
            registry = h.runtime.services.registry
            await h.runtime.services.scheduler_pass(clock.now)
            await asyncio.wait_for(registry.settle(), 10)
            good = await scrape(h)
            assert value(good, "mle_coach_models", source="mlflow", state="deployed") == 2
            assert value(good, "mle_coach_mlflow_sync_seconds_count", outcome="ok") == (
                value(before, "mle_coach_mlflow_sync_seconds_count", outcome="ok") + 1
            )
            assert value(good, "mle_coach_mlflow_last_success_timestamp_seconds") == (
                clock.now.timestamp()
            )
            synced_at = clock.now
            fake.search_body = b"[1,2,3]"  # the next period's sync cannot read the registry
            clock.advance(minutes=10)
            await h.runtime.services.scheduler_pass(clock.now)
            await asyncio.wait_for(registry.settle(), 10)
            bad = await scrape(h)
            assert value(bad, "mle_coach_mlflow_sync_seconds_count", outcome="error") == (
                value(good, "mle_coach_mlflow_sync_seconds_count", outcome="error") + 1
            )
            assert value(bad, "mle_coach_mlflow_last_success_timestamp_seconds") == (
                synced_at.timestamp()
            )
            assert value(bad, "mle_coach_models", source="mlflow", state="deployed") == 2


async def test_metrics_expose_no_token_or_request_body(harness: Harness) -> None:
    h = harness
    await new_project(h, "Secret sauce")
    await h.emulator.slash("status xoxb-not-a-real-token")  # a body that goes nowhere
    await h.idle()
    text = (await _scrape_url(h.url.replace("/slack/events", "/metrics")))[1]
    for secret in (h.emulator.bot_token, h.emulator.signing_secret, "Secret sauce", "xoxb-"):
        assert secret not in text


async def test_metrics_count_units_postgresql_ran_again(harness: Harness) -> None:
    h = harness
    if not h.database.startswith("postgresql"):
        pytest.skip("only PostgreSQL runs a unit again (SQLite writes one unit at a time)")
    import psycopg

    def retried(samples: Samples) -> float:
        return value(
            samples, "mle_coach_store_units_retried_total", engine="postgresql", reason="unique_key"
        )

    before = retried(await scrape(h))
    insert = (
        "INSERT INTO inbox (team_id, request_key, kind, body, received_at, attempts) "
        "VALUES ('T0RACE', 'race', 'event', '', '2026-11-26T08:00:00.000000Z', 0)"
    )
    other = psycopg.connect(h.database)  # another replica's transaction, not committed yet
    watch = psycopg.connect(h.database, autocommit=True)
    try:
        other.execute(insert)
        racing = asyncio.create_task(
            h.runtime.services.store.write(lambda tx: tx.conn.execute(insert).rowcount)
        )

        def blocked() -> bool:
            row = watch.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = 'mle-coach' "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            return row is not None and row[0] >= 1

        await wait_until(blocked, "the app's insert waiting for the other transaction")
        other.commit()  # the key is taken: the app's unit loses the race and runs again
        with pytest.raises(DuplicateKey):
            await racing
    finally:
        other.close()
        watch.close()
    assert retried(await scrape(h)) == before + 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(emulator: SlackEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    """A process's environment: the emulator as Slack, a SQLite file, and `extra`."""
    return clean_env(
        SLACK_BOT_TOKEN=emulator.bot_token,
        SLACK_API_URL=emulator.api_url,
        DATABASE_URL=f"sqlite:///{tmp_path}/s.db",
        **extra,
    )


def _socket_env(emulator: SlackEmulator, tmp_path: Path, port: int) -> dict[str, str]:
    """Socket Mode with its metrics on `port`."""
    return _env(
        emulator,
        tmp_path,
        SLACK_APP_TOKEN=emulator.app_token,
        HOST="127.0.0.1",
        METRICS_PORT=str(port),
    )


async def test_socket_mode_serves_metrics_on_metrics_port(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    port = _free_port()
    env = _socket_env(emulator, tmp_path, port)
    proc, line = await start_cli(["socket"], env, tmp_path, "Socket Mode")
    try:
        assert f"metrics on http://127.0.0.1:{port}/metrics" in line
        await asyncio.wait_for(emulator.socket.connected.wait(), 10)
        _, text = await _scrape_url(f"http://127.0.0.1:{port}/metrics")
        samples = _parse(text)
        assert value(samples, "mle_coach_database_up", engine="sqlite") == 1
        assert value(samples, "mle_coach_inbox_waiting") == 0
        assert emulator.app_token not in text and emulator.bot_token not in text
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0, err.decode()


async def test_socket_mode_serves_metrics_and_stops_while_slack_cannot_be_reached(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    """Slack unreachable (nothing listens at its address): the metrics answer all the same,
    and SIGTERM stops the process while it is still trying to connect."""
    port, dead = _free_port(), _free_port()
    env = _socket_env(emulator, tmp_path, port)
    env["SLACK_API_URL"] = f"http://127.0.0.1:{dead}/api/"
    proc = await spawn_cli(["socket"], env, tmp_path)
    try:

        async def answers() -> bool:
            try:
                await _scrape_url(f"http://127.0.0.1:{port}/metrics")
            except aiohttp.ClientError:
                return False
            return True

        for _ in range(100):
            if await answers():
                break
            await asyncio.sleep(0.1)
        _, text = await _scrape_url(f"http://127.0.0.1:{port}/metrics")
        assert value(_parse(text), "mle_coach_database_up", engine="sqlite") == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    assert proc.returncode == 0, err.decode()[-2000:]


async def test_json_logs_are_one_object_a_line_without_tokens(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = _env(
        emulator,
        tmp_path,
        SLACK_SIGNING_SECRET=emulator.signing_secret,
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",  # slack_sdk logs its requests, with the token's header, at DEBUG
    )
    proc, line = await start_cli(
        ["serve", "--host", "127.0.0.1", "--port", "0"], env, tmp_path, "listening on"
    )
    try:
        emulator.connect_http(line.split()[-1])
        result = await emulator.slash("help")
        assert result.status == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(proc.communicate(), 15)
    lines = err.decode().splitlines()
    assert len(lines) > 3
    for line in lines:
        entry = json.loads(line)
        assert {"time", "level", "logger", "message"} <= entry.keys(), entry
        datetime.fromisoformat(entry["time"])
    assert emulator.bot_token not in err.decode()
    assert emulator.signing_secret not in err.decode()


def test_a_json_log_line_carries_the_exception_redacted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    token = "xoxb-1234-5678-abcdefabcdef"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        configure_logging("INFO", [token], json_lines=True)
        try:
            raise RuntimeError(f"the call with {token}\nfailed")
        except RuntimeError:
            logging.getLogger("bot.test").exception("posting failed for %s", token)
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err
    [line] = err.splitlines()
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "bot.test"
    assert entry["message"] == "posting failed for xoxb-***"
    assert "RuntimeError" in entry["exc"] and token not in line
