"""The storage interface the bot depends on, and the repositories a unit of work sees.

A unit of work is a synchronous function of a `Tx`. `write` runs it whole and atomically
(on PostgreSQL a unit that lost a race, such as a deadlock or a unique key taken meanwhile,
is run again on a fresh `Tx`, so a unit must not change anything outside the database);
`read` runs it on committed data; `rehearse` runs it as a write and rolls it back. Each
backend implements `Store`; the repositories are shared. What a unit causes beyond its rows
is collected on its `Tx` (`Caused`: the events it emits, the outbox channels it queued rows
for, the rows it wrote already claimed); the bot's bus (bot/bus.py) acts on it once the
unit is committed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from storage.caused import Caused
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


class Tx:
    """The repositories bound to one connection: inside a write transaction, or a read."""

    def __init__(self, conn: Conn, owner: str = "") -> None:
        self.conn = conn
        self.owner = owner  # who claims what this unit claims (storage/owner.py)
        self.caused = Caused()
        self.events = EventRepo(conn)
        self.inbox = InboxRepo(conn)
        self.projects = ProjectRepo(conn)
        self.interviews = InterviewRepo(conn)
        self.answers = AnswerRepo(conn)
        self.notes = NoteRepo(conn)
        self.schedules = ScheduleRepo(conn)
        self.deliveries = DeliveryRepo(conn, self.caused, owner)
        self.models = ModelRepo(conn)
        self.metrics = MetricRepo(conn)
        self.workspaces = WorkspaceRepo(conn)
        self.blockers = BlockerRepo(conn)
        self.registry = RegistryRepo(conn)

    def emit(self, event: object) -> None:
        """Record something this unit caused, to be acted on in it and after its commit."""
        self.caused.events.append(event)


class Store(Protocol):
    """Where everything lives."""

    @property
    def owner(self) -> str:
        """This store's name on the claims it takes (storage/owner.py)."""
        ...

    async def migrate(self) -> list[str]: ...

    async def write(self, work: Callable[[Tx], T]) -> T: ...

    async def rehearse(self, work: Callable[[Tx], T]) -> T: ...

    async def read(self, work: Callable[[Tx], T]) -> T: ...

    async def ping(self) -> bool: ...

    async def schema_version(self) -> int: ...

    async def close(self) -> None: ...
