"""`/mle delete`: ask, then remove a project and everything under it (owner or admin)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.blocks import Post, actions, button, esc, section
from bot.projects.lookup import find_project
from bot.scheduling import outbox
from bot.slack_gateway import SlackGateway
from storage.rows import ProjectRow
from storage.store import Store, Tx

CONFIRM = "project_delete_confirm"
CANCEL = "project_delete_cancel"


class ProjectDeleter:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        clock: Callable[[], datetime],
    ) -> None:
        self.store = store
        self.slack = slack
        self.clock = clock

    async def _allowed(self, project: ProjectRow, user: str) -> bool:
        return user == project.owner_id or await self.slack.is_admin(user)

    async def ask(self, team_id: str, user: str, name: str) -> Post:
        found = await self.store.read(lambda tx: find_project(tx, team_id, name))
        if isinstance(found, str):
            return Post(found, [section(found)])
        if not await self._allowed(found, user):
            text = (
                f"Only the owner of *{found.name}* (<@{found.owner_id}>) or a workspace "
                "admin can delete it."
            )
            return Post(text, [section(text)])
        text = (
            f"Delete *{found.name}* and everything under it — answers, check-ins, models, "
            "metrics? This cannot be undone."
        )
        return Post(
            text,
            [
                section(text),
                actions(
                    "project_delete",
                    button("Delete", CONFIRM, str(found.id), "danger"),
                    button("Cancel", CANCEL, str(found.id)),
                ),
            ],
        )

    async def confirm(self, team_id: str, user: str, value: str) -> str:
        try:
            project_id = int(value)
        except ValueError:
            return "That button is out of date."
        project = await self.store.read(lambda tx: tx.projects.get(team_id, project_id))
        if project is None:
            return "That project is already gone."
        if not await self._allowed(project, user):
            return "Only the owner or a workspace admin can delete it."

        now = self.clock()
        text = f"🗑️ <@{user}> deleted the project *{esc(project.name)}*; I no longer follow it."

        def remove(tx: Tx) -> None:
            tx.projects.delete(team_id, project_id)
            tx.deliveries.add_many(outbox.thread_line("thread", project, text, now))

        await self.store.write(remove)
        return f"Deleted *{project.name}*."
