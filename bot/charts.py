"""Charts as PNG images, drawn headless with matplotlib's Agg canvas and its own fonts; pure
functions of the data (JSON-ready dicts, as the outbox stores them). Slow enough (~0.2 s) to
be run off the event loop (`asyncio.to_thread`).

What a chart draws is what a reader can trust: a panel with nothing to show says so and
draws no axes; a stage that took 0 days still shows (a marker on the axis); a KPI's line is
broken where no value came for longer than the review cadence, and several values on one day
are points on that day, joined to the rest through the day's latest; characters the font has
no glyph for (emoji) are left out of the labels rather than drawn as empty boxes (the Slack
message beside the image keeps them)."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ticker import MaxNLocator

from bot.domain.reading import show

DPI = 100
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")
CADENCE_DAYS = 30  # the review cadence when the spec does not say (the workspace default)
# emoji's joiners, presentation selectors and keycap: never useful once the emoji is gone
_EMOJI_PARTS = frozenset({0x200D, 0xFE0E, 0xFE0F, 0x20E3})


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    bars: int  # bars drawn (what a test checks the image against)
    points: int  # points of lines drawn


@dataclass(frozen=True)
class Drawing:
    """A chart before it becomes pixels: the figure and what was drawn on it."""

    figure: Figure
    title: str
    bars: int
    points: int


@cache
def _glyphs() -> frozenset[int]:
    """The code points matplotlib's default font can draw."""
    return frozenset(get_font(findfont(FontProperties())).get_charmap())


def label(text: object) -> str:
    """Text as the chart can draw it: without the characters the font has no glyph for
    (emoji), which Agg would draw as empty boxes."""
    glyphs = _glyphs()
    kept = "".join(
        c for c in str(text) if (ord(c) in glyphs or c in "\n\t") and ord(c) not in _EMOJI_PARTS
    )
    return re.sub(r"[ \t]{2,}", " ", kept).strip()


def _empty(ax: Axes, text: str) -> None:
    """A panel with nothing to show: its title and a sentence, no axes, ticks or frame."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, color="#555555")


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def stats_figure(data: dict[str, Any]) -> Drawing:
    """The team's failure profile: projects by outcome, failure reasons ranked, median days
    per stage against the median time box, and the share of deployed models whose business
    metrics were complete at each month's end."""
    figure = Figure(figsize=(11, 8), layout="constrained")
    title = str(data.get("title") or "Why our ML projects fail")
    figure.suptitle(label(title), fontsize=14, fontweight="bold")
    axes = figure.subplots(2, 2)
    bars = 0

    outcomes: dict[str, int] = data.get("outcomes") or {}
    ax = axes[0][0]
    ax.set_title("Projects by outcome")
    names = list(outcomes)
    if names:
        ax.bar([label(n) for n in names], [outcomes[n] for n in names], color=COLOURS[: len(names)])
        bars += len(names)
        ax.set_ylabel("projects")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    else:
        _empty(ax, "no projects yet")

    reasons: list[list[Any]] = data.get("reasons") or []
    ax = axes[0][1]
    ax.set_title("Failure reasons (retrospectives)")
    if reasons:
        labels = [label(r[0]) for r in reasons][::-1]
        ax.barh(labels, [int(r[1]) for r in reasons][::-1], color=COLOURS[3])
        bars += len(labels)
        ax.set_xlabel("projects")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.tick_params(axis="y", labelsize=8)
    else:
        _empty(ax, "no retrospectives yet")

    stages: list[list[Any]] = data.get("stages") or []
    ax = axes[1][0]
    ax.set_title("Days per stage")
    if stages:
        bars += _stage_bars(ax, stages)
    else:
        _empty(ax, "no stage finished yet")

    months: list[list[Any]] = data.get("months") or []
    ax = axes[1][1]
    ax.set_title("Deployed models with complete business metrics")
    if months:
        ax.plot(
            [label(m[0]) for m in months],
            [100 * float(m[1]) for m in months],
            marker="o",
            color=COLOURS[0],
        )
        ax.set_ylim(0, 105)
        ax.set_ylabel("% at month end (last: now)")
        ax.tick_params(axis="x", labelsize=8, rotation=20)
    else:
        _empty(ax, "no deployed models yet")
    return Drawing(figure, title, bars, len(months))


def _stage_bars(ax: Axes, stages: list[list[Any]]) -> int:
    """Median days spent and median time box side by side; a 0 (a stage passed the same
    day) is a marker on the axis, where a bar of height 0 would show nothing."""
    xs = list(range(len(stages)))
    spent = [(x - 0.2, float(s[1])) for x, s in zip(xs, stages, strict=True)]
    boxed = [(x + 0.2, float(s[2])) for x, s in zip(xs, stages, strict=True) if s[2] is not None]
    for series, colour, name in (
        (spent, COLOURS[0], "median days spent"),
        (boxed, COLOURS[1], "median time box (projects that set one)"),
    ):
        ax.bar([x for x, _ in series], [d for _, d in series], 0.4, color=colour, label=name)
        zeros = [x for x, d in series if d == 0]
        if zeros:
            ax.plot(
                zeros,
                [0.0] * len(zeros),
                linestyle="none",
                marker="D",
                markersize=7,
                color=colour,
                clip_on=False,
                zorder=3,
                gid="zero-days",
            )
    tallest = max([d for _, d in spent + boxed] + [1.0])
    ax.set_ylim(0, tallest * 1.1)
    ax.set_ylabel("days")
    ax.set_xticks(xs, [label(s[0]) for s in stages], rotation=20, fontsize=8)
    ax.legend(fontsize=8)
    return len(spent) + len(boxed)


def _kpi_points(data: dict[str, Any]) -> list[tuple[datetime, float]]:
    """The values to draw, oldest first: a point is `[when, value]`, or `[when, value,
    {"withdrawn": true}]` for one taken out (never drawn); a corrected value comes with its
    new value and is drawn there."""
    points = []
    for raw in data.get("points") or []:
        extra = raw[2] if len(raw) > 2 and isinstance(raw[2], dict) else {}
        if extra.get("withdrawn"):
            continue
        value = float(raw[1])
        if math.isfinite(value):
            points.append((datetime.fromisoformat(str(raw[0])), value))
    return sorted(points, key=lambda p: p[0])


def _day(at: datetime) -> float:
    return float(date2num(datetime.combine(at.date(), time())))


def kpi_figure(data: dict[str, Any]) -> Drawing:
    """A KPI's reported values over time, the baseline and target as lines, the unit and
    which way is better on the axis. Each value is a point on its day; the line goes through
    each day's latest value and breaks where the next one came more than the review cadence
    later (the gap is shaded, not bridged)."""
    name = label(data.get("name") or "KPI") or "KPI"
    unit = label(data.get("unit") or "")
    direction = str(data.get("direction") or "higher")
    cadence = int(data.get("cadence_days") or CADENCE_DAYS)
    points = _kpi_points(data)
    title = f"{label(data.get('model') or '') or 'model'}: {name}"
    figure = Figure(figsize=(9, 5), layout="constrained")
    ax = figure.subplots()
    ax.set_title(title, fontsize=13, fontweight="bold")
    if not points:
        _empty(ax, "no values reported yet")
        return Drawing(figure, title, 0, 0)
    ax.plot(
        [_day(at) for at, _ in points],
        [v for _, v in points],
        linestyle="none",
        marker="o",
        color=COLOURS[0],
        label="reported",
        gid="values",
    )
    latest: dict[date, float] = {}
    for at, value in points:
        latest[at.date()] = value  # oldest first: the day's last one stays
    days = sorted(latest)
    xs: list[float] = []
    ys: list[float] = []
    gaps = []
    for before, day in zip([None, *days], days, strict=False):
        if before is not None and (day - before).days > cadence:
            xs.append(math.nan)  # a break in the line
            ys.append(math.nan)
            gaps.append((before, day))
        xs.append(_day(datetime.combine(day, time())))
        ys.append(latest[day])
    ax.plot(xs, ys, linestyle="-", color=COLOURS[0], gid="trend")
    for i, (start, end) in enumerate(gaps):
        ax.axvspan(
            _day(datetime.combine(start, time())),
            _day(datetime.combine(end, time())),
            color="#999999",
            alpha=0.12,
            label=f"no value for more than {cadence} days" if i == 0 else None,
            gid="gap",
        )
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    for key, style, colour in (("baseline", "--", COLOURS[3]), ("target", ":", COLOURS[2])):
        level = data.get(key)
        if level is not None:
            ax.axhline(
                float(level),
                linestyle=style,
                color=colour,
                label=label(f"{key} {show(float(level), unit)}"),
            )
    ax.set_ylabel(f"{name}{f' ({unit})' if unit else ''} — {direction} is better")
    ax.legend(fontsize=9)
    figure.autofmt_xdate()
    return Drawing(figure, title, 0, len(points))


FIGURES = {"stats": stats_figure, "kpi": kpi_figure}


def draw(spec: dict[str, Any]) -> Drawing:
    """The figure a stored spec names (`{"kind": "stats"|"kpi", "data": {...}}`)."""
    return FIGURES[str(spec["kind"])](dict(spec.get("data") or {}))


def render(spec: dict[str, Any]) -> Chart:
    """The chart a stored spec names, as a PNG."""
    drawn = draw(spec)
    return Chart(_png(drawn.figure), drawn.title, drawn.bars, drawn.points)
