"""Days in a stage, counted in the project's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def known_zone(name: str | None) -> str:
    """The name if it is an IANA time zone this machine knows, else UTC."""
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def day_in_stage(entered_at: datetime, now: datetime, tz: str) -> int:
    """Day 1 is the day the stage was entered (local calendar days)."""
    local = zone(tz)
    return max(1, (now.astimezone(local).date() - entered_at.astimezone(local).date()).days + 1)


def describe_days(day: int, time_box: int | None) -> str:
    if time_box is None:
        return f"day {day} (no time box)"
    if day > time_box:
        return f"day {day} of {time_box} — past the time box"
    return f"day {day} of {time_box}"
