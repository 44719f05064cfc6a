"""What a sync reads before a model's unit: its KPI tags, the owner they name (an e-mail
looked up in Slack), and the latest point of the KPI's metric on the deployed version's run,
with what is wrong with any of them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain import registry_tags as tags_
from bot.registry.client import Point, Registered, RegistryClient
from bot.slack_gateway import SlackGateway

_TAG = re.compile(r"`(mle\.[a-z_.]+)`")


@dataclass(frozen=True)
class Fetched:
    """What was read before the unit: the KPI tags, the owner they name as a Slack user id,
    and the latest point of the KPI's MLflow metric on the deployed version's run."""

    tags: dict[str, str]
    status: str | None  # the `mle.business_metrics` tag as it is
    kpi: tags_.TagKpi | None
    owner: str | None = None
    problems: tuple[str, ...] = ()
    point: Point | None = None
    run_id: str | None = None
    unread: tuple[str, ...] = ()  # the tags that could not be read


class TagReader:
    def __init__(self, client: RegistryClient, slack: SlackGateway) -> None:
        self.client = client
        self.slack = slack

    async def fetch(
        self, model: Registered, version: str, emails: dict[str, str | None]
    ) -> Fetched:
        """Read what the unit needs (raises RegistryError). `emails`: e-mail → user id,
        shared by one sync so each address is looked up once."""
        kpi = tags_.read_kpi_tags(model.tags)
        problems = list(kpi.problems) if kpi else []
        warning = tags_.model_metric_warning(kpi) if kpi else None
        owner = None
        if kpi is not None and kpi.owner:
            if "@" in kpi.owner:
                if kpi.owner not in emails:
                    found = await self.slack.user_by_email(kpi.owner)
                    emails[kpi.owner] = found.ts or (
                        None if found.error == "users_not_found" else f"?{found.error}"
                    )
                owner = emails[kpi.owner]
                if owner is not None and owner.startswith("?"):
                    problems.append(
                        f"`{tags_.OWNER}`: Slack could not be asked who has the e-mail "
                        f"{kpi.owner} ({owner[1:]}); the owner is left as it was"
                    )
                    owner = None
                elif owner is None:
                    problems.append(f"`{tags_.OWNER}`: no one in Slack has the e-mail {kpi.owner}")
            elif kpi.owner[:1] in ("U", "W") and kpi.owner.isalnum():
                owner = kpi.owner
            else:
                problems.append(
                    f"`{tags_.OWNER}` = `{kpi.owner[:40]}` is neither a Slack user id nor an e-mail"
                )
        point = run_id = None
        if kpi is not None:
            run_id = await self.client.run_of(model.name, version)
            left_out: list[str] = []  # points that cannot be read (a time in nanoseconds)
            if run_id:
                point = await self.client.latest_point(run_id, kpi.name, left_out)
            problems += left_out
            if point is None and not left_out:
                problems.append(await self._no_value(model.name, version, run_id, kpi.name))
        unread = tuple(sorted({m.group(1) for p in problems for m in [_TAG.search(p)] if m}))
        if warning:
            problems.append(warning)
        return Fetched(
            tags_.kpi_tags(model.tags),
            model.tags.get(tags_.STATUS),
            kpi,
            owner,
            tuple(problems),
            point,
            run_id,
            unread,
        )

    async def _no_value(self, name: str, version: str, run_id: str | None, kpi: str) -> str:
        """Why no value can be read for the KPI: a typo in `mle.kpi` starves it quietly."""
        label = version if version.lower().startswith("v") else f"v{version}"
        if not run_id:
            return f"{label} has no run to read the metric `{kpi}` from"
        logged = await self.client.metric_names(run_id)
        known = ", ".join(f"`{m}`" for m in logged[:8]) if logged else "none"
        return f"no metric `{kpi}` is logged on the run of {label} (it logs: {known})"
