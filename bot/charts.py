"""Charts as PNG images, drawn headless with matplotlib's Agg canvas and its own fonts; pure
functions of the data (JSON-ready dicts, as the outbox stores them). Slow enough (~0.2 s) to
be run off the event loop (`asyncio.to_thread`)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter, date2num
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.reading import show

DPI = 100
COLOURS = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860")


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    bars: int  # bars drawn (what a test checks the image against)
    points: int  # points of lines drawn


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def stats_chart(data: dict[str, Any]) -> Chart:
    """The team's failure profile: projects by outcome, failure reasons ranked, median days
    per stage against the median time box, and the share of deployed models whose business
    metrics were complete at each month's end."""
    figure = Figure(figsize=(11, 8), layout="constrained")
    title = str(data.get("title") or "Why our ML projects fail")
    figure.suptitle(title, fontsize=14, fontweight="bold")
    axes = figure.subplots(2, 2)
    bars = 0

    outcomes: dict[str, int] = data.get("outcomes") or {}
    ax = axes[0][0]
    names = list(outcomes)
    ax.bar(names, [outcomes[n] for n in names], color=COLOURS[: len(names)] or None)
    bars += len(names)
    ax.set_title("Projects by outcome")
    ax.set_ylabel("projects")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if not names:
        ax.text(0.5, 0.5, "no projects yet", ha="center", va="center", transform=ax.transAxes)

    reasons: list[list[Any]] = data.get("reasons") or []
    ax = axes[0][1]
    labels = [str(r[0]) for r in reasons][::-1]
    ax.barh(labels, [int(r[1]) for r in reasons][::-1], color=COLOURS[3])
    bars += len(labels)
    ax.set_title("Failure reasons (retrospectives)")
    ax.set_xlabel("projects")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.tick_params(axis="y", labelsize=8)
    if not labels:
        ax.text(0.5, 0.5, "no retrospectives yet", ha="center", va="center", transform=ax.transAxes)

    stages: list[list[Any]] = data.get("stages") or []
    ax = axes[1][0]
    xs = list(range(len(stages)))
    ax.bar([x - 0.2 for x in xs], [float(s[1]) for s in stages], 0.4, label="median days spent")
    boxed = [(x, float(s[2])) for x, s in zip(xs, stages, strict=True) if s[2] is not None]
    ax.bar(
        [x + 0.2 for x, _ in boxed],
        [b for _, b in boxed],
        0.4,
        label="median time box (projects that set one)",
    )
    bars += len(stages) + len(boxed)
    ax.set_xticks(xs, [str(s[0]) for s in stages], rotation=20, fontsize=8)
    ax.set_title("Days per stage")
    ax.legend(fontsize=8)

    months: list[list[Any]] = data.get("months") or []
    ax = axes[1][1]
    ax.plot([str(m[0]) for m in months], [100 * float(m[1]) for m in months], marker="o")
    ax.set_ylim(0, 105)
    ax.set_title("Deployed models with complete business metrics")
    ax.set_ylabel("% at month end (last: now)")
    ax.tick_params(axis="x", labelsize=8, rotation=20)
    if not months:
        ax.text(
            0.5, 0.5, "no deployed models yet", ha="center", va="center", transform=ax.transAxes
        )
    return Chart(_png(figure), title, bars, len(months))


def kpi_chart(data: dict[str, Any]) -> Chart:
    """A KPI's reported values over time, the baseline and target as lines, the unit and
    which way is better on the axis."""
    name = str(data.get("name") or "KPI")
    unit = str(data.get("unit") or "")
    direction = str(data.get("direction") or "higher")
    points = [(datetime.fromisoformat(str(p[0])), float(p[1])) for p in data.get("points") or []]
    title = f"{data.get('model') or 'model'}: {name}"
    figure = Figure(figsize=(9, 5), layout="constrained")
    ax = figure.subplots()
    ax.plot(
        [float(date2num(p[0])) for p in points],
        [p[1] for p in points],
        marker="o",
        label="reported",
    )
    ax.xaxis.set_major_formatter(DateFormatter("%Y-%m-%d"))
    for key, style, colour in (("baseline", "--", COLOURS[3]), ("target", ":", COLOURS[2])):
        value = data.get(key)
        if value is not None:
            ax.axhline(
                float(value),
                linestyle=style,
                color=colour,
                label=f"{key} {show(float(value), unit)}",
            )
    ax.set_title(title, fontsize=13, fontweight="bold")
    ax.set_ylabel(f"{name}{f' ({unit})' if unit else ''} — {direction} is better")
    ax.legend(fontsize=9)
    figure.autofmt_xdate()
    return Chart(_png(figure), title, 0, len(points))


RENDERERS = {"stats": stats_chart, "kpi": kpi_chart}


def render(spec: dict[str, Any]) -> Chart:
    """The chart a stored spec names (`{"kind": "stats"|"kpi", "data": {...}}`)."""
    return RENDERERS[str(spec["kind"])](dict(spec.get("data") or {}))
