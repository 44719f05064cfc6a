"""How much the coach says over one project's life: posts in the project thread, top-level posts
in the channel and people pinged, per month of the project's clock.

One scripted project plays through the real app and the emulator with the scheduler's clock
moving (a pass every three hours of project time): planning (12 answers, 2 of them `tbd`),
scoping, weekly check-ins for 12 weeks of which the team answers every other one, a blocker
raised and cleared, a deploy in week 6 with its KPI, values in weeks 8 and 10, the weekly digest
on, then close and a retrospective. Run: `python -m bench.noise`.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from bot.bank_file import load_bank
from bot.domain.bank import Kind, Question
from sandbox.emulator import SlackEmulator
from sandbox.emulator.state import Message
from tests.clock import ManualClock
from tests.conftest import Harness, running_app
from tests.interviews import VALID
from tests.test_checkins import submit_blocker

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday
CHANNEL = "C0MLTEAM"
PROJECT = "churn-reduction"
BANK = load_bank()
QUESTION = re.compile(r"^Q(\d+)/(\d+) ")
MENTION = re.compile(r"<@(U[A-Z0-9]+)>|<!(here|channel|everyone)>")
TBD = 2  # planning answers given as `tbd`


class Tally:
    """What the channel received, attributed to the month of the project's clock."""

    def __init__(self, emulator: SlackEmulator, thread: str) -> None:
        self.emulator = emulator
        self.thread = thread
        self.seen: set[str] = set()
        self.thread_posts: Counter[str] = Counter()
        self.top_posts: Counter[str] = Counter()
        self.pings: dict[str, Counter[str]] = defaultdict(Counter)
        self.kinds: Counter[str] = Counter()  # thread posts by what they are

    def take(self, now: datetime) -> None:
        month = now.strftime("%Y-%m")
        for message in self.emulator.bot_posts(CHANNEL):
            if message.ts in self.seen:
                continue
            self.seen.add(message.ts)
            if message.thread_ts == self.thread:
                self.thread_posts[month] += 1
                self.kinds[_kind(message)] += 1
            elif message.thread_ts is None and message.ts != self.thread:
                self.top_posts[month] += 1
            for user, group in MENTION.findall(message.text):
                self.pings[month][user or f"!{group}"] += 1


def _kind(message: Message) -> str:
    first = message.text.splitlines()[0] if message.text else ""
    if QUESTION.match(first):
        return "question"
    if "brief" in first.lower():
        return "brief"
    if first.startswith("Check-in"):
        return "check-in"
    if "nobody has answered the check-in" in first:
        return "nudge"
    return "other"


def _answer(question: Question, index: int, tbd: set[int]) -> str:
    if index in tbd:
        return "tbd"
    if question.kind in (Kind.CHOICE, Kind.CHOICES):
        return question.choices[0]
    return VALID[question.kind]


def _pending(h: Harness, thread: str) -> int | None:
    """The number of the question the thread waits on (the bot's last post asks it)."""
    posts = h.emulator.bot_posts(CHANNEL, thread)
    if not posts:
        return None
    found = QUESTION.match(posts[-1].text)
    return int(found.group(1)) if found else None


async def _say(h: Harness, thread: str, text: str, user: str = "U0ALICE") -> Message:
    message, _ = await h.emulator.say(text, user=user, channel=CHANNEL, thread_ts=thread)
    await h.idle()
    return message


async def _mle(h: Harness, text: str, user: str = "U0ALICE") -> None:
    await h.emulator.slash(text, user=user, channel=CHANNEL)
    await h.idle()


async def _interview(h: Harness, thread: str, stage: str, tbd: set[int] | None = None) -> None:
    """Answer what the thread asks, as the stage's questions come, until it asks nothing."""
    questions = BANK.questions(stage)
    answered = 0
    while (number := _pending(h, thread)) is not None and answered < 3 * len(questions):
        await _say(h, thread, _answer(questions[number - 1], number, tbd or set()))
        answered += 1


async def play(h: Harness, clock: ManualClock) -> Tally:
    await _mle(h, "new Churn reduction")
    [parent] = [m for m in h.emulator.bot_posts(CHANNEL) if m.thread_ts is None]
    tally = Tally(h.emulator, parent.ts)
    optional = [  # `tbd` where words are asked for and an answer is not required
        i + 1
        for i, q in enumerate(BANK.questions("planning"))
        if not q.required and q.kind is Kind.TEXT
    ]
    await _interview(h, parent.ts, "planning", set(optional[-TBD:]))
    await _mle(h, "digest mon 09:00")
    await _mle(h, f"stage {PROJECT} next --force")
    await _interview(h, parent.ts, "scoping")
    tally.take(clock.now)
    seen: set[str] = set()  # check-ins already answered (or left unanswered)
    for day in range(7 * 12 + 1):
        week, weekday = divmod(day, 7)
        for hour in range(0, 24, 3):
            moment = START + timedelta(days=day, hours=hour)
            clock.at(moment)
            await h.runtime.services.scheduler_pass(moment)
            await h.idle()
            tally.take(moment)
        checkins = [
            m
            for m in h.emulator.bot_posts(CHANNEL, parent.ts)
            if m.text.startswith("Check-in") and m.ts not in seen
        ]
        for post in checkins:
            seen.add(post.ts)
            if week % 2 == 0:  # the team answers every other check-in
                await h.emulator.click(post, "checkin_on_track", user="U0CAROL")
                await h.idle()
            if week == 3:
                await h.emulator.click(post, "checkin_blocked", user="U0CAROL")
                await h.idle()
                await submit_blocker(h, "U0CAROL", "waiting for the churn labels", "U0BOB")
        if weekday == 2:
            if week == 4:
                await _mle(h, f"unblock {PROJECT} labels arrived", user="U0BOB")
            if week in (2, 4):
                await _mle(h, f"stage {PROJECT} next --force")
                await _interview(h, parent.ts, "experimentation" if week == 2 else "development")
            if week == 6:
                await _mle(h, f"stage {PROJECT} next --force")
                await _interview(h, parent.ts, "deployment")
                await _mle(h, f"deploy {PROJECT} churn-lgbm v1")
                await _mle(
                    h,
                    'metric churn-lgbm "monthly churn" baseline=4.1% target=3.8% '
                    "owner=<@U0CAROL> method=ab lower",
                )
            if week in (8, 10):
                await _mle(h, 'metric churn-lgbm "monthly churn" 4.0%', user="U0CAROL")
        tally.take(clock.now)
    await _mle(h, f"close {PROJECT} shipped churn is down")
    await _interview(h, parent.ts, "closed")
    tally.take(clock.now)
    return tally


def report(tally: Tally) -> None:
    months = sorted(set(tally.thread_posts) | set(tally.top_posts) | set(tally.pings))
    print("month     thread  top-level  pings (by whom)")
    for month in months:
        pings = tally.pings.get(month, Counter())
        who = ", ".join(f"{u} {n}" for u, n in pings.most_common())
        print(
            f"{month}  {tally.thread_posts[month]:6}  {tally.top_posts[month]:9}  "
            f"{sum(pings.values()):5} ({who})"
        )
    pings_total: Counter[str] = Counter()
    for counts in tally.pings.values():
        pings_total.update(counts)
    who = ", ".join(f"{u} {n}" for u, n in pings_total.most_common())
    threads, tops = sum(tally.thread_posts.values()), sum(tally.top_posts.values())
    print(f"total     {threads:6}  {tops:9}  {sum(pings_total.values()):5} ({who})")
    interview = tally.kinds["question"] + tally.kinds["brief"]
    kinds = ", ".join(f"{kind} {n}" for kind, n in tally.kinds.most_common())
    print(
        f"thread posts: {kinds}; other than the interview's questions and briefs: "
        f"{threads - interview}"
    )


async def main() -> None:
    argparse.ArgumentParser(description=__doc__).parse_args()
    emulator = SlackEmulator(rate_limits=False, echo_bot_messages=True, retry_delays=(0.02,) * 3)
    await emulator.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            clock = ManualClock(START - timedelta(days=1))
            async with running_app(emulator, f"sqlite:///{folder}/noise.db", clock=clock) as h:
                report(await play(h, clock))
    finally:
        await emulator.stop()


if __name__ == "__main__":
    asyncio.run(main())
