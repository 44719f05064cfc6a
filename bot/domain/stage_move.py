"""Whether a project may move to another stage: pure, from its stage, the request and its
gate. The service applies a `Move` (after checking who may force it) or explains a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.bank import Question
from bot.domain.gates import Gate, NoGo
from bot.domain.stages import ORDER, Stage, next_stage


@dataclass(frozen=True)
class Closed:
    """The project is closed (or past its last stage): nothing comes next."""


@dataclass(frozen=True)
class AlreadyThere:
    stage: Stage


@dataclass(frozen=True)
class NotNext:
    """A jump over stages without `--force`."""

    dest: Stage
    upcoming: Stage


@dataclass(frozen=True)
class GateClosed:
    stage: Stage
    missing: tuple[Question, ...]


@dataclass(frozen=True)
class NoGoDecided:
    """A go / no-go question of the stage was answered `no-go`: the way forward is closed
    (the owner's `--force` still opens it)."""

    stage: Stage
    no_go: NoGo


@dataclass(frozen=True)
class Move:
    dest: Stage
    forced: bool  # a jump or a closed gate overridden: only the owner or an admin may
    jump: bool  # not to the next stage (forward over stages, or back)
    skipped: tuple[Stage, ...]  # stages jumped over (their questions never asked)
    missing: tuple[Question, ...]  # required answers of the stage left that were missing


MoveDecision = Closed | AlreadyThere | NotNext | NoGoDecided | GateClosed | Move


def decide_move(current: Stage, target: str, force: bool, gate: Gate) -> MoveDecision:
    """`target` is `next` or a stage name the parser accepted."""
    upcoming = next_stage(current)
    if current is Stage.CLOSED or upcoming is None:
        return Closed()
    dest = upcoming if target == "next" else Stage(target)
    if dest is current:
        return AlreadyThere(current)
    jumping = dest is not upcoming
    if not force:
        if jumping:
            return NotNext(dest, upcoming)
        if gate.no_go is not None and ORDER.index(dest) > ORDER.index(current):
            return NoGoDecided(current, gate.no_go)
        if gate.missing:
            return GateClosed(current, gate.missing)
    forward = ORDER.index(dest) > ORDER.index(current)
    forced = force and (jumping or bool(gate.missing) or (gate.no_go is not None and forward))
    between = ORDER[ORDER.index(current) + 1 : ORDER.index(dest)] if jumping else []
    return Move(
        dest=dest,
        forced=forced,
        jump=jumping,
        skipped=tuple(between),
        missing=gate.missing if forced else (),
    )
