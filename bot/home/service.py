"""Publish each person's Home tab: on opening it, and after changes.

A change that shows on someone's Home tab queues a publish in the outbox, in the change's
own transaction (`HomeChanged`, through the bus): due a few seconds later, so a burst of
changes is published once, composed when it goes out. The poster publishes it
(`publish_queued`), paced per person; a crash or a restart meanwhile loses nothing, and
replicas publish it once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.bus import HomeChanged, WakeIn
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import findings
from bot.home import render
from bot.models.facts import load_models
from bot.models.profile import profile
from bot.models.reminders import team_settings
from bot.models.render import kpi_state
from bot.projects.progress import progress
from bot.scheduling import outbox
from bot.slack_gateway import Posted, SlackGateway
from bot.timing import REAL, Timing
from storage.rows import ScheduleState
from storage.store import Store, Tx

log = logging.getLogger(__name__)
DEBOUNCE_SECONDS = 5.0
MAX_ATTEMPTS = 4


class HomeService:
    def __init__(
        self,
        store: Store,
        slack: SlackGateway,
        bank: QuestionBank,
        clock: Callable[[], datetime],
        drain: Callable[[datetime], Awaitable[object]] | None = None,
        debounce: float = DEBOUNCE_SECONDS,
        timing: Timing = REAL,
    ) -> None:
        self.store = store
        self.slack = slack
        self.bank = bank
        self.clock = clock
        self._drain = drain
        self.debounce = debounce
        self.timing = timing

    async def view(self, team_id: str, user: str) -> dict[str, Any]:
        now = self.clock()
        link_base = await self.slack.workspace_url()
        zone = await self.slack.user_tz(user)
        return await self.store.read(
            lambda tx: self._compose(tx, team_id, user, now, link_base, zone)
        )

    def _compose(
        self,
        tx: Tx,
        team_id: str,
        user: str,
        now: datetime,
        link_base: str | None,
        zone: str | None = None,
    ) -> dict[str, Any]:
        """`zone`: the viewer's time zone (times are shown in it)."""
        projects = tx.projects.for_person(team_id, user)
        where = progress(tx, self.bank, projects, now)
        blockers = tx.blockers.open_for([(team_id, p.id) for p in projects])
        checkins = tx.schedules.many(team_id, "checkin", [str(p.id) for p in projects])
        lines = []
        for p in projects:
            schedule = checkins.get(str(p.id))
            next_checkin = (
                schedule.next_due_at
                if schedule and schedule.enabled == ScheduleState.ON and schedule.next_due_at
                else None
            )
            link = (
                f"{link_base}archives/{p.channel_id}/p{p.thread_ts.replace('.', '')}"
                if link_base and p.thread_ts
                else None
            )
            lines.append(
                render.ProjectLine(
                    name=p.name,
                    stage=p.stage,
                    day=where[p.id].day,
                    time_box=where[p.id].time_box,
                    open_required=where[p.id].open_required,
                    no_go=where[p.id].no_go is not None,
                    link=link,
                    next_checkin=next_checkin,
                    zone=zone,
                    blocked=tuple(b.what for b in blockers.get(p.id, [])),
                    outcome=p.outcome,
                )
            )
        models = tx.models.for_person(team_id, user)
        facts = load_models(tx, models)
        owners = tx.projects.many([(team_id, m.project_id) for m in models])
        settings = team_settings(tx, team_id)
        model_lines = []
        for m in models:
            rules, metrics = facts[m.id]
            found = findings(rules, now, settings)
            project = owners.get((team_id, m.project_id))
            values = {k.name: k.values for k in rules.metrics}
            model_lines.append(
                render.ModelLine(
                    model_id=m.id,
                    name=m.name,
                    project=project.name if project else "?",
                    failing=tuple((f.code, f.blocking) for f in found),
                    kpis=tuple(kpi_state(k, values.get(k.name, ())) for k in metrics),
                )
            )
        mine = profile(tx, self.bank, team_id, projects, "you take part in", now)
        return render.home(lines, model_lines, mine.lines() if projects else None)

    async def publish(self, team_id: str, user: str) -> None:
        """Publish now (the person opened the tab); a rate-limited publish is tried again."""
        for attempt in range(MAX_ATTEMPTS):
            result = await self.publish_queued(team_id, user)
            if result.error != "ratelimited":
                return
            await self.timing.sleep(max(1, result.retry_after or 1) * (attempt + 1))
        log.warning("views.publish stayed rate-limited; the next change or visit republishes")

    async def publish_queued(self, team_id: str, user: str) -> Posted:
        """One attempt, composed now (also the poster's publisher for queued Home tabs)."""
        view = await self.view(team_id, user)
        result = await self.slack.publish_home(user, view)
        if not result.ok and result.error != "ratelimited":
            log.warning("views.publish for a Home tab failed: %s", result.error)
        return result

    def queue_tabs(self, tx: Tx, changed: HomeChanged) -> None:
        """Something these people see changed (the bus runs this in the transaction of the
        change): queue their Home tabs to be published once the debounce is over, unless a
        publish already waits, and have the poster look again then."""
        now = self.clock()
        due = now + timedelta(seconds=self.debounce)
        queued = False
        for user in changed.users:
            home = outbox.home_tab(changed.team_id, user, now, due)
            queued = outbox.queue_view(tx, home) or queued
        if queued:
            tx.emit(WakeIn(self.debounce + 0.05))

    async def settle(self) -> None:
        """Publish what waits now instead of at its time (tests): drains every row due
        within the debounce, not only Home tabs."""
        if self._drain is not None:
            await self._drain(self.clock() + timedelta(seconds=self.debounce))
