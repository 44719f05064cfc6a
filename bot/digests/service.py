"""`/mle digest`: a channel's digest schedule, or one digest right now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.schedule import ScheduleError, parse_recurrence
from bot.domain.timebox import known_zone
from bot.problems import NOT_MEMBER
from bot.scheduling.ticker import Ticker
from bot.slack_gateway import SlackGateway
from storage.rows import NewDelivery
from storage.store import Store, Tx

KIND = "digest"
NOW_WINDOW = timedelta(minutes=1)


class DigestService:
    def __init__(
        self, store: Store, slack: SlackGateway, ticker: Ticker, clock: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.slack = slack
        self.ticker = ticker
        self.clock = clock

    async def set_schedule(
        self, team_id: str, user: str, channel: str, days: str, time: str, tz: str | None
    ) -> str:
        zone = tz or known_zone(await self.slack.user_tz(user))
        try:
            rule = parse_recurrence(days, time, zone)
        except ScheduleError as exc:
            return f"{exc}\nUsage: `/mle digest <days> <HH:MM> [<IANA tz>]`, `off` or `now`."
        problem = await self.slack.ensure_member(channel)
        if problem is not None:
            return NOT_MEMBER.get(problem, f"I can't post in this channel ({problem}).")
        now = self.clock()
        first = rule.next_after(now)
        await self.store.write(
            lambda tx: tx.schedules.upsert(
                team_id=team_id,
                kind=KIND,
                subject=channel,
                channel_id=channel,
                days=",".join(rule.days),
                at_time=rule.time_text,
                tz=rule.tz,
                next_due_at=first,
            )
        )
        return (
            f"This channel's digest: {rule.describe()}. First one "
            f"<!date^{int(first.timestamp())}^{{date_short_pretty}} {{time}}|"
            f"{rule.slot(first)}>."
        )

    async def turn_off(self, team_id: str, channel: str) -> str:
        stopped = await self.store.write(lambda tx: tx.schedules.disable(team_id, KIND, channel))
        return (
            "This channel's digest is off."
            if stopped
            else "This channel has no digest schedule. Set one with `/mle digest mon 09:00`."
        )

    async def now(self, team_id: str, channel: str) -> str | None:
        """Post a digest now; pressed twice within a minute, there is still one digest."""
        problem = await self.slack.ensure_member(channel)
        if problem is not None:
            return NOT_MEMBER.get(problem, f"I can't post in this channel ({problem}).")
        moment = self.clock()

        def queue(tx: Tx) -> bool:
            if tx.deliveries.recent(team_id, KIND, channel, moment - NOW_WINDOW):
                return False
            slot = f"now:{moment:%Y-%m-%dT%H:%M:%S}"
            tx.deliveries.add_many(
                [
                    NewDelivery(
                        team_id=team_id,
                        key=f"{KIND}:{channel}:{slot}",
                        kind=KIND,
                        subject=channel,
                        channel_id=channel,
                        created_at=moment,
                        due_at=moment,
                        slot=slot,
                    )
                ]
            )
            return True

        if not await self.store.write(queue):
            return "A digest was posted here less than a minute ago; here it is above."
        await self.ticker.tick(moment)
        return None
