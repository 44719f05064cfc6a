"""People added to the sandbox's workspace while it runs (`:user maya`), kept across restarts."""

from __future__ import annotations

import re
from typing import Any

from sandbox.emulator.state import User, Workspace

PERSON_NAME = re.compile(r"[a-z][a-z0-9._-]{0,20}")


def add_person(ws: Workspace, name: str, user_id: str | None = None) -> User:
    """A new person in the workspace, a member of its public channels (as someone who joins
    a Slack workspace is of #general)."""
    if user_id is None:
        base = "U0" + re.sub(r"[^A-Z0-9]", "", name.upper())
        user_id, n = base, 1
        while user_id in ws.users:
            n += 1
            user_id = f"{base}{n}"
    user = ws.add_user(user_id, name)
    for channel in ws.channels.values():
        if not channel.is_private:
            channel.members.add(user_id)
    return user


def added(ws: Workspace, default: Workspace) -> list[dict[str, Any]]:
    """The people of `ws` that `default` (the sandbox's starting workspace) does not have."""
    return [
        {"id": u.id, "name": u.name}
        for u in ws.users.values()
        if u.id not in default.users and not u.is_bot
    ]


def restore(ws: Workspace, saved: Any) -> None:
    """Add back the people `added` listed; malformed or clashing entries are skipped."""
    for entry in saved if isinstance(saved, list) else []:
        if not isinstance(entry, dict):
            continue
        user_id, name = entry.get("id"), entry.get("name")
        if not isinstance(user_id, str) or not isinstance(name, str):
            continue
        if user_id in ws.users or ws.user_by_name(name) or not PERSON_NAME.fullmatch(name):
            continue
        add_person(ws, name, user_id)
