"""`/mle settings`: the workspace's business-metric reminder settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.business_rules import settings_from
from bot.slack_gateway import SlackGateway
from storage.rows import ScheduleState
from storage.store import Store


class WorkspaceService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        clock: Callable[[], datetime],
        *,
        registry_on: bool = False,
    ) -> None:
        self.store = store
        self.slack = slack
        self.clock = clock
        self.registry_on = registry_on  # MLFLOW_TRACKING_URI is set

    async def settings(self, team_id: str, user: str, changes: dict[str, int | str]) -> str:
        if changes:
            if not await self.slack.is_admin(user):
                return "Only a workspace admin can change these settings."
            now = self.clock()
            stored = await self.store.write(
                lambda tx: tx.workspaces.update_settings(team_id, changes, now)
            )
            prefix = "Saved. "
        else:
            stored = await self.store.read(
                lambda tx: tx.workspaces.settings([team_id]).get(team_id, {})
            )
            prefix = ""
        current = settings_from(stored)
        return (
            f"{prefix}Business-metric reminders in this workspace: first reminder "
            f"{current.grace.days} days after deploy (grace), then every "
            f"{current.interval.days} days while a rule holds; values go stale after "
            f"{current.cadence.days} days (review cadence); measurement window "
            f"{current.window.days} days. A scheduled post missed while I was down goes out "
            f"up to {stored.get('missed_hours', 6)} hours late; older ones are skipped and "
            "recorded. The digest flags a project in scoping or experimentation with no time "
            f"box after {stored.get('research_days', 30)} days."
            + await self._registry(team_id, stored)
        )

    async def _registry(self, team_id: str, stored: dict[str, object]) -> str:
        """Where MLflow models matched to no project are listed."""
        channel = stored.get("registry_channel")
        if not self.registry_on and not channel:
            return ""
        if not channel:
            return (
                " MLflow models matched to no project are listed by `/mle registry` only "
                "(`registry_channel=#channel` adds them to that channel's digest)."
            )
        digest = await self.store.read(lambda tx: tx.schedules.get(team_id, "digest", str(channel)))
        has_digest = digest is not None and digest.enabled == ScheduleState.ON
        return f" MLflow models matched to no project are listed in the digest of <#{channel}>" + (
            "." if has_digest else f" once it has one (`/mle digest mon 09:00` in <#{channel}>)."
        )
