"""Running on PostgreSQL: the CLI (migrate, the password kept out of output, unreachable
servers, the SQLite-only backup refusing clearly) and sessions the server drops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.config import load_settings
from sandbox.emulator import SlackEmulator
from storage.postgres.migrate import migrations
from tests.conftest import running_app
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer
from tests.pg import fresh_schema
from tests.processes import clean_env, run_cli


def test_a_postgresql_url_is_accepted() -> None:
    settings = load_settings(DATABASE_URL="postgresql://mle:secret@db.internal:5432/mle")
    assert settings.postgres and settings.DATABASE_POOL_SIZE == 10


async def test_migrate_on_postgresql_hides_the_password(tmp_path: Path) -> None:
    with fresh_schema() as url:
        env = clean_env(DATABASE_URL=url)
        code, out, err = await run_cli("migrate", env=env, cwd=tmp_path)
        assert code == 0, err
        assert f"schema version {len(migrations())}" in out and "0001_initial.sql" in out
        userinfo = url.split("://", 1)[1].split("@", 1)[0]
        if ":" in userinfo:
            assert f"{userinfo}@" not in out and ":***@" in out
        code, out, _ = await run_cli("migrate", env=env, cwd=tmp_path)
        assert code == 0 and "nothing to do" in out


async def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL="postgresql://mle:secret@127.0.0.1:1/mle")
    code, out, err = await run_cli("migrate", env=env, cwd=tmp_path)
    assert code != 0
    assert "Traceback" not in err and "secret" not in err
    assert "PostgreSQL" in err and "127.0.0.1" in err


async def test_backup_explains_pg_dump_for_postgresql(tmp_path: Path) -> None:
    env = clean_env(DATABASE_URL="postgresql://mle@localhost/mle")
    code, _, err = await run_cli("backup", str(tmp_path / "b.db"), env=env, cwd=tmp_path)
    assert code == 1 and "pg_dump" in err
    assert not (tmp_path / "b.db").exists()


def test_the_database_password_is_redacted_from_logs() -> None:
    from bot.cli import _secrets

    settings = load_settings(DATABASE_URL="postgresql://mle:p%40ss-word@db.internal/mle")
    assert {"p%40ss-word", "p@ss-word"} <= set(_secrets(settings))
    assert _secrets(load_settings(DATABASE_URL="sqlite:///x.db")) == []


def _drop_app_sessions(admin: Any) -> int:
    """End every session of the app, as a server restart would; how many there were."""
    return len(
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
            "application_name = 'mle-coach' AND pid <> pg_backend_pid()"
        ).fetchall()
    )


async def test_connections_the_server_dropped_lose_no_answer(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    """Every session of the app is terminated (as a server restart would); the next reply
    is recorded all the same."""
    import psycopg

    with fresh_schema() as url:
        async with running_app(emulator, url) as h:
            thread = await new_project(h)
            await reply(h, thread, valid_answer(PLANNING[0]))
            with psycopg.connect(url, autocommit=True) as admin:
                assert _drop_app_sessions(admin)  # the app had sessions open
            await reply(h, thread, valid_answer(PLANNING[1]))
            project = await h.only_project()
            answers = await h.read(lambda tx: tx.answers.for_project(project.team_id, project.id))
            assert [a.question_key for a in answers] == [q.key for q in PLANNING[:2]]
            assert len(questions_asked(h, thread)) == 3


async def test_without_the_driver_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    from storage.errors import Unavailable
    from storage.open import open_store

    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("storage.postgres")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    with pytest.raises(Unavailable, match=r"mle-coach\[postgres\]"):
        await open_store("postgresql://mle@localhost/mle")


async def test_healthz_says_503_soon_when_the_database_is_unreachable(
    emulator: SlackEmulator,
) -> None:
    import time

    import aiohttp
    import psycopg

    with fresh_schema() as url:
        async with running_app(emulator, url) as h:
            healthz = h.url.replace("/slack/events", "/healthz")
            async with aiohttp.ClientSession() as session:
                async with session.get(healthz) as resp:
                    assert resp.status == 200
                database = url.rsplit("/", 1)[1].split("?")[0]
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute(f"ALTER DATABASE {database} CONNECTION LIMIT 0".encode())
                    try:
                        _drop_app_sessions(admin)
                        started = time.monotonic()
                        async with session.get(healthz) as resp:
                            body = await resp.json()
                            assert resp.status == 503 and body["database"] == "unavailable"
                        assert time.monotonic() - started < 10
                    finally:
                        admin.execute(f"ALTER DATABASE {database} CONNECTION LIMIT -1".encode())
                async with session.get(healthz) as resp:
                    assert resp.status == 200  # back as soon as the database is


async def test_a_waiting_home_publish_is_claimed_only_after_a_change_that_found_it() -> None:
    """A change that finds its person's Home publish already waiting queues none (that one
    will show it), so the poster must not claim and compose that publish before the change
    is committed: the waiting row is locked until then (PostgreSQL runs them side by side;
    SQLite's single writer orders them)."""
    import asyncio
    import threading
    from datetime import UTC, datetime, timedelta

    from bot.scheduling import outbox
    from storage.open import open_store

    with fresh_schema() as url:
        store = await open_store(url, pool_size=4)
        try:
            now = datetime.now(UTC)
            waiting = outbox.home_tab("T1", "U1", now, now)
            assert await store.write(lambda tx: tx.deliveries.add_unless_pending(waiting))
            found, release = threading.Event(), threading.Event()

            def change(tx: Any) -> bool:
                added = tx.deliveries.add_unless_pending(
                    outbox.home_tab("T1", "U1", now, now + timedelta(seconds=5))
                )
                found.set()
                release.wait(10)  # the rest of the change, still uncommitted
                return bool(added)

            def claim(tx: Any) -> list[str]:
                ready = tx.deliveries.claim_ready(now + timedelta(seconds=1), now, 10)
                return [row.kind for row in ready]

            changing = asyncio.create_task(store.write(change))
            assert await asyncio.to_thread(found.wait, 10)
            assert await store.write(claim) == []  # not while the change is open
            release.set()
            assert await changing is False  # it found the waiting one
            assert await store.write(claim) == ["home"]  # now, composed after the change
        finally:
            release.set()
            await store.close()
