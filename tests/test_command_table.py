"""Every `/mle` subcommand the parser can produce has exactly one handler."""

from __future__ import annotations

from typing import get_args

from bot.commands import parser
from handlers.command_table import command_table
from tests.conftest import Harness


async def test_every_parsed_command_has_a_handler(harness: Harness) -> None:
    answered_by_the_ack = {parser.Help, parser.Invalid}
    table = command_table(harness.runtime.services)
    assert set(table) == set(get_args(parser.Command)) - answered_by_the_ack
