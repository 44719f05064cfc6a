"""Odd payload shapes get a 4xx, never a 500: every field of every request Slack sends
(../shared/fixtures/slack/), its value replaced by one of every JSON type (values drawn by
hypothesis), sent signed to the real app over HTTP."""

from __future__ import annotations

import asyncio
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import slack_http
from tests.conftest import Harness

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "slack"
KINDS = {  # how each fixture is sent, by its name's start
    "event_": "events_api",
    "interaction_": "interactive",
    "slash_command": "slash_commands",
}
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
BY_TYPE = {
    "null": st.none(),
    "bool": st.booleans(),
    "int": st.integers(min_value=-(2**63), max_value=2**63),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "str": st.text(max_size=40),
    "list": st.lists(SCALARS, max_size=3),
    "object": st.dictionaries(st.text(max_size=6), SCALARS, max_size=3),
}
Path_ = tuple[str | int, ...]


def _fixtures() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for file in sorted(FIXTURES.glob("*.json")):
        kind = next((k for prefix, k in KINDS.items() if file.name.startswith(prefix)), None)
        if kind is None:
            continue  # Slack's answers to the app, not requests
        text = file.read_text().replace("T0EXAMPLE", "T0SANDBOX").replace("C0CHANNEL", "C0MLTEAM")
        doc = json.loads(text)
        doc.pop("_note", None)
        if kind == "slash_commands":
            doc["text"] = "help"  # answered at once: the shapes are what is tried here
        found.append((file.name, kind, doc))
    return found


def _paths(value: Any, at: Path_ = ()) -> list[Path_]:
    """Every field (and list item) of a document, containers included."""
    found: list[Path_] = [at] if at else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _paths(inner, (*at, key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += _paths(inner, (*at, i))
    return found


def _replaced(doc: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    target: Any = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return out


def _cases() -> list[tuple[str, str, Path_, str, dict[str, Any]]]:
    """(fixture, kind, path, type, payload): each field of each fixture as each type, the
    values drawn by hypothesis (a new draw each run)."""
    cases: list[tuple[str, str, Path_, str, dict[str, Any]]] = []

    @settings(
        max_examples=1,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.data())
    def sweep(data: st.DataObject) -> None:
        for name, kind, doc in _fixtures():
            for path in _paths(doc):
                for type_name, values in BY_TYPE.items():
                    value = data.draw(values)
                    cases.append((name, kind, path, type_name, _replaced(doc, path, value)))

    sweep()
    return cases


@pytest.mark.parametrize("subtype", [["thread_broadcast"], {"a": 1}, 7, True])
async def test_a_message_event_whose_subtype_is_not_a_string_gets_400(
    harness: Harness, subtype: object
) -> None:
    [(_, kind, reply)] = [f for f in _fixtures() if f[0] == "event_thread_reply.json"]
    status, _ = await slack_http.signed(
        harness.url,
        harness.emulator.signing_secret,
        kind,
        _replaced(reply, ("event", "subtype"), subtype),
    )
    assert status == 400


async def test_no_field_of_any_type_makes_a_500(harness: Harness) -> None:
    cases = _cases()
    assert len(cases) > 1000
    secret = harness.emulator.signing_secret
    gate = asyncio.Semaphore(8)
    answers: list[tuple[int, str, Path_, str, str]] = []

    async def send(n: int, case: tuple[str, str, Path_, str, dict[str, Any]]) -> None:
        name, kind, path, type_name, payload = case
        if kind == "events_api" and path[:1] != ("event_id",):
            payload["event_id"] = f"EvFuzz{n:06d}"  # each a new event, not a repeat
        async with gate:
            status, _ = await slack_http.signed(harness.url, secret, kind, payload)
        answers.append((status, name, path, type_name, json.dumps(payload)[:300]))

    await asyncio.gather(*(send(n, case) for n, case in enumerate(cases)))
    await harness.idle()
    broken = [a for a in answers if a[0] >= 500]
    assert not broken, broken[:5]
    assert {a[0] for a in answers} <= {200, 400, 404}
