"""Units of work an engine ran again because they lost a race (PostgreSQL: a deadlock, a
serialization failure, a unique key another transaction inserted meanwhile), counted by reason
since the process started; the bot's `GET /metrics` reads them."""

from __future__ import annotations

import threading


class RetryCount:
    def __init__(self) -> None:
        self._lock = threading.Lock()  # units run on several worker threads
        self._counts: dict[str, int] = {}

    def add(self, reason: str) -> None:
        with self._lock:
            self._counts[reason] = self._counts.get(reason, 0) + 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


RETRIED = RetryCount()
