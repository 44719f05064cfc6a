"""How Slack delivers to an app: signed HTTP posts with retries, or Socket Mode envelopes."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_sdk.signature import SignatureVerifier

ACK_TIMEOUT = 3.0


@dataclass
class Delivery:
    """What the app answered to one delivery (the last attempt when retried)."""

    status: int
    body: str
    attempts: int = 1

    def json(self) -> Any:
        return json.loads(self.body) if self.body.strip() else {}


def signed_headers(
    secret: str, body: str, content_type: str, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body) or ""
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature,
    }


def encode(kind: str, payload: dict[str, Any]) -> tuple[str, str]:
    """The HTTP body Slack sends for a payload kind."""
    if kind == "slash_commands":
        return urlencode(payload), "application/x-www-form-urlencoded"
    if kind == "interactive":
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    return json.dumps(payload), "application/json"


class HttpDeliverer:
    def __init__(self, urls: list[str], secret: str, retry_delays: tuple[float, ...]) -> None:
        self.urls = urls
        self._turn = 0
        self.secret = secret
        self.retry_delays = retry_delays
        self._session: aiohttp.ClientSession | None = None

    async def send(self, kind: str, payload: dict[str, Any], *, retry_num: int = 0) -> Delivery:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        body, content_type = encode(kind, payload)
        headers = signed_headers(self.secret, body, content_type)
        if retry_num:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_error"
        try:
            async with self._session.post(
                self._next_url(),
                data=body.encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=ACK_TIMEOUT),
            ) as resp:
                return Delivery(resp.status, await resp.text(), retry_num + 1)
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Delivery(0, f"{type(exc).__name__}", retry_num + 1)

    def _next_url(self) -> str:
        """Several apps behind one Request URL: each delivery (a retry too) goes to the next,
        as a round-robin load balancer would send it."""
        url = self.urls[self._turn % len(self.urls)]
        self._turn += 1
        return url

    async def send_with_retries(self, kind: str, payload: dict[str, Any]) -> Delivery:
        """Events are re-sent up to three times when no 2xx came back in time."""
        result = await self.send(kind, payload)
        if kind != "events_api":
            return result
        for attempt, delay in enumerate(self.retry_delays, start=1):
            if 200 <= result.status < 300:
                break
            await asyncio.sleep(delay)
            result = await self.send(kind, payload, retry_num=attempt)
        return result

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class SocketDeliverer:
    """Holds the app's Socket Mode connections and pushes envelopes over one of them."""

    def __init__(self) -> None:
        self.connections: list[web.WebSocketResponse] = []
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self.connected = asyncio.Event()

    @property
    def active(self) -> bool:
        return any(not ws.closed for ws in self.connections)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=None)
        await ws.prepare(request)
        self.connections.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections),
                "connection_info": {"app_id": "A0APPID"},
            }
        )
        self.connected.set()
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    ack = json.loads(msg.data)
                except json.JSONDecodeError:
                    continue
                future = self._waiting.pop(str(ack.get("envelope_id")), None)
                if future is not None and not future.done():
                    future.set_result(ack)
        finally:
            self.connections.remove(ws)
            if not self.connections:
                self.connected.clear()
        return ws

    async def send(self, kind: str, payload: dict[str, Any], *, retry_num: int = 0) -> Delivery:
        ws = next((c for c in self.connections if not c.closed), None)
        if ws is None:
            return Delivery(0, "no socket mode connection")
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[envelope_id] = future
        await ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_num,
                "retry_reason": "timeout" if retry_num else "",
            }
        )
        try:
            ack = await asyncio.wait_for(future, ACK_TIMEOUT)
        except TimeoutError:
            self._waiting.pop(envelope_id, None)
            return Delivery(0, "no ack", retry_num + 1)
        return Delivery(200, json.dumps(ack.get("payload") or {}), retry_num + 1)

    async def close(self) -> None:
        for ws in list(self.connections):
            await ws.close()
