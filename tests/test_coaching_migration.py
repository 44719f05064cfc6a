"""A database made before the coaching change (schema 7) still reads: answers typed the old
way, the evaluation interview in progress when `significance` moved to deployment, a no-go
stored as the bare choice."""

from __future__ import annotations

import sqlite3

from sandbox.emulator.server import SlackEmulator
from storage.sqlite import migrate
from storage.sqlite.database import Database
from tests.conftest import running_app
from tests.interviews import questions_asked

NOW = "2026-11-20T09:00:00.000000Z"
EVALUATION_THREAD = "1763629200.000100"
SCOPING_THREAD = "1763629200.000200"


def _old_rows(conn: sqlite3.Connection) -> None:
    """Two projects as schema 7 left them."""
    conn.execute("INSERT INTO workspaces (team_id, created_at) VALUES ('T0SANDBOX', ?)", (NOW,))
    for pid, name, stage, thread in (
        (1, "Churn model", "evaluation", EVALUATION_THREAD),
        (2, "Fraud alerts", "scoping", SCOPING_THREAD),
    ):
        conn.execute(
            "INSERT INTO projects (id, team_id, name, name_key, slug, channel_id, thread_ts, "
            "owner_id, tz, stage, stage_entered_at, created_at) VALUES "
            "(?, 'T0SANDBOX', ?, ?, ?, 'C0MLTEAM', ?, 'U0ALICE', 'UTC', ?, ?, ?)",
            (pid, name, name.lower(), name.lower().replace(" ", "-"), thread, stage, NOW, NOW),
        )
        conn.execute(
            "INSERT INTO stage_history (team_id, project_id, stage, entered_at, entered_by) "
            "VALUES ('T0SANDBOX', ?, ?, ?, 'U0ALICE')",
            (pid, stage, NOW),
        )
    # the evaluation interview waits at its 4th question (drift, after significance)
    conn.execute(
        "INSERT INTO interviews (team_id, project_id, stage, position, status, question_ts, "
        "post_state, started_at) VALUES ('T0SANDBOX', 1, 'evaluation', 3, 'active', "
        "'1763629300.000100', 'posted', ?)",
        (NOW,),
    )
    answers = [
        (1, "evaluation", "kpi_now", "Churn 3.9% vs 4.1% baseline, A/B"),
        (1, "evaluation", "significance", "20k users per arm, 4 weeks"),
        (1, "evaluation", "benefit_vs_cost", "yes"),
        (2, "scoping", "go_no_go", "no-go"),  # the old way: the choice alone
    ]
    for i, (pid, stage, key, text) in enumerate(answers, start=1):
        conn.execute(
            "INSERT INTO answers (team_id, project_id, stage, question_key, status, text, "
            "author_id, message_ts, created_at, updated_at) VALUES "
            "('T0SANDBOX', ?, ?, ?, 'answered', ?, 'U0BOB', ?, ?, ?)",
            (pid, stage, key, text, f"1763629400.00000{i}", NOW, NOW),
        )


async def test_a_database_from_before_the_coaching_change_still_reads(
    db_path: str, sqlite_only: None, emulator: SlackEmulator
) -> None:
    db = await Database(db_path).open()
    try:
        await db.on_writer(lambda c: migrate.apply(c, target=7))
        await db.write(_old_rows)
    finally:
        await db.close()
    async with running_app(emulator, f"sqlite:///{db_path}") as h:
        rows = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", 1))
        assert {(a.stage, a.question_key) for a in rows} == {
            ("evaluation", "kpi_now"),
            ("deployment", "significance"),  # moved where it is asked now
            ("evaluation", "benefit_vs_cost"),
        }
        interview = await h.read(lambda tx: tx.interviews.get("T0SANDBOX", 1, "evaluation"))
        assert interview is not None and interview.position == 2 and interview.reask is None
        # the pending question is still drift: a reply answers it
        message, _ = await emulator.say(
            "PSI on the top features, retrain above 0.2",
            user="U0BOB",
            thread_ts=EVALUATION_THREAD,
        )
        await h.idle()
        rows = await h.read(lambda tx: tx.answers.for_project("T0SANDBOX", 1, "evaluation"))
        assert {a.question_key: a.text for a in rows}["drift"] == message.text
        assert questions_asked(h, EVALUATION_THREAD)[-1].startswith("Q4/7 ")
        # the no-go stored the old way still closes the scoping gate
        await emulator.slash("stage fraud-alerts next")
        await h.idle()
        said = emulator.ephemerals_for("U0ALICE")[-1].text
        assert "decided *no-go*" in said and "<@U0BOB>" in said
        # status reads every old answer
        await emulator.slash("status churn-model")
        await h.idle()
        status = emulator.ephemerals_for("U0ALICE")[-1]
        assert "Churn 3.9% vs 4.1% baseline" in str(status.blocks)
