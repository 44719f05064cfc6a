"""The Web API methods the app calls, answering like Slack does (ok/error bodies)."""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.emulator.blocks import BlockKitError, decode, validate_message, validate_view
from sandbox.emulator.state import Ephemeral, Message, UploadedFile, View

if TYPE_CHECKING:
    from sandbox.emulator.server import SlackEmulator


class ApiError(Exception):
    def __init__(
        self, error: str, *, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.headers = headers or {}


@dataclass
class Fault:
    status: int
    error: str
    retry_after: int | None = None


@dataclass
class RateLimiter:
    """A token bucket per key: `burst` posts at once, then `per_second`."""

    burst: float = 3.0
    per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def retry_after(self, key: str) -> int | None:
        now = self.clock()
        tokens, last = self._buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens >= 1:
            self._buckets[key] = (tokens - 1, now)
            return None
        self._buckets[key] = (tokens, now)
        return max(1, math.ceil((1 - tokens) / self.per_second))


Method = Callable[["SlackEmulator", dict[str, Any]], Awaitable[dict[str, Any]]]
BOT_METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[Method], Method]:
    def register(fn: Method) -> Method:
        BOT_METHODS[name] = fn
        return fn

    return register


def _require(params: dict[str, Any], *names: str) -> None:
    for name in names:
        if params.get(name) in (None, ""):
            raise ApiError("invalid_arguments")


def _channel_for_post(emu: SlackEmulator, channel_id: str) -> str:
    ws = emu.workspace
    channel = ws.channels.get(channel_id)
    if channel is None:
        raise ApiError("channel_not_found")
    if channel.is_archived:
        raise ApiError("is_archived")
    if ws.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return channel.id


def _message_body(params: dict[str, Any]) -> list[dict[str, Any]] | None:
    try:
        return validate_message(params.get("text"), params.get("blocks"))
    except BlockKitError as exc:
        raise ApiError(exc.error) from None


def _metadata(raw: object) -> dict[str, Any] | None:
    """Message metadata as Slack checks it: an event type and a payload object."""
    if raw in (None, ""):
        return None
    try:
        value = decode(raw)
    except BlockKitError:
        raise ApiError("invalid_metadata_format") from None
    if not (
        isinstance(value, dict)
        and isinstance(value.get("event_type"), str)
        and isinstance(value.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format")
    return value


@method("auth.test")
async def auth_test(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    ws = emu.workspace
    return {
        "url": f"https://{ws.team_name}.slack.com/",
        "team": ws.team_name,
        "user": "mle-coach",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@method("chat.postMessage")
async def chat_post_message(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel")
    channel = _channel_for_post(emu, str(params["channel"]))
    blocks = _message_body(params)
    if emu.rate_limits and emu.workspace_limiter is not None:
        wait = emu.workspace_limiter.retry_after("workspace")
        if wait is not None:
            raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})
    if emu.rate_limits:
        wait = emu.post_limiter.retry_after(channel)
        if wait is not None:
            raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})
    ws = emu.workspace
    message = Message(
        channel=channel,
        ts=emu.clock.next_ts(),
        text=str(params.get("text") or ""),
        user=ws.bot_user_id,
        bot_id=ws.bot_id,
        thread_ts=str(params["thread_ts"]) if params.get("thread_ts") else None,
        blocks=blocks,
        metadata=_metadata(params.get("metadata")),
    )
    ws.add_message(message)
    emu.notify("post", message)
    if emu.echo_bot_messages:
        emu.echo(message)
    return {"channel": channel, "ts": message.ts, "message": message.to_api()}


def _history_limited(emu: SlackEmulator, method: str) -> None:
    """History reads: 1 request a minute for an app outside the Marketplace."""
    if emu.rate_limits:
        wait = emu.history_limiter.retry_after(method)
        if wait is not None:
            raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})


def _readable(emu: SlackEmulator, channel_id: str) -> list[Message]:
    channel = emu.workspace.channels.get(channel_id)
    if channel is None:
        raise ApiError("channel_not_found")
    if emu.workspace.bot_user_id not in channel.members:
        raise ApiError("not_in_channel")
    return [m for m in emu.workspace.messages.get(channel_id, []) if not m.deleted]


def _api_message(emu: SlackEmulator, message: Message, *, with_metadata: bool) -> dict[str, Any]:
    """A message as history reads show it: with its shared files' objects, as Slack's do."""
    data = message.to_api(with_metadata=with_metadata)
    files = [emu.workspace.files[f] for f in message.files if f in emu.workspace.files]
    if files:
        data["files"] = [
            {"id": f.id, "name": f.filename, "title": f.title or f.filename, "size": f.length}
            for f in files
        ]
        data["upload"] = False
    return data


def _flag(params: dict[str, Any], name: str) -> bool:
    return str(params.get(name, "")).lower() in ("1", "true")


@method("conversations.replies")
async def conversations_replies(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel", "ts")
    _history_limited(emu, "conversations.replies")
    parent = str(params["ts"])
    thread = [m for m in _readable(emu, str(params["channel"])) if parent in (m.ts, m.thread_ts)]
    if not thread:
        raise ApiError("thread_not_found")
    limit = int(params.get("limit") or 1000)
    meta = _flag(params, "include_all_metadata")
    return {
        "messages": [_api_message(emu, m, with_metadata=meta) for m in thread[:limit]],
        "has_more": len(thread) > limit,
    }


@method("conversations.history")
async def conversations_history(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel")
    _history_limited(emu, "conversations.history")
    top = [m for m in _readable(emu, str(params["channel"])) if m.thread_ts is None]
    limit = int(params.get("limit") or 100)
    meta = _flag(params, "include_all_metadata")
    newest_first = list(reversed(top))
    return {
        "messages": [_api_message(emu, m, with_metadata=meta) for m in newest_first[:limit]],
        "has_more": len(top) > limit,
    }


@method("chat.update")
async def chat_update(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel", "ts")
    ws = emu.workspace
    if str(params["channel"]) not in ws.channels:
        raise ApiError("channel_not_found")
    message = ws.find_message(str(params["channel"]), str(params["ts"]))
    if message is None or message.deleted:
        raise ApiError("message_not_found")
    if message.bot_id != ws.bot_id:
        raise ApiError("cant_update_message")
    blocks = _message_body(params)
    message.text = str(params.get("text") or "")
    message.blocks = blocks
    message.edited = True
    emu.notify("update", message)
    return {"channel": message.channel, "ts": message.ts, "text": message.text}


@method("chat.postEphemeral")
async def chat_post_ephemeral(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel", "user")
    channel = _channel_for_post(emu, str(params["channel"]))
    if str(params["user"]) not in emu.workspace.users:
        raise ApiError("user_not_found")
    blocks = _message_body(params)
    eph = Ephemeral(
        channel=channel,
        user=str(params["user"]),
        text=str(params.get("text") or ""),
        blocks=blocks,
        thread_ts=str(params["thread_ts"]) if params.get("thread_ts") else None,
    )
    emu.workspace.ephemerals.append(eph)
    emu.notify("ephemeral", eph)
    return {"message_ts": emu.clock.next_ts()}


@method("chat.getPermalink")
async def chat_get_permalink(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel", "message_ts")
    channel, ts = str(params["channel"]), str(params["message_ts"])
    message = emu.workspace.find_message(channel, ts)
    if message is None:
        raise ApiError("message_not_found")
    link = f"https://{emu.workspace.team_name}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
    if message.thread_ts and message.thread_ts != message.ts:
        link += f"?thread_ts={message.thread_ts}&cid={channel}"
    return {"channel": channel, "permalink": link}


@method("reactions.add")
async def reactions_add(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel", "timestamp", "name")
    message = emu.workspace.find_message(str(params["channel"]), str(params["timestamp"]))
    if message is None or message.deleted:
        raise ApiError("message_not_found")
    who = message.reactions.setdefault(str(params["name"]), [])
    if emu.workspace.bot_user_id in who:
        raise ApiError("already_reacted")
    who.append(emu.workspace.bot_user_id)
    emu.notify("reaction", message)
    return {}


@method("users.info")
async def users_info(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "user")
    user = emu.workspace.users.get(str(params["user"]))
    if user is None:
        raise ApiError("user_not_found")
    return {"user": user.to_api()}


@method("users.lookupByEmail")
async def users_lookup_by_email(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "email")
    wanted = str(params["email"]).strip().lower()
    for user in emu.workspace.users.values():
        if not user.is_bot and user.address.lower() == wanted:
            return {"user": user.to_api()}
    raise ApiError("users_not_found")


@method("conversations.info")
async def conversations_info(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel")
    channel = emu.workspace.channels.get(str(params["channel"]))
    if channel is None:
        raise ApiError("channel_not_found")
    return {"channel": channel.to_api(emu.workspace.bot_user_id)}


@method("conversations.members")
async def conversations_members(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel")
    channel = emu.workspace.channels.get(str(params["channel"]))
    if channel is None:
        raise ApiError("channel_not_found")
    if channel.is_private and emu.workspace.bot_user_id not in channel.members:
        raise ApiError("channel_not_found")  # a private channel the bot is not in is unseen
    return {"members": sorted(channel.members), "response_metadata": {"next_cursor": ""}}


@method("conversations.join")
async def conversations_join(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "channel")
    ws = emu.workspace
    channel = ws.channels.get(str(params["channel"]))
    if channel is None:
        raise ApiError("channel_not_found")
    if channel.is_private:
        raise ApiError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise ApiError("is_archived")
    channel.members.add(ws.bot_user_id)
    return {"channel": channel.to_api(ws.bot_user_id)}


def _store_view(emu: SlackEmulator, view: dict[str, Any], user: str, view_id: str) -> View:
    stored = View(id=view_id, user=user, view=view, kind=str(view["type"]))
    emu.workspace.views[view_id] = stored
    return stored


def _view_response(stored: View) -> dict[str, Any]:
    return {"view": {"id": stored.id, **stored.view, "state": {"values": {}}}}


def _checked_view(params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "view")
    try:
        return validate_view(params["view"])
    except BlockKitError as exc:
        raise ApiError(exc.error) from None


@method("views.open")
async def views_open(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "trigger_id")
    user = emu.triggers.pop(str(params["trigger_id"]), None)
    if user is None:
        raise ApiError("invalid_trigger_id")
    view = _checked_view(params)
    stored = _store_view(emu, view, user, emu.clock.next_id("V"))
    emu.notify("view", stored)
    return _view_response(stored)


@method("views.update")
async def views_update(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "view_id")
    old = emu.workspace.views.get(str(params["view_id"]))
    if old is None:
        raise ApiError("not_found")
    view = _checked_view(params)
    stored = _store_view(emu, view, old.user, old.id)
    emu.notify("view", stored)
    return _view_response(stored)


@method("views.publish")
async def views_publish(emu: SlackEmulator, params: dict[str, Any]) -> dict[str, Any]:
    _require(params, "user_id")
    user = str(params["user_id"])
    if user not in emu.workspace.users:
        raise ApiError("user_not_found")
    view = _checked_view(params)
    if view["type"] != "home":
        raise ApiError("invalid_arguments")
    existing = emu.workspace.home_views.get(user)
    stored = View(
        id=existing.id if existing else emu.clock.next_id("VH"), user=user, view=view, kind="home"
    )
    emu.workspace.home_views[user] = stored
    emu.notify("home", stored)
    return _view_response(stored)


MAX_UPLOAD = 1024 * 1024 * 1024  # Slack's 1 GB


@method("files.getUploadURLExternal")
async def files_get_upload_url_external(
    emu: SlackEmulator, params: dict[str, Any]
) -> dict[str, Any]:
    _require(params, "filename", "length")
    try:
        length = int(params["length"])
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None
    if not 0 < length <= MAX_UPLOAD:
        raise ApiError("invalid_arguments")
    file_id = emu.clock.next_id("F")
    emu.workspace.files[file_id] = UploadedFile(file_id, str(params["filename"]), length)
    return {"upload_url": f"{emu.base_url}/upload/{file_id}", "file_id": file_id}


@method("files.completeUploadExternal")
async def files_complete_upload_external(
    emu: SlackEmulator, params: dict[str, Any]
) -> dict[str, Any]:
    _require(params, "files")
    try:
        listed = decode(params["files"])
    except (TypeError, ValueError):
        raise ApiError("invalid_arguments") from None
    if not isinstance(listed, list) or not listed:
        raise ApiError("invalid_arguments")
    ws = emu.workspace
    found = []
    for entry in listed:
        stored = ws.files.get(str((entry or {}).get("id")))
        if stored is None or stored.content is None or stored.shared:
            raise ApiError("file_not_found")
        stored.title = str(entry.get("title") or stored.filename)
        found.append(stored)
    shared: dict[str, Any] = {}
    if params.get("channel_id"):
        channel = _channel_for_post(emu, str(params["channel_id"]))
        if emu.rate_limits:
            wait = emu.post_limiter.retry_after(channel)
            if wait is not None:
                raise ApiError("ratelimited", status=429, headers={"Retry-After": str(wait)})
        thread_ts = str(params["thread_ts"]) if params.get("thread_ts") else None
        message = Message(
            channel=channel,
            ts=emu.clock.next_ts(),
            text=str(params.get("initial_comment") or ""),
            user=ws.bot_user_id,
            bot_id=ws.bot_id,
            thread_ts=thread_ts,
            files=[f.id for f in found],
        )
        ws.add_message(message)
        for stored in found:
            stored.shared = True
        emu.notify("post", message)
        shared = {"channel": channel, "ts": message.ts, "thread_ts": thread_ts}
    return {
        "files": [
            {
                "id": f.id,
                "name": f.filename,
                "title": f.title,
                "size": f.length,
                "shares": {"public": {shared["channel"]: [{"ts": shared["ts"]}]}} if shared else {},
            }
            for f in found
        ]
    }
