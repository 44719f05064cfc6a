"""Buttons and modals."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.checkins.render import ACTIONS
from bot.models import render as model_render
from bot.models.form import read_add_metric, read_snooze
from bot.projects.delete import CANCEL, CONFIRM
from bot.services import Services

log = logging.getLogger(__name__)
SORRY = "Sorry, something went wrong on my side; try again in a minute."


def _ids(body: dict[str, Any]) -> tuple[str, str]:
    team = str((body.get("team") or {}).get("id") or (body.get("user") or {}).get("team_id") or "")
    return team, str((body.get("user") or {}).get("id") or "")


def _model_id(raw: object) -> int | None:
    try:
        return int(str(raw))
    except ValueError:
        return None


def _metadata_model(view: dict[str, Any]) -> int | None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return None
    return _model_id(metadata.get("model_id")) if isinstance(metadata, dict) else None


def register(app: AsyncApp, services: Services) -> None:
    for action_id in ACTIONS:

        @app.action(action_id)
        async def checkin_button(
            ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
        ) -> None:
            await ack()
            async with services.activity.track():
                team, user = _ids(body)
                try:
                    message = await services.checkins.press(
                        team, user, str(action.get("value") or ""), str(action["action_id"])
                    )
                except Exception:
                    log.exception("check-in button failed")
                    message = SORRY
                if message:
                    await respond(text=message, response_type="ephemeral", replace_original=False)

    for action_id in (model_render.ADD_METRIC, model_render.SNOOZE):

        @app.action(action_id)
        async def model_button(
            ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
        ) -> None:
            await ack()
            async with services.activity.track():
                team, _ = _ids(body)
                model_id = _model_id(action.get("value"))
                view = (
                    await services.models.form(team, model_id, str(action["action_id"]))
                    if model_id is not None
                    else None
                )
                if view is None:
                    await respond(
                        text="That model no longer exists.",
                        response_type="ephemeral",
                        replace_original=False,
                    )
                elif not await services.slack.open_view(str(body.get("trigger_id")), view):
                    await respond(text=SORRY, response_type="ephemeral", replace_original=False)

    @app.action(CONFIRM)
    async def delete_project(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        async with services.activity.track():
            team, user = _ids(body)
            message = await services.deleter.confirm(team, user, str(action.get("value") or ""))
            await respond(text=message, replace_original=True)

    @app.action(CANCEL)
    async def keep_project(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Nothing was deleted.", replace_original=True)

    @app.view("add_metric")
    async def add_metric(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        fields, errors = read_add_metric(_state(view))
        if await _accepted(ack, errors):
            async with services.activity.track():
                team, user = _ids(body)
                model_id = _metadata_model(view)
                if model_id is not None:
                    await services.models.add_from_form(team, user, model_id, fields)

    @app.view("snooze")
    async def snooze(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        reason, errors = read_snooze(_state(view))
        if await _accepted(ack, errors):
            async with services.activity.track():
                team, user = _ids(body)
                model_id = _metadata_model(view)
                if model_id is not None:
                    await services.models.snooze(team, user, model_id, reason)


def _state(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values")
    return values if isinstance(values, dict) else {}


async def _accepted(ack: AsyncAck, errors: dict[str, str]) -> bool:
    """Answer a form: its errors shown inline (the form stays open), or closed."""
    if errors:
        await ack(response_action="errors", errors=errors)
        return False
    await ack()
    return True
