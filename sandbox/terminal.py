"""The terminal chat: slash commands, thread replies, colon commands, rendered bot posts."""

from __future__ import annotations

import asyncio
import os
import re
import stat
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Ephemeral, Message, View
from sandbox.forms import CANCEL, Form
from sandbox.people import PERSON_NAME, add_person
from sandbox.render import Button, render_blocks

_SLACK_TOKEN = re.compile(r"<([@#][A-Z0-9]+(?:\|[^>]*)?|https?://[^>|]+(?:\|[^>]*)?)>")

_TYPED_MENTION = re.compile(r"(?<![\w<@])@([a-z][a-z0-9._-]*)", re.IGNORECASE)
_TYPED_CHANNEL = re.compile(r"(?<![\w<&])#([a-z0-9][a-z0-9._-]*)", re.IGNORECASE)

_SLACK_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")

PAGE = 30  # messages printed at a time when a thread is opened; `:more` prints the next ones

HELP = """Type a line starting with / to run a slash command in the current channel
(e.g. /mle help); any other line is a reply in the current thread (or the channel).
  :threads           list this channel's threads      :open <n>     enter thread n
  :more              the next messages of a long thread that :open printed in part
  :channel <name>    switch channel (leaves thread)   :close        leave the thread
  :user <name>       speak as someone else (a new name joins the workspace)
  :edit <n> <text>   edit your n-th latest message here (1: the last one you sent)
  :delete <n>        delete your n-th latest message here
  :click <n>         press button n
  :tick [<ISO time>] run the scheduler as if it were then (check-ins, nudges, reminders)
  :home              show your Home tab
  A button that opens a form (Blocked, Add metric, Snooze) asks its fields one per line;
  :cancel closes the form unsent.
  :help              this text                        :quit         leave the sandbox"""


@dataclass
class ChatState:
    channel: str = "C0MLTEAM"
    user: str = "U0ALICE"
    thread_ts: str | None = None
    show_home: bool = False
    buttons: list[tuple[Message | Ephemeral, Button]] = field(default_factory=list)
    form: Form | None = None  # a modal being filled in, one field per line
    unread: list[Message] = field(default_factory=list)  # the opened thread's rest, for :more


class Terminal:
    def __init__(
        self,
        emulator: SlackEmulator,
        wait_idle: Callable[[], Any],
        tick: Callable[[datetime | None], Awaitable[list[Any]]] | None = None,
        out: TextIO = sys.stdout,
        saved: Callable[[], None] = lambda: None,
        files: str = "sandbox-files",
    ) -> None:
        self.tick = tick
        self.files = files  # where shared images are saved for a person to open
        self.saved = saved
        self.emu = emulator
        self.wait_idle = wait_idle
        self.out = out
        self.state = ChatState()
        emulator.subscribe(self._on_activity)

    # ---- output
    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def _channel_name(self, channel_id: str) -> str:
        found = self.emu.workspace.channels.get(channel_id)
        return f"#{found.name}" if found else channel_id

    def _thread_number(self, message: Message) -> int | None:
        parents = self._threads(message.channel)
        for number, parent in enumerate(parents, start=1):
            if parent.ts == (message.thread_ts or message.ts):
                return number
        return None

    def _readable(self, line: str) -> str:
        """Slack's <@U…>, <#C…> and <url|label> as a person would see them."""
        ws = self.emu.workspace

        def swap(match: re.Match[str]) -> str:
            token, _, label = match.group(1).partition("|")
            if token.startswith("@"):
                user = ws.users.get(token[1:])
                return f"@{user.name}" if user else f"@{token[1:]}"
            if token.startswith("#"):
                return self._channel_name(token[1:])
            return f"{label} ({token})" if label else token

        readable = _SLACK_DATE.sub(lambda m: m.group(1), _SLACK_TOKEN.sub(swap, line))
        return readable.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")

    def _show(
        self,
        head: str,
        text: str,
        blocks: list[dict[str, Any]] | None,
        message: Message | Ephemeral | None,
    ) -> None:
        lines, buttons = render_blocks(blocks or [])
        body = [self._readable(line) for line in (lines if lines else text.splitlines())]
        self.say(head)
        for line in body:
            self.say(f"    {line}")
        if message is not None:
            for button in buttons:
                self.state.buttons.append((message, button))
                self.say(f"    [{len(self.state.buttons)}] {button.label}")

    def _on_activity(self, kind: str, item: Any) -> None:
        if kind in ("post", "update") and isinstance(item, Message):
            where = self._channel_name(item.channel)
            number = self._thread_number(item) if item.thread_ts else None
            place = f"{where}, thread {number}" if number else where
            verb = "updated" if kind == "update" else "posted"
            self._show(f"[MLE Coach {verb} in {place}]", item.text, item.blocks, item)
            for file_id in item.files:
                self._save_file(file_id)
        elif kind == "ephemeral" and isinstance(item, Ephemeral) and item.user == self.state.user:
            self._show("[MLE Coach, only visible to you]", item.text, item.blocks, item)
        elif kind == "view" and isinstance(item, View) and item.user == self.state.user:
            title = (item.view.get("title") or {}).get("text", "a form")
            labels = [
                b["label"]["text"] for b in item.view.get("blocks", []) if b.get("type") == "input"
            ]
            self.say(
                f"[MLE Coach opened a form: {title}] {len(labels)} field(s), one per line; "
                f"{CANCEL} closes it unsent."
            )
            self.state.form = Form.of(item.id, item.view)
            if not self.state.form.done:
                self.say(self.state.form.question())
        elif (
            kind == "home"
            and isinstance(item, View)
            and item.user == self.state.user
            and self.state.show_home
        ):
            self.state.show_home = False
            self._show("[Your MLE Coach Home tab]", "", item.view.get("blocks"), None)
            lines, buttons = render_blocks(item.view.get("blocks") or [])
            for button in buttons:
                self.say(f"    ({button.label} — open the Home tab in Slack to press it)")
        elif kind == "reaction" and isinstance(item, Message):
            names = ", ".join(f":{n}:" for n in item.reactions)
            self.say(f"[MLE Coach reacted {names} to: {self._readable(item.text)[:60]}]")

    def _save_file(self, file_id: str) -> None:
        """An image the bot shared: saved where a person can open it."""
        shared = self.emu.workspace.files.get(file_id)
        if shared is None or shared.content is None:
            return
        os.makedirs(self.files, exist_ok=True)
        path = os.path.join(self.files, f"{file_id}-{shared.filename}")
        with open(path, "wb") as out:
            out.write(shared.content)
        self.say(f"    [image: {shared.title or shared.filename}] saved to {path}")

    # ---- input
    def prompt(self) -> str:
        if self.state.form is not None:
            return "form> "
        user = self.emu.workspace.users[self.state.user].name
        place = self._channel_name(self.state.channel)
        if self.state.thread_ts:
            parent = self.emu.workspace.find_message(self.state.channel, self.state.thread_ts)
            number = self._thread_number(parent) if parent else "?"
            place += f" › thread {number}"
        return f"{user} in {place}> "

    def _threads(self, channel: str) -> list[Message]:
        return [
            m for m in self.emu.workspace.messages.get(channel, []) if m.bot_id and not m.thread_ts
        ]

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False means quit."""
        if self.state.form is not None:
            await self._fill(line)
            self.saved()
            return True
        line = line.strip()
        if not line:
            return True
        if line.startswith(":"):
            going_on = await self._colon(line)
        elif line.startswith("/") and not line.startswith("//"):
            command, _, text = line.partition(" ")
            await self.emu.slash(
                self._mentions(text, labelled=True),
                user=self.state.user,
                channel=self.state.channel,
                command=command,
            )
            going_on = True
        else:
            await self.emu.say(
                self._mentions(line, labelled=False),
                user=self.state.user,
                channel=self.state.channel,
                thread_ts=self.state.thread_ts,
            )
            going_on = True
        if going_on:
            await self.wait_idle()
        self.saved()
        return going_on

    async def _fill(self, line: str) -> None:
        """One field of the open form; the last one submits it."""
        form = self.state.form
        assert form is not None
        if line.strip() == CANCEL:
            self.state.form = None
            self.say("  Form closed; nothing was sent.")
            return
        problem = form.answer(line, self.emu.workspace)
        if problem:
            self.say(f"  {problem}")
        if not form.done:
            self.say(form.question())
            return
        self.state.form = None
        result = await self.emu.submit_view(form.view_id, form.values, user=self.state.user)
        if result.status == 200 and result.body.strip().startswith("{"):
            errors = result.json().get("errors") or {}
            if errors:
                for block, message in errors.items():
                    self.say(f"  {block}: {message}")
                self.say("  Not saved; open the form again to retry.")
                return
        await self.wait_idle()
        self.say("  Form sent.")

    def _mentions(self, text: str, *, labelled: bool) -> str:
        """`@carol` and `#ml-team` typed as Slack's client sends them: a mention of the user
        (`<@U…|carol>` in a command, as with `should_escape`; `<@U…>` in a message) or a link
        to the channel; `@channel`, `@here` and `@everyone` as Slack's special mentions.
        Unknown names stay text."""

        def swap(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in ("channel", "here", "everyone"):
                return f"<!{name}>"
            user = self.emu.workspace.user_by_name(name)
            if user is None:
                return match.group(0)
            return f"<@{user.id}|{user.name}>" if labelled else f"<@{user.id}>"

        def channel(match: re.Match[str]) -> str:
            found = self.emu.workspace.channel_by_name(match.group(1))
            if found is None:
                return match.group(0)
            return f"<#{found.id}|{found.name}>" if labelled else f"<#{found.id}>"

        return _TYPED_CHANNEL.sub(channel, _TYPED_MENTION.sub(swap, text))

    async def _colon(self, line: str) -> bool:
        verb, _, arg = line[1:].partition(" ")
        arg = arg.strip()
        ws = self.emu.workspace
        if verb in ("quit", "q", "exit"):
            return False
        if verb == "help":
            self.say(HELP)
        elif verb == "threads":
            threads = self._threads(self.state.channel)
            if not threads:
                self.say("No threads by MLE Coach in this channel yet. Try /mle new <name>.")
            for number, parent in enumerate(threads, start=1):
                replies = len(ws.thread(parent.channel, parent.ts)) - 1
                first = _shorten(self._readable(parent.text.splitlines()[0]), 70)
                self.say(f"  {number}. {first} ({replies} replies)")
        elif verb == "open":
            threads = self._threads(self.state.channel)
            if not arg.isdigit() or not 1 <= int(arg) <= len(threads):
                self.say(f"Say :open <n> with n from 1 to {len(threads)} (see :threads).")
            else:
                self.state.thread_ts = threads[int(arg) - 1].ts
                self._print_thread(threads[int(arg) - 1])
        elif verb == "more":
            self._print_more()
        elif verb == "close":
            self.state.thread_ts, self.state.unread = None, []
        elif verb == "channel":
            channel = ws.channel_by_name(arg)
            if channel is None:
                names = ", ".join(f"#{c.name}" for c in ws.channels.values())
                self.say(f"No channel {arg!r}. Channels: {names}")
            else:
                self.state.channel, self.state.thread_ts = channel.id, None
                self.state.unread = []
        elif verb == "user":
            self._become(arg.lstrip("@"))
        elif verb in ("edit", "delete"):
            await self._change(verb, arg)
        elif verb == "home":
            self.state.show_home = True  # background refreshes stay quiet
            await self.emu.open_home(self.state.user)
            await self.wait_idle()
        elif verb == "tick":
            await self._tick(arg)
        elif verb == "click":
            await self._click(arg)
        else:
            self.say(f"Unknown :{verb}. {HELP}")
        return True

    def _print_thread(self, parent: Message) -> None:
        """The thread so far, as Slack shows it when you open it (buttons numbered anew); a
        long one a page at a time, `:more` printing the next page."""
        self.state.unread = self.emu.workspace.thread(parent.channel, parent.ts)
        self._print_more()

    def _print_more(self) -> None:
        if not self.state.unread:
            self.say(
                "Nothing more in this thread." if self.state.thread_ts else "Open a thread first."
            )
            return
        page, self.state.unread = self.state.unread[:PAGE], self.state.unread[PAGE:]
        for message in page:
            who = self.emu.workspace.users.get(message.user)
            name = "MLE Coach" if message.bot_id else (who.name if who else message.user)
            marks = "".join(f" :{r}:" for r in message.reactions)
            head = f"[{name}{' (edited)' if message.edited else ''}]{marks}"
            self._show(head, message.text, message.blocks, message if message.bot_id else None)
        if self.state.unread:
            self.say(f"… {len(self.state.unread)} more: `:more`")

    def _become(self, name: str) -> None:
        """Speak as `name`; a name nobody has yet joins the workspace (and its public
        channels, as a new member of a Slack workspace joins #general)."""
        ws = self.emu.workspace
        user = ws.user_by_name(name)
        if user is not None and user.is_bot:
            user = None
            self.say(f"{name!r} is the bot; pick a person.")
            return
        if user is None:
            if not PERSON_NAME.fullmatch(name):
                self.say(
                    "Say :user <name>: lower-case letters, digits and . _ - "
                    "(starting with a letter), at most 21 characters."
                )
                return
            user = add_person(ws, name)
            self.say(f"{name} joined the workspace (and its public channels).")
        self.state.user = user.id

    def _mine(self) -> list[Message]:
        """The current person's messages here (the open thread, else the channel), newest first."""
        ws = self.emu.workspace
        if self.state.thread_ts:
            here = ws.thread(self.state.channel, self.state.thread_ts)
        else:
            here = [
                m
                for m in ws.messages.get(self.state.channel, [])
                if not m.thread_ts and not m.deleted
            ]
        return [m for m in reversed(here) if m.user == self.state.user and not m.bot_id]

    async def _change(self, verb: str, arg: str) -> None:
        """`:edit <n> <text>` / `:delete <n>`: one's own n-th latest message here, sent to the
        app as Slack sends it (`message_changed` / `message_deleted`)."""
        number, _, text = arg.partition(" ")
        text = text.strip()
        usage = "Say :edit <n> <new text>" if verb == "edit" else "Say :delete <n>"
        if not number.isdigit() or int(number) < 1 or (verb == "edit" and not text):
            self.say(f"{usage}; n is 1 for your last message here, 2 for the one before, ….")
            return
        mine = self._mine()
        if int(number) > len(mine):
            where = "in this thread" if self.state.thread_ts else "in this channel"
            self.say(
                f"There is no message of yours numbered {number} {where} ({len(mine)} in all)."
            )
            return
        message = mine[int(number) - 1]
        if verb == "edit":
            await self.emu.edit(message, self._mentions(text, labelled=False))
        else:
            await self.emu.delete(message)
        await self.wait_idle()
        shown = _shorten(self._readable(message.text.splitlines()[0] if message.text else ""), 60)
        self.say(f"  {'Edited' if verb == 'edit' else 'Deleted'}: {shown}")

    async def _tick(self, arg: str) -> None:
        if self.tick is None:
            self.say("The scheduler is not available here.")
            return
        moment = None
        if arg:
            try:
                moment = datetime.fromisoformat(arg)
            except ValueError:
                self.say("Say :tick or :tick <ISO time>, e.g. :tick 2026-11-30T10:00+01:00")
                return
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            now = self.emu.clock.now()
            if moment.timestamp() < now:
                shown = datetime.fromtimestamp(now, UTC).isoformat(timespec="minutes")
                self.say(f"The sandbox clock is already at {shown}; time only moves forward.")
                return
            self.emu.clock.offset += moment.timestamp() - now  # the app's clock moves too
        lines = await self.tick(moment)
        await self.wait_idle()
        when = moment.isoformat() if moment else "now"
        self.say(f"[tick at {when}: {len(lines)} item(s)]")
        for line in lines:
            self.say(f"    {line}")

    async def _click(self, arg: str) -> None:
        if not arg.isdigit() or not 1 <= int(arg) <= len(self.state.buttons):
            self.say("Say :click <n> with the number shown beside a button.")
            return
        message, button = self.state.buttons[int(arg) - 1]
        if isinstance(message, Ephemeral):
            await self.emu.click_ephemeral(message, button.action_id, user=self.state.user)
        else:
            await self.emu.click(
                message, button.action_id, user=self.state.user, value=button.value
            )
        await self.wait_idle()


async def read_lines(terminal: Terminal, stream: TextIO = sys.stdin) -> None:
    """Read the keyboard (or a pipe) without blocking the event loop."""
    if not _pollable(stream):  # a file or /dev/null: read it line by line on a thread
        await _read_plainly(terminal, stream)
        return
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), stream
    )
    try:
        while True:
            terminal.out.write(terminal.prompt())
            terminal.out.flush()
            raw = await reader.readline()
            if not raw:
                terminal.say("")
                return
            if not await terminal.handle(raw.decode("utf-8", errors="replace")):
                return
    finally:
        transport.close()


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _pollable(stream: TextIO) -> bool:
    """A terminal, a pipe or a socket; not a regular file or /dev/null (epoll refuses them)."""
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError):
        return False
    return os.isatty(fd) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def _read_plainly(terminal: Terminal, stream: TextIO) -> None:
    loop = asyncio.get_running_loop()
    while True:
        terminal.out.write(terminal.prompt())
        terminal.out.flush()
        line = await loop.run_in_executor(None, stream.readline)
        if not line:
            terminal.say("")
            return
        if not await terminal.handle(line):
            return
