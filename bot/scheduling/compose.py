"""What a composer gives the ticker: where and what to post."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.rows import DeliveryRow
from storage.store import Tx


@dataclass(frozen=True)
class Composed:
    channel: str
    thread_ts: str | None
    text: str
    blocks: list[dict[str, Any]]
    label: str  # for people reading `mle-coach tick` output
    # posted as replies under the first post, in order (a digest longer than one message)
    more: tuple[tuple[str, list[dict[str, Any]]], ...] = ()
    # a reaction: the message it goes on (`text` is the emoji name)
    target_ts: str | None = None
    # an upload: the chart to draw and share (`text` is its comment, and the message posted
    # instead when the upload fails)
    chart: dict[str, Any] | None = None


# A composer reads what it needs inside the claiming transaction, for a batch of deliveries of
# its kind at once (one query per table, not per delivery), and answers in the same order;
# None means nothing is to be posted any more (the project was closed, the check-in answered).
Composer = Callable[[Tx, list[DeliveryRow], datetime], list[Composed | None]]
