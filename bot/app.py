"""Composition root: builds the database, the HTTP client, the services, the Dispatcher
and the scheduler once, and starts and stops them in order."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import ErrorEvent

from bot.config import ConfigError, Settings
from bot.middlewares import setup_middlewares
from bot.pacing import given_up, install_pacing
from bot.telegram_session import ApiSession
from bot.update_claims import UpdateClaimMiddleware
from handlers import get_routers
from handlers.options import Options
from services.clock.clocks import Clock, SystemClock
from services.delivery.pacer import PacingPolicy
from services.delivery.realtime import RealtimePass
from services.delivery.service import DeliveryPolicy, DeliveryService
from services.digest.alerts import AlertService
from services.digest.schedule import DigestSchedule
from services.digest.service import DigestPolicy, DigestService
from services.digest.weekly import WeeklyDigests
from services.ingest.fetch import Fetcher
from services.ingest.ingestor import Ingestor, warm_up_worker
from services.ingest.link_summary import LinkSummaries
from services.sources.admin import SourceAdmin
from services.sources.own import OwnSources
from services.sources.portable import PortableTopics
from services.sources.sources_file import SourcesFileError, load_sources_file
from services.sources.stats import AdminStatsService
from services.storage import (
    ArticleRepository,
    DeliveryRepository,
    SourceRepository,
    Store,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
    open_store,
)
from services.storage.alert_queue import AlertQueueRepository
from services.storage.channels import ChannelRepository, ThreadRepository
from services.storage.frequencies import FrequencyRepository, PreferenceRepository
from services.storage.own_sources import OwnSourceRepository
from services.storage.stories import StoryRepository
from services.stories.clustering import StoryClusterer
from services.topics.index import CatalogueError, TopicIndex, read_catalogue
from services.workers.cpu_pool import ProcessPool

if TYPE_CHECKING:  # sumy and NumPy load only when summaries are made
    from services.summary.summarizer import Summarizer

log = logging.getLogger(__name__)


@dataclass(slots=True)
class Services:
    """Everything handlers, jobs and CLI commands need; built once per process."""

    settings: Settings
    clock: Clock
    db: Store
    subscribers: SubscriberRepository
    topics: TopicRepository
    subscriptions: SubscriptionRepository
    sources: SourceRepository
    articles: ArticleRepository
    deliveries: DeliveryRepository
    admin_stats: AdminStatsService
    schedule: DigestSchedule
    topic_index: TopicIndex
    summarizer: Summarizer
    fetcher: Fetcher
    ingestor: Ingestor
    link_summaries: LinkSummaries
    clusterer: StoryClusterer
    digests: DigestService
    delivery: DeliveryService
    frequencies: FrequencyRepository
    preferences: PreferenceRepository
    realtime: RealtimePass
    source_admin: SourceAdmin
    own_sources: OwnSources
    portable_topics: PortableTopics
    channels: ChannelRepository
    threads: ThreadRepository

    def workflow_data(self) -> dict[str, Any]:
        """Each service by its field name: handlers ask for them by parameter name."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


@asynccontextmanager
async def open_services(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    """Open the database and build the services; close them in reverse order on exit."""
    clock = clock or SystemClock()
    db = await open_store(settings.store_url)
    from services.summary.summarizer import Summarizer

    summarizer = Summarizer(settings.summary_algorithm)  # workers start on first use
    fetcher = Fetcher(allow_private_networks=settings.allow_private_networks, clock=clock)
    ingestion_pool = ProcessPool(warm_up=warm_up_worker)  # workers start on first use
    try:
        subscribers = SubscriberRepository(db, clock)
        topics = TopicRepository(db, clock)
        sources = SourceRepository(db, clock)
        articles = ArticleRepository(db, clock)
        deliveries = DeliveryRepository(
            db, clock, lease=timedelta(seconds=settings.delivery_lease_seconds)
        )
        subscriptions = SubscriptionRepository(db, clock)
        frequencies = FrequencyRepository(db)
        preferences = PreferenceRepository(db)
        own_sources = OwnSourceRepository(db, clock)
        threads = ThreadRepository(db)
        topic_index = await open_topic_index(settings, db, articles, topics, subscriptions)
        stories = StoryRepository(db)
        clusterer = StoryClusterer(clock=clock, articles=articles, stories=stories)
        await clusterer.assign_pending()
        digests = DigestService(
            clock=clock,
            subscribers=subscribers,
            subscriptions=subscriptions,
            deliveries=deliveries,
            articles=articles,
            stories=stories,
            search=topic_index,
            clusterer=clusterer,
            policy=DigestPolicy(catch_up=timedelta(hours=settings.digest_catchup_hours)),
            frequencies=frequencies,
            own_sources=own_sources,
        )
        await load_configured_sources(settings, sources, own_sources)
        alerts = AlertService(
            digests=digests,
            search=topic_index,
            topics=topics,
            frequencies=frequencies,
            preferences=preferences,
            subscribers=subscribers,
            queue=AlertQueueRepository(db),
            own_sources=own_sources,
        )
        weekly = WeeklyDigests(
            digests=digests,
            subscribers=subscribers,
            subscriptions=subscriptions,
            frequencies=frequencies,
            preferences=preferences,
            deliveries=deliveries,
        )
        delivery = DeliveryService(
            clock=clock,
            digests=digests,
            deliveries=deliveries,
            subscribers=subscribers,
            policy=DeliveryPolicy(send_rate=settings.send_rate),
            # replicas on one database share passes by claims; a SQLite file has one process
            lock_path=(
                None if db.dialect.replicas else settings.database_path.with_suffix(".deliver.lock")
            ),
            also=(weekly, alerts),
            threads=threads,
        )
        ingestor = Ingestor(
            sources=sources,
            articles=articles,
            fetcher=fetcher,
            clock=clock,
            interval=timedelta(minutes=settings.ingest_interval_minutes),
            cpu=ingestion_pool,
            summarise=summarizer.summarize_article,
            index=[topic_index.index_article, clusterer.assign_article],
        )
        own_service = OwnSources(ingestor=ingestor, own=own_sources)
        yield Services(
            settings=settings,
            clock=clock,
            db=db,
            subscribers=subscribers,
            topics=topics,
            subscriptions=subscriptions,
            sources=sources,
            articles=articles,
            deliveries=deliveries,
            admin_stats=AdminStatsService(
                clock=clock,
                timezone=settings.default_timezone,
                subscribers=subscribers,
                topics=topics,
                sources=sources,
                articles=articles,
                deliveries=deliveries,
            ),
            schedule=DigestSchedule(deliveries, clock),
            topic_index=topic_index,
            summarizer=summarizer,
            fetcher=fetcher,
            ingestor=ingestor,
            link_summaries=LinkSummaries(fetcher, summarizer),
            clusterer=clusterer,
            digests=digests,
            delivery=delivery,
            frequencies=frequencies,
            preferences=preferences,
            realtime=RealtimePass(clock=clock, alerts=alerts, delivery=delivery),
            source_admin=SourceAdmin(
                ingestor=ingestor,
                sources=sources,
                sources_file=settings.sources_file,
                own=own_sources,
            ),
            own_sources=own_service,
            portable_topics=PortableTopics(
                subscribers=subscribers,
                topics=topics,
                subscriptions=subscriptions,
                topic_index=topic_index,
                own_sources=own_service,
            ),
            channels=ChannelRepository(db, clock),
            threads=threads,
        )
    finally:
        ingestion_pool.close()
        await fetcher.aclose()
        summarizer.close()
        await db.close()


async def open_topic_index(
    settings: Settings,
    db: Store,
    articles: ArticleRepository,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> TopicIndex:
    """The topic index with the catalogue of TOPICS_FILE, which is written into the database;
    any stored article left unindexed (a crash between storing and indexing) is indexed."""
    try:
        catalogue = read_catalogue(settings.topics_file)
    except CatalogueError as exc:
        raise ConfigError(f"TOPICS_FILE: {exc}") from None
    index = TopicIndex(db, articles, subscriptions, catalogue)
    await index.sync_catalogue(topics)
    await index.index_pending()
    return index


async def load_configured_sources(
    settings: Settings, sources: SourceRepository, own: OwnSourceRepository | None = None
) -> None:
    """The sources of SOURCES_FILE added or updated in the database; a missing file is logged."""
    if not settings.sources_file.exists():
        log.warning("sources file not found, no sources loaded path=%s", settings.sources_file)
        return
    try:
        await load_sources_file(settings.sources_file, sources, own)
    except SourcesFileError as exc:
        raise ConfigError(f"SOURCES_FILE: {exc}") from None


def build_bot(settings: Settings, pacing: PacingPolicy | None = None) -> Bot:
    """The aiogram Bot, talking to TELEGRAM_API_URL (Telegram, a local Bot API server or a fake).

    Every call that sends something takes its turn from one pacer at SEND_RATE (bot/pacing.py).
    """
    session = ApiSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    bot = Bot(
        token=settings.token,
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    install_pacing(bot, pacing or PacingPolicy(send_rate=settings.send_rate))
    return bot


def handler_options(settings: Settings) -> Options:
    """What handlers need from the settings, as a value of their own."""
    return Options(
        admin_ids=settings.admin_ids,
        default_timezone=settings.default_timezone,
        default_digest_time=settings.default_digest_time.strftime("%H:%M"),
    )


def build_dispatcher(
    services: Services,
    *,
    routers: Sequence[Router] | None = None,
    update_claims: UpdateClaimMiddleware | None = None,
) -> Dispatcher:
    """The Dispatcher with every router (or the given ones), the services and the handlers'
    options as workflow data, and the middlewares; with `update_claims` (replicas) an update
    is claimed before anything else reads the database for it (bot/update_claims.py)."""
    # No handler keeps conversation state, so the FSM middleware would only cost time.
    dispatcher = Dispatcher(
        disable_fsm=True, **services.workflow_data(), options=handler_options(services.settings)
    )
    dispatcher.include_routers(*(get_routers() if routers is None else routers))
    if update_claims is not None:
        dispatcher.update.outer_middleware(update_claims)
    # The dispatcher's own error handlers run before its routers': a call the pacer gave up
    # on (Telegram kept answering 429 or failing) was logged there as one WARNING line and
    # nothing can reach that chat now, so it is neither apologised for nor logged again.
    dispatcher.errors.register(_already_reported, _pacer_gave_up)
    setup_middlewares(dispatcher)
    return dispatcher


def _pacer_gave_up(event: ErrorEvent) -> bool:
    return given_up(event.exception)


async def _already_reported(event: ErrorEvent) -> None:
    """Handles the error by doing nothing more: the pacer has reported it."""
