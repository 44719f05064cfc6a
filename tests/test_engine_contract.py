"""The app's promises on either engine (`engine_url`: SQLite, then PostgreSQL): a reply's
retries arriving together record it once, and passes running together post once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sandbox.emulator import SlackEmulator
from tests.clock import ManualClock
from tests.conftest import START, running_app
from tests.interviews import PLANNING, new_project, questions_asked, reply, valid_answer

MONDAY_10_BERLIN = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def test_retries_arriving_together_record_each_reply_once(
    emulator: SlackEmulator, engine_url: str
) -> None:
    async with running_app(emulator, engine_url) as h:
        thread = await new_project(h)
        for question in PLANNING[:5]:
            await reply(h, thread, valid_answer(question))
            event_id = list(emulator.delivered)[-1]
            retries = await asyncio.gather(*(emulator.redeliver(event_id, n) for n in (1, 2, 3)))
            assert all(r.status == 200 for r in retries)
            await h.idle()
        project = await h.only_project()
        answers = await h.read(lambda tx: tx.answers.for_project(project.team_id, project.id))
        assert [a.question_key for a in answers] == [q.key for q in PLANNING[:5]]
        history = [
            await h.read(lambda tx, a=a: tx.answers.history(a.team_id, a.id)) for a in answers
        ]
        assert all(len(revisions) == 1 for revisions in history)
        assert [q.split(" ")[0] for q in questions_asked(h, thread)] == [
            f"Q{n}/{len(PLANNING)}" for n in range(1, 7)
        ]


async def test_passes_of_two_apps_at_once_post_each_checkin_once(
    emulator: SlackEmulator, engine_url: str
) -> None:
    clock = ManualClock(START)
    async with running_app(emulator, engine_url, clock=clock) as first:
        threads = [await new_project(first, f"Project {i}") for i in range(6)]
        async with running_app(emulator, engine_url, clock=clock) as second:
            clock.at(MONDAY_10_BERLIN)
            passes = [
                app.runtime.services.scheduler_pass(MONDAY_10_BERLIN)
                for app in (first, second, first, second)
            ]
            await asyncio.gather(*passes)
            await first.idle()
            await second.idle()
    posted = [m.thread_ts for m in emulator.bot_posts("C0MLTEAM") if m.text.startswith("Check-in")]
    assert sorted(posted) == sorted(threads)  # every project once, none twice
