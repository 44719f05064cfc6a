"""Reading the question bank: the packaged one, or a workspace's own file (QUESTION_BANK)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from bot.domain.bank import BankError, QuestionBank, parse_bank


def load_bank(path: str | Path | None = None) -> QuestionBank:
    if path is None:
        text = resources.files("bot").joinpath("question_bank.yaml").read_text("utf-8")
        return parse_bank(text, "question_bank.yaml (built in)")
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise BankError(f"{path}: cannot be read ({exc.strerror})") from None
    return parse_bank(text, str(path))
