"""Attacks from inside a workspace, each through the real HTTP path (signed like Slack, or
not): what the app refuses, what it logs, what it leaves behind."""

from __future__ import annotations

import logging
import os
import stat
import time
from pathlib import Path

import aiohttp
import pytest

from bot.models import render as model_render
from sandbox.emulator.state import View
from tests import slack_http
from tests.conftest import Harness
from tests.interviews import new_project
from tests.processes import clean_env, run_cli
from tests.test_inbox import _execute


def _posted_text(h: Harness) -> str:
    return "\n".join(m.text for m in h.emulator.bot_posts())


@pytest.mark.parametrize(
    "name",
    [
        "<!channel> launch",
        "<!here> quick",
        "<!everyone>",
        "<!subteam^S123|@team> plan",
        "<https://evil.example/login|Click to verify>",
        "<@U0BOB> owns this",
        "\u200b",
        "\u200b\u200d\u2060",
    ],
)
async def test_a_project_name_that_would_broadcast_link_or_show_nothing_is_refused(
    harness: Harness, name: str
) -> None:
    result = await harness.emulator.slash(f'new "{name}"')
    await harness.idle()
    assert result.status == 200
    answer = result.json()["text"]
    assert "visible character" in answer or "can't hold a mention, an @channel" in answer
    assert harness.emulator.bot_posts() == []
    assert _execute(harness.database, "SELECT COUNT(*) FROM projects") == [(0,)]


async def test_typing_at_channel_in_a_name_is_refused(harness: Harness) -> None:
    """With `should_escape`, Slack sends what a person typed as `@channel` as `<!channel>`."""
    result = await harness.emulator.slash("new <!channel> launch party")
    assert "can't hold a mention" in result.json()["text"]
    assert "<!channel>" not in _posted_text(harness)


async def test_model_and_metric_names_are_held_to_the_same_rule(harness: Harness) -> None:
    await new_project(harness, "Churn")
    deploy = await harness.emulator.slash('deploy Churn "<!here> model"')
    await harness.idle()
    assert "can't hold a mention" in harness.emulator.ephemerals_for("U0ALICE")[-1].text
    assert deploy.status == 200
    await harness.emulator.slash("deploy Churn churn-lgbm")
    await harness.idle()
    metric = await harness.emulator.slash('metric churn-lgbm "<!everyone> churn" 0.04')
    assert "can't hold a mention" in metric.json()["text"]
    assert "<!here>" not in _posted_text(harness)
    assert "<!everyone>" not in _posted_text(harness)


def _lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records]


async def test_a_refused_request_is_one_line_without_its_body(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = (
        "token=legacy-verification-token&command=%2Fmle&text=secret+plans"
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F2%2F3"
        "%0A2026-11-26 INFO bot.admin: granted admin to U0EVE"
    )
    status, _ = await slack_http.post(
        harness.url,
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": str(int(time.time())),
            "X-Slack-Signature": "v0=" + "0" * 64,
        },
    )
    assert status == 401
    logged = "\n".join(_lines(caplog))
    for secret in ("legacy-verification-token", "secret", "hooks.slack.com", "granted admin"):
        assert secret not in logged, logged
    [line] = [m for m in _lines(caplog) if "refused a request" in m]
    assert "bad signature" in line and f"{len(body.encode())} bytes" in line and "sha256" in line


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=abc"}, "timestamp"),
        ({}, "no signature"),
        ({"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=abc"}, "stale"),
    ],
)
async def test_any_unverifiable_request_is_401_before_its_body_is_read(
    harness: Harness, caplog: pytest.LogCaptureFixture, headers: dict[str, str], reason: str
) -> None:
    nested = "[" * 1000 + "]" * 1000  # unsigned JSON that would break a recursive parser
    status, _ = await slack_http.post(
        harness.url, nested, {"Content-Type": "application/json", **headers}
    )
    assert status == 401
    assert not any(r.exc_info for r in caplog.records)
    assert any(reason in m for m in _lines(caplog) if "refused a request" in m)


async def test_twenty_unsigned_megabyte_posts_grow_the_log_by_a_line_each(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    big = "x" * (1024 * 1024 - 100)
    for _ in range(20):
        status, _ = await slack_http.post(harness.url, big, {"Content-Type": "application/json"})
        assert status == 401
    assert sum(len(m) for m in _lines(caplog)) < 20 * 300


async def test_a_newline_in_what_someone_typed_cannot_forge_a_log_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("bot.test").info("name: %s", "ok\n2026-11-26 ERROR forged line")
    from bot.redact import RedactingFilter

    record = caplog.records[-1]
    RedactingFilter([]).filter(record)
    assert "\n" not in record.getMessage() and "\\n2026" in record.getMessage()


async def test_healthz_is_503_while_the_database_takes_no_writes(harness: Harness) -> None:
    url = harness.url.replace("/slack/events", "/healthz")
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as resp:
            assert resp.status == 200
        _refuse_writes(harness.database)
        try:
            async with session.get(url) as resp:
                body = await resp.json()
                assert resp.status == 503 and body["database"] == "not writable"
        finally:
            _allow_writes(harness.database)
        async with session.get(url) as resp:
            assert resp.status == 200


def _refuse_writes(database: str) -> None:
    if database.startswith("postgresql"):
        _execute(
            database,
            "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'No space left on device'; END $$",
            "CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE ON processed_events "
            "FOR EACH ROW EXECUTE FUNCTION disk_full()",
        )
    else:
        for op in ("INSERT", "UPDATE"):
            _execute(
                database,
                f"CREATE TRIGGER disk_full_{op.lower()} BEFORE {op} ON processed_events "
                "BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END",
            )


def _allow_writes(database: str) -> None:
    if database.startswith("postgresql"):
        _execute(
            database, "DROP TRIGGER disk_full ON processed_events", "DROP FUNCTION disk_full()"
        )
    else:
        _execute(database, "DROP TRIGGER disk_full_insert", "DROP TRIGGER disk_full_update")


async def test_backup_is_owner_only_and_never_onto_an_existing_file(
    sqlite_only: None, tmp_path: Path
) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/app.db")
    code, _, err = await run_cli("migrate", env=env, cwd=tmp_path)
    assert code == 0, err
    target = tmp_path / "copy.db"
    target.touch()
    os.chmod(target, 0o644)
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert code == 2 and "exists" in err, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # someone else's file is left alone
    target.unlink()
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_backup_of_a_missing_database_is_one_line_and_leaves_nothing(
    sqlite_only: None, tmp_path: Path
) -> None:
    env = clean_env(DATABASE_URL=f"sqlite:///{tmp_path}/nowhere.db")
    target = tmp_path / "copy.db"
    code, out, err = await run_cli("backup", str(target), env=env, cwd=tmp_path)
    assert code == 1
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "no database at" in err
    assert not target.exists()


async def test_model_names_that_read_the_same_are_refused_and_a_form_acts_on_its_model(
    harness: Harness,
) -> None:
    h = harness
    await new_project(h, "Alpha")
    await h.emulator.slash('deploy Alpha "churn v2"')
    await h.idle()  # the second after the first's answer, as a person types them
    await h.emulator.slash("deploy Alpha churn_v2")
    await h.idle()
    # the same model written another way: no second model, it says which one it is
    said = h.emulator.ephemerals_for("U0ALICE")[-1].text
    assert said == "*churn v2* is already deployed; nothing changed."
    await new_project(h, "Beta")
    await h.emulator.slash("deploy Beta churn_v2")
    await h.idle()
    assert "reads the same as the model *churn v2*" in h.emulator.ephemerals_for("U0ALICE")[-1].text
    # a look-alike left by an older version (the slug migration gave it a slug of its own)
    [project] = [
        p
        for p in await h.read(lambda tx: tx.projects.in_channel("T0SANDBOX", "C0MLTEAM"))
        if p.name == "Alpha"
    ]
    _execute(
        h.database,
        "INSERT INTO models (team_id, project_id, name, name_key, slug, deployed_at, "
        f"deployed_by) VALUES ('T0SANDBOX', {project.id}, 'churn-v2', 'churn-v2', "
        "'churn-v2-99', '2026-11-01T00:00:00Z', 'U0ALICE')",
    )
    [(target,)] = _execute(h.database, "SELECT id FROM models WHERE name = 'churn v2'")
    view = model_render.add_metric_modal(target, "churn v2", model_render.KpiHint())
    h.emulator.workspace.views["V0FORM"] = View("V0FORM", "U0ALICE", view, "modal")
    submitted = await h.emulator.submit_view(
        "V0FORM",
        {
            "metric_name": {"value": {"type": "plain_text_input", "value": "monthly churn"}},
            "baseline": {"value": {"type": "number_input", "value": "0.05"}},
            "target": {"value": {"type": "number_input", "value": "0.04"}},
            "owner": {"value": {"type": "users_select", "selected_user": "U0BOB"}},
            "method": {"value": {"type": "static_select", "selected_option": {"value": "ab"}}},
            "direction": {
                "value": {"type": "static_select", "selected_option": {"value": "lower"}}
            },
        },
    )
    await h.idle()
    assert submitted.status == 200
    rows = _execute(
        h.database,
        "SELECT m.name FROM business_metrics b JOIN models m ON m.id = b.model_id",
    )
    assert rows == [("churn v2",)]


async def test_the_slug_migration_gives_look_alike_models_slugs_of_their_own(
    sqlite_only: None, db_path: str
) -> None:
    from storage.sqlite import migrate
    from storage.sqlite.database import Database
    from storage.sqlite.store import SqliteStore

    before = next(m.version for m in migrate.available() if m.name.endswith("model_slugs.sql"))
    db = await Database(db_path).open()
    try:
        await db.on_writer(lambda c: migrate.apply(c, target=before - 1))
    finally:
        await db.close()
    now = "2026-11-01T00:00:00Z"
    _execute(
        f"sqlite:///{db_path}",
        "INSERT INTO projects (id, team_id, name, name_key, slug, channel_id, owner_id, tz, "
        f"stage, stage_entered_at, created_at) VALUES (1, 'T1', 'Alpha', 'alpha', 'alpha', "
        f"'C1', 'U1', 'UTC', 'deployment', '{now}', '{now}')",
        *(
            "INSERT INTO models (team_id, project_id, name, name_key, slug, deployed_at, "
            f"deployed_by) VALUES ('T1', 1, '{name}', '{name}', '{slug}', '{now}', 'U1')"
            for name, slug in (
                ("churn v2", "churn-v2"),
                ("churn_v2", "churn-v2"),
                ("churn-v2", "churn-v2"),
                ("legacy", ""),
            )
        ),
    )
    store = await SqliteStore.open(db_path)  # migrates to the newest version
    await store.close()
    rows = _execute(f"sqlite:///{db_path}", "SELECT name, slug FROM models ORDER BY id")
    assert rows[0] == ("churn v2", "churn-v2")  # the first keeps its slug
    slugs = [slug for _, slug in rows]
    assert len(set(slugs)) == 4 and all(slugs)


async def test_a_private_channels_project_is_invisible_outside_it(harness: Harness) -> None:
    h = harness
    emulator = h.emulator
    emulator.workspace.add_channel(
        "G0MERGER",
        "merger",
        is_private=True,
        members=("U0ALICE", emulator.workspace.bot_user_id),
    )
    thread = await new_project(h, "Secret Merger Model", channel="G0MERGER")
    await emulator.say("Acquire Initech; cut 30% of staff", channel="G0MERGER", thread_ts=thread)
    await h.idle()

    async def typed(text: str, user: str, channel: str = "C0MLTEAM") -> str:
        result = await emulator.slash(text, user=user, channel=channel)
        await h.idle()
        body = result.json().get("text") if result.body.strip().startswith("{") else None
        shown = emulator.ephemerals_for(user)
        return body or (shown[-1].text + "".join(str(b) for b in shown[-1].blocks or []))

    # bob is not in the private channel: the project does not exist for him
    for text in (
        "status Secret Merger Model",
        "status secret merger",
        "stage Secret Merger Model next",
        "checkin Secret Merger Model mon 10:00",
        "deploy Secret Merger Model m1",
        "delete Secret Merger Model",
    ):
        answer = await typed(text, "U0BOB")
        assert "No project called" in answer, (text, answer)
        assert "Did you mean" not in answer and "Initech" not in answer, answer
    nothing = await typed("status Nothing Like It", "U0BOB")
    assert nothing.startswith("No project called *Nothing Like It*.")
    # alice is a member: from anywhere she sees it, and so does anyone in the channel itself
    assert "Initech" in await typed("status Secret Merger Model", "U0ALICE")
    assert "Did you mean *Secret Merger Model*" in await typed("status secret merger", "U0ALICE")
    # its model is invisible to bob as well
    await typed("deploy Secret Merger Model merger-scorer", "U0ALICE", "G0MERGER")
    answer = await typed("metric merger-scorer revenue 1", "U0BOB")
    assert answer.startswith("No deployed model called *merger-scorer*.")
    assert "merger-scorer" in await typed("metric merger-scorr revenue 1", "U0ALICE")


async def test_a_name_two_models_answer_to_asks_which_one(harness: Harness) -> None:
    h = harness
    await new_project(h, "Alpha")
    await h.emulator.slash('deploy Alpha "churn v2"')  # slug churn-v2
    await h.idle()
    project = await h.only_project()
    _execute(  # an older look-alike, named what the first one's slug reads
        h.database,
        "INSERT INTO models (team_id, project_id, name, name_key, slug, deployed_at, "
        f"deployed_by) VALUES ('T0SANDBOX', {project.id}, 'churn-v2', 'churn-v2', "
        "'churn-v2-99', '2026-11-01T00:00:00Z', 'U0ALICE')",
    )
    await h.emulator.slash("metric churn-v2 revenue 1")
    await h.idle()
    text = h.emulator.ephemerals_for("U0ALICE")[-1].text
    assert text.startswith("Which one?") and "*churn v2* (`churn-v2`)" in text, text
    assert "*churn-v2* (`churn-v2-99`)" in text
    assert _execute(h.database, "SELECT COUNT(*) FROM business_metrics") == [(0,)]
    await h.emulator.slash("metric churn-v2-99 revenue 1")  # named by its slug: that one
    await h.idle()
    rows = _execute(
        h.database, "SELECT m.name FROM business_metrics b JOIN models m ON m.id = b.model_id"
    )
    assert rows == [("churn-v2",)]
