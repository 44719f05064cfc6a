"""Slack's Web API errors, classified: which end a post for good (and for whom), which leave
its outcome unknown, which are worth another try. Pure: codes in, answers out.

A permanent error ends the row at once (it is told to the project's owner once). Its *reach*
says what else it means:
- `row`: this message cannot go out as it is (too long, malformed, a locked thread, a deleted
  message to react to); the next posts are unaffected.
- `channel`: nothing goes out in that channel until someone acts (archived, the bot removed,
  a read-only channel).
- `workspace`: nothing goes out anywhere until an admin acts (a revoked or expired token, a
  missing scope, the workspace's message cap).
Retrying any of them cannot succeed; each row fails after one try, so a workspace-wide
refusal costs one call per row, not a loop.
"""

from __future__ import annotations

from enum import StrEnum


class Reach(StrEnum):
    ROW = "row"
    CHANNEL = "channel"
    WORKSPACE = "workspace"


ROW = frozenset(
    {
        "msg_too_long",
        "msg_blocks_too_long",
        "no_text",
        "too_many_attachments",
        "cannot_reply_to_message",
        "restricted_action_thread_locked",
        "restricted_action_thread_only_channel",
        "message_not_found",  # reactions.add / chat.update: the message is gone
        "cant_update_message",
        "thread_not_found",
        "file_not_found",
        "duplicate_channel_not_found",
        "metadata_too_large",
        "user_not_found",
    }
)
CHANNEL = frozenset(
    {
        "not_in_channel",
        "is_archived",
        "channel_not_found",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_non_threadable_channel",
        "method_not_supported_for_channel_type",
    }
)
WORKSPACE = frozenset(
    {
        "token_revoked",
        "token_expired",
        "not_authed",
        "account_inactive",
        "missing_scope",
        "no_permission",
        "access_denied",
        "message_limit_exceeded",
        "team_access_not_granted",
        "not_allowed_token_type",
        "ekm_access_denied",
        "org_login_required",
        "two_factor_setup_required",
        "team_not_found",
        "enterprise_is_restricted",
        "app_missing_action_url",
    }
)
# Failures after which a post may or may not have reached Slack (besides any 5xx).
UNKNOWN_OUTCOME = frozenset(
    {"timeout", "network_error", "internal_error", "fatal_error", "request_timeout"}
)


def reach(code: str) -> Reach | None:
    """Whom a permanent error stops (None: the error may clear, try again later).
    Anything `invalid_*` is permanent: the request (or the token) is wrong and stays so."""
    if code in WORKSPACE or code == "invalid_auth":
        return Reach.WORKSPACE
    if code in CHANNEL:
        return Reach.CHANNEL
    if code in ROW or code.startswith("invalid_"):
        return Reach.ROW
    return None


def is_permanent(code: str) -> bool:
    return reach(code) is not None
