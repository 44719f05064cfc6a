"""`mle-coach copy-db`: a SQLite installation moved to PostgreSQL, verified, and usable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import psycopg

from sandbox.emulator import SlackEmulator
from storage.copy import TABLES
from tests.clock import ManualClock
from tests.conftest import START, running_app
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer
from tests.pg import fresh_schema
from tests.processes import clean_env, run_cli
from tests.test_models import mle


def _counts_sqlite(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def _counts_pg(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}".encode()).fetchone()[0]  # type: ignore[index]
            for t in TABLES
        }


async def test_copy_moves_everything_and_the_app_carries_on(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    source = tmp_path / "old.db"
    clock = ManualClock(START)
    async with running_app(emulator, f"sqlite:///{source}", clock=clock) as h:
        thread = await new_project(h)
        for question in PLANNING[:3]:
            await reply(h, thread, valid_answer(question))
        await mle(h, "deploy Churn reduction churn-v2 1.3")
        await mle(h, 'metric churn-v2 "monthly churn" 0.05 baseline=0.06 target=0.04')
        clock.at(START + timedelta(days=4, hours=2))  # Monday 10:00 Berlin: a check-in
        await h.runtime.services.scheduler_pass(clock())
        await h.idle()
    before = _counts_sqlite(source)
    assert before["answers"] == 3 and before["deliveries"] >= 1 and before["metric_values"] == 1

    with fresh_schema() as url:
        env = clean_env()
        code, out, err = await run_cli(
            "copy-db", "--from", f"sqlite:///{source}", "--to", url, env=env, cwd=tmp_path
        )
        assert code == 0, err
        assert f"copied {sum(before.values()):,} rows" in out and "verified" in out
        assert "mle:mle@" not in out  # the password is not printed
        assert _counts_pg(url) == before

        # a second copy into the now full database is refused and changes nothing
        code, _, err = await run_cli(
            "copy-db", "--from", f"sqlite:///{source}", "--to", url, env=env, cwd=tmp_path
        )
        assert code == 1 and "not empty" in err
        assert _counts_pg(url) == before

        # the app on PostgreSQL continues: the reply after the check-in is a note on it and
        # the pending question is asked again; the next reply answers it (new rows, new ids)
        asked = len(questions_asked(h, thread))
        async with running_app(emulator, url, clock=clock) as moved:
            await reply(moved, thread, "Still scoping the data, all fine")
            assert len(questions_asked(moved, thread)) == asked + 1
            await reply(moved, thread, valid_answer(PLANNING[3]))
            assert _counts_pg(url)["thread_notes"] == before["thread_notes"] + 1
            project = await moved.only_project()
            answers = await moved.read(
                lambda tx: tx.answers.for_project(project.team_id, project.id)
            )
            assert [a.question_key for a in answers] == [q.key for q in PLANNING[:4]]
            models = await moved.read(lambda tx: tx.models.for_project(project.team_id, project.id))
            assert [m.name for m in models] == ["churn-v2"]
            assert "Recorded" in await mle(moved, 'metric churn-v2 "monthly churn" 0.045')


async def test_copy_refuses_bad_sources_and_targets(tmp_path: Path) -> None:
    env = clean_env()
    missing = f"sqlite:///{tmp_path}/nothing.db"
    code, _, err = await run_cli(
        "copy-db", "--from", missing, "--to", "postgresql://x@localhost/db", env=env, cwd=tmp_path
    )
    assert code == 1 and "no SQLite database" in err
    code, _, err = await run_cli(
        "copy-db", "--from", missing, "--to", "sqlite:///other.db", env=env, cwd=tmp_path
    )
    assert code == 1 and "--to must be postgresql://" in err
    assert not (tmp_path / "other.db").exists()


async def test_copy_db_knows_every_table_of_the_schema(tmp_path: Path) -> None:
    """A table added by a migration but not to copy-db's list would be silently left behind."""
    import sqlite3

    from storage.open import open_store

    path = tmp_path / "schema.db"
    await (await open_store(f"sqlite:///{path}")).close()
    with sqlite3.connect(path) as conn:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    assert names == set(TABLES)
