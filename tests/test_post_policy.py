"""What becomes of a post that did not go out (bot/scheduling/policy.py) and whom a Slack
error stops (bot/domain/slack_errors.py): pure, `now` given."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.slack_errors import Reach, reach
from bot.scheduling.policy import GIVE_UP, MAX_WAIT, UNKNOWN_WAIT, Step, decide

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def _decide(error: str, attempts: int = 0, age: timedelta = timedelta(0), **kw: object) -> Step:
    options: dict[str, object] = {"unknown": False, "lookup_failed": False, "urgent": True}
    options.update(kw)
    return decide(
        error,
        attempts=attempts,
        since=NOW - age,
        now=NOW,
        **options,  # type: ignore[arg-type]
    ).step


@pytest.mark.parametrize(
    ("code", "whom"),
    [
        ("restricted_action_thread_locked", Reach.ROW),
        ("cannot_reply_to_message", Reach.ROW),
        ("message_not_found", Reach.ROW),
        ("invalid_blocks_format", Reach.ROW),
        ("invalid_anything", Reach.ROW),
        ("restricted_action_read_only_channel", Reach.CHANNEL),
        ("not_in_channel", Reach.CHANNEL),
        ("token_expired", Reach.WORKSPACE),
        ("invalid_auth", Reach.WORKSPACE),
        ("no_permission", Reach.WORKSPACE),
        ("access_denied", Reach.WORKSPACE),
        ("message_limit_exceeded", Reach.WORKSPACE),
        ("ratelimited", None),
        ("internal_error", None),
        ("something_new", None),
    ],
)
def test_whom_an_error_stops(code: str, whom: Reach | None) -> None:
    assert reach(code) is whom


def test_a_permanent_error_fails_at_once_an_other_one_backs_off_to_a_cap() -> None:
    assert _decide("restricted_action_thread_locked") is Step.FAIL
    waits = [
        decide(
            "something_new",
            unknown=False,
            lookup_failed=False,
            attempts=n,
            since=NOW,
            now=NOW,
            urgent=True,
        ).at
        for n in range(20)
    ]
    gaps = [w - NOW for w in waits if w is not None]
    assert gaps == sorted(gaps) and gaps[0] == timedelta(seconds=5) and max(gaps) == MAX_WAIT
    long_retry_after = decide(
        "ratelimited",
        unknown=False,
        lookup_failed=False,
        attempts=0,
        since=NOW,
        now=NOW,
        urgent=False,
        retry_after=10**6,
    )
    assert long_retry_after.at == NOW + MAX_WAIT


def test_after_a_day_any_error_ends_the_row() -> None:
    assert _decide("something_new", age=GIVE_UP - timedelta(seconds=1)) is Step.RETRY
    assert _decide("something_new", age=GIVE_UP) is Step.FAIL


def test_an_unknown_outcome_is_looked_for_and_a_look_up_that_cannot_run_ends() -> None:
    looked = decide(
        "internal_error",
        unknown=True,
        lookup_failed=False,
        attempts=0,
        since=NOW,
        now=NOW,
        urgent=True,
    )
    assert looked.step is Step.LOOK and looked.at == NOW + UNKNOWN_WAIT
    assert _decide("lookup:missing_scope", unknown=True, lookup_failed=True) is Step.FAIL
    assert _decide("lookup:fatal_error", unknown=True, lookup_failed=True) is Step.LOOK
    assert _decide("lookup:fatal_error", 11, unknown=True, lookup_failed=True) is Step.FAIL
    # rate-limited history reads are no failure: they wait as told, within the day
    assert _decide("lookup:ratelimited", 40, unknown=True, lookup_failed=True) is Step.LOOK
    assert _decide("lookup:ratelimited", 40, GIVE_UP, unknown=True, lookup_failed=True) is Step.FAIL
    # a view is published again rather than looked for
    assert _decide("internal_error", unknown=True, lookups=False) is Step.RETRY
