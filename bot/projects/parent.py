"""A project's message in the channel kept up to date: its stage, or how it ended.

A change of stage (a move, a close, a reopen) queues an update in its own transaction
(`queue_update`); the poster publishes it (`ParentMessage.publish_queued`), composed from
the project as it is then, so a burst of changes is one `chat.update` with the latest state.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.domain.bank import QuestionBank
from bot.domain.stages import Stage
from bot.interview import render
from bot.projects.create import PARENT
from bot.scheduling import outbox
from bot.slack_gateway import Posted, SlackGateway
from storage.rows import ProjectRow
from storage.store import Store, Tx

log = logging.getLogger(__name__)


def queue_update(tx: Tx, project: ProjectRow, now: datetime) -> None:
    """Queue an update of the project's message (the caller kicks its channel after the
    commit); one waiting per project is enough."""
    outbox.queue_view(
        tx, outbox.parent_update(project.team_id, project.id, project.channel_id, now)
    )


class ParentMessage:
    def __init__(self, store: Store, slack: SlackGateway, bank: QuestionBank) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank

    async def publish_queued(self, team_id: str, subject: str) -> Posted:
        """One attempt, composed now (the poster's publisher for queued updates)."""
        project, coming, moved = await self.store.read(
            lambda tx: (
                tx.projects.get(team_id, int(subject)),
                any(
                    row.status in ("pending", "posting", "checking", "unknown")
                    for row in tx.deliveries.for_subject(team_id, PARENT, subject)
                ),
                len(tx.projects.timeline(team_id, int(subject))) > 1,
            )
        )
        if project is None:
            return Posted("gone")  # deleted meanwhile: nothing to update
        if project.thread_ts is None:
            if coming:  # tried again once the message is in Slack
                return Posted(None, "not_posted_yet")
            return Posted("none")  # it never went out (Slack refused it): nothing to update
        total = len(self.bank.questions(Stage.PLANNING))
        post = render.parent_now(project, total, moved)
        result = await self.slack.update(
            project.channel_id, project.thread_ts, post.text, post.blocks
        )
        if not result.ok and result.error != "ratelimited":
            log.warning("chat.update of a project's message failed: %s", result.error)
        return result
