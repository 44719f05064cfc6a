"""Schedules as people write them (`mon,thu 09:30 Europe/Paris`) and their calendar maths.

Pure: `now` comes in, nothing is read from a clock. APScheduler's CronTrigger does the
calendar (time zones, DST); a slot is the local date and time, so a repeated wall-clock hour
(DST fall-back) names the same slot twice and can only be posted once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from apscheduler.triggers.cron import CronTrigger

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ALIASES = {
    "monday": "mon",
    "tuesday": "tue",
    "tues": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "thur": "thu",
    "thurs": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
_KEYWORDS = {
    "daily": DAYS,
    "everyday": DAYS,
    "weekdays": DAYS[:5],
    "weekends": DAYS[5:],
    "weekly": ("mon",),
}
_TICK = timedelta(microseconds=1)  # "strictly after": CronTrigger's `now` is inclusive
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleError(ValueError):
    """Input that is not a schedule; the message says what is wrong and shows an example."""


@dataclass(frozen=True)
class Recurrence:
    days: tuple[str, ...]
    hour: int
    minute: int
    tz: str

    @property
    def days_text(self) -> str:
        if self.days == DAYS:
            return "daily"
        if self.days == DAYS[:5]:
            return "weekdays"
        return ",".join(self.days)

    @property
    def time_text(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d}"

    def describe(self) -> str:
        return f"{self.days_text} at {self.time_text} ({self.tz})"

    def next_after(self, moment: datetime) -> datetime:
        """The first slot strictly after `moment` (an aware datetime)."""
        return _next_after(self, moment)

    def slot(self, due: datetime) -> str:
        """The local date and time a due moment stands for."""
        return _slot(self, due)


# Many schedules share a pattern and a due time (Mondays 10:00 in one zone): a scheduler pass
# over thousands of them computes each answer once.
@lru_cache(maxsize=8192)
def _next_after(rule: Recurrence, moment: datetime) -> datetime:
    trigger = _trigger(rule.days, rule.hour, rule.minute, rule.tz)
    fire = trigger.get_next_fire_time(None, moment + _TICK)
    assert fire is not None  # a weekly pattern always has a next time
    return fire


@lru_cache(maxsize=8192)
def _slot(rule: Recurrence, due: datetime) -> str:
    return due.astimezone(ZoneInfo(rule.tz)).strftime("%Y-%m-%dT%H:%M")


@lru_cache(maxsize=4096)
def _trigger(days: tuple[str, ...], hour: int, minute: int, tz: str) -> CronTrigger:
    """Building a trigger costs more than using it; schedules share a few patterns."""
    return CronTrigger(day_of_week=",".join(days), hour=hour, minute=minute, timezone=ZoneInfo(tz))


def parse_days(text: str) -> tuple[str, ...]:
    chosen: set[str] = set()
    for token in (t.strip().lower() for t in text.split(",")):
        if not token:
            continue
        if token in _KEYWORDS:
            chosen.update(_KEYWORDS[token])
            continue
        start, dash, end = token.partition("-")
        first, last = _day(start), _day(end) if dash else None
        if last is None:
            chosen.add(first)
            continue
        i, j = DAYS.index(first), DAYS.index(last)
        span = DAYS[i : j + 1] if i <= j else DAYS[i:] + DAYS[: j + 1]
        chosen.update(span)
    if not chosen:
        raise ScheduleError("Say which days, e.g. `mon`, `mon,thu`, `weekdays` or `daily`.")
    return tuple(d for d in DAYS if d in chosen)


def _day(token: str) -> str:
    day = _ALIASES.get(token, token)
    if day not in DAYS:
        raise ScheduleError(
            f"`{token[:20]}` is not a day. Use mon, tue, wed, thu, fri, sat, sun, ranges like "
            "`mon-fri`, or `weekdays` / `daily`."
        )
    return day


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text.strip())
    if not match:
        raise ScheduleError(f"`{text[:20]}` is not a time. Use 24-hour HH:MM, e.g. `09:30`.")
    return int(match.group(1)), int(match.group(2))


def valid_tz(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        close = [z for z in available_timezones() if z.lower() == name.lower()]
        hint = f" Did you mean `{close[0]}`?" if close else ""
        raise ScheduleError(
            f"`{name[:40]}` is not an IANA time zone (e.g. `Europe/Paris`).{hint}"
        ) from None
    return name


def parse_recurrence(days: str, time: str, tz: str) -> Recurrence:
    hour, minute = parse_time(time)
    return Recurrence(parse_days(days), hour, minute, valid_tz(tz))
