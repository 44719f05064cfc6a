"""`/mle delete` with confirmation, and `mle-coach backup` of a database being written to."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat
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


async def _migrated(tmp_path: Path) -> dict[str, str]:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/app.db")
    code, _, err = await run_cli("migrate", env=env, cwd=tmp_path)
    assert code == 0, err
    return env


def _refused(code: int, out: str, err: str, says: str) -> None:
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert says in err, err
    assert "backed up" not in out


async def test_backup_refuses_an_existing_file_and_leaves_it_as_it_was(
    sqlite_only: None, tmp_path: Path
) -> None:
    env = await _migrated(tmp_path)
    for content in (b"", b"precious notes\n"):
        target = tmp_path / f"kept-{len(content)}.txt"
        target.write_bytes(content)
        os.chmod(target, 0o644)
        code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
        _refused(code, out, err, "exists")
        assert target.read_bytes() == content
        assert stat.S_IMODE(target.stat().st_mode) == 0o644


async def test_backup_never_follows_a_symlink(sqlite_only: None, tmp_path: Path) -> None:
    env = await _migrated(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"")  # empty: the old check let an empty target through
    os.chmod(victim, 0o644)
    link = tmp_path / "link.db"
    link.symlink_to(victim)
    code, out, err = await run_cli("backup", str(link), env=env, cwd=tmp_path)
    _refused(code, out, err, "symbolic link")
    assert link.is_symlink() and victim.read_bytes() == b""
    assert stat.S_IMODE(victim.stat().st_mode) == 0o644
    # a dangling link is not created through either
    dangling = tmp_path / "dangling.db"
    dangling.symlink_to(tmp_path / "not-yet.db")
    code, out, err = await run_cli("backup", str(dangling), env=env, cwd=tmp_path)
    _refused(code, out, err, "symbolic link")
    assert dangling.is_symlink() and not (tmp_path / "not-yet.db").exists()


async def test_backup_refuses_a_fifo_and_a_device_and_leaves_them_be(
    sqlite_only: None, tmp_path: Path
) -> None:
    env = await _migrated(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # an open write never blocks
    try:
        code, out, err = await run_cli("backup", str(fifo), env=env, cwd=tmp_path, timeout=20)
        _refused(code, out, err, "not a regular file")
        assert stat.S_ISFIFO(fifo.lstat().st_mode)
        assert stat.S_IMODE(fifo.lstat().st_mode) == 0o644
        assert os.read(reader, 100) == b""  # nothing was written into it
    finally:
        os.close(reader)
    if os.geteuid() != 0:
        return  # making a device node needs root; the real /dev is never touched
    device = tmp_path / "null"  # a device node like /dev/null, in the test's directory
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    os.chmod(device, 0o666)
    code, out, err = await run_cli("backup", str(device), env=env, cwd=tmp_path)
    _refused(code, out, err, "not a regular file")
    assert stat.S_ISCHR(device.lstat().st_mode)
    assert stat.S_IMODE(device.lstat().st_mode) == 0o666


async def test_backup_refuses_a_missing_directory_and_creates_none(
    sqlite_only: None, tmp_path: Path
) -> None:
    env = await _migrated(tmp_path)
    target = tmp_path / "no" / "such" / "dir" / "copy.db"
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    _refused(code, out, err, "no directory")
    assert not (tmp_path / "no").exists()


async def test_a_failed_backup_removes_only_the_file_it_created(
    sqlite_only: None, tmp_path: Path
) -> None:
    (tmp_path / "bad.db").write_bytes(b"this is not a database, it is text " * 200)
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/bad.db")
    neighbour = tmp_path / "copy.db-journal"
    neighbour.write_bytes(b"someone else's")
    target = tmp_path / "copy.db"
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    _refused(code, out, err, "copy.db-journal")  # a side file of the name is someone else's
    assert neighbour.read_bytes() == b"someone else's" and not target.exists()
    neighbour.unlink()
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert code == 1 and "could not be copied" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not target.exists()
    assert os.listdir(tmp_path) == ["bad.db"]
