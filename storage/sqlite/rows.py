"""Turn sqlite3 rows into the row dataclasses."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import Any, TypeVar

T = TypeVar("T")


def columns(cls: Any) -> str:
    return ", ".join(f.name for f in dataclasses.fields(cls))


def to_row(cls: type[T], row: sqlite3.Row | None) -> T | None:
    if row is None:
        return None
    names: Any = cls
    return cls(**{f.name: row[f.name] for f in dataclasses.fields(names)})


def to_rows(cls: type[T], rows: Any) -> list[T]:
    names: Any = cls
    fields = [f.name for f in dataclasses.fields(names)]
    return [cls(**{name: r[name] for name in fields}) for r in rows]
