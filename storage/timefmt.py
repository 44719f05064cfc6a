"""Timestamps are stored as ISO-8601 text in UTC, which sorts correctly as text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_ZERO = timedelta(0)


def iso(moment: datetime) -> str:
    """`2026-11-26T21:14:51.424079Z` (always six digits of microseconds, so text order is
    time order)."""
    offset = moment.utcoffset()
    if offset is None:
        raise ValueError("naive datetime")
    if offset != _ZERO:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
