"""The storage interface the bot depends on; each backend implements it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class EventLog(Protocol):
    async def claim(self, team_id: str, event_id: str, now: datetime) -> bool:
        """Record a Slack event id; False when it was already handled (a retry)."""
        ...

    async def purge_expired(self, now: datetime) -> int:
        """Forget event ids past their time to live; returns how many."""
        ...


class Store(Protocol):
    events: EventLog

    async def ping(self) -> bool:
        """True when the database answers."""
        ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
