"""Who may see a project: the people who can read its channel. A project in a private
channel is, for everyone else, a name that does not exist (no status, no "did you mean")."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.blocks import clip, esc
from bot.domain.names import did_you_mean, name_key, slugify
from bot.slack_gateway import SlackGateway
from storage.rows import ModelRow, ProjectRow
from storage.store import Store, Tx

# Membership changes rarely; a minute of caching keeps commands fast without leaking for long.
TTL = 60.0


class Visibility:
    def __init__(
        self, store: Store, slack: SlackGateway, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.store = store
        self.slack = slack
        self.monotonic = monotonic
        self._readers: dict[str, tuple[float, frozenset[str] | None]] = {}

    async def can_see(self, user: str, channel: str, where: str) -> bool:
        """Whether `user`, typing in channel `where`, may see what lives in `channel`."""
        if channel == where:
            return True  # they are reading it now
        readers = await self._channel_readers(channel)
        return readers is None or user in readers

    async def public(self, channel: str) -> bool:
        """Anyone in the workspace may read it (what is posted about it may go anywhere)."""
        return await self._channel_readers(channel) is None

    async def _channel_readers(self, channel: str) -> frozenset[str] | None:
        now = self.monotonic()
        cached = self._readers.get(channel)
        if cached is not None and now - cached[0] < TTL:
            return cached[1]
        readers = await self.slack.channel_readers(channel)
        if readers is None or readers:  # a private channel lists the bot at least: empty is
            self._readers[channel] = (now, readers)  # Slack not saying, asked again next time
        return readers

    async def project(self, team_id: str, user: str, where: str, name: str) -> ProjectRow | str:
        """The project this person may see under that name, or what to tell them: exactly
        what a name that does not exist gets, suggestions among what they may see."""
        found, names = await self.store.read(
            lambda tx: (
                tx.projects.by_name(team_id, name_key(name), slugify(name)),
                tx.projects.names_and_channels(team_id),
            )
        )
        if found is not None and await self.can_see(user, found.channel_id, where):
            return found
        hint = await self._hint(names, name, user, where)
        return f"No project called *{esc(clip(name, 100))}*.{hint}"

    async def model(self, team_id: str, user: str, where: str, name: str) -> ModelRow | str:
        """The same for a model: visible where its project is."""
        found, names = await self.store.read(
            lambda tx: (_models(tx, team_id, name), tx.models.names_and_channels(team_id))
        )
        seen = [m for m, channel in found if await self.can_see(user, channel, where)]
        if len(seen) == 1:
            return seen[0]
        if len(seen) > 1:
            choices = " or ".join(f"*{esc(m.name)}* (`{m.slug}`)" for m in seen)
            return f"Which one? {choices}. Name it by its slug."
        hint = await self._hint(names, name, user, where)
        return f"No deployed model called *{esc(clip(name, 80))}*.{hint}"

    async def _hint(self, names: list[tuple[str, str]], name: str, user: str, where: str) -> str:
        """ "Did you mean …?" among the names this person may see."""
        channels = dict(names)
        shown = [
            c
            for c in close_names(name, list(channels))
            if await self.can_see(user, channels[c], where)
        ]
        return f" Did you mean {', '.join(f'*{esc(n)}*' for n in shown[:3])}?" if shown else ""


def close_names(typed: str, names: list[str]) -> list[str]:
    """Names `typed` may mean: those it starts or is a word of (`churn` → *Churn reduction*),
    then the closest spellings (`chrun reduction`), case and dashes aside."""
    key = slugify(typed)
    if not key:
        return []
    by_key = {slugify(n): n for n in names}
    words = [n for k, n in by_key.items() if k.startswith(key) or f"-{key}" in f"-{k}"]
    spelled = did_you_mean(key, list(by_key), n=6)
    return list(dict.fromkeys([*words, *(by_key[k] for k in spelled)]))[:6]


def _models(tx: Tx, team_id: str, name: str) -> list[tuple[ModelRow, str]]:
    """The models a name may mean, each with its project's channel."""
    found = []
    for model in tx.models.matching(team_id, name_key(name), slugify(name)):
        project = tx.projects.get(team_id, model.project_id)
        if project is not None:
            found.append((model, project.channel_id))
    return found
