"""Payloads in the shapes Slack sends (see shared/fixtures/slack)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sandbox.emulator.state import Message, View

if TYPE_CHECKING:
    from sandbox.emulator.server import SlackEmulator


def envelope(emu: SlackEmulator, event: dict[str, Any], team_id: str) -> dict[str, Any]:
    ws = emu.workspace
    return {
        "token": "verification-token-legacy",
        "team_id": team_id,
        "api_app_id": ws.app_id,
        "event": event,
        "type": "event_callback",
        "event_id": emu.clock.next_id("Ev"),
        "event_time": int(float(event.get("event_ts") or emu.clock.next_ts())),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": ws.bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": "4-emulated",
    }


def _channel_type(emu: SlackEmulator, channel: str) -> str:
    found = emu.workspace.channels.get(channel)
    return "group" if found is not None and found.is_private else "channel"


def message_event(emu: SlackEmulator, message: Message) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "message",
        "channel": message.channel,
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
        "channel_type": _channel_type(emu, message.channel),
        "event_ts": message.ts,
        "team": emu.workspace.team_id,
    }
    if message.thread_ts:
        event["thread_ts"] = message.thread_ts
        parent = emu.workspace.find_message(message.channel, message.thread_ts)
        if parent is not None:
            event["parent_user_id"] = parent.user
    if message.bot_id:
        ws = emu.workspace
        event["bot_id"] = message.bot_id
        event["app_id"] = ws.app_id
        event["bot_profile"] = {
            "id": ws.bot_id,
            "app_id": ws.app_id,
            "name": "MLE Coach",
            "team_id": ws.team_id,
        }
        if message.blocks:
            event["blocks"] = message.blocks
    else:
        event["client_msg_id"] = str(uuid.uuid4())
        event["blocks"] = [
            {
                "type": "rich_text",
                "block_id": "rt1",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "text", "text": message.text}],
                    }
                ],
            }
        ]
    return event


def changed_event(emu: SlackEmulator, message: Message, previous: dict[str, Any]) -> dict[str, Any]:
    ts = emu.clock.next_ts()
    new = message.to_api()
    new["edited"] = {"user": message.user, "ts": ts}
    return {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": message.channel,
        "ts": ts,
        "event_ts": ts,
        "channel_type": _channel_type(emu, message.channel),
        "message": new,
        "previous_message": previous,
    }


def deleted_event(emu: SlackEmulator, message: Message) -> dict[str, Any]:
    ts = emu.clock.next_ts()
    return {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": message.channel,
        "ts": ts,
        "deleted_ts": message.ts,
        "event_ts": ts,
        "channel_type": _channel_type(emu, message.channel),
        "previous_message": message.to_api(),
    }


def slash_command(
    emu: SlackEmulator, command: str, text: str, user: str, channel: str, team_id: str | None
) -> dict[str, str]:
    ws = emu.workspace
    trigger = emu.clock.next_id("trig.")
    emu.triggers[trigger] = user
    found = ws.channels.get(channel)
    person = ws.users.get(user)
    return {
        "token": "verification-token-legacy",
        "team_id": team_id or ws.team_id,
        "team_domain": ws.team_name,
        "channel_id": channel,
        "channel_name": found.name if found else "unknown",
        "user_id": user,
        "user_name": person.name if person else user,
        "command": command,
        "text": text,
        "api_app_id": ws.app_id,
        "is_enterprise_install": "false",
        "response_url": emu.response_url_for(channel, user),
        "trigger_id": trigger,
    }


def find_button(message: Message, action_id: str, value: str | None) -> dict[str, Any]:
    for block in message.blocks or []:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id and (
                value is None or element.get("value") == value
            ):
                return {**element, "block_id": block.get("block_id", "actions")}
        accessory = block.get("accessory")
        if accessory and accessory.get("action_id") == action_id:
            return {**accessory, "block_id": block.get("block_id", "section")}
    raise LookupError(f"no button {action_id!r} in message {message.ts}")


def _team_and_user(emu: SlackEmulator, user: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ws = emu.workspace
    person = ws.users.get(user)
    name = person.name if person else user
    return (
        {"id": ws.team_id, "domain": ws.team_name},
        {"id": user, "username": name, "name": name, "team_id": ws.team_id},
    )


def block_actions(
    emu: SlackEmulator, message: Message, button: dict[str, Any], user: str
) -> dict[str, Any]:
    ws = emu.workspace
    trigger = emu.clock.next_id("trig.")
    emu.triggers[trigger] = user
    team, who = _team_and_user(emu, user)
    channel = ws.channels.get(message.channel)
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message.ts,
        "channel_id": message.channel,
        "is_ephemeral": False,
    }
    if message.thread_ts:
        container["thread_ts"] = message.thread_ts
    return {
        "type": "block_actions",
        "user": who,
        "api_app_id": ws.app_id,
        "token": "verification-token-legacy",
        "container": container,
        "trigger_id": trigger,
        "team": team,
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": message.channel, "name": channel.name if channel else ""},
        "message": message.to_api(),
        "response_url": emu.response_url_for(message.channel, user, message.ts),
        "actions": [
            {
                "action_id": button.get("action_id"),
                "block_id": button.get("block_id"),
                "text": button.get("text"),
                "value": button.get("value"),
                "type": button.get("type", "button"),
                "action_ts": emu.clock.next_ts(),
            }
        ],
    }


def view_submission(
    emu: SlackEmulator, stored: View, values: dict[str, dict[str, Any]], user: str
) -> dict[str, Any]:
    ws = emu.workspace
    team, who = _team_and_user(emu, user)
    view = dict(stored.view)
    return {
        "type": "view_submission",
        "team": team,
        "user": who,
        "api_app_id": ws.app_id,
        "token": "verification-token-legacy",
        "trigger_id": emu.clock.next_id("trig."),
        "view": {
            "id": stored.id,
            "team_id": ws.team_id,
            "type": view.get("type"),
            "callback_id": view.get("callback_id", ""),
            "private_metadata": view.get("private_metadata", ""),
            "title": view.get("title"),
            "blocks": view.get("blocks", []),
            "state": {"values": values},
            "hash": emu.clock.next_ts(),
            "root_view_id": stored.id,
            "app_id": ws.app_id,
            "bot_id": ws.bot_id,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
