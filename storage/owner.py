"""Who holds a claim: one name per open store (a process, or a replica), made of where it runs
(the host, its boot and its pid namespace), the process id and the process's start time, so
that a process in the same place can tell that the owner of a claim has died (its pid is gone,
or now belongs to a later process — a restarted container's pid 1) without waiting for its
heartbeat to lapse. Anywhere else (another host, another container sharing the host name)
only the heartbeat tells."""

from __future__ import annotations

import os
import socket
import uuid


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as file:
            return file.read().strip() or None
    except OSError:
        return None


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, Linux), None where unknown."""
    stat = _read(f"/proc/{pid}/stat")
    try:  # the command name (field 2) may hold spaces: count from its closing parenthesis
        return stat.rsplit(")", 1)[1].split()[19] if stat else None
    except IndexError:
        return None


def _place() -> str | None:
    """This host, this boot, this pid namespace; None where they cannot be read."""
    boot = _read("/proc/sys/kernel/random/boot_id")
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        return None
    if boot is None:
        return None
    digits = "".join(ch for ch in namespace if ch.isdigit())
    return f"{socket.gethostname()}/{boot[:8]}/{digits}"


def new_owner() -> str:
    pid = os.getpid()
    return f"{_place() or socket.gethostname()}:{pid}:{_started(pid) or '-'}:{uuid.uuid4().hex[:8]}"


def dead_here(owner: str) -> bool:
    """Whether `owner` was a process of this place (host, boot and pid namespace) that is no
    longer running. False when it cannot be told: its heartbeat decides then."""
    place = _place()
    try:
        where, pid_text, started, _ = owner.rsplit(":", 3)
        pid = int(pid_text)
    except ValueError:
        return False
    if place is None or where != place or started == "-":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # running, as someone else
    now_started = _started(pid)
    return now_started is not None and now_started != started
