"""The digest's messages; pure. Over Slack's limits it continues in thread replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.blocks import Post, clip, esc, header, section, sections
from bot.domain.reading import show
from bot.domain.stages import ORDER, Stage
from bot.domain.timebox import describe_days
from bot.models.render import RULE_NAMES

MAX_BLOCKS = 45  # of Slack's 50, with room to spare
MAX_TEXT = 11_000  # block text per message, under Slack's undocumented ~13k


@dataclass(frozen=True)
class ProjectFacts:
    name: str
    stage: str
    day: int
    time_box: int | None
    open_required: int
    unanswered_checkin: datetime | None  # when the unanswered check-in was posted
    blocked: tuple[tuple[str, str, str | None], ...] = ()  # (what, since, who can unblock)
    research_limit: int | None = None  # days in scoping/experimentation without a time box
    left_open: tuple[tuple[str, int], ...] = ()  # (earlier stage, open required) moved past


@dataclass(frozen=True)
class ModelFacts:
    name: str
    project: str
    failing: tuple[str, ...]  # rule codes F1–F7
    kpi: str | None
    latest: float | None
    baseline: float | None
    target: float | None
    direction: str
    unit: str = ""
    f8: bool = False  # the KPI does not beat its baseline after the measurement window


def _vs_baseline(m: ModelFacts) -> str:
    if m.kpi is None:
        return "no business KPI"
    if m.latest is None:
        return f"{esc(m.kpi)}: no value yet"
    text = f"{esc(m.kpi)} {esc(show(m.latest, m.unit))}"
    if m.baseline is not None:
        better = m.latest < m.baseline if m.direction == "lower" else m.latest > m.baseline
        arrow = "↓" if m.latest < m.baseline else ("↑" if m.latest > m.baseline else "→")
        verdict = "better ✅" if better else "not better ⚠️"
        text += (
            f" {arrow} vs baseline {esc(show(m.baseline, m.unit))} ({verdict}; "
            f"{m.direction} is better)"
        )
    if m.target is not None:
        text += f" · target {esc(show(m.target, m.unit))}"
    return text


def attention(projects: list[ProjectFacts], models: list[ModelFacts]) -> list[str]:
    lines = []
    for p in projects:
        for what, since, unblocker in p.blocked:
            who = f" — <@{unblocker}> can unblock it" if unblocker else ""
            lines.append(
                f"🚧 *{esc(clip(p.name, 80))}* is blocked since {since}: “{esc(clip(what, 200))}”"
                f"{who}"
            )
    for m in models:
        if m.failing:
            rules = ", ".join(f"{code} {RULE_NAMES[code]}" for code in m.failing)
            lines.append(
                f"⚠️ *{esc(clip(m.name, 80))}* ({esc(clip(m.project, 80))}) lacks business "
                f"metrics: {rules}"
            )
    for p in projects:
        if p.time_box is not None and p.day > p.time_box:
            lines.append(
                f"⏰ *{esc(clip(p.name, 80))}* is past its {p.stage} time box "
                f"(day {p.day} of {p.time_box})"
            )
    for p in projects:
        if (
            p.time_box is None
            and p.research_limit is not None
            and p.stage in (Stage.SCOPING, Stage.EXPERIMENTATION)
            and p.day > p.research_limit
        ):
            risk = "over-research" if p.stage == Stage.SCOPING else "over-experimentation"
            lines.append(
                f"🔬 *{esc(clip(p.name, 80))}* has been in {p.stage} for {p.day} days with no "
                f"time box ({risk}): set one or decide"
            )
    for m in models:
        if m.f8 and not m.failing:
            lines.append(
                f"📉 *{esc(clip(m.name, 80))}* ({esc(clip(m.project, 80))}): {_vs_baseline(m)} — "
                "F8, not beating its baseline after the measurement window: keep, iterate or "
                "retire?"
            )
    for p in projects:
        for stage, count in p.left_open:
            lines.append(
                f"⏭️ *{esc(clip(p.name, 80))}*: {count} required question(s) of {stage} still "
                "open (moved on with `--force`)"
            )
    for p in projects:
        if p.open_required:
            lines.append(
                f"❓ *{esc(clip(p.name, 80))}*: {p.open_required} unanswered required "
                f"question(s) in {p.stage}"
            )
    for p in projects:
        if p.unanswered_checkin is not None:
            lines.append(
                f"💤 *{esc(clip(p.name, 80))}*: nobody answered the check-in of "
                f"{p.unanswered_checkin:%Y-%m-%d}"
            )
    return lines


def registry_lines(report: dict[str, Any]) -> list[str]:
    """What the last MLflow registry sync could not match or do, for the channel an admin
    chose (`registry_channel`)."""
    lines = []
    if report.get("error"):
        lines.append(f"🏷️ The last MLflow registry sync failed: {esc(str(report['error']))}")
    for name, why in report.get("unmatched") or []:
        lines.append(
            f"🏷️ *{esc(clip(str(name), 80))}* is deployed in MLflow but matched to no project: {why}"
        )
    return lines


def digest(
    projects: list[ProjectFacts],
    models: list[ModelFacts],
    closed: int = 0,
    registry: list[str] | None = None,
) -> list[Post]:
    """The parent message first, then any continuations for its thread. `closed`: how many
    of the channel's projects are closed (they leave the lists). `registry`: lines about the
    MLflow registry, in the channel chosen for them."""
    needs = attention(projects, models) + (registry or [])
    blocks: list[dict[str, Any]] = [header("MLE Coach digest")]
    blocks.append(
        section(f"*Needs attention* ({len(needs)})" if needs else "*Needs attention*: nothing. 🎉")
    )
    blocks += sections([f"• {line}" for line in needs])
    if projects:
        blocks.append(section(f"*Projects by stage* ({len(projects)})"))
        rank = {stage.value: i for i, stage in enumerate(ORDER)}
        for p in sorted(projects, key=lambda p: (rank.get(p.stage, 99), p.name.lower())):
            blocks.append(
                section(
                    f"*{esc(clip(p.name, 100))}* — {p.stage}, {describe_days(p.day, p.time_box)}"
                )
            )
    elif closed:
        blocks.append(
            section(
                f"No open projects in this channel ({closed} closed: `/mle stats` shows how "
                "they went)."
            )
        )
    else:
        blocks.append(section("No projects in this channel yet: `/mle new <name>` starts one."))
    if models:
        blocks.append(section(f"*Deployed models* ({len(models)})"))
        for m in sorted(models, key=lambda m: m.name.lower()):
            blocks.append(
                section(
                    f"*{esc(clip(m.name, 80))}* ({esc(clip(m.project, 80))}): {_vs_baseline(m)}"
                )
            )
    summary = (
        f"MLE Coach digest: {len(needs)} item(s) need attention; {len(projects)} "
        f"project(s), {len(models)} deployed model(s)."
    )
    pages = paginate(blocks)
    posts = [Post(summary, pages[0])]
    for number, page in enumerate(pages[1:], start=2):
        posts.append(Post(f"MLE Coach digest, continued ({number}/{len(pages)})", page))
    return posts


def _size(block: dict[str, Any]) -> int:
    text = block.get("text")
    return len(text.get("text", "")) if isinstance(text, dict) else 0


def paginate(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = [[]]
    size = 0
    for block in blocks:
        if pages[-1] and (len(pages[-1]) >= MAX_BLOCKS or size + _size(block) > MAX_TEXT):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += _size(block)
    return pages
