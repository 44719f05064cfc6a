"""A local Slack: Web API, signed deliveries, Socket Mode, rate limits and Block Kit checks.

Product code: the sandbox runs on it, and the tests drive the real app against it.
"""

from bot.emulator.server import SlackEmulator

__all__ = ["SlackEmulator"]
