"""The emulator's HTTP face (Web API, response_url, Socket Mode) and its user-side actions."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from sandbox.emulator import events
from sandbox.emulator.delivery import Delivery, HttpDeliverer, SocketDeliverer
from sandbox.emulator.state import Call, Clock, Ephemeral, Message, Workspace, sandbox_workspace
from sandbox.emulator.web_api import BOT_METHODS, ApiError, Fault, RateLimiter

log = logging.getLogger(__name__)

Listener = Callable[[str, Any], None]
RESPONSE_URL_USES = 5


class SlackEmulator:
    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        bot_token: str = "xoxb-emulator-token",
        app_token: str = "xapp-emulator-token",
        signing_secret: str = "emulator-signing-secret",
        rate_limits: bool = True,
        workspace_rate: float | None = None,
        echo_bot_messages: bool = False,
        retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`monotonic`: the clock of its rate limits and of the calls it records (a test
        shares a virtual one with the app)."""
        self.workspace = workspace or sandbox_workspace()
        self.monotonic = monotonic
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        self.rate_limits = rate_limits
        self.echo_bot_messages = echo_bot_messages
        self.retry_delays = retry_delays
        self.clock = Clock()
        self.post_limiter = RateLimiter(clock=self.now)
        self.history_limiter = RateLimiter(burst=1, per_second=1 / 60, clock=self.now)
        # Slack also caps posts across a workspace; off unless a rate (posts/s) is given
        self.workspace_limiter = (
            RateLimiter(burst=workspace_rate, per_second=workspace_rate, clock=self.now)
            if workspace_rate
            else None
        )
        self.calls: list[Call] = []
        self.faults: dict[str, list[Fault]] = {}
        self.faults_after: dict[str, list[Fault]] = {}
        self.slow: dict[str, list[float]] = {}
        self.stalls: dict[str, list[float]] = {}
        self.triggers: dict[str, str] = {}
        self.responses: dict[str, dict[str, Any]] = {}
        self.delivered: dict[str, dict[str, Any]] = {}
        self.socket = SocketDeliverer()
        self._http: HttpDeliverer | None = None
        self._listeners: list[Listener] = []
        self._tasks: set[asyncio.Task[Any]] = set()
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # ---- lifecycle

    def now(self) -> float:
        """The monotonic clock of its rate limits and recorded calls."""
        return self.monotonic()

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self.socket.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.base_url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.api_url

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.socket.close()
        if self._http is not None:
            await self._http.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def connect_http(self, request_url: str, *more: str) -> None:
        """Deliver to an app over HTTP (its `/slack/events` URL), signed; given several URLs
        (replicas behind a load balancer), deliveries take turns among them."""
        urls = [request_url, *more]
        if self._http is not None:
            self._http.urls = urls
        else:
            self._http = HttpDeliverer(urls, self.signing_secret, self.retry_delays)

    # ---- observation
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def notify(self, kind: str, item: Any) -> None:
        for listener in self._listeners:
            listener(kind, item)

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def bot_posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[Message]:
        ws = self.workspace
        channels = [channel] if channel else list(ws.messages)
        return [
            m
            for c in channels
            for m in ws.messages.get(c, [])
            if m.bot_id == ws.bot_id and (thread_ts is None or m.thread_ts == thread_ts)
        ]

    def ephemerals_for(self, user: str) -> list[Ephemeral]:
        return [e for e in self.workspace.ephemerals if e.user == user]

    def fail_next(
        self,
        method: str,
        *,
        status: int = 500,
        error: str = "internal_error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail like Slack would."""
        self.faults.setdefault(method, []).extend(
            Fault(status, error, retry_after) for _ in range(times)
        )

    def fail_after_next(
        self, method: str, *, status: int = 500, error: str = "internal_error", times: int = 1
    ) -> None:
        """Make the next `times` calls to `method` take effect, then answer with an error
        (Slack took the post, but its answer was a 5xx: the caller cannot tell)."""
        self.faults_after.setdefault(method, []).extend(Fault(status, error) for _ in range(times))

    def stall_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Hold the next calls to `method` before acting; a caller that goes away meanwhile
        gets nothing done (as if its request never reached Slack)."""
        self.stalls.setdefault(method, []).extend(seconds for _ in range(times))

    def slow_next(self, method: str, seconds: float, *, times: int = 1) -> None:
        """Make the next calls to `method` take effect at once but answer `seconds` later."""
        self.slow.setdefault(method, []).extend(seconds for _ in range(times))

    # ---- Web API
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    params.update(body)
            else:
                params.update(dict(await request.post()))
        return params

    def _token_ok(self, request: web.Request, params: dict[str, Any], method: str) -> str | None:
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth else str(params.pop("token", ""))
        if not token:
            return "not_authed"
        expected = self.app_token if method == "apps.connections.open" else self.bot_token
        return None if token == expected else "invalid_auth"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        try:
            params = await self._params(request)
        except (ValueError, json.JSONDecodeError):
            return self._answer(method, {}, ApiError("invalid_json"))
        if method != "apps.connections.open" and method not in BOT_METHODS:
            return self._answer(method, params, ApiError("unknown_method", status=404))
        auth_error = self._token_ok(request, params, method)
        if auth_error:
            return self._answer(method, params, ApiError(auth_error))
        stalls = self.stalls.get(method)
        if stalls:
            await asyncio.sleep(stalls.pop(0))
            if request.transport is None or request.transport.is_closing():
                return web.Response(status=499, text="client went away")
        pending = self.faults.get(method)
        if pending:
            fault = pending.pop(0)
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            return self._answer(
                method, params, ApiError(fault.error, status=fault.status, headers=headers)
            )
        try:
            if method == "apps.connections.open":
                result: dict[str, Any] = {"url": f"ws{self.base_url[4:]}/socket"}
            else:
                result = await BOT_METHODS[method](self, params)
        except ApiError as exc:
            return self._answer(method, params, exc)
        delays = self.slow.get(method)
        if delays:
            await asyncio.sleep(delays.pop(0))
        after = self.faults_after.get(method)
        if after:
            fault = after.pop(0)
            return self._answer(method, params, ApiError(fault.error, status=fault.status))
        return self._answer(method, params, result)

    def _answer(
        self, method: str, params: dict[str, Any], result: dict[str, Any] | ApiError
    ) -> web.Response:
        if isinstance(result, ApiError):
            body: dict[str, Any] = {"ok": False, "error": result.error}
            status, headers = result.status, result.headers
        else:
            body, status, headers = {"ok": True, **result}, 200, {}
        self.calls.append(Call(method, params, status, body, self.now()))
        return web.json_response(body, status=status, headers=headers)

    # ---- the upload URL files.getUploadURLExternal hands out
    async def _upload(self, request: web.Request) -> web.Response:
        stored = self.workspace.files.get(request.match_info["file_id"])
        if stored is None or stored.content is not None:
            return web.Response(status=404, text="unknown or used upload url")
        content = await request.read()
        if len(content) != stored.length:
            return web.Response(status=400, text=f"expected {stored.length} bytes")
        stored.content = content
        return web.Response(text=f"OK - {len(content)}")

    # ---- response_url
    async def _response_url(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        origin = self.responses.get(key)
        if origin is None or origin["uses"] >= RESPONSE_URL_USES:
            return web.Response(status=404, text="used_url")
        origin["uses"] += 1
        try:
            body = await request.json()
        except (ValueError, json.JSONDecodeError):
            return web.Response(status=400, text="invalid_payload")
        self.respond_as_slack(origin, body)
        return web.Response(text="ok")

    def response_url_for(self, channel: str, user: str, message_ts: str | None = None) -> str:
        key = self.clock.next_id("R")
        self.responses[key] = {
            "channel": channel,
            "user": user,
            "uses": 0,
            "message_ts": message_ts,
        }
        return f"{self.base_url}/response/{key}"

    def respond_as_slack(self, origin: dict[str, Any], body: dict[str, Any]) -> None:
        """Show what an app sent to a response_url (or in an ack body) as Slack would."""
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            return
        ws = self.workspace
        target = ws.find_message(origin["channel"], origin.get("message_ts") or "")
        if body.get("replace_original") and target is not None:
            target.text, target.blocks = str(body.get("text") or ""), body.get("blocks")
            self.notify("update", target)
        elif body.get("response_type") == "in_channel":
            message = Message(
                origin["channel"],
                self.clock.next_ts(),
                str(body.get("text") or ""),
                ws.bot_user_id,
                ws.bot_id,
                blocks=body.get("blocks"),
            )
            ws.add_message(message)
            self.notify("post", message)
        else:
            eph = Ephemeral(
                origin["channel"], origin["user"], str(body.get("text") or ""), body.get("blocks")
            )
            ws.ephemerals.append(eph)
            self.notify("ephemeral", eph)

    # ---- deliveries into the app
    async def deliver(self, kind: str, payload: dict[str, Any]) -> Delivery:
        if self.socket.active:
            result = await self.socket.send(kind, payload)
            for attempt in range(1, len(self.retry_delays) + 1 if kind == "events_api" else 1):
                if result.status == 200:
                    break
                await asyncio.sleep(self.retry_delays[attempt - 1])
                result = await self.socket.send(kind, payload, retry_num=attempt)
            return result
        if self._http is None:
            raise RuntimeError("no app connected: call connect_http() or open Socket Mode")
        return await self._http.send_with_retries(kind, payload)

    async def deliver_event(self, event: dict[str, Any], *, team_id: str | None = None) -> Delivery:
        body = events.envelope(self, event, team_id or self.workspace.team_id)
        self.delivered[body["event_id"]] = body
        return await self.deliver("events_api", body)

    async def redeliver(self, event_id: str, retry_num: int = 1) -> Delivery:
        """Send an already delivered event again, as Slack's retry would."""
        body = self.delivered[event_id]
        if self.socket.active:
            return await self.socket.send("events_api", body, retry_num=retry_num)
        assert self._http is not None
        return await self._http.send("events_api", body, retry_num=retry_num)

    def echo(self, message: Message) -> None:
        """Deliver the bot's own post back to the app, as Slack does."""
        task = asyncio.create_task(self.deliver_event(events.message_event(self, message)))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---- what people do
    async def slash(
        self,
        text: str,
        *,
        user: str = "U0ALICE",
        channel: str = "C0MLTEAM",
        command: str = "/mle",
        team_id: str | None = None,
    ) -> Delivery:
        payload = events.slash_command(self, command, text, user, channel, team_id)
        result = await self.deliver("slash_commands", payload)
        if result.status == 200 and result.body.strip().startswith("{"):
            origin = {"channel": channel, "user": user, "uses": 0, "message_ts": None}
            self.respond_as_slack(origin, result.json())
        elif result.status == 200 and result.body.strip():
            self.respond_as_slack(
                {"channel": channel, "user": user, "uses": 0}, {"text": result.body}
            )
        return result

    async def say(
        self,
        text: str,
        *,
        user: str = "U0ALICE",
        channel: str = "C0MLTEAM",
        thread_ts: str | None = None,
    ) -> tuple[Message, Delivery]:
        """A person posts a message (a thread reply when `thread_ts` is given)."""
        message = Message(channel, self.clock.next_ts(), text, user, thread_ts=thread_ts)
        self.workspace.add_message(message)
        self.notify("human", message)
        return message, await self.deliver_event(events.message_event(self, message))

    async def edit(self, message: Message, text: str) -> Delivery:
        previous = message.to_api()
        message.text, message.edited = text, True
        return await self.deliver_event(events.changed_event(self, message, previous))

    async def delete(self, message: Message) -> Delivery:
        message.deleted = True
        return await self.deliver_event(events.deleted_event(self, message))

    async def click(
        self, message: Message, action_id: str, *, user: str = "U0ALICE", value: str | None = None
    ) -> Delivery:
        """Press a button of a bot message."""
        button = events.find_button(message, action_id, value)
        payload = events.block_actions(self, message, button, user)
        result = await self.deliver("interactive", payload)
        return result

    async def click_ephemeral(
        self, shown: Ephemeral, action_id: str, *, user: str = "U0ALICE"
    ) -> Delivery:
        """Press a button of a message only `user` could see."""
        fake = Message(
            shown.channel,
            self.clock.next_ts(),
            shown.text,
            self.workspace.bot_user_id,
            self.workspace.bot_id,
            blocks=shown.blocks,
        )
        button = events.find_button(fake, action_id, None)
        payload = events.block_actions(self, fake, button, user)
        payload["container"]["is_ephemeral"] = True
        payload.pop("message", None)
        return await self.deliver("interactive", payload)

    async def submit_view(
        self, view_id: str, values: dict[str, dict[str, Any]], *, user: str = "U0ALICE"
    ) -> Delivery:
        stored = self.workspace.views[view_id]
        payload = events.view_submission(self, stored, values, user)
        return await self.deliver("interactive", payload)

    async def open_home(self, user: str = "U0ALICE") -> Delivery:
        return await self.deliver_event(
            {
                "type": "app_home_opened",
                "user": user,
                "channel": f"D{user[1:]}",
                "tab": "home",
                "event_ts": self.clock.next_ts(),
            }
        )
