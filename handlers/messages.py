"""Channel messages: thread replies, edits and deletes go to the interview."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services import Services

# Subtypes that are a person writing in a thread.
REPLY_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def _human(message: dict[str, Any]) -> bool:
    return (
        bool(message.get("user"))
        and not message.get("bot_id")
        and message.get("subtype") != "bot_message"
    )


def register(app: AsyncApp, services: Services) -> None:
    @app.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        team = str(body.get("team_id") or event.get("team") or "")
        channel = str(event.get("channel") or "")
        subtype = event.get("subtype")
        async with services.activity.track():
            if subtype in REPLY_SUBTYPES and _human(event):
                thread_ts, ts = event.get("thread_ts"), str(event.get("ts") or "")
                if thread_ts and thread_ts != ts:
                    await services.interviews.on_reply(
                        team,
                        channel,
                        str(thread_ts),
                        ts,
                        str(event["user"]),
                        str(event.get("text") or ""),
                    )
            elif subtype == "message_changed":
                new = event.get("message") or {}
                thread_ts = new.get("thread_ts")
                if _human(new) and thread_ts and thread_ts != new.get("ts"):
                    await services.interviews.on_edit(
                        team,
                        channel,
                        str(thread_ts),
                        str(new.get("ts")),
                        str(new["user"]),
                        str(new.get("text") or ""),
                    )
            elif subtype == "message_deleted":
                old = event.get("previous_message") or {}
                thread_ts = old.get("thread_ts")
                if thread_ts and event.get("deleted_ts") and thread_ts != event["deleted_ts"]:
                    await services.interviews.on_delete(
                        team, channel, str(thread_ts), str(event["deleted_ts"])
                    )
