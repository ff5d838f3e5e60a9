"""The numbers behind the admin's /stats and the /healthz endpoint.

Handlers and the health endpoint ask this service; it asks the repositories. "Today"
is the calendar day in the operator's time zone (DEFAULT_TIMEZONE), which is what an
admin in Almaty means by "today" — not the last 24 hours and not the UTC day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from services.clock.clocks import Clock
from services.sources.health import SourceState, source_state
from services.storage import (
    ArticleRepository,
    DeliveryRepository,
    SourceRepository,
    SubscriberRepository,
    TopicRepository,
)
from services.storage.models import Source


@dataclass(frozen=True, slots=True)
class AdminStats:
    day_start: datetime  # UTC instant of local midnight: "today" begins here
    subscribers_active: int
    subscribers_paused: int
    subscribers_blocked: int
    topics: int
    articles_today: int
    sources_healthy: int  # healthy or not fetched yet
    sources_failing: int  # failing or down
    sources_disabled: int
    last_ingest_at: datetime | None  # the latest fetch of any source, successful or not
    last_success_at: datetime | None  # the latest successful fetch of any source
    digests_sent_today: int


@dataclass(frozen=True, slots=True)
class SourceReport:
    source: Source
    state: SourceState


def last_fetch(sources: list[Source]) -> datetime | None:
    return max((s.last_fetch_at for s in sources if s.last_fetch_at), default=None)


def last_success(sources: list[Source]) -> datetime | None:
    return max((s.last_success_at for s in sources if s.last_success_at), default=None)


class AdminStatsService:
    def __init__(
        self,
        *,
        clock: Clock,
        timezone: str,
        subscribers: SubscriberRepository,
        topics: TopicRepository,
        sources: SourceRepository,
        articles: ArticleRepository,
        deliveries: DeliveryRepository,
    ) -> None:
        self._clock = clock
        self._zone = ZoneInfo(timezone)
        self._subscribers = subscribers
        self._topics = topics
        self._sources = sources
        self._articles = articles
        self._deliveries = deliveries

    def now(self) -> datetime:
        return self._clock.now()

    def day_start(self) -> datetime:
        """Midnight of today in the operator's time zone, as an aware UTC-comparable instant."""
        local_now = self._clock.now().astimezone(self._zone)
        return local_now.replace(hour=0, minute=0, second=0, microsecond=0)

    async def collect(self) -> AdminStats:
        now = self._clock.now()
        since = self.day_start()
        subscribers = await self._subscribers.counts()
        sources = await self._sources.list_all()
        states = Counter(source_state(source, now) for source in sources)
        return AdminStats(
            day_start=since,
            subscribers_active=subscribers["active"],
            subscribers_paused=subscribers["paused"],
            subscribers_blocked=subscribers["blocked"],
            topics=await self._topics.count(),
            articles_today=await self._articles.count_since(since),
            sources_healthy=states[SourceState.HEALTHY] + states[SourceState.NEW],
            sources_failing=states[SourceState.FAILING] + states[SourceState.DOWN],
            sources_disabled=states[SourceState.DISABLED],
            last_ingest_at=last_fetch(sources),
            last_success_at=last_success(sources),
            digests_sent_today=await self._deliveries.count_sent_since(since),
        )

    async def sources_report(self) -> list[SourceReport]:
        """Every source with its state, those in trouble first."""
        now = self._clock.now()
        reports = [
            SourceReport(source, source_state(source, now))
            for source in await self._sources.list_all()
        ]
        return sorted(reports, key=lambda report: (not report.state.in_trouble, report.source.id))

    async def last_successful_ingest(self) -> datetime | None:
        """When any source was last fetched successfully (None if never)."""
        return last_success(await self._sources.list_all())
