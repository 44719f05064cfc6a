"""What a unit of work caused besides its rows, collected on its `Tx` as it runs: the bot's
bus (bot/bus.py) acts on it once the unit is committed, and never for a unit rolled back."""

from __future__ import annotations

from storage.rows import DeliveryRow


class Caused:
    """What a unit of work caused besides its rows, collected as it runs."""

    def __init__(self) -> None:
        self.events: list[object] = []  # what the unit emitted (`Tx.emit`)
        self.channels: set[str] = set()  # channels it queued rows for that are due now
        self.claimed: list[DeliveryRow] = []  # rows it wrote already claimed, to post next
