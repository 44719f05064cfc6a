"""A consistent copy of a live database, with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


def backup(source: str, target: str) -> int:
    """Copy `source` to a new file `target` (owner-only permissions); returns its size.
    Writers may keep going: the copy is a snapshot of one moment."""
    path = Path(target)
    if not Path(source).is_file():
        raise FileNotFoundError(f"there is no database at {source} (check DATABASE_URL)")
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{target} exists; choose a new file")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(target, 0o600)  # an empty file that was there keeps its mode otherwise
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        dst = sqlite3.connect(target)
        try:
            src.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        _remove(path)
        raise OSError(f"{source} could not be copied: {exc}") from None
    except BaseException:
        _remove(path)
        raise
    return path.stat().st_size


def _remove(path: Path) -> None:
    """Leave nothing half-written behind (the WAL side files included)."""
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
