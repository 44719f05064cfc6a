"""What a sync with the MLflow registry saw and did, kept per workspace, and `/mle registry`
that shows the latest."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from bot.blocks import esc

PROJECT_TAG = "mle.project"
WORKSPACE_TAG = "mle.workspace"


@dataclass
class Report:
    """What a sync saw and did."""

    ran_at: str
    error: str | None = None
    matched: list[list[str]] = field(default_factory=list)  # team, model, project, version
    # workspace ("" any: no `mle.workspace` tag), model, what to do
    unmatched: list[list[str]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    problems: list[list[str]] = field(default_factory=list)  # team ("" any), what
    # followed models a good sync did not find: team, registered model, project
    missing: list[list[str]] = field(default_factory=list)

    def for_team(self, team_id: str) -> str:
        return json.dumps(
            {
                "ran_at": self.ran_at,
                "error": self.error,
                "matched": [m[1:] for m in self.matched if m[0] == team_id],
                "unmatched": [u[1:] for u in self.unmatched if u[0] in ("", team_id)],
                "problems": [p[1] for p in self.problems if p[0] in ("", team_id)],
                "missing": [m[1:] for m in self.missing if m[0] == team_id],
            }
        )


def _when(stamp: object) -> str:
    return f"{str(stamp)[:16].replace('T', ' ')} UTC"


def registry_text(
    latest: tuple[datetime, str] | None,
    enabled: bool,
    team_id: str = "",
    minutes: int = 10,
    hidden: set[str] | None = None,
) -> str:
    """`/mle registry`: what the last sync saw. `hidden`: projects the reader may not see
    (their models and what was said about them are left out)."""
    if not enabled:
        return (
            "The MLflow registry sync is off: set `MLFLOW_TRACKING_URI` to your tracking "
            "server to have deployed models found there."
        )
    if latest is None:
        return f"No sync with the MLflow registry has run yet (one runs every {minutes} minutes)."
    ran_at, raw = latest
    data = json.loads(raw)
    secret = {m[0] for m in data.get("matched") or [] if m[1] in (hidden or set())}
    secret |= {m[0] for m in data.get("missing") or [] if m[1] in (hidden or set())}
    data["matched"] = [m for m in data.get("matched") or [] if m[0] not in secret]
    data["problems"] = [p for p in data.get("problems") or [] if p.split(":", 1)[0] not in secret]
    here = f" (this workspace's `{WORKSPACE_TAG}`: `{team_id}`)" if team_id else ""
    lines = [f"*MLflow registry*, last sync {_when(ran_at)}{here}."]
    if data.get("error"):
        since = data.get("failing_since") or ran_at
        lines.append(
            f"⚠️ It failed: {esc(str(data['error']))}. Failing since {_when(since)}; "
            "nothing was retired, and KPI changes made in Slack meanwhile are written once "
            "it answers again."
        )
        if data.get("good_at") and (data.get("matched") or data.get("unmatched")):
            lines.append(f"As of the last good sync ({_when(data['good_at'])}):")
    for name, project, version in data.get("matched") or []:
        lines.append(f"• *{esc(name)}* {esc(version)} → *{esc(project)}*")
    for name, why in data.get("unmatched") or []:
        lines.append(f"• *{esc(name)}* is deployed in MLflow but not matched: {why}")
    for problem in data.get("problems") or []:
        lines.append(f"⚠️ {esc(problem)}")
    if len(lines) == 1:
        lines.append("No registered model carries a deployed alias.")
    return "\n".join(lines)
