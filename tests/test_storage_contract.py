"""The storage contract: SQLite and PostgreSQL behave the same for everything the bot does.

Each test runs once per engine (`engine_url`); the PostgreSQL runs need TEST_DATABASE_URL
(`.ci/run` provides it) and fail under CI without it.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from storage.errors import DuplicateKey
from storage.open import open_store
from storage.repos.events import EVENT_TTL
from storage.rows import NewDelivery
from storage.store import Store, Tx
from storage.timefmt import parse
from tests.conftest import START

NOW_TEXT = "2026-11-26T08:00:00.000000Z"
NOW = parse(NOW_TEXT)
LONG_AGO = parse("2000-01-01T00:00:00Z")  # no claim is older: none is stale


def _project(tx: Tx, name: str = "Churn", team: str = "T1", owner: str = "U1") -> int:
    return tx.projects.insert(
        team_id=team,
        name=name,
        name_key=name.lower(),
        slug=name.lower(),
        channel_id="C1",
        owner_id=owner,
        tz="Europe/Berlin",
        stage="planning",
        now=NOW,
    )


def _delivery(key: str, due: str = NOW_TEXT, team: str = "T1") -> NewDelivery:
    return NewDelivery(team, key, "checkin", "1", "C1", NOW, parse(due), slot=key)


async def test_schema_is_migrated_once_and_reopening_changes_nothing(engine_url: str) -> None:
    store = await open_store(engine_url)
    try:
        version = await store.schema_version()
        assert version >= 1
        assert await store.migrate() == []
        assert await store.ping()
    finally:
        await store.close()
    again = await open_store(engine_url)
    try:
        assert await again.schema_version() == version
    finally:
        await again.close()


@pytest.fixture
async def store(engine_url: str) -> Store:
    opened = await open_store(engine_url, pool_size=4)
    yield opened  # type: ignore[misc]
    await opened.close()


async def test_rows_round_trip_with_the_same_types(store: Store) -> None:
    project_id = await store.write(_project)
    project = await store.read(lambda tx: tx.projects.get("T1", project_id))
    assert project is not None and project.id == project_id and isinstance(project.id, int)
    assert (project.name, project.owner_id, project.stage, project.thread_ts) == (
        "Churn",
        "U1",
        "planning",
        None,
    )
    assert await store.read(lambda tx: tx.projects.get("T2", project_id)) is None  # by team
    # times are stored as text and come back as the datetimes they were
    assert project.created_at == NOW and project.created_at.tzinfo is not None

    def metric(tx: Tx) -> tuple[int, int]:
        model = tx.models.deploy(
            team_id="T1",
            project_id=project_id,
            name="Scorer",
            name_key="scorer",
            slug="scorer",
            version="v1",
            tier=None,
            by="U1",
            now=NOW,
            first_check=NOW,
        )
        changes: dict[str, object] = {"baseline": 0.1, "target": 0.30000000000000004}
        kpi = tx.metrics.define(
            team_id="T1", model_id=model, name="Churn", name_key="churn", changes=changes, now=NOW
        )
        tx.metrics.report("T1", kpi, 1 / 3, NOW, "U1")
        return model, kpi

    model_id, metric_id = await store.write(metric)
    metrics = await store.read(lambda tx: tx.metrics.for_models([("T1", model_id)]))
    [kpi] = metrics[model_id]
    assert (kpi.baseline, kpi.target) == (0.1, 0.30000000000000004)  # doubles, not floats
    values = await store.read(lambda tx: tx.metrics.values_for([("T1", metric_id)]))
    assert values[metric_id][0].value == 1 / 3


async def test_a_failing_unit_leaves_nothing_behind(store: Store) -> None:
    def half(tx: Tx) -> None:
        _project(tx, "Half")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await store.write(half)
    assert await store.read(lambda tx: tx.projects.all_names("T1")) == []


async def test_rehearse_shows_the_outcome_and_keeps_nothing(store: Store) -> None:
    made = await store.rehearse(lambda tx: tx.projects.get("T1", _project(tx)))
    assert made is not None and made.name == "Churn"
    assert await store.read(lambda tx: tx.projects.all_names("T1")) == []


async def test_a_taken_name_is_a_duplicate_key_in_either_engine(store: Store) -> None:
    await store.write(_project)
    with pytest.raises(DuplicateKey):
        await store.write(_project)
    await store.write(lambda tx: _project(tx, team="T2"))  # names are per workspace
    assert await store.read(lambda tx: tx.projects.all_names("T1")) == ["Churn"]


async def test_text_times_compare_byte_by_byte(store: Store) -> None:
    """Timestamps and Slack ts are text: the engines must order them the same way."""
    stamps = ["2026-11-26T08:00:00.000001Z", "2026-11-26T07:59:59.999999Z", "2026-11-26T08:00:00Z"]
    await store.write(
        lambda tx: tx.deliveries.add_many([_delivery(f"k{i}", s) for i, s in enumerate(stamps)])
    )
    for i, stamp in enumerate(stamps):
        await store.write(
            lambda tx, i=i, stamp=stamp: tx.conn.execute(
                "UPDATE deliveries SET next_attempt_at = ? WHERE delivery_key = ?", (stamp, f"k{i}")
            )
        )
    taken = await store.write(lambda tx: tx.deliveries.claim_ready(NOW, NOW, 10))
    # "…08:00:00Z" sorts after "…08:00:00.000000Z" byte by byte ('Z' > '.'); so does .000001
    assert [row.delivery_key for row in taken] == ["k1"]


async def test_a_slot_key_is_inserted_once(store: Store) -> None:
    rows = [_delivery("checkin:1:2026-11-30"), _delivery("checkin:1:2026-12-07")]
    assert await store.write(lambda tx: tx.deliveries.add_many(rows)) == 2
    assert await store.write(lambda tx: tx.deliveries.add_many(rows)) == 0
    assert await store.write(lambda tx: tx.deliveries.add_many([])) == 0


async def test_rows_added_claimed_are_the_rows_as_stored(store: Store) -> None:
    """The poster posts what `add_claimed` returns without reading it back: it must be the
    row the database holds, and a key already taken gives no row."""
    rows = [
        replace(_delivery("question:1:0"), thread_ts="1.0", payload='{"text":"Q1"}'),
        replace(_delivery("react:C1:2.0:memo"), op="react", payload='{"ts":"2.0"}'),
    ]
    added = await store.write(lambda tx: tx.deliveries.add_claimed(rows, NOW))
    stored = await store.read(lambda tx: [tx.deliveries.get("T1", row.id) for row in added])
    assert added == stored and [row.status for row in added] == ["posting", "posting"]
    assert await store.write(lambda tx: tx.deliveries.add_claimed(rows, NOW)) == []


async def test_concurrent_claims_take_disjoint_batches_and_every_row(
    store: Store, engine_url: str
) -> None:
    """Two stores on one database (two replicas) and several claimers each."""
    await store.write(lambda tx: tx.deliveries.add_many([_delivery(f"k{i}") for i in range(300)]))
    other = await open_store(engine_url, pool_size=4)
    try:

        async def claimer(on: Store) -> list[int]:
            mine: list[int] = []
            while True:
                batch = await on.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 7))
                if not batch:
                    return mine
                mine += [row.id for row in batch]

        results = await asyncio.gather(*(claimer(s) for s in (store, other) * 3))
    finally:
        await other.close()
    claimed = [i for ids in results for i in ids]
    assert len(claimed) == len(set(claimed)) == 300
    rows = await store.read(lambda tx: tx.deliveries.for_subject("T1", "checkin", "1"))
    assert {row.status for row in rows} == {"posting"}


async def test_a_stale_claim_is_taken_over_once(store: Store) -> None:
    await store.write(lambda tx: tx.deliveries.add_many([_delivery("k")]))
    [first] = await store.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5))
    assert await store.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5)) == []
    later = parse("2026-11-26T08:05:00.000000Z")
    [again] = await store.write(lambda tx: tx.deliveries.claim_ready(later, later, 5))
    assert again.id == first.id and again.claimed_at == later
    await store.write(lambda tx: tx.deliveries.posted(again.id, "1.2", None, later))
    assert await store.write(lambda tx: tx.deliveries.claim_ready(later, later, 5)) == []


async def test_a_dead_posters_claims_come_back_at_once_and_only_its_sent_rows_are_checked(
    store: Store, engine_url: str
) -> None:
    """Two stores on one database (two processes). The first claims three rows and marks one
    as on its way to Slack, then dies. While it beats, nobody takes its claims; once it is
    gone, the other takes them at once: the row that may have been sent is looked for in
    Slack (`checking`), the two never sent are posted at once (`posting`). The dead one's
    late `sending` mark is refused: it cannot post a row taken from it."""
    await store.write(lambda tx: tx.deliveries.add_many([_delivery(f"k{i}") for i in range(3)]))
    other = await open_store(engine_url, pool_size=2)
    try:
        assert store.owner != other.owner
        await store.write(lambda tx: tx.deliveries.beat(NOW))
        taken = await store.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5))
        assert [row.claimed_by for row in taken] == [store.owner] * 3
        assert await store.write(lambda tx: tx.deliveries.sending(taken[0].id, NOW))
        soon = parse("2026-11-26T08:00:05.000000Z")
        # alive (its claims are fresh, it beat 5 s ago): nothing to take
        assert (
            await other.write(lambda tx: tx.deliveries.claim_ready(soon, LONG_AGO, 5, dead=NOW))
            == []
        )
        await other.write(lambda tx: tx.deliveries.gone([store.owner], soon))
        again = await other.write(lambda tx: tx.deliveries.claim_ready(soon, LONG_AGO, 5, dead=NOW))
        assert [(row.id, row.status) for row in again] == [
            (taken[0].id, "checking"),
            (taken[1].id, "posting"),
            (taken[2].id, "posting"),
        ]
        assert {row.claimed_by for row in again} == {other.owner}
        assert not await store.write(lambda tx: tx.deliveries.sending(taken[1].id, soon))
        assert await other.write(lambda tx: tx.deliveries.sending(taken[1].id, soon))
    finally:
        await other.close()


async def test_only_the_claims_owner_records_its_outcome_or_gives_it_back(
    store: Store, engine_url: str
) -> None:
    """A poster taken for dead records nothing on rows taken from it (the new owner decides);
    the owner gives a claim back: never sent, it is ready at once; on its way, looked for."""
    await store.write(lambda tx: tx.deliveries.add_many([_delivery("a"), _delivery("b")]))
    other = await open_store(engine_url, pool_size=2)
    try:
        first, second = await store.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5))
        await store.write(lambda tx: tx.deliveries.gone([store.owner], NOW))
        taken = await other.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5, dead=NOW))
        assert [row.id for row in taken] == [first.id, second.id]
        for record in (
            lambda tx: tx.deliveries.posted(first.id, "1.1", None, NOW),
            lambda tx: tx.deliveries.retry_later(first.id, "oops", NOW),
            lambda tx: tx.deliveries.outcome_unknown(first.id, "timeout", NOW),
            lambda tx: tx.deliveries.finish(first.id, "failed", "no"),
            lambda tx: tx.deliveries.release(first.id, NOW),
        ):
            assert not await store.write(record)
        assert await other.write(lambda tx: tx.deliveries.sending(second.id, NOW))
        assert await other.write(lambda tx: tx.deliveries.release(first.id, NOW))
        assert await other.write(lambda tx: tx.deliveries.release(second.id, NOW))
        ids = [row.id for row in taken]
        rows = await store.read(lambda tx: [tx.deliveries.get("T1", i) for i in ids])
        assert [(r.status, r.claimed_by) for r in rows if r] == [
            ("pending", None),  # never on its way: ready at once
            ("unknown", None),  # perhaps sent: looked for in Slack first
        ]
    finally:
        await other.close()


async def test_claims_lapse_when_their_owner_stops_beating(store: Store, engine_url: str) -> None:
    """A poster on another host cannot be seen dead: its claims come back once both they and
    its last beat are older than the `dead` line, not before."""
    await store.write(lambda tx: tx.deliveries.add_many([_delivery("k")]))
    other = await open_store(engine_url, pool_size=2)
    try:
        await store.write(lambda tx: tx.deliveries.beat(NOW))
        [row] = await store.write(lambda tx: tx.deliveries.claim_ready(NOW, LONG_AGO, 5))
        beat = parse("2026-11-26T08:00:20.000000Z")
        await store.write(lambda tx: tx.deliveries.beat(beat))  # still alive 20 s later
        line = parse("2026-11-26T08:00:15.000000Z")  # `now` minus DEAD, as the poster asks
        assert (
            await other.write(lambda tx: tx.deliveries.claim_ready(beat, LONG_AGO, 5, dead=line))
            == []
        )
        line = parse("2026-11-26T08:00:25.000000Z")  # its last beat is older than that
        [again] = await other.write(
            lambda tx: tx.deliveries.claim_ready(line, LONG_AGO, 5, dead=line)
        )
        assert again.id == row.id and again.status == "posting"
    finally:
        await other.close()


async def test_an_event_id_is_claimed_once_among_concurrent_claimers(store: Store) -> None:
    results = await asyncio.gather(
        *(store.write(lambda tx: tx.events.claim("T1", "Ev1", START)) for _ in range(12))
    )
    assert sorted(results) == [False] * 11 + [True]
    later = START + EVENT_TTL * 2
    assert await store.write(lambda tx: tx.events.purge_expired(later)) == 1
    assert await store.write(lambda tx: tx.events.claim("T1", "Ev1", later))


async def test_concurrent_answers_to_one_question_record_one(store: Store) -> None:
    """The same question answered from several places at once keeps one answer and every
    revision: units about one project queue behind its row."""
    project_id = await store.write(_project)

    def answer(tx: Tx, n: int) -> None:
        project = tx.projects.get("T1", project_id)  # locks the project on PostgreSQL
        assert project is not None
        tx.answers.record(
            team_id="T1",
            project_id=project_id,
            stage="planning",
            question_key="success",
            status="answered",
            text=f"take {n}",
            author_id="U1",
            message_ts=f"1.{n}",
            now=NOW,
        )

    await asyncio.gather(*(store.write(lambda tx, n=n: answer(tx, n)) for n in range(10)))
    [kept] = await store.read(lambda tx: tx.answers.for_project("T1", project_id))
    history = await store.read(lambda tx: tx.answers.history("T1", kept.id))
    assert len(history) == 10 and kept.text == history[-1][0]


async def test_concurrent_settings_changes_keep_every_change(store: Store, engine_url: str) -> None:
    other = await open_store(engine_url, pool_size=4)
    try:
        await asyncio.gather(
            *(
                on.write(lambda tx, k=k: tx.workspaces.update_settings("T1", {f"k{k}": k}, NOW))
                for k, on in enumerate([store, other] * 6)
            )
        )
    finally:
        await other.close()
    settings = await store.read(lambda tx: tx.workspaces.settings(["T1"]))
    assert settings["T1"] == {f"k{k}": k for k in range(12)}


async def test_one_of_many_concurrent_creations_of_a_name_wins(
    store: Store, engine_url: str
) -> None:
    other = await open_store(engine_url, pool_size=4)
    try:
        outcomes = await asyncio.gather(
            *(on.write(_project) for on in [store, other] * 4), return_exceptions=True
        )
    finally:
        await other.close()
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert all(isinstance(o, DuplicateKey) for o in outcomes if not isinstance(o, int))
    assert await store.read(lambda tx: tx.projects.all_names("T1")) == ["Churn"]
