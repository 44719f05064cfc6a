"""A local Slack: Web API, signed deliveries, Socket Mode, rate limits and Block Kit checks.

Shipped on purpose (like a library's testing module): the sandbox runs on it, and the
tests and benches drive the real app against it. Nothing in bot/, handlers/ or storage/
imports it (a contract in pyproject.toml says so).
"""

from sandbox.emulator.server import SlackEmulator

__all__ = ["SlackEmulator"]
