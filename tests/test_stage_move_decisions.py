"""The stage-move decision, case by case, without a database or Slack."""

from __future__ import annotations

import pytest

from bot.bank_file import load_bank
from bot.domain.gates import Gate
from bot.domain.stage_move import AlreadyThere, Closed, GateClosed, Move, NotNext, decide_move
from bot.domain.stages import Stage

PLANNING = load_bank().questions("planning")
OPEN = Gate(())
SHUT = Gate(tuple(q for q in PLANNING if q.required)[:2])

CASES = [
    ("next with the gate open", Stage.PLANNING, "next", False, OPEN, Move),
    ("next with the gate closed", Stage.PLANNING, "next", False, SHUT, GateClosed),
    ("next forced past a closed gate", Stage.PLANNING, "next", True, SHUT, Move),
    ("the next stage by name", Stage.PLANNING, "scoping", False, OPEN, Move),
    ("a jump without --force", Stage.PLANNING, "development", False, OPEN, NotNext),
    ("a jump with --force", Stage.PLANNING, "development", True, OPEN, Move),
    ("back a stage without --force", Stage.SCOPING, "planning", False, OPEN, NotNext),
    ("back a stage with --force", Stage.SCOPING, "planning", True, OPEN, Move),
    ("where it already is", Stage.SCOPING, "scoping", True, OPEN, AlreadyThere),
    ("a closed project", Stage.CLOSED, "next", True, OPEN, Closed),
    ("from evaluation, next closes", Stage.EVALUATION, "next", False, OPEN, Move),
]


@pytest.mark.parametrize(
    ("what", "current", "target", "force", "gate", "expected"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_decision(
    what: str, current: Stage, target: str, force: bool, gate: Gate, expected: type
) -> None:
    assert isinstance(decide_move(current, target, force, gate), expected), what


def test_a_plain_move_is_not_forced() -> None:
    assert decide_move(Stage.PLANNING, "next", True, OPEN) == Move(
        Stage.SCOPING, forced=False, jump=False, skipped=(), missing=()
    )


def test_forcing_past_a_closed_gate_names_what_was_missing() -> None:
    move = decide_move(Stage.PLANNING, "next", True, SHUT)
    assert isinstance(move, Move) and move.forced and move.missing == SHUT.missing


def test_a_jump_names_the_stages_it_skips() -> None:
    move = decide_move(Stage.PLANNING, "deployment", True, OPEN)
    assert isinstance(move, Move) and move.forced and move.jump
    assert move.skipped == (Stage.SCOPING, Stage.EXPERIMENTATION, Stage.DEVELOPMENT)


def test_the_gate_names_the_missing_questions() -> None:
    refused = decide_move(Stage.PLANNING, "next", False, SHUT)
    assert refused == GateClosed(Stage.PLANNING, SHUT.missing)
