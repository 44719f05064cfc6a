"""Turn database rows into the row dataclasses.

Queries select `columns(cls)`, the dataclass's fields in order, so a row maps positionally;
a field typed `datetime` is stored as ISO-8601 text and read back as a `datetime`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, TypeVar, get_args, get_type_hints

from storage.timefmt import parse

T = TypeVar("T")


def columns(cls: Any) -> str:
    return ", ".join(f.name for f in dataclasses.fields(cls))


_TIMES: dict[Any, tuple[int, ...]] = {}


def _times(cls: Any) -> tuple[int, ...]:
    """The positions of the fields typed `datetime` (or `datetime | None`)."""
    found = _TIMES.get(cls)
    if found is None:
        hints = get_type_hints(cls)
        found = _TIMES[cls] = tuple(
            i
            for i, f in enumerate(dataclasses.fields(cls))
            if hints[f.name] is datetime or datetime in get_args(hints[f.name])
        )
    return found


def _build(cls: type[T], row: Any) -> T:
    times = _times(cls)
    if not times:
        return cls(*row)
    values = list(row)
    for i in times:
        if values[i] is not None:
            values[i] = parse(values[i])
    return cls(*values)


def to_row(cls: type[T], row: Any) -> T | None:
    return None if row is None else _build(cls, row)


def to_rows(cls: type[T], rows: Any) -> list[T]:
    return [_build(cls, r) for r in rows]


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
