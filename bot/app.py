"""The app factory: a Bolt AsyncApp with a Web API client that knows retries."""

from __future__ import annotations

import logging
import random
from abc import ABC, abstractmethod

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.http_retry import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.timing import REAL, Timing

# Seconds a Web API call may take before it counts as failed (its outcome unknown).
WEB_API_TIMEOUT = 10


class _Timed(ABC):
    """slack_sdk's retry handlers, waiting through the app's timing (tests skip the waits);
    each handler says how long it waits before the next attempt (`_seconds`)."""

    def __init__(self, timing: Timing, max_retry_count: int) -> None:
        super().__init__(max_retry_count=max_retry_count)  # type: ignore[call-arg]
        self.timing = timing

    @abstractmethod
    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float: ...

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        if response is None and error is not None:
            raise error
        state.next_attempt_requested = True
        await self.timing.sleep(self._seconds(state, response))
        state.increment_current_attempt()


class _RateLimitRetry(_Timed, AsyncRateLimitErrorRetryHandler):
    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float:
        """Retry-After, and up to a second more (as slack_sdk's own handler waits)."""
        headers = response.headers if response is not None else {}
        after = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
        return (int(after[0]) if after else 1) + random.random()  # noqa: S311 - jitter


# Calls that change nothing (or change it to the same thing again): a 5xx is retried. A
# post, an upload's completion or an ephemeral message may have been taken
# despite the 5xx; retrying it blindly shows it twice, so the caller decides (the poster
# looks for the post by its key first).
IDEMPOTENT = frozenset(
    {
        "auth.test",
        "users.info",
        "users.lookupByEmail",
        "conversations.info",
        "conversations.members",
        "conversations.replies",
        "conversations.history",
        "chat.getPermalink",
        "files.getUploadURLExternal",
        "views.publish",
        "chat.update",  # the same text again
        "reactions.add",  # twice is `already_reacted`, taken as done
        "conversations.join",
    }
)


def api_method(url: str) -> str:
    """The Web API method a request URL calls: `…/api/chat.postMessage?x=1` → chat.postMessage."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class _ServerErrorRetry(_Timed, AsyncServerErrorRetryHandler):
    """5xx retried once, for the calls listed in IDEMPOTENT only."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if api_method(request.url) not in IDEMPOTENT:
            return False
        return await super()._can_retry_async(
            state=state, request=request, response=response, error=error
        )

    def _seconds(self, state: RetryState, response: HttpResponse | None) -> float:
        return self.interval_calculator.calculate_sleep_duration(state.current_attempt)


def build_client(
    token: str | None,
    base_url: str,
    session: aiohttp.ClientSession | None = None,
    timing: Timing = REAL,
) -> AsyncWebClient:
    """A Web API client that waits out 429s (Retry-After: Slack took nothing) and retries a
    5xx once for idempotent calls only; with a session, connections to Slack are kept open
    and reused."""
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        session=session,
        timeout=WEB_API_TIMEOUT,
        retry_handlers=[_RateLimitRetry(timing, 2), _ServerErrorRetry(timing, 1)],
    )


class _TokenFromEnvironment(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN itself and warns that our client (which carries the
    same token) takes precedence; that is intended, so the warning is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_app(services: Services, *, socket_mode: bool = False) -> AsyncApp:
    from handlers import register_all

    bolt_logger = logging.getLogger("bolt")
    if not any(isinstance(f, _TokenFromEnvironment) for f in bolt_logger.filters):
        bolt_logger.addFilter(_TokenFromEnvironment())
    # HTTP requests are verified before they reach Bolt (bot/web.py, bot/verify.py), so
    # Bolt does not compute the signature a second time; Socket Mode needs none
    app = AsyncApp(
        client=services.slack.client,
        signing_secret=None,
        request_verification_enabled=False,
        logger=bolt_logger,
    )
    register_all(app, services)
    return app
