"""A registered model whose name shows nothing, or holds a text-direction control, is not
deployed from MLflow: the sync says why in `/mle registry` and deploys the others, against a
real MLflow tracking server driven with MLflow's own client."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import running_app
from tests.interviews import new_project
from tests.mlflow_server import sync, version

pytest.importorskip("mlflow")

NOW = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


async def test_a_model_name_that_shows_nothing_is_reported_and_skipped(
    emulator: SlackEmulator, database: str, client: Any, tracking_server: str
) -> None:
    clock = ManualClock(NOW)
    project = f"Churn {uuid.uuid4().hex[:6]}"  # the registry is shared by the session's tests
    blank = "\u200b\u200b"  # (only this test registers it in the session's registry)
    bidi = f"churn\u202e{uuid.uuid4().hex[:6]}"
    good = f"churn-lgbm-{uuid.uuid4().hex[:6]}"
    settings = {"MLFLOW_TRACKING_URI": tracking_server}
    async with running_app(emulator, database, clock, settings=settings) as h:
        await new_project(h, project)
        for name in (blank, bidi, good):
            client.create_registered_model(name, tags={"mle.project": project})
            champion = version(client, name, 4.0, at=NOW - timedelta(hours=1))
            client.set_registered_model_alias(name, "champion", champion)
        await sync(h, clock)
        deployed = await h.read(
            lambda tx: [m.name for m in tx.models.for_person("T0SANDBOX", "U0ALICE")]
        )
        assert deployed == [good]
        await h.emulator.slash("registry")
        await h.idle()
        said = h.emulator.ephemerals_for("U0ALICE")[-1].text
        assert "needs at least one visible character (it holds only U+200B ZERO WIDTH" in said
        assert "holds a text-direction control (U+202E RIGHT-TO-LEFT OVERRIDE)" in said
        assert said.count("Rename it in MLflow.") == 2, said
