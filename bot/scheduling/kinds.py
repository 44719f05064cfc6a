"""The kinds of outbox rows, each in one entry: how a scheduled row is composed when it goes
out, what its post changes once Slack took it or refused it for good, and who publishes a
view composed when it goes out. Wired once at start-up (bot/services.py)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.scheduling.compose import Composer
from bot.slack_gateway import Posted
from storage.rows import DeliveryRow
from storage.store import Tx

# What a post changes, in the transaction that records it: (tx, row, ts or error, now).
Hook = Callable[[Tx, DeliveryRow, str, datetime], None]
# Publishes a view composed now: (team_id, subject) → the outcome (a Home tab: subject = user).
Publisher = Callable[[str, str], Awaitable[Posted]]

# the kinds the scheduler queues (the services' own kinds live beside them)
CHECKIN = "checkin"
NUDGE = "nudge"


@dataclass(frozen=True)
class DeliveryKind:
    name: str
    compose: Composer | None = None  # a scheduled row: composed when it goes out
    posted: Hook | None = None  # given the post's ts
    failed: Hook | None = None  # given Slack's error, once refused for good
    publish: Publisher | None = None  # a view published (composed) when it goes out; the
    # row's op is the kind's name
