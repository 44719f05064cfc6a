"""A consistent copy of a live database, with SQLite's online backup API.

The copy goes only into a regular file this call creates: an existing file, a device, a FIFO,
a symbolic link (even a dangling one) or a missing directory is refused, and nothing it did not
create is ever changed or removed."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

SIDE_FILES = ("-wal", "-shm", "-journal")


class BackupRefused(Exception):
    """The target is not a new file in an existing directory; nothing was touched."""


def backup(source: str, target: str) -> int:
    """Copy `source` to a new file `target` (owner-only permissions); returns its size.
    Writers may keep going: the copy is a snapshot of one moment."""
    if not Path(source).is_file():
        raise FileNotFoundError(f"there is no database at {source} (check DATABASE_URL)")
    _refuse_unless_new(target)
    made = _create(target)
    try:
        _copy(source, target, made)
    except sqlite3.Error as exc:
        _remove_own(target, made)
        raise OSError(f"{source} could not be copied: {exc}") from None
    except BaseException:
        _remove_own(target, made)
        raise
    return os.stat(target, follow_symlinks=False).st_size


def _refuse_unless_new(target: str) -> None:
    """A clear reason for the usual mistakes; `_create`'s O_EXCL|O_NOFOLLOW is the real guard."""
    path = Path(target)
    parent = path.parent
    if not parent.is_dir():
        raise BackupRefused(f"{target}: there is no directory {parent}; create it first")
    for name in (target, *(target + side for side in SIDE_FILES)):
        try:
            mode = os.lstat(name).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise BackupRefused(f"{name} is a symbolic link; give a new file's own path")
        if not stat.S_ISREG(mode):
            raise BackupRefused(f"{name} exists and is not a regular file; choose a new file")
        raise BackupRefused(f"{name} exists; choose a new file")


def _create(target: str) -> os.stat_result:
    """The new file, created by this call alone (never through a link); its identity."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(target, flags, 0o600)
    except FileExistsError:
        raise BackupRefused(f"{target} exists; choose a new file") from None
    except FileNotFoundError:
        raise BackupRefused(f"{target}: there is no directory {Path(target).parent}") from None
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        return os.fstat(fd)
    finally:
        os.close(fd)


def _is_ours(name: str, made: os.stat_result) -> bool:
    try:
        now = os.stat(name, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return stat.S_ISREG(now.st_mode) and (now.st_dev, now.st_ino) == (made.st_dev, made.st_ino)


def _copy(source: str, target: str, made: os.stat_result) -> None:
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        if not _is_ours(target, made):
            raise BackupRefused(f"{target} was replaced while the backup started; nothing copied")
        # mode=rw: SQLite opens the file just created and never creates one itself
        dst = sqlite3.connect(f"file:{_uri_path(target)}?mode=rw", uri=True)
        try:
            src.execute("PRAGMA busy_timeout = 10000")
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = WAL")
        finally:
            dst.close()
    finally:
        src.close()
    if not _is_ours(target, made):
        raise BackupRefused(f"{target} was replaced during the backup")


def _uri_path(target: str) -> str:
    return os.path.abspath(target).replace("%", "%25").replace("?", "%3f").replace("#", "%23")


def _remove_own(target: str, made: os.stat_result) -> None:
    """Leave nothing half-written behind: the file this call created and the side files SQLite
    made beside it (none existed before: `_refuse_unless_new`), never anything else."""
    if _is_ours(target, made):
        os.unlink(target)
    for side in SIDE_FILES:
        name = target + side
        try:
            mode = os.lstat(name).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISREG(mode) and os.lstat(name).st_uid == made.st_uid:
            os.unlink(name)
