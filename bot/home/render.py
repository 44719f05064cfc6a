"""The Home tab view; pure. Most urgent first, within Slack's 100 blocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.blocks import button, clip, context, esc, header, section
from bot.domain.stages import Stage
from bot.domain.timebox import describe_days
from bot.models.render import ADD_METRIC, RULE_NAMES

MAX_PER_LIST = 44  # two lists + headings stay under the Home tab's 100 blocks

HOW_IT_WORKS = (
    "*How MLE Coach works*\n"
    "• `/mle new <project>` in a channel starts a project and its planning interview in a "
    "thread: answer by replying there.\n"
    "• Each stage (planning → scoping → experimentation → development → deployment → "
    "evaluation) has questions and a gate; `/mle stage <project> next` moves on.\n"
    "• Check-ins come on a schedule (`/mle checkin`), and deployed models (`/mle deploy`) "
    "need a business KPI (`/mle metric`) — I keep reminding until they have one.\n"
    "• `/mle help` lists every command."
)


@dataclass(frozen=True)
class ProjectLine:
    name: str
    stage: str
    day: int
    time_box: int | None
    open_required: int
    link: str | None
    next_checkin: datetime | None
    zone: str | None = None  # the viewer's time zone
    blocked: tuple[str, ...] = ()  # what blocks it
    outcome: str | None = None  # closed: shipped | cancelled | paused
    no_go: bool = False  # the team decided not to go on: the gate is closed

    @property
    def urgency(self) -> tuple[int, int, str]:
        late = self.time_box is not None and self.day > self.time_box
        closed = 2 if self.stage == Stage.CLOSED else 0  # closed ones last
        return (closed + (0 if late else 1), -self.open_required, self.name.lower())


@dataclass(frozen=True)
class ModelLine:
    model_id: int
    name: str
    project: str
    failing: tuple[tuple[str, bool], ...]  # (rule code, blocking)
    kpis: tuple[str, ...] = ()  # each KPI as `name: baseline → target (…); latest v`

    @property
    def urgency(self) -> tuple[int, int, str]:
        blocking = sum(1 for _, b in self.failing if b)
        return (0 if self.failing else 1, -blocking, self.name.lower())


def _project(line: ProjectLine) -> dict[str, Any]:
    shown = esc(clip(line.name, 100))
    name = f"<{line.link}|{shown}>" if line.link else f"*{shown}*"
    if line.stage == Stage.CLOSED:
        return section(f"{name} — closed ({line.outcome or 'no outcome'})")
    parts = [f"{name} — *{line.stage}*, {describe_days(line.day, line.time_box)}"]
    if line.open_required:
        parts.append(f"{line.open_required} open required question(s)")
    if line.no_go:
        parts.append("⛔ the team decided *no-go*: the gate is closed")
    elif not line.open_required:
        parts.append("gate passes")
    if line.next_checkin is not None:
        stamp = int(line.next_checkin.timestamp())
        parts.append(
            f"next check-in <!date^{stamp}^{{date_short_pretty}} {{time}}|"
            f"{_local(line.next_checkin, line.zone)}>"
        )
    late = "⏰ " if line.time_box is not None and line.day > line.time_box else ""
    text = late + "; ".join(parts)
    for what in line.blocked:
        text += f"\n🚧 Blocked: “{esc(clip(what, 200))}”"
    return section(text)


def _local(moment: datetime, zone: str | None) -> str:
    """The moment in the viewer's zone (what Slack shows when it cannot render the date)."""
    try:
        tz = ZoneInfo(zone) if zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = UTC
    local = moment.astimezone(tz)
    return f"{local:%a %d %b %H:%M} {local.tzname() or zone}"


def _model(line: ModelLine) -> dict[str, Any]:
    title = f"*{esc(clip(line.name, 80))}* ({esc(clip(line.project, 80))})"
    kpis = "".join(f"\n   {esc(clip(k, 200))}" for k in line.kpis[:3])
    if not line.failing:
        return section(f"✅ {title} — business metrics complete{kpis}")
    rules = ", ".join(
        f"{code} {RULE_NAMES[code]}" + ("" if blocking else " (warning)")
        for code, blocking in line.failing
    )
    block = section(f"⚠️ {title} — {rules}{kpis}")
    block["accessory"] = button("Add metric", ADD_METRIC, str(line.model_id), "primary")
    return block


def home(
    projects: list[ProjectLine], models: list[ModelLine], profile: list[str] | None = None
) -> dict[str, Any]:
    """`profile`: the failure profile of the person's projects, as text."""
    blocks: list[dict[str, Any]] = [header("MLE Coach")]
    if not projects and not models:
        blocks += [section("You have no projects or deployed models yet."), section(HOW_IT_WORKS)]
        return {"type": "home", "blocks": blocks}
    ordered = sorted(projects, key=lambda p: p.urgency)
    blocks.append(section(f"*Your projects* ({len(projects)})"))
    blocks += [_project(p) for p in ordered[:MAX_PER_LIST]]
    if len(ordered) > MAX_PER_LIST:
        blocks.append(
            context(
                f"…and {len(ordered) - MAX_PER_LIST} more projects "
                "(`/mle status` in their channels)."
            )
        )
    if not projects:
        blocks.append(context("None yet — `/mle new <project>` in a channel starts one."))
    blocks.append({"type": "divider"})
    worst = sorted(models, key=lambda m: m.urgency)
    blocks.append(section(f"*Your deployed models* ({len(models)})"))
    blocks += [_model(m) for m in worst[:MAX_PER_LIST]]
    if len(worst) > MAX_PER_LIST:
        blocks.append(context(f"…and {len(worst) - MAX_PER_LIST} more models."))
    if not models:
        blocks.append(context("None yet — `/mle deploy <project> <model>` registers one."))
    if profile:
        blocks.append({"type": "divider"})
        blocks.append(section("*Why your ML projects fail — so far*\n" + "\n".join(profile)))
        blocks.append(context("`/mle stats` shares it as a chart."))
    return {"type": "home", "blocks": blocks[:100]}
