"""Find a project by name or slug. Commands resolve names first through
bot/projects/visibility.py (which suggests close names a person may see), so a service finds
what it is given; this message is for a project deleted in between."""

from __future__ import annotations

from bot.blocks import clip, esc
from bot.domain.names import name_key, slugify
from storage.rows import ProjectRow
from storage.store import Tx


def find_project(tx: Tx, team_id: str, name: str) -> ProjectRow | str:
    """The project, or a message saying it does not exist."""
    project = tx.projects.by_name(team_id, name_key(name), slugify(name))
    if project is not None:
        return project
    return f"No project called *{esc(clip(name, 100))}*."
