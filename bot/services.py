"""Everything a handler needs, wired once (the bootstrap)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.activity import Activity
from bot.bank_file import load_bank
from bot.bus import Bus, HomeChanged, KpiChanged, WakeIn
from bot.checkins.compose import checkin_composer, nudge_composer
from bot.checkins.service import CheckinService
from bot.config import ConfigError, Settings
from bot.digests.compose import digest_composer
from bot.digests.service import KIND as DIGEST
from bot.digests.service import DigestService
from bot.domain.bank import BankError, QuestionBank
from bot.home.service import HomeService
from bot.inbox import Inbox
from bot.interview.answering import AnswerService
from bot.interview.service import QUESTION, InterviewService
from bot.models.kpis import KpiService
from bot.models.reminders import F8, REMINDER, f8_composer, queue_reminders, reminder_composer
from bot.models.service import ModelService
from bot.problems import Problems
from bot.projects.closing import ProjectCloser
from bot.projects.create import PARENT, ProjectCreator
from bot.projects.delete import ProjectDeleter
from bot.projects.parent import ParentMessage
from bot.projects.stages import StageService
from bot.projects.visibility import Visibility
from bot.registry.client import RegistryClient
from bot.registry.sync import RegistrySync
from bot.scheduling.kinds import CHECKIN, NUDGE, DeliveryKind
from bot.scheduling.outbox import HOME, PARENT_UPDATE
from bot.scheduling.ticker import Ticker, TickLine
from bot.slack_gateway import SlackGateway
from bot.status.service import StatusService
from bot.status.stats import StatsService, digest_posted, reminder_posted
from bot.timing import REAL, Timing
from bot.workspace import WorkspaceService
from storage.store import Store


def utc_now() -> datetime:
    return datetime.now(UTC)


def registry_client(settings: Settings) -> RegistryClient | None:
    """The MLflow tracking server's client, or None when MLFLOW_TRACKING_URI is unset."""
    if not settings.MLFLOW_TRACKING_URI:
        return None
    token, password = settings.MLFLOW_TRACKING_TOKEN, settings.MLFLOW_TRACKING_PASSWORD
    return RegistryClient(
        settings.MLFLOW_TRACKING_URI,
        token=token.get_secret_value() if token else None,
        username=settings.MLFLOW_TRACKING_USERNAME,
        password=password.get_secret_value() if password else None,
    )


def question_bank(settings: Settings) -> QuestionBank:
    try:
        return load_bank(settings.QUESTION_BANK)
    except BankError as exc:
        raise ConfigError(f"QUESTION_BANK is invalid: {exc}") from None


@dataclass
class Services:
    settings: Settings
    store: Store
    slack: SlackGateway
    bank: QuestionBank
    interviews: InterviewService
    answers: AnswerService
    closer: ProjectCloser
    stats: StatsService
    registry: RegistrySync
    creator: ProjectCreator
    status: StatusService
    stages: StageService
    checkins: CheckinService
    models: ModelService
    kpis: KpiService
    workspace: WorkspaceService
    home: HomeService
    digests: DigestService
    deleter: ProjectDeleter
    problems: Problems
    ticker: Ticker
    inbox: Inbox
    visibility: Visibility
    clock: Callable[[], datetime] = utc_now
    activity: Activity = field(default_factory=Activity)

    @classmethod
    def wire(
        cls,
        settings: Settings,
        store: Store,
        client: AsyncWebClient,
        bank: QuestionBank,
        clock: Callable[[], datetime] = utc_now,
        timing: Timing = REAL,
    ) -> Services:
        slack = SlackGateway(client)
        activity = Activity()
        # every unit goes through the bus (bot/bus.py), but the notices told before a command
        # (they are not its change) and the scheduler pass's slots (the pass drains them)
        bus = Bus(store, clock)
        problems = Problems(store, clock)
        ticker = Ticker(
            store,
            slack,
            (),
            clock,
            sources=(queue_reminders,),
            activity=activity,
            poster_store=bus,
            timing=timing,
        )
        store = bus
        poster = ticker.poster
        home = HomeService(store, slack, bank, clock, poster.drain, timing=timing)
        interviews = InterviewService(store, slack, bank, clock)
        stages = StageService(store, slack, bank, interviews, clock)
        creator = ProjectCreator(store, slack, bank, interviews, clock)
        models = ModelService(store, slack, clock, bank=bank)
        registry = RegistrySync(
            store,
            registry_client(settings),
            settings.deployed_aliases,
            settings.MLFLOW_SYNC_MINUTES,
            clock,
            slack=slack,
            bank=bank,
            activity=activity,
        )
        kpis = KpiService(store, slack, clock, bank=bank)
        # what a unit causes: dispatched by the bus, in its transaction and after its commit
        bus.posts_with(poster.hand, poster.kick)
        bus.on(HomeChanged, in_tx=home.queue_tabs)
        bus.on(WakeIn, after=lambda wake: poster.kick_in(wake.seconds))
        bus.on(KpiChanged, after=registry.kpi_changed)
        # the outbox's kinds: how each goes out and what its post changes
        for kind in (
            DeliveryKind(CHECKIN, compose=checkin_composer(bank)),
            DeliveryKind(NUDGE, compose=nudge_composer),
            DeliveryKind(REMINDER, compose=reminder_composer(bank), posted=reminder_posted),
            DeliveryKind(F8, compose=f8_composer(), posted=reminder_posted),
            DeliveryKind(DIGEST, compose=digest_composer(bank), posted=digest_posted(bank)),
            DeliveryKind(
                QUESTION, posted=interviews.question_posted, failed=interviews.question_failed
            ),
            DeliveryKind(PARENT, posted=creator.parent_posted),
            DeliveryKind(HOME, publish=home.publish_queued),
            DeliveryKind(PARENT_UPDATE, publish=ParentMessage(store, slack, bank).publish_queued),
        ):
            poster.register(kind)
        return cls(
            settings=settings,
            store=store,
            slack=slack,
            bank=bank,
            interviews=interviews,
            answers=AnswerService(store, bank, interviews, clock),
            closer=ProjectCloser(store, slack, bank, interviews, clock),
            stats=StatsService(store, bank, clock),
            registry=registry,
            creator=creator,
            status=StatusService(store, bank, clock),
            stages=stages,
            checkins=CheckinService(store, slack, stages, interviews, clock),
            models=models,
            kpis=kpis,
            workspace=WorkspaceService(store, slack, clock, registry_on=registry.enabled),
            home=home,
            digests=DigestService(store, slack, ticker, clock),
            deleter=ProjectDeleter(store, slack, clock),
            problems=problems,
            ticker=ticker,
            inbox=Inbox(store, clock, activity),
            visibility=Visibility(store, slack),
            clock=clock,
            activity=activity,
        )

    async def scheduler_pass(
        self, now: datetime | None = None, *, dry_run: bool = False
    ) -> list[TickLine]:
        """One pass: requests a crash left unprocessed (and posts a dead process held),
        scheduled posts, then interview posts that failed earlier."""
        if not dry_run:
            await self.ticker.poster.bury_dead(now)  # claims of a dead process come back
            await self.inbox.recover(now)
        lines = await self.ticker.tick(now, dry_run=dry_run)
        if not dry_run:
            await self.interviews.retry_pending()
            moment = now or self.clock()
            await self.store.write(lambda tx: tx.events.purge_expired(moment))
            await self.inbox.purge(moment)
            self.registry.start(moment)  # a task of its own, with its deadline: not awaited
        return lines

    async def first_delivery(self, team_id: str, event_id: str) -> bool:
        """False when this Slack event id was handled before (Slack retried it)."""
        now = self.clock()
        return await self.store.write(lambda tx: tx.events.claim(team_id, event_id, now))
