"""Rows as the bot sees them: times are `datetime`s in UTC (the repositories store them as
ISO-8601 text, storage/timefmt.py, and read them back)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum


@dataclass(frozen=True)
class ProjectRow:
    id: int
    team_id: str
    name: str
    slug: str
    channel_id: str
    thread_ts: str | None
    owner_id: str
    tz: str
    stage: str
    stage_entered_at: datetime
    created_at: datetime
    outcome: str | None = None  # shipped | cancelled | paused, once closed
    close_reason: str | None = None
    closed_by: str | None = None
    closed_at: datetime | None = None
    reopen_stage: str | None = None  # the stage it was closed from


@dataclass(frozen=True)
class InterviewRow:
    id: int
    team_id: str
    project_id: int
    stage: str
    position: int
    status: str  # active | complete
    question_ts: str | None
    post_state: str  # pending | posting | posted | failed (Slack refused for good)
    post_claimed_at: datetime | None
    post_error: str | None
    reask: str | None  # required keys asked again after the first round; None: not ended

    def second_round(self) -> tuple[str, ...] | None:
        if self.reask is None:
            return None
        return tuple(k for k in self.reask.split(",") if k)


@dataclass(frozen=True)
class AnswerRow:
    id: int
    team_id: str
    project_id: int
    stage: str
    question_key: str
    status: str  # answered | skipped | open (a non-answer, kept) | withdrawn
    text: str
    author_id: str
    message_ts: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class NoteRow:
    id: int
    team_id: str
    project_id: int
    kind: str  # early_reply | unreadable | model_metric | checkin
    stage: str
    question_key: str | None
    author_id: str
    message_ts: str
    text: str


class ScheduleState(IntEnum):
    """A schedule's `enabled` column."""

    OFF = 0  # turned off by someone: only turning it on again resumes it
    ON = 1
    HELD = 2  # its subject is closed: no slot comes due until it is reopened


@dataclass(frozen=True)
class ScheduleRow:
    id: int
    team_id: str
    kind: str  # checkin | digest
    subject: str  # project id for check-ins, channel id for digests
    channel_id: str
    days: str
    at_time: str
    tz: str
    next_due_at: datetime | None
    enabled: ScheduleState


@dataclass(frozen=True)
class DeliveryRow:
    id: int
    team_id: str
    delivery_key: str
    schedule_id: int | None
    kind: str
    subject: str
    channel_id: str
    thread_ts: str | None
    slot: str | None
    due_at: datetime | None
    status: str  # pending | posting | posted | failed | skipped
    attempts: int
    next_attempt_at: datetime | None
    claimed_at: datetime | None
    posted_ts: str | None
    posted_at: datetime | None
    error: str | None
    responded_at: datetime | None
    responded_by: str | None
    payload: str | None  # a message rendered when it was queued (JSON); None: composed now
    op: str  # post | react
    claimed_by: str | None = None  # the store (process) that holds its claim
    sending_at: datetime | None = None  # set just before the Web API call


@dataclass(frozen=True)
class ModelRow:
    id: int
    team_id: str
    project_id: int
    name: str
    name_key: str
    slug: str
    version: str | None
    tier: str | None
    deployed_at: datetime
    deployed_by: str
    retired_at: datetime | None
    next_check_at: datetime | None
    snoozed_until: datetime | None
    snooze_reason: str | None
    snoozed_by: str | None
    registry: str | None = None  # the MLflow registered model it mirrors
    registry_seen: str | None = None  # JSON: its KPI tags and KPI as of the last sync


@dataclass(frozen=True)
class MetricRow:
    id: int
    team_id: str
    model_id: int
    name: str
    name_key: str
    baseline: float | None
    target: float | None
    owner_id: str | None
    method: str | None
    window_days: int | None
    direction: str
    created_at: datetime
    updated_at: datetime
    unit: str  # '' none, '%', 'pp', '$' …: baseline, target and values share it


@dataclass(frozen=True)
class ValueRow:
    id: int
    team_id: str
    metric_id: int
    value: float
    observed_at: datetime
    reporter_id: str


@dataclass(frozen=True)
class InboxRow:
    """A Slack request recorded before it was acknowledged, and what became of it."""

    id: int
    team_id: str
    request_key: str
    kind: str
    body: str
    received_at: datetime
    claimed_at: datetime | None
    attempts: int
    done_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class NewDelivery:
    """A post to make: one per `key` (a slot, a reminder period, a nudge), so however many
    passes or replicas add it, it is posted once."""

    team_id: str
    key: str
    kind: str
    subject: str
    channel_id: str
    created_at: datetime
    due_at: datetime | None = None
    thread_ts: str | None = None
    slot: str | None = None
    schedule_id: int | None = None
    status: str = "pending"  # or "skipped": a slot missed for too long, kept as a record
    payload: str | None = None  # the message as rendered now (JSON); None: composed at posting
    op: str = "post"  # or "react"


@dataclass(frozen=True)
class BlockerRow:
    id: int
    team_id: str
    project_id: int
    stage: str
    what: str
    unblocker_id: str | None
    raised_by: str
    raised_at: datetime
    request_key: str
    cleared_by: str | None
    cleared_at: datetime | None
    cleared_how: str | None
