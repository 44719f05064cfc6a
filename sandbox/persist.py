"""The sandbox's Slack side kept on disk beside its database: messages and threads (with
reactions and metadata), the people added with `:user` and the emulated clock, so a
restarted sandbox shows the threads its database refers to."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from sandbox import people
from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message, sandbox_workspace

VERSION = 1


def state_path(database_path: str) -> Path:
    return Path(f"{database_path}.slack.json")


def save(emulator: SlackEmulator, path: Path) -> None:
    data = {
        "version": VERSION,
        "clock_offset": emulator.clock.offset,
        "users": people.added(emulator.workspace, sandbox_workspace(emulator.workspace.team_id)),
        "messages": {
            channel: [dataclasses.asdict(m) for m in messages]
            for channel, messages in emulator.workspace.messages.items()
        },
    }
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(data), encoding="utf-8")
    os.replace(scratch, path)  # a crash mid-write leaves the previous file whole


def load(emulator: SlackEmulator, path: Path) -> int:
    """Restore what `save` wrote; returns how many messages came back (0 without a file or
    with one this version cannot read)."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return 0
    people.restore(emulator.workspace, data.get("users"))  # absent in files from before
    fields = {f.name for f in dataclasses.fields(Message)}
    count = 0
    for channel, messages in (data.get("messages") or {}).items():
        if channel not in emulator.workspace.channels:
            continue
        restored = [Message(**{k: v for k, v in m.items() if k in fields}) for m in messages]
        emulator.workspace.messages[channel] = []
        for message in restored:
            emulator.workspace.add_message(message)
            emulator.clock.after(message.ts)
        count += len(restored)
    emulator.clock.offset = float(data.get("clock_offset") or 0.0)
    return count
