"""What operators watch (`GET /metrics`, Prometheus' text format).

Two kinds of figures. Counters and timings this process keeps (posts by outcome, Slack's 429s
and their Retry-After, scheduler pass and MLflow sync durations) live in `REGISTRY`, this
module's own registry (not prometheus_client's global one); the places that count call them
in one line. What waits (the inbox, the outbox, the models, the last good MLflow sync) is
read from the database at scrape time, so every replica reports the same truth and a restart
loses nothing. Nothing a person wrote, no token and no request body is ever exposed: labels
are states, outcomes and Web API method names only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from collections.abc import Awaitable, Iterator, Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Protocol, TypeVar

import aiohttp
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.repos.backlog import Backlog, BacklogRepo
from storage.store import Store, Tx

log = logging.getLogger(__name__)
T = TypeVar("T")
# the text format every Prometheus reads (generate_latest writes it for names like ours)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SCRAPE_TIMEOUT = 5.0  # seconds the database may take to answer a scrape

REGISTRY = CollectorRegistry(auto_describe=True)

POSTS = Counter(
    "mle_coach_posts",
    "Outbox rows the poster tried, by what came of the try "
    "(posted, retry, unknown: looked for in Slack before posting again, failed: for good)",
    ["outcome"],
    registry=REGISTRY,
)
SLACK_RATE_LIMITED = Counter(
    "mle_coach_slack_rate_limited",
    "Web API calls Slack answered 429 (rate limited), by method",
    ["method"],
    registry=REGISTRY,
)
SLACK_RETRY_AFTER = Histogram(
    "mle_coach_slack_retry_after_seconds",
    "The Retry-After Slack gave with each 429",
    buckets=(1, 2, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
SCHEDULER_PASS = Histogram(
    "mle_coach_scheduler_pass_seconds",
    "How long one scheduler pass took (check-ins, reminders, digests, retries, inbox recovery)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
    registry=REGISTRY,
)
MLFLOW_SYNC = Histogram(
    "mle_coach_mlflow_sync_seconds",
    "How long one MLflow registry sync took, by outcome (ok, error)",
    ["outcome"],
    buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)


async def timed(histogram: Histogram, work: Awaitable[T]) -> T:
    """`await work`, its duration observed (also when it raises)."""
    started = time.perf_counter()
    try:
        return await work
    finally:
        histogram.observe(time.perf_counter() - started)


class _Outcome(Protocol):
    error: str | None


R = TypeVar("R", bound=_Outcome)


async def timed_sync(work: Awaitable[R]) -> R:
    """`await work` (an MLflow sync), its duration observed by outcome: `ok`, or `error`
    when its report says so or it raises."""
    started = time.perf_counter()
    outcome = "error"
    try:
        report = await work
        outcome = "error" if report.error else "ok"
        return report
    finally:
        MLFLOW_SYNC.labels(outcome).observe(time.perf_counter() - started)


_METHOD = re.compile(r"[a-z]+(\.[A-Za-z]+){1,3}")


def web_api_method(url: str, api_url: str) -> str:
    """`<api_url>chat.postMessage?x=1` → `chat.postMessage`; anything else (a response_url,
    whose path is a secret) is `other`: a label never carries more than a method's name."""
    if not url.startswith(api_url):
        return "other"
    method = url[len(api_url) :].split("?", 1)[0].strip("/")
    return method if _METHOD.fullmatch(method) else "other"


def rate_limited(method: str, retry_after: str | None) -> None:
    """Slack answered 429 to a Web API call."""
    SLACK_RATE_LIMITED.labels(method).inc()
    try:
        seconds = float(retry_after) if retry_after is not None else None
    except ValueError:
        seconds = None
    if seconds is not None and math.isfinite(seconds) and seconds >= 0:
        SLACK_RETRY_AFTER.observe(seconds)


def slack_trace(api_url: str) -> aiohttp.TraceConfig:
    """Counts every 429 on the Web API session, whoever made the call and whatever retries."""
    trace = aiohttp.TraceConfig()

    async def on_request_end(
        session: aiohttp.ClientSession,
        context: SimpleNamespace,
        params: aiohttp.TraceRequestEndParams,
    ) -> None:
        if params.response.status == 429:
            method = web_api_method(str(params.url), api_url)
            rate_limited(method, params.response.headers.get("Retry-After"))

    trace.on_request_end.append(on_request_end)
    return trace


def last_good_sync(syncs: list[tuple[datetime, str]]) -> datetime | None:
    """The latest MLflow sync that read the registry, from each workspace's latest report (a
    failing one carries `good_at`, when the last good one ran)."""
    best: datetime | None = None
    for ran_at, report in syncs:
        try:
            data = json.loads(report)
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        good: datetime | None = ran_at
        if data.get("error"):
            good_at = data.get("good_at")
            try:
                good = datetime.fromisoformat(good_at) if isinstance(good_at, str) else None
            except ValueError:
                good = None
        if good is not None and (best is None or good > best):
            best = good
    return best


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


class _Database(Collector):
    """One scrape's reading of the database, as gauges."""

    def __init__(
        self, backlog: Backlog | None, now: datetime, retried: Mapping[str, int], engine: str
    ) -> None:
        self.backlog, self.now, self.retried, self.engine = backlog, now, retried, engine

    def _age(self, since: datetime | None) -> float:
        return max(0.0, (self.now - since).total_seconds()) if since is not None else 0.0

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "mle_coach_database_up",
            "1 when the database answered this scrape (the figures below are read from it)",
            labels=["engine"],
        )
        up.add_metric([self.engine], 1 if self.backlog is not None else 0)
        yield up
        retried = CounterMetricFamily(
            "mle_coach_store_units_retried",
            "Units of work the storage engine ran again since start (lost a race: deadlock, "
            "serialization failure, a unique key inserted meanwhile), by reason",
            labels=["engine", "reason"],
        )
        for reason, count in sorted(self.retried.items()):
            retried.add_metric([self.engine, reason], count)
        yield retried
        b = self.backlog
        if b is None:
            return
        yield _gauge(
            "mle_coach_inbox_waiting",
            "Slack requests recorded and not processed yet",
            b.inbox_waiting,
        )
        yield _gauge(
            "mle_coach_inbox_oldest_waiting_seconds",
            "Age of the oldest request waiting in the inbox (0 when none waits)",
            self._age(b.inbox_oldest),
        )
        outbox = GaugeMetricFamily(
            "mle_coach_outbox_rows",
            "Unfinished outbox rows (posts, reactions, views) by state",
            labels=["state"],
        )
        for state in sorted({"pending", "posting", "checking", "unknown", *b.outbox}):
            outbox.add_metric([state], b.outbox.get(state, 0))
        yield outbox
        yield _gauge(
            "mle_coach_outbox_oldest_ready_seconds",
            "How long the oldest post ready to go has waited (0 when none is ready)",
            self._age(b.outbox_oldest_ready),
        )
        yield _gauge(
            "mle_coach_outbox_oldest_claim_seconds",
            "How long the oldest claim on a post has been held (a poster stuck, or dead and "
            "not taken over yet; 0 when none is held)",
            self._age(b.outbox_oldest_claim),
        )
        models = GaugeMetricFamily(
            "mle_coach_models",
            "Deployed models by source (mlflow: mirrored from the MLflow registry; slack: "
            "/mle deploy) and state",
            labels=["source", "state"],
        )
        for source in ("mlflow", "slack"):
            for state in ("deployed", "retired"):
                models.add_metric([source, state], b.models.get((source, state), 0))
        yield models
        good = last_good_sync(b.syncs)
        if good is not None:
            yield _gauge(
                "mle_coach_mlflow_last_success_timestamp_seconds",
                "When the latest MLflow sync that read the registry ran (Unix time)",
                good.timestamp(),
            )


async def scrape(
    store: Store, now: datetime, engine: str, retried: Mapping[str, int] | None = None
) -> bytes:
    """The whole exposition: this process's counters, then what the database holds now."""

    def read(tx: Tx) -> Backlog:
        return BacklogRepo(tx.conn).snapshot(now)

    backlog: Backlog | None
    try:
        backlog = await asyncio.wait_for(store.read(read), SCRAPE_TIMEOUT)
    except Exception as exc:  # the scrape still answers: database_up says why figures lack
        log.warning("metrics: the database could not be read (%s)", type(exc).__name__)
        backlog = None
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(_Database(backlog, now, retried or {}, engine))
    return generate_latest(REGISTRY) + generate_latest(scraped)
