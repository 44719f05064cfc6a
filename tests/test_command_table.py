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


def test_every_subcommand_has_its_usage_and_reads_to_a_command() -> None:
    """One entry per subcommand: its name reaches its reader, its usage line is listed, and
    its usage is what a mistake in it shows."""
    commands = set(get_args(parser.Command))
    names = [sub.name for sub in parser.SUBCOMMANDS]
    assert len(names) == len(set(names))
    usage = parser.full_usage()
    for sub in parser.SUBCOMMANDS:
        assert f"`{sub.syntax}`" in usage
        assert type(parser.parse(sub.name)) in commands  # (bare: a command or its usage)
        assert parser.usage_for(sub.name) == f"Usage: `{sub.syntax}` — {sub.what}."
