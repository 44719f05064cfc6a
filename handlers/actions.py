"""Buttons and modals.

A button or form that changes state is recorded in the inbox before it is acknowledged and
processed from the record (again after a crash: bot/inbox.py); buttons that only open a
form or dismiss a message act at once.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond

from bot.checkins.form import checkin_of, read_blocker
from bot.checkins.render import ACTIONS
from bot.inbox import Processor
from bot.interview.render import AS_ANSWER, AS_NOTE
from bot.models import render as model_render
from bot.models.form import read_add_metric, read_snooze
from bot.projects.delete import CANCEL, CONFIRM
from bot.services import Services
from handlers.inbox import request_key, tell

log = logging.getLogger(__name__)
BLOCKED = "checkin_blocked"
SORRY = "Sorry, something went wrong on my side; try again in a minute."
# What each form's submission is checked with before it is recorded.
FORMS = {"add_metric": read_add_metric, "snooze": read_snooze, "blocker": read_blocker}
RECORDED_BUTTONS = tuple(a for a in ACTIONS if a != BLOCKED)
NOT_RECORDED = "Not saved: my database is unavailable just now. Try again in a minute."


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


async def _form_target(services: Services, body: dict[str, Any]) -> str | None:
    """Why the ids a form carries (`private_metadata`) name nothing this person may act on,
    or None."""
    view = body.get("view") or {}
    if view.get("callback_id") == "blocker":
        return await _checkin_target(services, body, checkin_of(view))
    return await _model_target(services, body, _metadata_model(view))


# How long a form's ids may take to check before its answer (Slack allows 3 s in all); past
# it the form stays open with a message to submit it again (nothing recorded, nothing lost).
FORM_CHECK_SECONDS = 2.0
SLOW_CHECK = "Slack is slow to answer right now: submit this again in a moment."


def _sees(services: Services, body: dict[str, Any]) -> Callable[[str], Awaitable[bool]]:
    """Whether the person who pressed or sent may read a channel (as a command's lookup
    asks: what they may not see does not exist for them)."""
    _, user = _ids(body)
    # a button is pressed in a message the person is reading: its channel is theirs to see
    # (without asking Slack, which may fail); a form has no channel
    where = str(
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or ""
    )

    async def can_see(channel: str) -> bool:
        return await services.visibility.can_see(user, channel, where)

    return can_see


async def _checkin_target(services: Services, body: dict[str, Any], value: str) -> str | None:
    """Why `project id:check-in id` (a check-in's buttons and its form) names nothing this
    person may act on — the two ids must belong together, the project be theirs to see —
    or None."""
    team, _ = _ids(body)
    found = await services.checkins.form_checkin(team, value, _sees(services, body))
    return None if found is not None else "That check-in no longer exists."


async def _model_target(
    services: Services, body: dict[str, Any], model_id: int | None
) -> str | None:
    """The same for a model's reminder buttons and forms."""
    team, _ = _ids(body)
    sees = _sees(services, body)
    model = await services.models.form_model(team, model_id, sees) if model_id else None
    return None if model is not None else "That model no longer exists."


def button_processor(services: Services) -> Processor:
    async def checkin_button(body: dict[str, Any], action: dict[str, Any]) -> None:
        team, user = _ids(body)
        value = str(action.get("value") or "")
        try:
            message = await _checkin_target(services, body, value)
            if message is None:  # the check-in is the project's, and the person's to see
                message = await services.checkins.press(team, user, value, str(action["action_id"]))
        except Exception:
            log.exception("check-in button failed")
            message = SORRY
        if message:
            await tell(
                _respond(body), text=message, response_type="ephemeral", replace_original=False
            )

    async def delete_project(body: dict[str, Any], action: dict[str, Any]) -> None:
        team, user = _ids(body)
        message = await services.deleter.confirm(team, user, str(action.get("value") or ""))
        await tell(_respond(body), text=message, replace_original=True)

    async def which_reply(body: dict[str, Any], action: dict[str, Any]) -> None:
        """A reply under a check-in: an answer to the pending question, or a note."""
        team, user = _ids(body)
        value, as_answer = str(action.get("value") or ""), action.get("action_id") == AS_ANSWER
        try:
            message, settled = await services.interviews.settle(team, user, value, as_answer)
        except Exception:
            log.exception("settling a reply failed")
            message, settled = SORRY, False
        await tell(
            _respond(body),
            text=message,
            response_type="in_channel" if settled else "ephemeral",
            replace_original=settled,
        )

    buttons = {action_id: checkin_button for action_id in RECORDED_BUTTONS}
    buttons[CONFIRM] = delete_project
    buttons[AS_ANSWER] = buttons[AS_NOTE] = which_reply

    async def process_button(body: dict[str, Any]) -> None:
        action = (body.get("actions") or [{}])[0]
        await buttons[str(action.get("action_id"))](body, action)

    return process_button


def form_processor(services: Services) -> Processor:
    async def add_metric(body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        fields, errors = read_add_metric(_state(view))
        team, user = _ids(body)
        model_id = _metadata_model(view)
        if model_id is not None and not errors:
            await services.kpis.add_from_form(team, user, model_id, fields)

    async def snooze(body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        reason, _ = read_snooze(_state(view))
        team, user = _ids(body)
        model_id = _metadata_model(view)
        if model_id is not None:
            await services.models.snooze(team, user, model_id, reason)

    async def blocker(body: dict[str, Any]) -> None:
        view = body.get("view") or {}
        fields, errors = read_blocker(_state(view))
        team, user = _ids(body)
        if errors:
            return
        await services.checkins.block(
            team,
            user,
            checkin_of(view),
            str(fields["what"]),
            fields["who"],
            request_key("form", body),
        )

    forms = {"add_metric": add_metric, "snooze": snooze, "blocker": blocker}

    async def process_form(body: dict[str, Any]) -> None:
        # (what the form names was checked before it was recorded: `recorded_form`; the
        # services check again that its ids belong together)
        await forms[str((body.get("view") or {}).get("callback_id"))](body)

    return process_form


def register(app: AsyncApp, services: Services) -> None:
    for action_id in (*RECORDED_BUTTONS, CONFIRM, AS_ANSWER, AS_NOTE):

        @app.action(action_id)
        async def recorded_button(
            ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond
        ) -> None:
            team, _ = _ids(body)
            try:
                key = request_key("button", body)
                inbox_id = await services.inbox.record("button", team, key, body)
            except Exception as exc:
                log.error("could not record a button press: %s", type(exc).__name__)
                await ack()
                await respond(text=NOT_RECORDED, response_type="ephemeral", replace_original=False)
                return
            await ack()
            if inbox_id is not None:
                await services.inbox.process(inbox_id, "button", key, body, attempts=1)

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
                    if model_id is not None and not await _model_target(services, body, model_id)
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

    @app.action(BLOCKED)
    async def blocked_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        """Opens the form; the blocker is recorded when the form is submitted."""
        await ack()
        async with services.activity.track():
            team, _ = _ids(body)
            value = str(action.get("value") or "")
            problem = await _checkin_target(services, body, value)
            view = None if problem else await services.checkins.blocker_form(team, value)
            if view is None:
                await respond(
                    text="That check-in no longer exists.",
                    response_type="ephemeral",
                    replace_original=False,
                )
            elif not await services.slack.open_view(str(body.get("trigger_id")), view):
                await respond(text=SORRY, response_type="ephemeral", replace_original=False)

    @app.action(CANCEL)
    async def keep_project(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Nothing was deleted.", replace_original=True)

    def form_listener(read: Any) -> Any:
        async def recorded_form(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            _, errors = read(_state(view))
            if errors:  # shown inline; the form stays open
                await ack(response_action="errors", errors=errors)
                return
            # the ids it carries, against each other and what the person may see: checked
            # once, here (a form recorded is processed even while Slack cannot be asked)
            try:  # Slack waits 3 s for the answer: a slow look-up must not lose the form
                async with asyncio.timeout(FORM_CHECK_SECONDS):
                    problem = await _form_target(services, body)
            except TimeoutError:
                problem = SLOW_CHECK
            if problem is not None:
                await ack(response_action="errors", errors=_everywhere(view, problem))
                return
            team, _ = _ids(body)
            try:
                key = request_key("form", body)
                inbox_id = await services.inbox.record("form", team, key, body)
            except Exception as exc:
                log.error("could not record a form: %s", type(exc).__name__)
                await ack(response_action="errors", errors=_everywhere(view, NOT_RECORDED))
                return
            await ack()
            if inbox_id is not None:
                await services.inbox.process(inbox_id, "form", key, body, attempts=1)

        return recorded_form

    for callback_id, read in FORMS.items():
        app.view(callback_id)(form_listener(read))


def _state(view: dict[str, Any]) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values")
    return values if isinstance(values, dict) else {}


def _respond(body: dict[str, Any]) -> AsyncRespond:
    """Answers to the person who pressed, through the interaction's response_url (valid for
    30 minutes, so also when the press is processed again after a crash)."""
    return AsyncRespond(response_url=body.get("response_url"))


def _everywhere(view: dict[str, Any], message: str) -> dict[str, str]:
    """A form-level error: shown under the form's first input block."""
    for block in view.get("blocks") or []:
        if isinstance(block, dict) and block.get("type") == "input" and block.get("block_id"):
            return {str(block["block_id"]): message}
    for block_id in _state(view):  # the blocks the form was sent with
        return {str(block_id): message}
    return {}
