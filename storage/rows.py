"""Rows as the bot sees them."""

from __future__ import annotations

from dataclasses import dataclass


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
    stage_entered_at: str
    created_at: str


@dataclass(frozen=True)
class InterviewRow:
    id: int
    team_id: str
    project_id: int
    stage: str
    position: int
    status: str  # active | complete
    question_ts: str | None
    post_state: str  # pending | posting | posted
    post_claimed_at: str | None
    post_error: str | None


@dataclass(frozen=True)
class AnswerRow:
    id: int
    team_id: str
    project_id: int
    stage: str
    question_key: str
    status: str  # answered | skipped | withdrawn
    text: str
    author_id: str
    message_ts: str | None
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class NoteRow:
    id: int
    team_id: str
    project_id: int
    kind: str  # late_reply | checkin
    stage: str
    question_key: str | None
    author_id: str
    message_ts: str
    text: str
