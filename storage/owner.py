"""Who holds a claim: one name per open store (a process, or a replica), made of the host,
the process id and the process's start time, so that a process on the same host can tell that
the owner of a claim has died (its pid is gone, or now belongs to a later process — a restarted
container's pid 1) without waiting for its heartbeat to lapse."""

from __future__ import annotations

import os
import socket
import uuid


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, Linux), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            # the command name (field 2) may hold spaces: count from its closing parenthesis
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def new_owner() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_started(pid) or '-'}:{uuid.uuid4().hex[:8]}"


def dead_here(owner: str) -> bool:
    """Whether `owner` was a process of this host that is no longer running. False when it
    cannot be told (another host, an unknown start time): its heartbeat decides then."""
    try:
        host, pid_text, started, _ = owner.rsplit(":", 3)
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname() or started == "-":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # running, as someone else
    return _started(pid) != started
