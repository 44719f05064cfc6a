"""What a Slack user id looks like: what a form's user field must hold before it is placed
in a mention (`<@…>`)."""

from __future__ import annotations

import re

_USER_ID = re.compile(r"[UW][A-Z0-9]{2,30}")


def user_id(value: object) -> str | None:
    """The user id `value` is, or None (anything else: text, a mention, a channel)."""
    return value if isinstance(value, str) and _USER_ID.fullmatch(value) else None
