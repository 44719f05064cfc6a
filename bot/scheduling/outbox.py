"""Rows for the outbox, written in the transaction of the change that causes them; the poster
(bot/scheduling/poster.py) posts them after the commit."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from bot.blocks import Post, section
from storage.rows import NewDelivery, ProjectRow
from storage.store import Tx


def message(
    team_id: str,
    kind: str,
    subject: str,
    channel: str,
    post: Post,
    now: datetime,
    *,
    thread_ts: str | None = None,
    label: str | None = None,
    key: str | None = None,
    chart: dict[str, object] | None = None,
) -> NewDelivery:
    """A message to post; its key (also its tag in Slack's message metadata) is unique, so
    a unit of work that runs again writes it once. `chart`: a chart to draw and share, the
    message being posted instead if the upload fails."""
    payload: dict[str, object] = {"text": post.text, "blocks": post.blocks, "label": label or kind}
    if chart is not None:
        payload["chart"] = chart
    return NewDelivery(
        team_id=team_id,
        key=key or f"{kind}:{subject}:{uuid.uuid4().hex[:20]}",
        kind=kind,
        subject=subject,
        channel_id=channel,
        created_at=now,
        due_at=now,
        thread_ts=thread_ts,
        payload=json.dumps(payload, separators=(",", ":")),
        op="post" if chart is None else "upload",
    )


def thread_line(kind: str, project: ProjectRow, text: str, now: datetime) -> list[NewDelivery]:
    """One line in the project's thread (nothing when the project has no thread yet)."""
    if not project.thread_ts:
        return []
    return [
        message(
            project.team_id,
            kind,
            str(project.id),
            project.channel_id,
            Post(text, [section(text)]),
            now,
            thread_ts=project.thread_ts,
            label=project.name,
        )
    ]


HOME = "home"  # the kind (and op) of a Home tab publish
PARENT_UPDATE = "parent_update"  # the kind (and op) of an update of a project's message


def _view(
    kind: str, team_id: str, subject: str, channel: str, now: datetime, due: datetime
) -> NewDelivery:
    """A view composed when it goes out (its kind is its op): only the latest state counts."""
    return NewDelivery(
        team_id=team_id,
        key=f"{kind}:{subject}:{uuid.uuid4().hex[:20]}",
        kind=kind,
        subject=subject,
        channel_id=channel,
        created_at=now,
        due_at=due,
        op=kind,
    )


def home_tab(team_id: str, user: str, now: datetime, due: datetime) -> NewDelivery:
    """Republish a person's Home tab at `due`: one waiting per person is enough (the changes
    until `due` go out together). Its "channel" is the person's, for pacing."""
    return _view(HOME, team_id, user, f"{HOME}:{user}", now, due)


def parent_update(team_id: str, project_id: int, channel: str, now: datetime) -> NewDelivery:
    """Bring a project's message in the channel up to date (its stage, or how it ended)."""
    return _view(PARENT_UPDATE, team_id, str(project_id), channel, now, now)


def queue_view(tx: Tx, row: NewDelivery) -> bool:
    """Queue a view unless one of its kind and subject still waits (that one goes out with
    this change); the finished ones before it are of no use any more: one row is kept per
    subject. True when queued."""
    if not tx.deliveries.add_unless_pending(row):
        return False
    tx.deliveries.forget_finished(row.team_id, row.kind, row.subject)
    return True


def reaction(team_id: str, channel: str, ts: str, name: str, now: datetime) -> NewDelivery:
    return NewDelivery(
        team_id=team_id,
        key=f"react:{channel}:{ts}:{name}",
        kind="reaction",
        subject=ts,
        channel_id=channel,
        created_at=now,
        due_at=now,
        payload=json.dumps({"ts": ts, "text": name, "label": f":{name}:"}),
        op="react",
    )


def chart(
    team_id: str,
    kind: str,
    subject: str,
    channel: str,
    spec: dict[str, object],
    fallback: Post,
    now: datetime,
    *,
    thread_ts: str | None = None,
    label: str | None = None,
    key: str | None = None,
) -> NewDelivery:
    """A chart to draw and share (`spec`: `{"kind", "data", …}`); `fallback` is posted
    instead if the upload fails. `key`: one chart per key (a month's digest chart)."""
    return message(
        team_id,
        kind,
        subject,
        channel,
        fallback,
        now,
        thread_ts=thread_ts,
        label=label,
        key=key,
        chart=spec,
    )
