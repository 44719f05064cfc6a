"""Block Kit as plain terminal text; buttons are collected so they can be pressed by number."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str | None


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or "")
    return str(obj or "")


def render_blocks(blocks: list[dict[str, Any]]) -> tuple[list[str], list[Button]]:
    lines: list[str] = []
    buttons: list[Button] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text(block.get('text'))} ==")
        elif kind == "section":
            if block.get("text"):
                lines.extend(_text(block["text"]).splitlines() or [""])
            for field in block.get("fields") or []:
                lines.append(f"  {_text(field)}")
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button":
                buttons.append(
                    Button(
                        _text(accessory.get("text")), accessory["action_id"], accessory.get("value")
                    )
                )
        elif kind == "context":
            lines.append("  " + " · ".join(_text(e) for e in block.get("elements", [])))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    buttons.append(
                        Button(
                            _text(element.get("text")), element["action_id"], element.get("value")
                        )
                    )
        elif kind == "rich_text":
            continue
        else:
            lines.append(f"[{kind} block]")
    return lines, buttons
