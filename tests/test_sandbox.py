"""The sandbox driven as a person would, through a pseudo-terminal."""

from __future__ import annotations

from pathlib import Path

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
