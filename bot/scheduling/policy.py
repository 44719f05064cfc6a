"""What becomes of a post that did not go out: tried again later, looked for in Slack first,
or ended as failed. Pure: the outcome of one try, the row's history and `now` in, a decision
out (bot/scheduling/poster.py records it).

- A permanent refusal (bot/domain/slack_errors.py) ends the row at once.
- A post whose outcome is unknown (a timeout, a 5xx: Slack may have taken it) is looked for
  by its key before it is posted again, never re-posted blindly.
- A look-up that cannot run ends the row after its own cap: at once for good when the
  look-up is refused for good (`missing_scope`: no history scope), else after LOOKUP_TRIES
  (a rate-limited look-up is no failure: it waits as told, within the day).
- Anything else is tried again with exponential backoff, at most MAX_WAIT apart, and ends
  as failed a day (GIVE_UP) after the row was due: a failed row no longer holds the later
  rows of its thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.slack_errors import is_permanent

# Scheduled posts can wait; a message someone is waiting for (the next question) cannot.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
)
URGENT_BACKOFF = (
    timedelta(seconds=5),
    timedelta(seconds=15),
    timedelta(seconds=30),
    *BACKOFF,
)
MAX_WAIT = BACKOFF[-1]  # no wait between two tries is longer (a Retry-After included)
GIVE_UP = timedelta(days=1)  # a row still failing this long after it was due ends as failed
# Looked for again this much later when Slack's history could not be read.
UNKNOWN_WAIT = timedelta(seconds=60)
# A row whose look-ups keep failing ends once it has been tried this many times; at once
# when the look-up itself is refused for good (it can never run).
LOOKUP_TRIES = 12
LOOKUP_PREFIX = "lookup:"


class Step(StrEnum):
    RETRY = "retry later"
    LOOK = "outcome unknown"  # looked for in the channel before it is posted again
    FAIL = "failed"


@dataclass(frozen=True)
class Decision:
    step: Step
    error: str
    at: datetime | None = None  # when to try (or look) again


def backoff(attempts: int, *, urgent: bool = False) -> timedelta:
    steps = URGENT_BACKOFF if urgent else BACKOFF
    return steps[min(max(attempts, 0), len(steps) - 1)]


def decide(
    error: str,
    *,
    unknown: bool,
    lookup_failed: bool,
    attempts: int,
    since: datetime,
    now: datetime,
    urgent: bool,
    retry_after: int | None = None,
    lookups: bool = True,
) -> Decision:
    """`attempts`: tries recorded before this one; `since`: when the row was due (its age
    counts from there); `lookups`: whether an unknown outcome is looked for (a published
    view is not: publishing it again is harmless)."""
    overdue = now - since >= GIVE_UP
    if lookup_failed:
        cause = error.removeprefix(LOOKUP_PREFIX)
        limited = cause == "ratelimited"  # history reads: one a minute; not a failure
        if overdue or (not limited and (is_permanent(cause) or attempts + 1 >= LOOKUP_TRIES)):
            return Decision(Step.FAIL, f"outcome unknown, look-up failed: {cause}"[:200])
        if limited:
            wait = max(UNKNOWN_WAIT, timedelta(seconds=retry_after or 0))
        else:
            wait = max(UNKNOWN_WAIT, backoff(attempts, urgent=urgent))
        return Decision(Step.LOOK, error, now + min(wait, MAX_WAIT))
    if unknown and lookups:
        return Decision(Step.LOOK, error, now + UNKNOWN_WAIT)
    if is_permanent(error):
        return Decision(Step.FAIL, error)
    if overdue:
        return Decision(Step.FAIL, f"gave up after a day: {error}"[:200])
    wait = max(backoff(attempts, urgent=urgent), timedelta(seconds=retry_after or 0))
    return Decision(Step.RETRY, error, now + min(wait, MAX_WAIT))
