"""Numbered SQL migrations, one folder per engine (`sqlite/`, `postgres/`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def available(engine: str = "sqlite") -> list[Migration]:
    """The engine's packaged migrations in order; versions must run 1, 2, 3 … without gaps."""
    folder = resources.files("storage.migrations").joinpath(engine)
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text("utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise RuntimeError(f"migration {migration.name} breaks the sequence at {expected}")
    return found
