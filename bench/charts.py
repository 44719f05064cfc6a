"""How long drawing a chart takes (the product's budget: under a second each, drawn off the
event loop by the poster). Medians of repeated renders of a full team profile and of a KPI
chart with a year of weekly values. Run: `python -m bench.charts [--runs 15]`.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta

from bot import charts

PROFILE = {
    "kind": "stats",
    "data": {
        "title": "Why our ML projects fail — in this workspace",
        "outcomes": {"shipped": 14, "cancelled": 9, "paused": 3, "active": 21},
        "reasons": [[f"reason {i}", 12 - i] for i in range(11)],
        "stages": [[s, 10.0 + i, 14.0] for i, s in enumerate(("planning", "scoping", "exp"))],
        "months": [[f"2026-{m:02d}", m / 12] for m in range(1, 13)],
    },
}
START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
KPI = {
    "kind": "kpi",
    "data": {
        "model": "churn-lgbm",
        "name": "monthly churn",
        "unit": "%",
        "direction": "lower",
        "baseline": 4.1,
        "target": 3.8,
        "points": [[(START + timedelta(weeks=w)).isoformat(), 4.1 - w / 200] for w in range(52)],
    },
}


def median_seconds(spec: dict[str, object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        charts.render(spec)  # type: ignore[arg-type]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    charts.render(PROFILE)  # the first draw loads fonts
    for name, spec in (("team profile", PROFILE), ("KPI, 52 values", KPI)):
        print(f"{name:<16} median {median_seconds(spec, args.runs) * 1000:7.1f} ms per chart")


if __name__ == "__main__":
    main()
