"""Channel messages: thread replies, edits and deletes go to the interview.

They enter through the inbox (handlers/middleware.py records them before Slack gets its
200); `process` runs from the inbox record, right away or again after a crash.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.inbox import Inline, Processor
from bot.interview.service import ThreadReply
from bot.services import Services
from storage.store import Tx

# The events this module handles (manifest.yml subscribes them: tests/test_manifest.py).
EVENTS = ("message",)
# Subtypes that are a person writing in a thread.
REPLY_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def _human(message: dict[str, Any]) -> bool:
    return (
        bool(message.get("user"))
        and not message.get("bot_id")
        and message.get("subtype") != "bot_message"
    )


def _in_thread(message: dict[str, Any], ts: object) -> bool:
    thread_ts = message.get("thread_ts")
    return bool(thread_ts) and thread_ts != ts


# The fields read from a message event (and from the message inside an edit or a delete):
# Slack sends each as a string; anything else is a payload no one should send us.
_TEXT_FIELDS = ("subtype", "user", "bot_id", "ts", "thread_ts", "channel", "text", "team")
_EVENT_FIELDS = (*_TEXT_FIELDS, "deleted_ts", "event_ts")


def well_formed(body: dict[str, Any]) -> bool:
    """Whether a message event's fields that are read have the types Slack sends (strings,
    objects); an odd shape is answered 400, never taken (nor a 500)."""
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(body.get("team_id"), str | None):
        return False
    if not all(isinstance(event.get(name), str | None) for name in _EVENT_FIELDS):
        return False
    for inner in ("message", "previous_message"):
        message = event.get(inner)
        if message is None:
            continue
        if not isinstance(message, dict):
            return False
        if not all(isinstance(message.get(name), str | None) for name in _TEXT_FIELDS):
            return False
        edited = message.get("edited")
        if edited is not None and not (
            isinstance(edited, dict) and isinstance(edited.get("ts"), str | None)
        ):
            return False
    return True


def concerns_us(event: dict[str, Any]) -> bool:
    """Whether a message event may change state: a person's reply in a thread, or an edit or
    delete of one. Everything else (top-level chatter, bots, our own posts) is ignored
    without a database write."""
    subtype = event.get("subtype")
    if subtype in REPLY_SUBTYPES:
        return _human(event) and _in_thread(event, event.get("ts"))
    if subtype == "message_changed":
        new = event.get("message") or {}
        return isinstance(new, dict) and _human(new) and _in_thread(new, new.get("ts"))
    if subtype == "message_deleted":
        old = event.get("previous_message") or {}
        deleted = event.get("deleted_ts")
        return isinstance(old, dict) and bool(deleted) and _in_thread(old, deleted)
    return False


def _team(body: dict[str, Any], event: dict[str, Any]) -> str:
    return str(body.get("team_id") or event.get("team") or "")


def _thread_reply(body: dict[str, Any], event: dict[str, Any]) -> ThreadReply:
    return ThreadReply(
        _team(body, event),
        str(event.get("channel") or ""),
        str(event["thread_ts"]),
        str(event.get("ts") or ""),
        str(event["user"]),
        str(event.get("text") or ""),
    )


def inline(services: Services) -> Inline:
    """A thread reply is taken in the transaction that records it (bot/inbox.py); edits
    and deletes are processed from the inbox."""

    def take(tx: Tx, body: dict[str, Any], now: datetime) -> bool:
        event: dict[str, Any] = body.get("event") or {}
        if event.get("subtype") not in REPLY_SUBTYPES:
            return False
        return services.interviews.reply_in(tx, _thread_reply(body, event), now)

    return take


def processor(services: Services) -> Processor:
    async def process(body: dict[str, Any]) -> None:
        event: dict[str, Any] = body.get("event") or {}
        team = _team(body, event)
        channel = str(event.get("channel") or "")
        subtype = event.get("subtype")
        if subtype in REPLY_SUBTYPES:
            await services.interviews.on_reply(_thread_reply(body, event))
        elif subtype == "message_changed":
            new = event["message"]
            await services.interviews.on_edit(
                team,
                channel,
                str(new["thread_ts"]),
                str(new.get("ts")),
                str(new["user"]),
                str(new.get("text") or ""),
                _edited_ts(event, new),
            )
        elif subtype == "message_deleted":
            old = event["previous_message"]
            await services.interviews.on_delete(
                team, channel, str(old["thread_ts"]), str(event["deleted_ts"])
            )

    return process


def _edited_ts(event: dict[str, Any], new: dict[str, Any]) -> str:
    """When the edit was made: the message's `edited.ts`, else the event's own ts."""
    edited = new.get("edited")
    stamp = edited.get("ts") if isinstance(edited, dict) else None
    return str(stamp or event.get("event_ts") or event.get("ts") or "")
