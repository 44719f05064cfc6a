"""The registry sync against a tracking server that misbehaves (tests/fake_mlflow.py): page
tokens that repeat or never end, a point logged in nanoseconds, entries that are not objects, a
200 that is not an object, a huge body, a huge tag, answers that never come. Each is an error
or a problem reported (`/mle registry`, the project thread once) and skipped; the rest syncs,
nothing is retired because of it, and the scheduler pass never waits for the registry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.registry.sync import SYNC_DEADLINE
from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.fake_mlflow import FakeMlflow, FakeModel, fake_mlflow
from tests.interviews import new_project, thread_posts
from tests.mlflow_server import sync
from tests.processes import clean_env, run_cli, wait_until

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
MONDAY_10_BERLIN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the first weekly check-ins
TEAM = "T0SANDBOX"
PROJECT = "Churn reduction"
KPI = {"mle.kpi": "monthly churn", "mle.kpi.baseline": "4.1%", "mle.kpi.target": "3.8%"}


@asynccontextmanager
async def app_and_registry(
    emulator: SlackEmulator, database: str
) -> AsyncIterator[tuple[Harness, ManualClock, FakeMlflow, str]]:
    """The app following the fake registry, and a project with a thread."""
    clock = ManualClock(NOW)
    async with fake_mlflow() as fake:
        settings = {"MLFLOW_TRACKING_URI": fake.url}
        async with running_app(emulator, database, clock, settings=settings) as h:
            thread = await new_project(h, PROJECT)
            yield h, clock, fake, thread


async def bounded_sync(h: Harness, clock: ManualClock, minutes: int = 10) -> Any:
    """A sync, given 20 s: the code as it was loops forever on some of these answers."""
    return await asyncio.wait_for(sync(h, clock, minutes), 20)


async def registry_says(h: Harness) -> str:
    await h.emulator.slash("registry", user="U0ALICE")
    await h.idle()
    return h.emulator.ephemerals_for("U0ALICE")[-1].text


async def model(h: Harness, name: str) -> Any:
    return await h.read(lambda tx: tx.models.by_name(TEAM, name, name))


async def values(h: Harness, name: str) -> list[float]:
    def read(tx: Any) -> list[float]:
        row = tx.models.by_name(TEAM, name, name)
        metrics = tx.metrics.for_models([(TEAM, row.id)]).get(row.id, [])
        found = tx.metrics.values_for([(TEAM, m.id) for m in metrics])
        return [v.value for m in metrics for v in found.get(m.id, [])]

    return await h.read(read)


def with_kpi(fake: FakeMlflow, *names: str) -> list[FakeModel]:
    """Registered models of the project with a KPI, whose runs logged 4.0 an hour ago."""
    made = [fake.add(name, PROJECT, tags=dict(KPI)) for name in names]
    for entry in made:
        entry.log(4.0, NOW - timedelta(hours=1))
    return made


def said(h: Harness, thread: str, text: str) -> int:
    return sum(1 for post in thread_posts(h, thread) if text in post.text)


async def reported_once(h: Harness, thread: str, problem: str) -> None:
    """Listed by `/mle registry`, and said once in the project thread."""
    assert problem in await registry_says(h)
    assert said(h, thread, problem) == 1


async def test_a_search_page_token_said_twice_ends_the_sync_with_an_error(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        fake.add("m1", PROJECT)
        await bounded_sync(h, clock)
        assert (await model(h, "m1")).retired_at is None
        fake.repeat_search_token = True
        for name in ("m2", "m3", "m4"):
            fake.add(name, PROJECT)
        before = fake.calls["registered-models/search"]
        report = await bounded_sync(h, clock)
        assert report.error == (
            "registered-models/search gave the page token it gave before (page 2): "
            "the listing was not read"
        )
        assert fake.calls["registered-models/search"] - before == 2
        answer = await registry_says(h)
        assert "It failed: registered-models/search gave the page token it gave before" in answer
        assert (await model(h, "m1")).retired_at is None
        assert said(h, thread, "🪦") == 0


async def test_pages_that_never_end_stop_at_the_page_cap(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, _):
        fake.add("m1", PROJECT)
        fake.endless_search = True
        registry: Any = h.runtime.services.registry.client
        registry.page_cap = 5
        report = await bounded_sync(h, clock)
        assert report.error == (
            "registered-models/search has more than 5 pages: the listing was not read"
        )
        assert fake.calls["registered-models/search"] == 5
        assert await model(h, "m1") is None  # a listing not read whole deploys nothing


async def test_a_history_page_token_said_twice_skips_that_models_value_only(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        with_kpi(fake, "a-looping", "b-healthy")
        fake.repeat_history_token = {"a-looping"}
        await bounded_sync(h, clock)
        await bounded_sync(h, clock)
        assert await values(h, "b-healthy") == [4.0]
        assert await values(h, "a-looping") == []
        assert (await model(h, "a-looping")).retired_at is None  # deployed all the same
        problem = "metrics/get-history gave the page token it gave before (page 2)"
        assert f"a-looping: its KPI's value was not read: {problem}" in await registry_says(h)
        assert said(h, thread, problem) == 1  # two syncs, said once in the thread
        assert fake.calls["metrics/get-history"] <= 2 * 2 + 2


async def test_a_point_logged_in_nanoseconds_is_reported_and_the_rest_sync(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        odd = fake.add("a-nanos", PROJECT, tags=dict(KPI))
        odd.log(3.9, NOW - timedelta(hours=1), nanoseconds=True)
        with_kpi(fake, "b-healthy")
        report = await bounded_sync(h, clock)
        assert report.error is None
        await bounded_sync(h, clock)
        assert await values(h, "b-healthy") == [4.0]
        assert (await model(h, "a-nanos")) is not None  # deployed, its odd point left out
        assert await values(h, "a-nanos") == []
        odd.log(3.8, NOW - timedelta(minutes=30), nanoseconds=True)  # another such point
        await bounded_sync(h, clock)
        problem = "have times that are not in milliseconds since 1970 (nanoseconds?)"
        await reported_once(h, thread, problem)  # said once, however many such points


async def test_entries_that_are_not_objects_are_reported_and_the_rest_sync(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, _):
        fake.add("m1", PROJECT)
        fake.odd_entries = [1, {"name": "m-odd", "tags": "not a list"}]
        report = await bounded_sync(h, clock)
        assert report.error is None
        assert (await model(h, "m1")) is not None
        answer = await registry_says(h)
        assert "An entry of the registered models is not an object (`1`): skipped" in answer
        assert "m-odd: MLflow described it in a form MLE Coach cannot read" in answer


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"[1,2,3]", "registered-models/search did not answer a JSON object"),
        (b"[" * 100_000 + b"]" * 100_000, "registered-models/search did not answer JSON"),
    ],
    ids=["a-list", "nested-too-deep"],
)
async def test_a_200_that_is_not_an_object_retires_nothing(
    emulator: SlackEmulator, database: str, body: bytes, error: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        fake.add("m1", PROJECT)
        await bounded_sync(h, clock)
        fake.search_body = body
        for _ in range(3):
            report = await bounded_sync(h, clock)
        assert report.error == error
        assert (await model(h, "m1")).retired_at is None
        assert said(h, thread, "🪦") == 0
        assert f"It failed: {error}" in await registry_says(h)


async def test_a_huge_answer_is_refused_before_it_is_read_whole(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        fake.add("m1", PROJECT)
        await bounded_sync(h, clock)
        registry: Any = h.runtime.services.registry.client
        registry.max_body = 1 << 20
        fake.huge_search = 64 << 20
        report = await bounded_sync(h, clock)
        assert report.error == "registered-models/search answered more than 1 MB: not read"
        assert fake.sent < fake.huge_search  # the client stopped reading
        assert (await model(h, "m1")).retired_at is None
        assert said(h, thread, "🪦") == 0


async def test_a_huge_tag_is_refused_and_reported(emulator: SlackEmulator, database: str) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        fake.add("m1", PROJECT, tags={**KPI, "mle.kpi": "churn " * 40_000})
        await bounded_sync(h, clock)
        await bounded_sync(h, clock)
        row = await model(h, "m1")
        assert row is not None  # deployed; its KPI tags left unread
        kpis = await h.read(lambda tx: tx.metrics.for_models([(TEAM, row.id)]))
        assert not any(kpis.values())
        problem = "the tag `mle.kpi` is 240,000 characters long (at most 4,000 are read)"
        await reported_once(h, thread, problem)


async def test_a_model_whose_answers_hang_is_cut_short_by_its_budget(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, _):
        with_kpi(fake, "a-stuck", "b-healthy")
        fake.hang_history = {"a-stuck"}
        h.runtime.services.registry.model_deadline = 0.5
        started = time.monotonic()
        report = await bounded_sync(h, clock)
        assert time.monotonic() - started < 4  # not the client's 5 s per call
        assert report.error is None
        assert await values(h, "b-healthy") == [4.0]
        assert (await model(h, "a-stuck")) is not None  # its version followed all the same
        problem = "a-stuck: its KPI's value was not read: reading it took longer than its 0.5 s"
        assert problem in await registry_says(h)


async def test_a_hanging_registry_does_not_hold_the_scheduler_pass(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        fake.hang_search = True
        registry = h.runtime.services.registry
        client: Any = registry.client
        client.timeout = type(client.timeout)(total=600)  # only the sync's deadline ends it
        clock.at(MONDAY_10_BERLIN)
        lines = await asyncio.wait_for(h.runtime.services.scheduler_pass(clock()), 10)
        assert any("checkin" in str(line) for line in lines)
        assert [p for p in thread_posts(h, thread) if p.text.startswith("Check-in")]
        # the pass is over, its check-in posted, while the sync it started waits
        await wait_until(lambda: fake.calls["registered-models/search"] == 1, "the search")
        # the next passes go on too (one sync at a time; shutting down stops it)
        clock.advance(minutes=30)
        await asyncio.wait_for(h.runtime.services.scheduler_pass(clock()), 10)
        assert fake.calls["registered-models/search"] == 1
        assert await h.read(lambda tx: tx.registry.latest(TEAM)) is None  # still waiting


async def test_a_sync_ends_at_its_deadline(emulator: SlackEmulator, database: str) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, _):
        fake.add("m1", PROJECT)
        await bounded_sync(h, clock)
        fake.hang_search = True
        registry = h.runtime.services.registry
        client: Any = registry.client
        client.timeout = type(client.timeout)(total=600)
        registry.deadline = 0.5
        report = await bounded_sync(h, clock)
        assert report.error == (
            "the sync took longer than its 0.5 s (reading the list of registered models)"
        )
        assert "It failed: the sync took longer than its 0.5 s" in await registry_says(h)
        assert (await model(h, "m1")).retired_at is None


async def test_out_of_time_the_sync_follows_versions_and_leaves_kpis_to_the_next(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, _):
        with_kpi(fake, "a-stuck", "b-healthy")
        fake.hang_history = {"a-stuck"}
        registry = h.runtime.services.registry
        registry.deadline = 1.0
        started = time.monotonic()
        report = await bounded_sync(h, clock)
        assert time.monotonic() - started < 5
        assert report.error is None
        for name in ("a-stuck", "b-healthy"):
            assert (await model(h, name)) is not None  # deployed, its KPI not read yet
            assert await values(h, name) == []
        assert (
            "The sync took longer than its 1 s: the KPIs of 2 models were not read this time"
        ) in await registry_says(h)
        fake.hang_history = set()
        await bounded_sync(h, clock)
        assert await values(h, "a-stuck") == [4.0]
        assert await values(h, "b-healthy") == [4.0]


async def test_a_model_deleted_from_mlflow_is_retired_after_two_good_syncs(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        for name in ("m1", "m2", "m3"):
            fake.add(name, PROJECT)
        await bounded_sync(h, clock)
        del fake.models["m1"]
        await bounded_sync(h, clock)
        assert (await model(h, "m1")).retired_at is None
        assert (
            "m1: not found in the registry; it is retired if the next sync does not find it either"
        ) in await registry_says(h)
        fake.search_body = b"[1,2,3]"  # a sync that fails in between does not count
        await bounded_sync(h, clock)
        fake.search_body = None
        await bounded_sync(h, clock)
        assert (await model(h, "m1")).retired_at is not None
        assert said(h, thread, "🪦 *m1* was deleted from the MLflow registry: retired") == 1
        assert (await model(h, "m2")).retired_at is None


async def test_a_sync_that_would_retire_most_models_retires_none(
    emulator: SlackEmulator, database: str
) -> None:
    async with app_and_registry(emulator, database) as (h, clock, fake, thread):
        for name in ("m1", "m2", "m3", "m4"):
            fake.add(name, PROJECT)
        await bounded_sync(h, clock)
        for name in ("m1", "m2", "m3"):
            del fake.models[name]
        for _ in range(3):
            await bounded_sync(h, clock)
        for name in ("m1", "m2", "m3", "m4"):
            assert (await model(h, name)).retired_at is None
        assert said(h, thread, "🪦") == 0
        assert (
            "3 of the 4 models followed from MLflow would be retired at once: none was, in "
            "case the registry answered wrongly"
        ) in await registry_says(h)


async def test_tick_with_a_registry_repeating_its_page_token_ends_and_posts_the_checkin(
    emulator: SlackEmulator, database: str, tmp_path: Path
) -> None:
    """`mle-coach tick` as a process: its sync ends (here at once, at the repeated token;
    in any case within SYNC_DEADLINE) and the check-in due goes out."""
    async with app_and_registry(emulator, database) as (h, _, fake, thread):
        fake.add("m1", PROJECT)
        fake.repeat_search_token = True
        env = clean_env(
            SLACK_BOT_TOKEN=emulator.bot_token,
            SLACK_API_URL=emulator.api_url,
            DATABASE_URL=database,
            MLFLOW_TRACKING_URI=fake.url,
        )
        started = time.monotonic()
        code, out, err = await run_cli(
            "tick", "--at", MONDAY_10_BERLIN.isoformat(), env=env, cwd=tmp_path, timeout=45
        )
        assert code == 0, err
        assert time.monotonic() - started < SYNC_DEADLINE
        assert "posted: checkin" in out
        assert len([p for p in thread_posts(h, thread) if p.text.startswith("Check-in")]) == 1
        assert fake.calls["registered-models/search"] == 2
        answer = await registry_says(h)
        assert "It failed: registered-models/search gave the page token it gave before" in answer


async def test_serve_goes_on_posting_while_the_registry_hangs(
    emulator: SlackEmulator, database: str
) -> None:
    """The running app, its real scheduler ticking every second: the first pass starts a sync
    that hangs, and a check-in that falls due afterwards is posted by the next passes."""
    from bot.runtime import Runtime
    from tests.conftest import settings_for, virtual_time

    async with fake_mlflow() as fake:
        fake.hang_search = True
        settings = settings_for(emulator, database, TICK_SECONDS=1, MLFLOW_TRACKING_URI=fake.url)
        runtime = await Runtime.create(settings, timing=virtual_time(emulator))
        try:
            client: Any = runtime.services.registry.client
            client.timeout = type(client.timeout)(total=600)
            port = await runtime.start_http("127.0.0.1", 0)
            emulator.connect_http(f"http://127.0.0.1:{port}/slack/events")
            h = Harness(emulator, runtime, "", database, virtual_time(emulator))
            thread = await new_project(h)
            runtime.start_scheduler()
            await wait_until(lambda: fake.calls["registered-models/search"] == 1, "the sync")
            project = await h.only_project()
            overdue = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
            await runtime.services.store.write(
                lambda tx: tx.conn.execute(
                    "UPDATE schedules SET next_due_at = ? WHERE subject = ?",
                    (overdue, str(project.id)),
                )
            )
            await wait_until(
                lambda: any(p.text.startswith("Check-in") for p in thread_posts(h, thread)),
                "the check-in",
                timeout=15,
            )
            assert fake.calls["registered-models/search"] == 1  # still the one sync
        finally:
            await runtime.close()
