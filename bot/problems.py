"""Posts Slack refused for good, told to the project's owner the next time they use /mle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.domain.slack_errors import Reach, reach
from storage.store import Store, Tx

LOOK_BACK = timedelta(days=14)
ADVICE = {
    "not_in_channel": "invite me back with `/invite @MLE Coach`",
    "is_archived": "the channel is archived: unarchive it, or `/mle delete` the project",
    "channel_not_found": "the channel no longer exists: `/mle delete` the project or start it "
    "again elsewhere",
    "token_revoked": "the app's token was revoked: an admin needs to reinstall MLE Coach",
    "invalid_auth": "the app's token no longer works: an admin needs to reinstall MLE Coach",
    "account_inactive": "the app's account is inactive: an admin needs to reinstall MLE Coach",
}
# Why a project or digest cannot be started in a channel, by Slack's error.
NOT_MEMBER = {
    "not_in_channel": "I'm not in this private channel. Invite me with `/invite @MLE Coach`, "
    "then run the command again.",
    "is_archived": "This channel is archived, so I can't start a project here.",
    "channel_not_found": "I can't see this channel (a DM or a private channel I'm not in?). "
    "Invite me with `/invite @MLE Coach`, or use a channel I'm in.",
    "method_not_supported_for_channel_type": "I can't join this kind of conversation. "
    "Use a channel and invite me there.",
}
WHAT = {
    "parent": "the project's first message",
    "checkin": "a check-in",
    "reminder": "a business-metric reminder",
    "f8": "a business-metric heads-up",
    "nudge": "a check-in nudge",
    "question": "an interview question",
}
BY_REACH = {
    Reach.WORKSPACE: "the app's installation needs an admin (reinstall MLE Coach)",
    Reach.CHANNEL: "the channel does not take my posts any more",
}


def describe(kind: str, project: str, channel: str, error: str) -> str:
    found = reach(error)
    advice = ADVICE.get(error) or (BY_REACH.get(found) if found else None)
    if advice is None and error.startswith(("gave up", "outcome unknown")):
        advice = "I stopped trying this one and will go on with the next ones"
    advice = advice or "I'll keep trying the next ones"
    return (
        f"I couldn't post {WHAT.get(kind, 'a message')} for *{project}* in <#{channel}> "
        f"({error}): {advice}."
    )


class Problems:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    async def take_for(self, team_id: str, user: str) -> list[str]:
        """New problems for this owner, marked as told."""
        now = self.clock()

        def take(tx: Tx) -> list[str]:
            rows = tx.deliveries.failures_of_owner(team_id, user, now - LOOK_BACK, True)
            tx.deliveries.mark_reported([r[0] for r in rows], now)
            return [describe(kind, name, channel, error) for _, kind, name, channel, error in rows]

        return await self.store.write(take)

    def recent(self, tx: Tx, team_id: str, owner: str, now: datetime) -> list[str]:
        rows = tx.deliveries.failures_of_owner(team_id, owner, now - LOOK_BACK, False)
        return [describe(kind, name, channel, error) for _, kind, name, channel, error in rows]
