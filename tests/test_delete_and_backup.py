"""`/mle delete` with confirmation, and `mle-coach backup` of a database being written to."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from tests.conftest import Harness
from tests.interviews import PLANNING, new_project, reply, valid_answer
from tests.processes import clean_env, run_cli

TABLES = (
    "projects",
    "answers",
    "interviews",
    "thread_notes",
    "stage_history",
    "models",
    "business_metrics",
    "metric_values",
    "schedules",
    "deliveries",
)


async def _count(h: Harness, table: str) -> int:
    return await h.runtime.services.store.read(
        lambda tx: tx.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    )


async def test_delete_asks_first_and_removes_everything(harness: Harness) -> None:
    h = harness
    thread = await new_project(h, "Doomed", user="U0BOB")
    await reply(h, thread, valid_answer(PLANNING[0]))
    await new_project(h, "Survivor")
    await h.emulator.slash("deploy doomed doomed-model", user="U0BOB")
    await h.idle()  # the metric after the deploy's answer, as a person types them
    await h.emulator.slash('metric doomed-model "revenue" 5 baseline=4', user="U0BOB")
    await h.idle()
    await h.emulator.slash("delete Doomed", user="U0CAROL")
    await h.idle()
    assert "Only the owner" in h.emulator.ephemerals_for("U0CAROL")[-1].text
    await h.emulator.slash("delete Doomed", user="U0BOB")
    await h.idle()
    ask = h.emulator.ephemerals_for("U0BOB")[-1]
    assert "cannot be undone" in ask.text
    await h.emulator.click_ephemeral(ask, "project_delete_cancel", user="U0BOB")
    await h.idle()
    assert await _count(h, "projects") == 2
    await h.emulator.click_ephemeral(ask, "project_delete_confirm", user="U0BOB")
    await h.idle()
    assert "Deleted *Doomed*" in h.emulator.ephemerals_for("U0BOB")[-1].text
    names = await h.read(lambda tx: tx.projects.all_names("T0SANDBOX"))
    assert names == ["Survivor"]
    for table in ("answers", "models", "business_metrics", "metric_values"):
        assert await _count(h, table) == 0, table
    assert await _count(h, "schedules") == 1  # the survivor's check-ins


async def test_backup_while_writing_is_consistent_and_restorable(
    harness: Harness, tmp_path: Path, sqlite_only: None
) -> None:
    h = harness
    stop = asyncio.Event()

    async def keep_writing() -> None:
        i = 0
        while not stop.is_set():
            await h.emulator.slash(f"new Busy project {i}")
            i += 1

    writer = asyncio.create_task(keep_writing())
    await asyncio.sleep(0.5)
    target = tmp_path / "backup.db"
    env = clean_env(DATABASE_URL=h.database)
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    await asyncio.sleep(0.3)
    stop.set()
    await writer
    await h.idle()
    assert code == 0, err
    assert "backed up" in out
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        projects = conn.execute("SELECT COUNT(*) FROM projects").fetchone()[0]
        interviews = conn.execute("SELECT COUNT(*) FROM interviews").fetchone()[0]
        assert projects >= 1 and interviews == projects  # written together, copied together
    assert (target.stat().st_mode & 0o077) == 0
    code, out, _ = await run_cli(
        "migrate", env=clean_env(DATABASE_URL=f"sqlite:///{target}"), cwd=tmp_path
    )
    assert code == 0 and "nothing to do" in out
