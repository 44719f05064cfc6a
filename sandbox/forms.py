"""Filling a modal in the terminal: one field at a time, as its labels ask, then submitted
as Slack submits it (`view_submission` with the state of each input)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.emulator.state import Workspace

CANCEL = ":cancel"


@dataclass
class Form:
    view_id: str
    inputs: list[dict[str, Any]]
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    index: int = 0

    @classmethod
    def of(cls, view_id: str, view: dict[str, Any]) -> Form:
        inputs = [b for b in view.get("blocks", []) if b.get("type") == "input"]
        return cls(view_id, inputs)

    @property
    def done(self) -> bool:
        return self.index >= len(self.inputs)

    def question(self) -> str:
        """What the current field asks, with how to answer it."""
        block = self.inputs[self.index]
        element = block["element"]
        label = block["label"]["text"]
        optional = " — empty line to leave it" if block.get("optional") else ""
        kind = element.get("type")
        kept = _initial_shown(element)
        shown = f" (empty line keeps {kept})" if kept else ""
        if kind == "static_select":
            options = ", ".join(
                f"{i}. {o['text']['text']}" for i, o in enumerate(element["options"], start=1)
            )
            return f"  {label}{optional} — type a number: {options}{shown}"
        if kind == "users_select":
            return f"  {label}{optional} — type @name{shown}"
        if kind == "number_input":
            return f"  {label}{optional} — a number{shown}"
        return f"  {label}{optional}{shown}"

    def answer(self, line: str, workspace: Workspace) -> str | None:
        """Take a typed line for the current field; what is wrong with it, or None."""
        block = self.inputs[self.index]
        element = block["element"]
        kind = element.get("type")
        text = line.strip()
        if not text and (element.get("initial_option") or element.get("initial_user")):
            # what the form showed already chosen stays, as in Slack
            kept: dict[str, Any] = {"type": kind}
            if element.get("initial_option"):
                kept["selected_option"] = element["initial_option"]
            else:
                kept["selected_user"] = element["initial_user"]
            self.values[block["block_id"]] = {element["action_id"]: kept}
            self.index += 1
            return None
        if not text:
            initial = element.get("initial_value")
            if initial:
                text = str(initial)
            elif block.get("optional"):
                self.index += 1
                return None
            else:
                return "This field is required."
        state: dict[str, Any] = {"type": kind}
        if kind == "static_select":
            options = element["options"]
            if not text.isdigit() or not 1 <= int(text) <= len(options):
                return f"Type a number from 1 to {len(options)}."
            state["selected_option"] = options[int(text) - 1]
        elif kind == "users_select":
            match = re.search(r"@?([a-z][a-z0-9._-]*)", text, re.IGNORECASE)
            user = workspace.user_by_name(match.group(1)) if match else None
            if user is None:
                return "No such person; type @name (alice, bob, carol)."
            state["selected_user"] = user.id
        elif kind == "number_input" and not re.fullmatch(r"-?\d+(?:\.\d+)?", text):
            return "Slack's number field takes digits and one decimal point only (3.9)."
        else:
            state["value"] = text
        self.values[block["block_id"]] = {element["action_id"]: state}
        self.index += 1
        return None


def _initial_shown(element: dict[str, Any]) -> str:
    """What a field starts with, as a person would read it ("" for nothing)."""
    if element.get("initial_option"):
        return str(element["initial_option"]["text"]["text"])
    if element.get("initial_user"):
        return f"<@{element['initial_user']}>"
    return str(element.get("initial_value") or "")
