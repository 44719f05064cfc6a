"""PostgreSQL for tests: each test gets a schema of its own in the configured database.

`TEST_DATABASE_URL=postgresql://…` names the database (`.ci/run` sets it). Without it the
PostgreSQL tests skip locally and fail under CI, where PostgreSQL must be present.
`MLE_TEST_BACKEND=postgresql` runs the whole suite's app tests on PostgreSQL.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench.pg import scratch_schema
from storage.open import is_postgres


def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if is_postgres(url):
        return url
    message = "PostgreSQL is not configured: set TEST_DATABASE_URL=postgresql://…"
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI must run the PostgreSQL tests)", pytrace=False)
    pytest.skip(message)


def whole_suite_on_postgres() -> bool:
    return os.environ.get("MLE_TEST_BACKEND", "sqlite") == "postgresql"


@contextmanager
def fresh_schema() -> Iterator[str]:
    """A DATABASE_URL whose tables live in a new, empty schema, dropped afterwards."""
    with scratch_schema(server_url()) as url:
        yield url
