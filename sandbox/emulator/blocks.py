"""Block Kit validation as Slack applies it, using slack_sdk's models plus Slack's own limits."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100
MESSAGE_MAX_TEXT = 40_000
# Slack refuses messages whose blocks carry much more text than this (msg_blocks_too_long).
BLOCKS_MAX_TEXT = 13_200


class BlockKitError(Exception):
    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


def decode(value: Any) -> Any:
    """Blocks and views may arrive as JSON text (form posts) or as structures (JSON posts)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise BlockKitError("invalid_arguments", f"not JSON: {exc}") from None
    return value


def _text_in(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_text_in(v) for k, v in value.items() if k not in ("type", "block_id"))
    if isinstance(value, list):
        return sum(_text_in(v) for v in value)
    return len(value) if isinstance(value, str) else 0


def validate_blocks(blocks: Any, *, max_blocks: int = MESSAGE_MAX_BLOCKS) -> list[dict[str, Any]]:
    blocks = decode(blocks)
    if not isinstance(blocks, list):
        raise BlockKitError("invalid_blocks_format", "blocks must be a list")
    if len(blocks) > max_blocks:
        raise BlockKitError("invalid_blocks", f"no more than {max_blocks} items allowed")
    try:
        key = json.dumps(blocks, sort_keys=True)
    except (TypeError, ValueError):
        raise BlockKitError("invalid_blocks", "blocks are not JSON") from None
    error = _check_cached(key, max_blocks)
    if error is not None:
        raise BlockKitError(*error)
    return blocks


@lru_cache(maxsize=4096)
def _check_cached(key: str, max_blocks: int) -> tuple[str, str] | None:
    """Slack answers the same blocks the same way; the models are costly, so remember."""
    try:
        _check(json.loads(key), max_blocks)
    except BlockKitError as exc:
        return exc.error, exc.detail
    return None


def _check(blocks: list[Any], max_blocks: int) -> None:
    for index, raw in enumerate(blocks):
        if not isinstance(raw, dict):
            raise BlockKitError("invalid_blocks", f"block {index} is not an object")
        try:
            parsed = Block.parse(dict(raw))
            if parsed is None:
                raise BlockKitError("invalid_blocks", f"block {index}: unknown type")
            parsed.to_dict()
        except SlackObjectFormationError as exc:
            raise BlockKitError("invalid_blocks", f"block {index}: {exc}") from None
        except (TypeError, AttributeError, KeyError, ValueError) as exc:
            raise BlockKitError("invalid_blocks", f"block {index}: {exc}") from None
    if max_blocks == MESSAGE_MAX_BLOCKS and _text_in(blocks) > BLOCKS_MAX_TEXT:
        raise BlockKitError("msg_blocks_too_long", "blocks carry too much text")


def validate_message(text: Any, blocks: Any) -> list[dict[str, Any]] | None:
    if text is not None and not isinstance(text, str):
        raise BlockKitError("invalid_arguments", "text must be a string")
    if text and len(text) > MESSAGE_MAX_TEXT:
        raise BlockKitError("msg_too_long", f"text over {MESSAGE_MAX_TEXT} characters")
    parsed = validate_blocks(blocks) if blocks not in (None, "", []) else None
    if not text and not parsed:
        raise BlockKitError("no_text", "text or blocks required")
    return parsed


def validate_view(view: Any) -> dict[str, Any]:
    view = decode(view)
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise BlockKitError("invalid_arguments", "view.type must be modal or home")
    validate_blocks(view.get("blocks", []), max_blocks=VIEW_MAX_BLOCKS)
    try:
        View(**view).to_dict()
    except SlackObjectFormationError as exc:
        raise BlockKitError("invalid_arguments", f"view: {exc}") from None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise BlockKitError("invalid_arguments", f"view: {exc}") from None
    return view
