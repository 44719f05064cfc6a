"""The one place that calls Slack's Web API: retries live in the client, errors become codes."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.slack_errors import UNKNOWN_OUTCOME

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posted:
    ts: str | None
    error: str | None = None
    retry_after: int | None = None
    # the post's outcome was unknown and looking for it in the channel failed too
    lookup_failed: bool = False
    # Slack answered with a server error (5xx): it may have taken the call all the same
    server_error: bool = False

    @property
    def ok(self) -> bool:
        return self.ts is not None

    @property
    def unknown(self) -> bool:
        """Failed in a way that leaves open whether Slack took the post (timeout, a broken
        connection, a server error)."""
        error = self.error or ""
        return (
            self.lookup_failed
            or self.server_error
            or error in UNKNOWN_OUTCOME
            or error.startswith("http_5")
        )


def _failed(exc: Exception) -> Posted:
    return Posted(None, _error_code(exc), _retry_after(exc), server_error=_server_error(exc))


def _server_error(exc: Exception) -> bool:
    return isinstance(exc, SlackApiError) and exc.response.status_code >= 500


def _error_code(exc: Exception) -> str:
    if isinstance(exc, SlackApiError):
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        return str(data.get("error") or f"http_{exc.response.status_code}")
    if isinstance(exc, TimeoutError):
        return "timeout"
    return "network_error"


def _retry_after(exc: Exception) -> int | None:
    if isinstance(exc, SlackApiError):
        value = (exc.response.headers or {}).get("Retry-After") or (exc.response.headers or {}).get(
            "retry-after"
        )
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            return int(value) if value is not None else None
        except (TypeError, ValueError):
            return None
    return None


_FAILURES = (SlackApiError, aiohttp.ClientError, TimeoutError)
# The metadata event type that tags our posts with their key.
POST_EVENT = "mle_coach_post"


def _key_tag(key: str) -> str:
    """A short, file-name-safe tag of a post's key."""
    return "k" + hashlib.sha256(key.encode()).hexdigest()[:16]


def upload_name(filename: str, key: str) -> str:
    """The file name an upload tagged `key` is shared under: `burndown.png` →
    `burndown-k0123456789abcdef.png`."""
    stem, dot, ext = filename.rpartition(".")
    return f"{stem}-{_key_tag(key)}.{ext}" if dot else f"{filename}-{_key_tag(key)}"


class SlackGateway:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        # history reads answer 429 with a minute's Retry-After: fail at once, don't wait
        self._reader = AsyncWebClient(
            token=client.token,
            base_url=client.base_url,
            session=client.session,
            timeout=client.timeout,
        )
        self._workspace_url: str | None = None

    async def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        key: str | None = None,
    ) -> Posted:
        """Post a message; `key` tags it (message metadata) so that a post whose outcome
        was never learned can be found again with `find_posted` instead of repeated."""
        try:
            response = await self.client.chat_postMessage(
                channel=channel,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": POST_EVENT, "event_payload": {"key": key}} if key else None,
            )
        except _FAILURES as exc:
            code = _error_code(exc)
            # rate limits are expected and handled by the caller; the rest deserve a warning
            log.log(
                logging.INFO if code == "ratelimited" else logging.WARNING,
                "chat.postMessage to %s failed: %s",
                channel,
                code,
            )
            return _failed(exc)
        return Posted(str(response["ts"]))

    async def upload(
        self,
        channel: str,
        thread_ts: str | None,
        content: bytes,
        *,
        filename: str,
        title: str,
        comment: str,
        key: str | None = None,
    ) -> Posted:
        """Share a file in a channel (or thread) with Slack's current upload flow
        (`files.getUploadURLExternal`, the upload, `files.completeUploadExternal`); the ts of
        the message that shares it. `key` goes into the file's name (the completion takes no
        message metadata), so that `find_posted` finds an upload whose outcome is unknown."""
        try:
            response = await self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=content,
                filename=upload_name(filename, key) if key else filename,
                title=title,
                initial_comment=comment,
            )
        except (*_FAILURES, SlackRequestError) as exc:
            code = _error_code(exc)
            log.warning("file upload to %s failed: %s", channel, code)
            return _failed(exc)
        for shared in (response.get("files") or [{}])[:1]:
            shares = shared.get("shares") or {}
            for place in (shares.get("public") or {}, shares.get("private") or {}):
                for entries in place.values():
                    if entries:
                        return Posted(str(entries[0].get("ts")))
        return Posted(None, "upload_not_shared")

    async def find_posted(self, channel: str, thread_ts: str | None, key: str) -> Posted:
        """The ts of our post tagged `key` in a thread (or among the channel's latest
        messages); Posted(None) when it is not there. Slack allows apps about one history
        read a minute: use this only for a post whose outcome is unknown."""
        try:
            if thread_ts:
                response = await self._reader.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=1000
                )
            else:
                response = await self._reader.conversations_history(
                    channel=channel, include_all_metadata=True, limit=100
                )
        except _FAILURES as exc:
            code = _error_code(exc)
            log.info("looking for post %s in %s failed: %s", key, channel, code)
            return Posted(None, code, _retry_after(exc))
        tag = _key_tag(key)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == POST_EVENT and payload.get("key") == key:
                return Posted(str(message["ts"]))
            names = [str(f.get("name") or "") for f in message.get("files") or []]
            if message.get("bot_id") and any(tag in name for name in names):
                return Posted(str(message["ts"]))  # a chart we shared, found by its file name
        return Posted(None)

    async def react(self, channel: str, ts: str, name: str) -> bool:
        return (await self.reaction(channel, ts, name)).ok

    async def reaction(self, channel: str, ts: str, name: str) -> Posted:
        """Add a reaction (its target's ts as `ts` when done, or there already), or why not."""
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except _FAILURES as exc:
            code = _error_code(exc)
            if code == "already_reacted":
                return Posted(ts)
            log.warning("reactions.add failed: %s", code)
            return _failed(exc)
        return Posted(ts)

    async def user_tz(self, user: str) -> str | None:
        try:
            response = await self.client.users_info(user=user)
        except _FAILURES as exc:
            log.warning("users.info failed: %s", _error_code(exc))
            return None
        tz = (response.get("user") or {}).get("tz")
        return str(tz) if tz else None

    async def user_by_email(self, email: str) -> Posted:
        """The user id (as `ts`) of the person with this e-mail (`users:read.email`); the
        error `users_not_found` when no one has it, another when Slack could not be asked."""
        try:
            response = await self.client.users_lookupByEmail(email=email)
        except _FAILURES as exc:
            code = _error_code(exc)
            if code != "users_not_found":
                log.warning("users.lookupByEmail failed: %s", code)
            return Posted(None, code)
        found = (response.get("user") or {}).get("id")
        return Posted(str(found), None) if found else Posted(None, "users_not_found")

    async def user_email(self, user: str) -> str | None:
        """The person's e-mail (`users:read.email`), None when Slack does not say."""
        try:
            response = await self.client.users_info(user=user)
        except _FAILURES as exc:
            log.warning("users.info failed: %s", _error_code(exc))
            return None
        email = ((response.get("user") or {}).get("profile") or {}).get("email")
        return str(email) if email else None

    async def is_admin(self, user: str) -> bool:
        """A workspace admin or owner (may override what only project owners may do)."""
        try:
            response = await self.client.users_info(user=user)
        except _FAILURES as exc:
            log.warning("users.info failed: %s", _error_code(exc))
            return False
        info = response.get("user") or {}
        return bool(info.get("is_admin") or info.get("is_owner"))

    async def channel_readers(self, channel: str) -> frozenset[str] | None:
        """Who may read a channel: None for a public one (anyone in the workspace), the
        members of a private one (empty when Slack would not say)."""
        try:
            info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
        except _FAILURES as exc:
            log.warning("conversations.info failed: %s", _error_code(exc))
            return frozenset()
        if not (info.get("is_private") or info.get("is_group") or info.get("is_im")):
            return None
        members: set[str] = set()
        cursor = ""
        try:
            while True:
                response = await self.client.conversations_members(
                    channel=channel, limit=1000, cursor=cursor or None
                )
                members.update(str(m) for m in response.get("members") or [])
                cursor = (response.get("response_metadata") or {}).get("next_cursor") or ""
                if not cursor:
                    break
        except _FAILURES as exc:
            log.warning("conversations.members failed: %s", _error_code(exc))
            return frozenset()
        return frozenset(members)

    async def member_named(self, channel: str, name: str, limit: int = 200) -> str | None:
        """The one member of `channel` called `name` (their handle, display name or first
        name, any case) without the @; None when no one or several are, or Slack won't say."""
        try:
            response = await self.client.conversations_members(channel=channel, limit=limit)
        except _FAILURES as exc:
            log.warning("conversations.members failed: %s", _error_code(exc))
            return None
        wanted = name.lower()
        found: set[str] = set()
        for member in [str(m) for m in response.get("members") or []][:limit]:
            try:
                info = (await self.client.users_info(user=member)).get("user") or {}
            except _FAILURES as exc:
                log.warning("users.info failed: %s", _error_code(exc))
                return None
            if info.get("is_bot") or info.get("deleted"):
                continue
            profile = info.get("profile") or {}
            names = {
                str(info.get("name") or ""),
                str(profile.get("display_name") or ""),
                *str(info.get("real_name") or profile.get("real_name") or "").split()[:1],
            }
            if wanted in {n.lower() for n in names if n}:
                found.add(member)
        return next(iter(found)) if len(found) == 1 else None

    async def ensure_member(self, channel: str) -> str | None:
        """Be in the channel (joining a public one); None when in, else why not."""
        try:
            info = (await self.client.conversations_info(channel=channel)).get("channel") or {}
        except _FAILURES as exc:
            return _error_code(exc)
        if info.get("is_member"):
            return None
        if info.get("is_archived"):
            return "is_archived"
        if info.get("is_private"):
            return "not_in_channel"
        try:
            await self.client.conversations_join(channel=channel)
        except _FAILURES as exc:
            return _error_code(exc)
        return None

    async def workspace_url(self) -> str | None:
        """https://<workspace>.slack.com/ (auth.test, asked once)."""
        if self._workspace_url is None:
            try:
                response = await self.client.auth_test()
            except _FAILURES as exc:
                log.warning("auth.test failed: %s", _error_code(exc))
                return None
            self._workspace_url = str(response.get("url") or "") or None
        return self._workspace_url

    async def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None
    ) -> Posted:
        """Replace a message of ours (chat.update); its `ts` stays."""
        try:
            await self.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except _FAILURES as exc:
            return _failed(exc)
        return Posted(ts)

    async def publish_home(self, user: str, view: dict[str, Any]) -> Posted:
        try:
            await self.client.views_publish(user_id=user, view=view)
        except _FAILURES as exc:
            return _failed(exc)
        return Posted("published")

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> bool:
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
        except _FAILURES as exc:
            log.warning("views.open failed: %s", _error_code(exc))
            return False
        return True

    async def permalink(self, channel: str, ts: str) -> str | None:
        try:
            response = await self.client.chat_getPermalink(channel=channel, message_ts=ts)
        except _FAILURES:
            return None
        return str(response.get("permalink") or "") or None
