"""Everything a handler needs, wired once (the bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.activity import Activity
from bot.config import Settings
from storage.sqlite.store import SqliteStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    store: SqliteStore
    clock: Callable[[], datetime] = utc_now
    activity: Activity = field(default_factory=Activity)

    async def first_delivery(self, team_id: str, event_id: str) -> bool:
        """False when this Slack event id was handled before (Slack retried it)."""
        return await self.store.events.claim(team_id, event_id, self.clock())
