"""Turn database rows into the row dataclasses.

Queries select `columns(cls)`, the dataclass's fields in order, so a row maps positionally.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def columns(cls: Any) -> str:
    return ", ".join(f.name for f in dataclasses.fields(cls))


def to_row(cls: type[T], row: Any) -> T | None:
    return None if row is None else cls(*row)


def to_rows(cls: type[T], rows: Any) -> list[T]:
    return [cls(*r) for r in rows]


def by_team(keys: list[tuple[str, int]], size: int = 500) -> list[tuple[str, list[int]]]:
    """(team_id, id) pairs as per-team chunks of ids, for `team_id = ? AND id IN (…)`."""
    teams: dict[str, set[int]] = {}
    for team_id, item in keys:
        teams.setdefault(team_id, set()).add(item)
    chunks: list[tuple[str, list[int]]] = []
    for team_id, items in teams.items():
        ordered = sorted(items)
        chunks.extend((team_id, ordered[i : i + size]) for i in range(0, len(ordered), size))
    return chunks
