"""A small newsroom on a real SQLite file: outlets publish, the index and clusterer take it in,
subscribers follow topics — everything the digest and delivery tests build on.

Articles go through the same steps as ingestion: stored, indexed for topics, put into a story.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from services.clock.clocks import ManualClock
from services.delivery.service import DeliveryPolicy, DeliveryService
from services.digest.service import DigestPolicy, DigestService
from services.storage import (
    ArticleRepository,
    Database,
    DeliveryRepository,
    SourceRepository,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
)
from services.storage.models import Article, Language, NewArticle, Subscriber, Topic
from services.storage.stories import StoryRepository
from services.stories.clustering import StoryClusterer
from services.topics.index import TopicIndex

_serial = itertools.count(1)


def make_subscriber(
    timezone: str = "Asia/Almaty", digest_time: str = "09:00", created: datetime | None = None
) -> Subscriber:
    """A subscriber as stored (chat 1, Russian, three sentences), not written anywhere."""
    moment = created or datetime(2026, 1, 1, tzinfo=UTC)
    return Subscriber(
        chat_id=1,
        chat_type="private",
        language="ru",
        timezone=timezone,
        digest_time=digest_time,
        digest_length=3,
        paused=False,
        blocked=False,
        last_digest_at=None,
        created_at=moment,
        updated_at=moment,
    )


class World:
    def __init__(
        self, db: Database, clock: ManualClock, policy: DigestPolicy | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.subscribers = SubscriberRepository(db, clock)
        self.topics = TopicRepository(db, clock)
        self.subscriptions = SubscriptionRepository(db, clock)
        self.sources = SourceRepository(db, clock)
        self.articles = ArticleRepository(db, clock)
        self.deliveries = DeliveryRepository(db, clock)
        self.stories = StoryRepository(db)
        self.index = TopicIndex(db, self.articles, self.subscriptions)
        self.clusterer = StoryClusterer(clock=clock, articles=self.articles, stories=self.stories)
        self.digests = DigestService(
            clock=clock,
            subscribers=self.subscribers,
            subscriptions=self.subscriptions,
            deliveries=self.deliveries,
            articles=self.articles,
            stories=self.stories,
            search=self.index,
            clusterer=self.clusterer,
            policy=policy,
        )

    def delivery(self, policy: DeliveryPolicy, lock_path: Path | None = None) -> DeliveryService:
        return DeliveryService(
            clock=self.clock,
            digests=self.digests,
            deliveries=self.deliveries,
            subscribers=self.subscribers,
            policy=policy,
            lock_path=lock_path,
        )

    async def topic(self, query: str, title: str | None = None) -> Topic:
        slug = f"t{next(_serial)}"
        name = title or query
        return await self.topics.upsert_catalogue(
            slug, query=query, title_ru=name, title_en=name, title_kk=name
        )

    async def subscriber(
        self,
        chat_id: int,
        *topics: Topic,
        timezone: str = "Asia/Almaty",
        digest_time: str = "09:00",
        language: Language = "ru",
        length: int = 3,
        chat_type: str = "private",
    ) -> Subscriber:
        await self.subscribers.register(
            chat_id,
            chat_type=chat_type,
            language=language,
            timezone=timezone,
            digest_time=digest_time,
        )
        for topic in topics:
            await self.subscriptions.subscribe(chat_id, topic.id)
        subscriber = await self.subscribers.update(chat_id, digest_length=length)
        assert subscriber is not None
        return subscriber

    async def publish(
        self,
        title: str,
        text: str,
        *,
        outlet: str = "Tengrinews",
        arrived: datetime | None = None,
        published: datetime | None = None,
        language: str = "ru",
        summary: list[str] | None = None,
        cluster: bool = True,
    ) -> Article:
        """An outlet's article arrives (at `arrived`, default now) and is indexed and clustered
        (without `cluster`: left for a pass still running to group)."""
        if arrived is not None:
            self.clock.set(arrived)
        host = hashlib.sha1(outlet.encode()).hexdigest()[:10]
        source = await self.sources.upsert(f"https://{host}.example/feed", name=outlet)
        url = f"https://{host}.example/news/{next(_serial)}"
        article_id = await self.articles.add(
            NewArticle(
                url=url,
                canonical_url=url,
                content_hash=hashlib.sha256(f"{url}{text}".encode()).hexdigest(),
                language=language,
                title=title,
                text=text,
                source_id=source.id,
                published_at=published or self.clock.now() - timedelta(minutes=5),
                summary=summary
                if summary is not None
                else [text.split(". ", maxsplit=1)[0].rstrip(".") + "."],
            )
        )
        assert article_id is not None
        article = await self.articles.get(article_id)
        assert article is not None
        await self.index.index_article(article)
        if cluster:
            await self.clusterer.assign(article_id)
        stored = await self.articles.get(article_id)
        assert stored is not None
        return stored
