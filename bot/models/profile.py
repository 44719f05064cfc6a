"""The team's own "why our ML projects fail": outcomes, failure reasons from retrospectives,
days per stage against time boxes, and the share of deployed models whose business metrics
were complete at each month's end — for a set of projects, as data for a chart and as text."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.domain.answers import Parsed, read_answer
from bot.domain.bank import QuestionBank
from bot.domain.business_rules import findings, lacks_business_metrics
from bot.domain.stages import INTERVIEW_STAGES, Stage
from bot.interview.record import stage_days
from bot.models.facts import to_model
from bot.models.reminders import team_settings
from storage.rows import ProjectRow
from storage.store import Tx

MONTHS = 12


@dataclass(frozen=True)
class Profile:
    scope: str
    projects: int
    outcomes: dict[str, int]
    reasons: list[tuple[str, int]]
    stages: list[tuple[str, float, float | None]]  # stage, median days, median time box
    months: list[tuple[str, float]]  # YYYY-MM, share of deployed models complete

    def spec(self) -> dict[str, Any]:
        return {
            "kind": "stats",
            "comment": f"📊 Why our ML projects fail — {self.scope} (`/mle stats` for the text)",
            "data": {
                "title": f"Why our ML projects fail — {self.scope}",
                "outcomes": self.outcomes,
                "reasons": [list(r) for r in self.reasons],
                "stages": [list(s) for s in self.stages],
                "months": [list(m) for m in self.months],
            },
        }

    def lines(self) -> list[str]:
        if not self.projects:
            return [f"No projects {self.scope} yet: `/mle new <name>` starts one."]
        outcomes = ", ".join(f"{n} {k}" for k, n in self.outcomes.items())
        out = [f"*{self.projects} project(s) {self.scope}*: {outcomes}."]
        if self.reasons:
            ranked = "; ".join(f"{name} ({n})" for name, n in self.reasons[:5])
            out.append(f"*Failure reasons, most frequent first:* {ranked}.")
        else:
            out.append("*Failure reasons:* no retrospective yet (`/mle close` asks for one).")
        days = "; ".join(
            f"{stage} {days:g} d" + (f" (median time box {box:g} where one was set)" if box else "")
            for stage, days, box in self.stages
        )
        if days:
            out.append(f"*Median days per stage:* {days}.")
        if self.months:
            month, share = self.months[-1]
            when = month.replace(" (now)", "") if month.endswith("(now)") else f"the end of {month}"
            out.append(f"*Deployed models with complete business metrics* on {when}: {share:.0%}.")
        return out


def _month_ends(start: datetime, now: datetime) -> list[datetime]:
    """The last moment of each month from `start`'s to the one before `now`'s, and `now`."""
    ends = []
    year, month = start.year, start.month
    while (year, month) < (now.year, now.month):
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        ends.append(datetime(year, month, 1, tzinfo=UTC) - timedelta(microseconds=1))
    return [*ends[-(MONTHS - 1) :], now]


def profile(
    tx: Tx, bank: QuestionBank, team_id: str, projects: list[ProjectRow], scope: str, now: datetime
) -> Profile:
    outcomes = Counter(p.outcome or "active" for p in projects)
    reasons: Counter[str] = Counter()
    question = next((q for q in bank.questions(Stage.CLOSED) if q.key == "failure_reasons"), None)
    days: dict[str, list[int]] = {}
    boxes: dict[str, list[int]] = {}
    for project in projects:
        if question is not None:
            for answer in tx.answers.for_project(team_id, project.id, Stage.CLOSED.value):
                if answer.question_key == question.key and answer.status == "answered":
                    reading = read_answer(question, answer.text)
                    if isinstance(reading, Parsed):
                        reasons.update(reading.picked)
        for stage, spent, box in stage_days(tx, project, now):
            days.setdefault(stage, []).append(spent)
            if box is not None:
                boxes.setdefault(stage, []).append(int(box))
    stages: list[tuple[str, float, float | None]] = [
        (
            str(stage.value),
            float(statistics.median(days[stage.value])),
            float(statistics.median(boxes[stage.value])) if stage.value in boxes else None,
        )
        for stage in INTERVIEW_STAGES
        if stage.value in days
    ]
    models = tx.models.of_projects([(team_id, p.id) for p in projects])
    months: list[tuple[str, float]] = []
    if models:
        settings = team_settings(tx, team_id)
        metrics = tx.metrics.for_models([(m.team_id, m.id) for m in models])
        values = tx.metrics.values_for(
            [(m.team_id, k.id) for m in models for k in metrics.get(m.id, [])]
        )
        first = min(m.deployed_at for m in models)
        for end in _month_ends(first, now):
            live = [
                m
                for m in models
                if m.deployed_at <= end and (m.retired_at is None or m.retired_at > end)
            ]
            if not live:
                continue
            complete = sum(
                1
                for m in live
                if not lacks_business_metrics(
                    findings(to_model(m, metrics.get(m.id, []), values, end), end, settings)
                )
            )
            label = f"{end:%Y-%m}" if end != now else f"{now:%Y-%m-%d} (now)"
            months.append((label, complete / len(live)))
    return Profile(
        scope=scope,
        projects=len(projects),
        outcomes=dict(outcomes.most_common()),
        reasons=reasons.most_common(),
        stages=stages,
        months=months,
    )
