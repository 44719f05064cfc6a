"""A consistent copy of a live database, with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup(source: str, target: str) -> int:
    """Copy `source` to a new file `target` (owner-only permissions); returns its size.
    Writers may keep going: the copy is a snapshot of one moment."""
    path = Path(target)
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{target} exists; choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.execute("PRAGMA busy_timeout = 10000")
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = WAL")
    finally:
        dst.close()
        src.close()
    return path.stat().st_size
