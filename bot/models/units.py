"""What the model services share: what to tell the person and the thread (`Said`), finding a
model by name, and running a unit whose thread line goes to the outbox in its transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.blocks import clip, esc
from bot.bus import home_changed
from bot.domain.bank import QuestionBank
from bot.domain.names import name_key, slugify
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import ModelRow, ProjectRow
from storage.store import Store, Tx


@dataclass(frozen=True)
class Said:
    """What to tell the person who asked (ephemeral) and what to post in the project thread."""

    reply: str
    thread: tuple[ProjectRow, str] | None = None
    people: tuple[str, ...] = ()  # (team_id, *users) whose Home tabs change
    done: bool = True  # False: refused, nothing changed
    model: tuple[str, int] | None = None  # (team_id, id) of the model whose KPIs changed


def find_model(tx: Tx, team_id: str, name: str) -> ModelRow | str:
    model = tx.models.by_name(team_id, name_key(name), slugify(name))
    if model is not None:
        return model
    return f"No deployed model called *{esc(clip(name, 80))}*."


class ModelUnits:
    """The store, Slack and the clock, and how a unit is written and who may do what."""

    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        clock: Callable[[], datetime],
        *,
        bank: QuestionBank,
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock

    async def _write(self, unit: Callable[[Tx], Said]) -> str:
        """Run a unit of work; the line it has for the project thread goes to the outbox in
        the same transaction. Returns what to tell the person who asked."""
        now = self.clock()

        def with_thread_line(tx: Tx) -> Said:
            said = unit(tx)
            if said.people:
                home_changed(tx, *said.people)
            if said.thread is not None:
                project, text = said.thread
                tx.deliveries.add_many(outbox.thread_line("thread", project, text, now))
                home_changed(tx, project.team_id, project.owner_id)
            self._caused(tx, said)
            return said

        return (await self.store.write(with_thread_line)).reply

    def _caused(self, tx: Tx, said: Said) -> None:
        """What else a unit emits, in its transaction (nothing by default)."""

    async def _allowed(self, project: ProjectRow, user: str) -> bool:
        return user == project.owner_id or await self.slack.is_admin(user)

    async def form_model(
        self, team_id: str, model_id: int, can_see: Callable[[str], Awaitable[bool]]
    ) -> ModelRow | None:
        """The model a form names, or None: gone, or in a project the person may not see
        (`can_see`: its channel). A form acts on nothing a command could not name."""

        def both(tx: Tx) -> tuple[ModelRow, ProjectRow] | None:
            model = tx.models.get(team_id, model_id)
            project = tx.projects.get(team_id, model.project_id) if model else None
            return (model, project) if model and project else None

        found = await self.store.read(both)
        if found is None or not await can_see(found[1].channel_id):
            return None
        return found[0]
