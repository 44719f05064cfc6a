"""The emulated workspace: users, channels, messages, views, and the record of every call."""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    id: str
    name: str
    tz: str = "Europe/Berlin"
    is_admin: bool = False
    is_bot: bool = False
    team_id: str = "T0SANDBOX"
    email: str = ""  # empty: `<name>@example.com`

    @property
    def address(self) -> str:
        return self.email or f"{self.name}@example.com"

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.name.title(),
            "tz": self.tz,
            "tz_label": self.tz,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_bot": self.is_bot,
            "deleted": False,
            "profile": {
                "display_name": self.name,
                "real_name": self.name.title(),
                "email": self.address,
            },
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    members: set[str] = field(default_factory=set)

    def to_api(self, viewer: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": viewer in self.members,
        }


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    user: str
    bot_id: str | None = None
    thread_ts: str | None = None
    blocks: list[dict[str, Any]] | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    metadata: dict[str, Any] | None = None
    edited: bool = False
    deleted: bool = False
    files: list[str] = field(default_factory=list)  # ids of files shared with the message

    def to_api(self, *, with_metadata: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
        }
        if self.bot_id:
            data["bot_id"] = self.bot_id
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if self.blocks:
            data["blocks"] = self.blocks
        if with_metadata and self.metadata:
            data["metadata"] = self.metadata
        return data


@dataclass
class Ephemeral:
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None


@dataclass
class View:
    id: str
    user: str
    view: dict[str, Any]
    kind: str  # "modal" or "home"


@dataclass
class Call:
    """One Web API call as the emulator saw it."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class Clock:
    """Message timestamps: seconds since the epoch, strictly increasing, unique; ids unique
    across runs too, as Slack's are (an app remembers event and trigger ids it has seen).

    `offset` moves the emulated wall clock (the sandbox's `:tick <time>` jumps it)."""

    def __init__(self) -> None:
        self._last = 0
        self._counter = itertools.count(1)
        self._run = uuid.uuid4().hex[:8].upper()
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def set(self, moment: float) -> None:
        """The emulated wall clock reads `moment` now, and runs on from there."""
        self.offset = moment - time.time()

    def next_ts(self) -> str:
        micros = max(int(self.now() * 1_000_000), self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def after(self, ts: str) -> None:
        """Never hand out a ts at or before `ts` (messages restored from an earlier run)."""
        seconds, _, micros = ts.partition(".")
        self._last = max(self._last, int(seconds) * 1_000_000 + int(micros or 0))

    def next_id(self, prefix: str) -> str:
        return f"{prefix}{self._run}{next(self._counter):06d}"


@dataclass
class UploadedFile:
    """A file uploaded with the current flow: reserved, its bytes sent, then completed."""

    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    shared: bool = False


@dataclass
class Workspace:
    team_id: str = "T0SANDBOX"
    team_name: str = "sandbox"
    bot_user_id: str = "U0BOTUSER"
    bot_id: str = "B0BOTID"
    app_id: str = "A0APPID"
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: dict[str, list[Message]] = field(default_factory=dict)
    ephemerals: list[Ephemeral] = field(default_factory=list)
    views: dict[str, View] = field(default_factory=dict)
    home_views: dict[str, View] = field(default_factory=dict)
    files: dict[str, UploadedFile] = field(default_factory=dict)
    # (channel, ts) → message, so a lookup costs the same in a long history as in a new one
    # (Slack's does; a scan made every reaction and thread reply slower as a bench went on)
    _by_ts: dict[tuple[str, str], Message] = field(default_factory=dict, repr=False)

    def add_message(self, message: Message) -> Message:
        self.messages.setdefault(message.channel, []).append(message)
        self._by_ts[(message.channel, message.ts)] = message
        return message

    def add_user(self, user_id: str, name: str, **kwargs: Any) -> User:
        user = User(user_id, name, team_id=self.team_id, **kwargs)
        self.users[user_id] = user
        return user

    def add_channel(
        self, channel_id: str, name: str, *, members: tuple[str, ...] = (), **kwargs: Any
    ) -> Channel:
        channel = Channel(channel_id, name, members=set(members), **kwargs)
        self.channels[channel_id] = channel
        self.messages.setdefault(channel_id, [])
        return channel

    def channel_by_name(self, name: str) -> Channel | None:
        name = name.lstrip("#")
        return next((c for c in self.channels.values() if c.name == name), None)

    def user_by_name(self, name: str) -> User | None:
        name = name.lstrip("@")
        return next((u for u in self.users.values() if u.name == name), None)

    def find_message(self, channel: str, ts: str) -> Message | None:
        return self._by_ts.get((channel, ts))

    def thread(self, channel: str, thread_ts: str) -> list[Message]:
        return [
            m
            for m in self.messages.get(channel, [])
            if not m.deleted and (m.ts == thread_ts or m.thread_ts == thread_ts)
        ]


def sandbox_workspace(team_id: str = "T0SANDBOX") -> Workspace:
    """A small workspace with a few people and channels, the bot in #ml-team."""
    ws = Workspace(team_id=team_id)
    ws.add_user(ws.bot_user_id, "mle-coach", is_bot=True)
    ws.add_user("U0ALICE", "alice", tz="Europe/Berlin", is_admin=True)
    ws.add_user("U0BOB", "bob", tz="America/New_York")
    ws.add_user("U0CAROL", "carol", tz="Asia/Kolkata")
    everyone = ("U0ALICE", "U0BOB", "U0CAROL")
    ws.add_channel("C0MLTEAM", "ml-team", members=(*everyone, ws.bot_user_id))
    ws.add_channel("C0GENERAL", "general", members=everyone)
    ws.add_channel("G0PRIVATE", "secret-models", is_private=True, members=everyone)
    return ws
