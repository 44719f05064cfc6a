"""The sandbox driven as a person would, through a pseudo-terminal."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from bot.models.form import read_add_metric
from bot.models.render import KpiHint, add_metric_modal
from sandbox.emulator.state import sandbox_workspace
from sandbox.forms import Form
from tests.processes import PtyProcess, clean_env


def test_sandbox_answers_mle_help_and_quits(tmp_path: Path) -> None:
    child = PtyProcess(["sandbox", "--db", str(tmp_path / "sandbox.db")], clean_env(), tmp_path)
    try:
        child.read_until("alice in #ml-team> ")
        child.type("/mle help")
        shown = child.read_until("alice in #ml-team> ")
        assert "only visible to you" in shown and "/mle new <project name>" in shown
        child.type("/mle nonsense")
        assert "I don't know the command `nonsense`" in child.read_until("alice in #ml-team> ")
        child.type(":user bob")
        child.read_until("bob in #ml-team> ")
        child.type(":quit")
    finally:
        code = child.close()
    assert code == 0
    assert (tmp_path / "sandbox.db").exists()


def test_make_run_without_credentials_opens_the_sandbox(tmp_path: Path) -> None:
    child = PtyProcess(["run"], clean_env(LOG_LEVEL="INFO"), tmp_path)
    try:
        child.read_until("MLE Coach sandbox")
        child.type(":quit")
        child.proc.wait(timeout=15)
        child.read_rest()
    finally:
        assert child.close() == 0
    assert "apscheduler" not in child.output  # the chat is not drowned in log lines


def _sandbox(tmp_path: Path) -> PtyProcess:
    child = PtyProcess(["sandbox", "--db", str(tmp_path / "s.db")], clean_env(), tmp_path)
    child.read_until("alice in #ml-team> ")
    return child


def _quit(child: PtyProcess) -> None:
    child.type(":quit")
    assert child.close() == 0


def test_mentions_open_tick_and_a_restart_keep_the_story_straight(tmp_path: Path) -> None:
    child = _sandbox(tmp_path)
    try:
        child.type("/mle new Churn radar")
        child.read_until("Q1/12")
        child.type(":open 1")
        opened = child.read_until("thread 1> ")
        assert "a new ML project" in opened and "Q1/12" in opened  # the thread is printed
        child.type("Cut churn by 2 points, says @carol")
        child.read_until("Q2/12")
        child.type("Spreadsheets")
        child.read_until("Q3/12")
        # a jump in time moves the app's clock too: the check-in and status agree
        child.type(":tick 2026-12-21T09:30Z")
        ticked = child.read_until("item(s)]")
        ticked += child.read_until("thread 1> ")
        assert "Stage: *planning*, day" in ticked
        child.type(":tick 2026-12-01T00:00Z")
        assert "time only moves forward" in child.read_until("thread 1> ")
        child.type("/mle status")
        status = child.read_until("thread 1> ")
    finally:
        _quit(child)
    day = re.search(r"Stage: \*planning\*, day (\d+)", ticked)
    assert day is not None and f"day {day.group(1)}" in status, status
    child = _sandbox(tmp_path)  # the sandbox again, on the same files
    try:
        child.type(":threads")
        assert "1. Churn radar: new ML project by @alice" in child.read_until("ml-team> ")
        child.type(":open 1")
        again = child.read_until("thread 1> ")
    finally:
        _quit(child)
    # @carol was sent as a mention of the emulated carol, shown back by name
    assert "Cut churn by 2 points, says @carol" in again and "Q3/12" in again
    with sqlite3.connect(tmp_path / "s.db") as conn:
        [(text,)] = conn.execute("SELECT text FROM answers WHERE question_key = 'success'")
    assert text == "Cut churn by 2 points, says <@U0CAROL>"


def test_the_sandbox_reads_a_file_or_nothing_as_its_keyboard(tmp_path: Path) -> None:
    script = tmp_path / "typed.txt"
    script.write_text("/mle help\n:quit\n")
    for source in (str(script), os.devnull):
        with open(source) as keyboard:
            done = subprocess.run(
                [sys.executable, "-m", "bot.cli", "sandbox", "--db", str(tmp_path / "s.db")],
                stdin=keyboard,
                capture_output=True,
                text=True,
                env=clean_env(),
                cwd=tmp_path,
                timeout=60,
            )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        if source != os.devnull:
            assert "Usage:" in done.stdout


def test_a_form_is_filled_in_field_by_field(tmp_path: Path) -> None:
    """The check-in's Blocked opens a form; the sandbox asks each field and submits it."""
    child = _sandbox(tmp_path)
    try:
        child.type("/mle new Churn radar")
        child.read_until("Q1/12")
        child.type(":tick 2026-11-30T09:30Z")
        shown = child.read_until("item(s)]")
        shown += child.read_until("ml-team> ")
        number = re.search(r"\[(\d+)\] Blocked", shown)
        assert number is not None, shown
        child.type(f":click {number.group(1)}")
        asked = child.read_until("form> ")
        assert "opened a form: Blocked" in asked and "What is in the way?" in asked
        child.type("")
        assert "This field is required." in child.read_until("form> ")
        child.type("Waiting for labelled chargeback data")
        assert "Who can unblock it?" in child.read_until("form> ")
        child.type("@nobody")
        assert "No such person" in child.read_until("form> ")
        child.type("@carol")
        sent = child.read_until("ml-team> ")
        assert "Form sent." in sent and "is blocked: “Waiting for labelled chargeback data”" in sent
        assert "@carol, you were named" in sent
    finally:
        _quit(child)


def test_a_shared_chart_is_saved_where_a_person_can_open_it(tmp_path: Path) -> None:
    child = _sandbox(tmp_path)
    try:
        child.type("/mle new Churn radar")
        child.read_until("Q1/12")
        child.type("/mle stats")
        shown = child.read_until("saved to ")
        if "ml-team> " not in shown.split("saved to ", 1)[1]:  # not in the same chunk
            shown += child.read_until("ml-team> ")
    finally:
        _quit(child)
    match = re.search(
        r"\[image: Why our ML projects fail — in this channel\] saved to (\S+)", shown
    )
    assert match is not None, shown
    saved = Path(match.group(1))
    saved = saved if saved.is_absolute() else tmp_path / saved
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_form_keeps_what_it_shows_already_chosen() -> None:
    """An empty line keeps a field's initial choice, person or text, as Slack's modal does."""
    view = add_metric_modal(
        1,
        "churn-lgbm",
        KpiHint(name="monthly churn", owner_id="U0CAROL", method="ab", direction="lower"),
    )
    form = Form.of("V1", view)
    workspace = sandbox_workspace()
    asked = []
    while not form.done:
        asked.append(form.question())
        typed = {"baseline": "4.1", "target": "3.8"}.get(form.inputs[form.index]["block_id"], "")
        assert form.answer(typed, workspace) is None, asked[-1]
    fields, errors = read_add_metric(form.values)
    assert errors == {}
    assert fields["name"] == "monthly churn" and fields["owner_id"] == "U0CAROL"
    assert (fields["method"], fields["direction"], fields["window_days"]) == ("ab", "lower", 30)
    assert any("(empty line keeps A/B test)" in line for line in asked)


def test_the_sandbox_clock_starts_where_it_is_told_and_never_goes_back(tmp_path: Path) -> None:
    """`--now` starts the clock (tests never depend on today's date); a sandbox whose saved
    clock is later keeps it; a malformed MLE_SANDBOX_NOW stops it with one line naming it."""
    db = str(tmp_path / "s.db")
    child = PtyProcess(["sandbox", "--db", db, "--now", "2031-03-03T08:00Z"], clean_env(), tmp_path)
    try:
        assert "clock reads 2031-03-03T08:0" in child.read_until("alice in #ml-team> ")
        child.type(":tick 2031-03-10T09:00Z")
        child.read_until("item(s)]")
        child.read_until("ml-team> ")
    finally:
        _quit(child)
    child = PtyProcess(["sandbox", "--db", db, "--now", "2031-03-03T08:00Z"], clean_env(), tmp_path)
    try:
        assert "clock reads 2031-03-10T09:0" in child.read_until("alice in #ml-team> ")
    finally:
        _quit(child)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "sandbox", "--db", db],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=clean_env(MLE_SANDBOX_NOW="next tuesday"),
        cwd=tmp_path,
        timeout=60,
    )
    assert done.returncode == 2 and "MLE_SANDBOX_NOW" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_one_edits_and_deletes_ones_own_messages_and_the_app_hears_it(tmp_path: Path) -> None:
    """`:edit <n>` and `:delete <n>` (n: your n-th latest message here) reach the app as
    Slack's `message_changed` / `message_deleted`: the answer is updated, then withdrawn."""
    child = _sandbox(tmp_path)
    try:
        child.type("/mle new Churn radar")
        child.read_until("Q1/12")
        child.type(":open 1")
        child.read_until("thread 1> ")
        child.type("Cut churn by 2 points")
        child.read_until("Q2/12")
        child.read_until("thread 1> ")
        child.type(":user bob")
        child.read_until("bob in #ml-team › thread 1> ")
        child.type(":edit 1 not mine to change")
        refused = child.read_until("thread 1> ")
        assert "no message of yours" in refused.lower(), refused
        child.type(":user alice")
        child.read_until("alice in #ml-team › thread 1> ")
        child.type(":edit 1 Cut churn by 3 points, says @carol")
        edited = child.read_until("thread 1> ")
        assert "Edited" in edited, edited
        with sqlite3.connect(tmp_path / "s.db") as conn:
            [(text,)] = conn.execute("SELECT text FROM answers WHERE question_key = 'success'")
        assert text == "Cut churn by 3 points, says <@U0CAROL>"
        child.type(":open 1")
        shown = child.read_until("thread 1> ")
        assert "(edited)" in shown and "Cut churn by 3 points, says @carol" in shown, shown
        child.type(":delete 1")
        assert "Deleted" in child.read_until("thread 1> ")
        with sqlite3.connect(tmp_path / "s.db") as conn:
            [(status,)] = conn.execute("SELECT status FROM answers WHERE question_key = 'success'")
        assert status == "withdrawn"
        child.type(":open 1")
        assert "Cut churn by 3 points" not in child.read_until("thread 1> ")
    finally:
        _quit(child)


def _seed_long_thread(tmp_path: Path, replies: int) -> None:
    """A sandbox whose saved Slack side holds one bot thread with `replies` replies."""
    parent_ts = "1700000000.000100"
    messages = [
        {
            "channel": "C0MLTEAM",
            "ts": parent_ts,
            "text": "Long story: a thread",
            "user": "U0BOTUSER",
            "bot_id": "B0BOTID",
        }
    ]
    for n in range(1, replies + 1):
        messages.append(
            {
                "channel": "C0MLTEAM",
                "ts": f"1700000001.{n:06d}",
                "text": f"reply number {n}",
                "user": "U0BOB",
                "thread_ts": parent_ts,
            }
        )
    state = {"version": 1, "clock_offset": 0.0, "messages": {"C0MLTEAM": messages}}
    (tmp_path / "s.db.slack.json").write_text(json.dumps(state), encoding="utf-8")


def test_open_pages_a_long_thread_and_more_shows_the_rest(tmp_path: Path) -> None:
    _seed_long_thread(tmp_path, 74)
    child = _sandbox(tmp_path)
    try:
        child.type(":open 1")
        first = child.read_until("thread 1> ")
        assert "Long story" in first and "reply number 1\r\n" in first
        assert "reply number 74" not in first
        more = re.search(r"… (\d+) more: `:more`", first)
        assert more is not None, first
        shown = [int(n) for n in re.findall(r"reply number (\d+)", first)]
        assert int(more.group(1)) == 74 - len(shown)
        while "`:more`" in first:
            child.type(":more")
            first = child.read_until("thread 1> ")
            shown += [int(n) for n in re.findall(r"reply number (\d+)", first)]
        assert shown == list(range(1, 75))  # every reply once, in order
        child.type(":more")
        assert "nothing more" in child.read_until("thread 1> ").lower()
    finally:
        _quit(child)


def test_user_creates_a_person_who_can_then_take_part(tmp_path: Path) -> None:
    child = _sandbox(tmp_path)
    try:
        child.type(":user maya")
        made = child.read_until("maya in #ml-team> ")
        assert "No person" not in made and "maya" in made
        child.type("/mle new Maya radar")
        assert "owned by @maya" in child.read_until("Q1/12")
        child.read_until("maya in #ml-team> ")
        child.type(":user not a name!")
        assert "letters" in child.read_until("maya in #ml-team> ")
    finally:
        _quit(child)
    child = _sandbox(tmp_path)  # maya is still there after a restart
    try:
        child.type(":threads")
        assert "new ML project by @maya" in child.read_until("alice in #ml-team> ")
    finally:
        _quit(child)


def test_the_banner_says_what_a_restarted_sandbox_loaded(tmp_path: Path) -> None:
    db = str(tmp_path / "s.db")
    child = PtyProcess(["sandbox", "--db", db, "--now", "2031-03-03T08:00Z"], clean_env(), tmp_path)
    try:
        assert "Loaded" not in child.read_until("alice in #ml-team> ")
        child.type("/mle new Churn radar")
        child.read_until("Q1/12")
        child.type("/mle new Fraud radar")
        child.read_until("Q1/12")
    finally:
        _quit(child)
    child = PtyProcess(["sandbox", "--db", db], clean_env(), tmp_path)
    try:
        banner = child.read_until("alice in #ml-team> ")
    finally:
        _quit(child)
    assert "Loaded earlier data: 2 projects, 2 threads, clock at 2031-03-03T08:0" in banner, banner
