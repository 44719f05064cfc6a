"""The storage interface the bot depends on, and the repositories a unit of work sees.

A unit of work is a synchronous function of a `Tx`. `write` runs it whole and atomically
(on PostgreSQL a unit that lost a race, such as a deadlock or a unique key taken meanwhile,
is run again, so a unit must not change anything outside the database); `read` runs it on
committed data; `rehearse` runs it as a write and rolls it back. Each backend implements
`Store`; the repositories are shared. A unit may leave work for after its commit
(`Tx.after_commit`: waking the poster for rows it queued); a unit rolled back leaves none.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

from storage.repos.blockers import BlockerRepo
from storage.repos.events import EventRepo
from storage.repos.inbox import InboxRepo
from storage.repos.interviews import AnswerRepo, InterviewRepo, NoteRepo
from storage.repos.models import MetricRepo, ModelRepo
from storage.repos.projects import ProjectRepo
from storage.repos.registry import RegistryRepo
from storage.repos.schedules import DeliveryRepo, ScheduleRepo
from storage.repos.workspaces import WorkspaceRepo
from storage.sql import Conn

T = TypeVar("T")
log = logging.getLogger(__name__)


class Tx:
    """The repositories bound to one connection: inside a write transaction, or a read."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self.events = EventRepo(conn)
        self.inbox = InboxRepo(conn)
        self.projects = ProjectRepo(conn)
        self.interviews = InterviewRepo(conn)
        self.answers = AnswerRepo(conn)
        self.notes = NoteRepo(conn)
        self.schedules = ScheduleRepo(conn)
        self.deliveries = DeliveryRepo(conn)
        self.models = ModelRepo(conn)
        self.metrics = MetricRepo(conn)
        self.workspaces = WorkspaceRepo(conn)
        self.blockers = BlockerRepo(conn)
        self.registry = RegistryRepo(conn)
        self._after: list[Callable[[], None]] = []

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run `action` (on the event loop) once this transaction is committed."""
        self._after.append(action)


class Committed(Generic[T]):
    """Runs a unit and, once its transaction has committed, what it left for afterwards:
    only the attempt that committed counts (PostgreSQL may run a unit again)."""

    def __init__(self, work: Callable[[Tx], T]) -> None:
        self.work = work
        self._last: Tx | None = None

    def __call__(self, tx: Tx) -> T:
        result = self.work(tx)
        self._last = tx
        return result

    def done(self) -> None:
        for action in self._last._after if self._last is not None else ():
            try:
                action()
            except Exception:
                log.exception("an action after a commit failed")


class Store(Protocol):
    """Where everything lives."""

    async def migrate(self) -> list[str]: ...

    async def write(self, work: Callable[[Tx], T]) -> T: ...

    async def rehearse(self, work: Callable[[Tx], T]) -> T: ...

    async def read(self, work: Callable[[Tx], T]) -> T: ...

    async def ping(self) -> bool: ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
