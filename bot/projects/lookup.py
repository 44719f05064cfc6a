"""Find a project by name or slug, with a helpful message when there is none."""

from __future__ import annotations

import difflib

from bot.blocks import clip
from bot.domain.names import name_key, slugify
from storage.rows import ProjectRow
from storage.store import Tx


def find_project(tx: Tx, team_id: str, name: str) -> ProjectRow | str:
    """The project, or a message saying it does not exist and suggesting close names."""
    project = tx.projects.by_name(team_id, name_key(name), slugify(name))
    if project is not None:
        return project
    names = tx.projects.all_names(team_id)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(f'*{n}*' for n in close)}?" if close else ""
    return f"No project called *{clip(name, 100)}*.{hint}"
