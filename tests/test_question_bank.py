"""The question bank file and answer reading (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.bank_file import load_bank
from bot.cli import main
from bot.domain.answers import Parsed, Rejected, read_answer
from bot.domain.bank import BankError, Kind, Question
from bot.domain.reading import Quantity, read_duration, read_quantity


def test_built_in_bank_covers_every_stage_and_cites_sources() -> None:
    bank = load_bank()
    for stage in (
        "planning",
        "scoping",
        "experimentation",
        "development",
        "deployment",
        "evaluation",
    ):
        assert bank.questions(stage), stage
        assert any(q.required for q in bank.questions(stage))
    assert any(q.sets and q.sets.value == "time_box" for q in bank.questions("scoping"))


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "bank.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _builtin() -> dict:
    return yaml.safe_load((Path(__file__).parent.parent / "bot" / "question_bank.yaml").read_text())


def test_invalid_bank_names_file_entry_and_problem(tmp_path: Path) -> None:
    data = _builtin()
    data["stages"]["scoping"][2]["kind"] = "colour"
    path = _write(tmp_path, data)
    with pytest.raises(BankError) as exc:
        load_bank(path)
    message = str(exc.value)
    assert str(path) in message and "scoping › question 3 (data_check)" in message
    assert "kind" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["stages"].pop("evaluation"), "stage evaluation has no questions"),
        (lambda d: d["stages"]["planning"][1].update(key="success"), "repeated"),
        (lambda d: d["stages"]["planning"][0].update(why="because"), "must cite a source"),
        (lambda d: d["stages"]["scoping"][6].update(choices=[]), "at least two choices"),
        (lambda d: d["stages"]["scoping"][6].update(risk_if="no"), "risk_if is for kind: text"),
        (lambda d: d["stages"]["scoping"][5].update(risk_if=True), "risk_if"),  # YAML's bare yes
    ],
)
def test_bank_rules(tmp_path: Path, change, expected: str) -> None:  # type: ignore[no-untyped-def]
    data = _builtin()
    change(data)
    with pytest.raises(BankError, match=expected):
        load_bank(_write(tmp_path, data))


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="cannot be read"):
        load_bank(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("stages: [unclosed")
    with pytest.raises(BankError, match="not valid YAML"):
        load_bank(broken)


def test_invalid_custom_bank_stops_start_up_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _builtin()
    data["stages"]["planning"][0]["required"] = "perhaps"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QUESTION_BANK", str(_write(tmp_path, data)))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret-for-test")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert (
        len(err) == 1 and "QUESTION_BANK" in err[0] and "planning › question 1 (success)" in err[0]
    )


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("2 weeks", 14),
        ("10 days", 10),
        ("3w", 21),
        ("1 month", 30),
        ("a week", 7),
        ("1.5 weeks", 10),
        ("14D", 14),
        ("soon", None),
        ("0 days", None),
        ("500 days", None),
        ("2 weeks please", 14),  # as people write it: one reader for every duration
        ("", None),
    ],
)
def test_durations(text: str, days: int | None) -> None:
    assert read_duration(text) == days


def test_numbers() -> None:
    assert read_quantity("1,200") == Quantity(1200.0)
    assert read_quantity("4.5%") == Quantity(4.5, "%")
    assert read_quantity("4,5") == Quantity(4.5)  # (the second parser read 45)
    for bad in ("nan", "inf", "-inf", "twelve", ""):
        assert read_quantity(bad) is None


def test_read_answer_by_kind() -> None:
    user_q = Question(key="owner", text="Who owns it?", why="[W11]", kind=Kind.USER)
    assert read_answer(user_q, "<@U0BOB>") == Parsed("<@U0BOB>", user="U0BOB")
    assert isinstance(read_answer(user_q, "bob"), Rejected)
    choice_q = Question(key="go", text="Go?", why="[W4]", kind=Kind.CHOICE, choices=("go", "no-go"))
    assert read_answer(choice_q, "NO-GO") == Parsed("NO-GO", choice="no-go")
    assert isinstance(read_answer(choice_q, "maybe"), Rejected)
