"""manifest.yml must grant every scope and subscribe every event the code uses."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from handlers import messages

ROOT = Path(__file__).resolve().parent.parent

# Web API method (as slack_sdk names it) → bot scope it needs.
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "reactions_add": "reactions:write",
    "users_info": "users:read",
    "users_lookupByEmail": "users:read.email",
    "conversations_info": "channels:read",
    "conversations_join": "channels:join",
    "conversations_replies": "channels:history",
    "conversations_members": "groups:read",
    "conversations_history": "channels:history",
    "views_open": None,
    "views_update": None,
    "views_publish": None,
    "chat_getPermalink": None,
    "auth_test": None,
    "files_upload_v2": "files:write",
}
EVENT_SUBSCRIPTIONS = {
    "message": {"message.channels", "message.groups"},
    "app_home_opened": {"app_home_opened"},
    "app_mention": {"app_mention"},
}


def _source() -> str:
    files = [*ROOT.joinpath("bot").rglob("*.py"), *ROOT.joinpath("handlers").rglob("*.py")]
    return "\n".join(f.read_text() for f in files if "emulator" not in f.parts)


def _manifest() -> dict:
    return yaml.safe_load(ROOT.joinpath("manifest.yml").read_text())


def test_manifest_is_socket_mode_with_the_mle_command_and_home_tab() -> None:
    manifest = _manifest()
    assert manifest["_metadata"]["major_version"] == 1
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == ["/mle"]


def test_every_event_the_code_listens_to_is_subscribed() -> None:
    listened = set(re.findall(r'app\.event\("([a-z_]+)"', _source())) | set(messages.EVENTS)
    assert listened, "no event listeners found: the pattern no longer matches the code"
    subscribed = set(_manifest()["settings"]["event_subscriptions"]["bot_events"])
    for event in listened:
        assert EVENT_SUBSCRIPTIONS[event] <= subscribed, event


def test_every_web_api_method_the_code_calls_has_its_scope() -> None:
    scopes = set(_manifest()["oauth_config"]["scopes"]["bot"])
    called = set(
        re.findall(
            r"\.(chat_\w+|reactions_\w+|users_\w+|conversations_\w+|views_\w+|files_\w+)\(",
            _source(),
        )
    )
    for method in called:
        assert method in METHOD_SCOPES, f"add {method} to METHOD_SCOPES"
        needed = METHOD_SCOPES[method]
        assert needed is None or needed in scopes, f"{method} needs {needed}"
    assert {"commands", "chat:write", "channels:history", "groups:history"} <= scopes
