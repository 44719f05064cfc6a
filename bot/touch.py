"""How services say "these people's Home tabs changed" without knowing about App Home: in
the transaction of the change, so the publish it queues is as durable as the change."""

from __future__ import annotations

from typing import Protocol

from storage.store import Tx


class Touch(Protocol):
    def __call__(self, tx: Tx, team_id: str, *users: str) -> None: ...


def nobody(tx: Tx, team_id: str, *users: str) -> None:
    """The default before App Home is wired in."""
