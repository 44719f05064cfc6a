"""How services say "these people's Home tabs changed" without knowing about App Home."""

from __future__ import annotations

from collections.abc import Callable

Touch = Callable[..., None]  # (team_id, *user_ids)


def nobody(team_id: str, *users: str) -> None:
    """The default before App Home is wired in."""
