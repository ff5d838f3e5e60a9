"""Digests: who is due now, which stories each of them gets, and the rendered messages.

Who: a subscriber is due once their local clock (zoneinfo, so DST changes move
nothing) has reached their digest time and there is no delivery record for that
local date. A digest missed while the bot was down is still built within the
catch-up window, once; an older one is skipped rather than piled up. A slot
before the subscriber existed does not count.

What: for each subscribed topic, the stories that arrived since the chat's
previous digest (the first one: the last 24 hours), never one the chat already
got, a story matching two topics shown once, ranked by relevance × coverage ×
recency, at most K per topic and a cap per digest.

Work is shared across a pass: each topic is searched once, each story is looked
at once, and subscribers whose digests come out the same (same stories, length,
language and time zone) share one rendering.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from services.clock.clocks import Clock
from services.clock.zones import clock_time_of, zone_of
from services.digest.model import Digest, DigestItem, DigestSection, SourceLink
from services.digest.render import render_html, render_nothing_new
from services.storage.articles import ArticleRepository
from services.storage.deliveries import DeliveryRepository, NewDelivery
from services.storage.models import ArticleCard, Language, Subscriber, Topic
from services.storage.stories import StoryRepository
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import SubscriptionRepository
from services.stories.clustering import StoryClusterer
from services.topics.index import SearchHit, TopicIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestPolicy:
    per_topic: int = 5  # K: items per topic
    per_digest: int = 15  # items in one digest, all topics together
    first_window: timedelta = timedelta(hours=24)  # what a first digest looks back over
    max_window: timedelta = timedelta(days=7)  # after a long pause, no further back than this
    catch_up: timedelta = timedelta(hours=6)  # a digest missed by less is still sent
    recency_half_life: timedelta = timedelta(hours=24)
    search_limit: int = 300  # matches considered per topic


@dataclass(slots=True)
class DigestBatch:
    """The digests of one pass, ready to be recorded and sent."""

    deliveries: list[NewDelivery] = field(default_factory=list)
    chat_types: dict[int, str] = field(default_factory=dict)
    due: int = 0
    renderings: int = 0


@dataclass(frozen=True, slots=True)
class OnDemandDigest:
    """What /digest answers: the rendered messages, sent as they are."""

    parts: list[str]
    since: datetime
    is_empty: bool
    has_topics: bool


def digest_slot(subscriber: Subscriber, day: date) -> datetime:
    """The UTC moment of `subscriber`'s digest on local `day`.

    A wall time that does not exist that day (the spring-forward gap) is read with
    the offset before the change, i.e. it lands just after the gap; a time that
    occurs twice (autumn) means its first occurrence.
    """
    at = clock_time_of(subscriber.digest_time)
    local = datetime.combine(day, at, tzinfo=zone_of(subscriber.timezone))
    return local.astimezone(UTC)


def due_date(subscriber: Subscriber, now: datetime, catch_up: timedelta) -> date | None:
    """The local date whose digest is due at `now`, or None.

    Today's slot once it has come; otherwise yesterday's while it is less than
    `catch_up` old (a digest at 23:30 missed until 00:10 still goes out, under
    yesterday's date). Slots before the subscriber signed up don't count.
    """
    today = now.astimezone(zone_of(subscriber.timezone)).date()
    for day in (today, today - timedelta(days=1)):
        slot = digest_slot(subscriber, day)
        if slot < subscriber.created_at.replace(second=0, microsecond=0):
            continue
        if slot <= now < slot + max(catch_up, timedelta(minutes=1)):
            return day
    return None


@dataclass(slots=True)
class _Story:
    """A story as the digest sees it: its articles and outlets."""

    story_id: int
    articles: list[ArticleCard]

    @property
    def outlets(self) -> int:
        return len({_outlet(article) for article in self.articles})

    def best(self, language: str) -> ArticleCard:
        """The most complete article, preferring the reader's language, then the earliest."""
        return min(
            self.articles,
            key=lambda a: (
                a.language != language,
                not a.summary,
                -min(a.text_length, 20_000),
                a.time,
                a.id,
            ),
        )

    def item(self, language: Language, sentences: int) -> DigestItem:
        best = self.best(language)
        also: dict[str, SourceLink] = {}
        for article in sorted(self.articles, key=lambda a: (a.time, a.id)):
            name = _outlet(article)
            if name != _outlet(best) and name not in also:
                also[name] = SourceLink(name, article.canonical_url or article.url)
        return DigestItem(
            story_id=self.story_id,
            title=best.title,
            url=best.canonical_url or best.url,
            source=_outlet(best),
            published_at=best.time,
            summary=tuple((best.summary or [])[:sentences]),
            also=tuple(also.values()),
        )


def _outlet(article: ArticleCard) -> str:
    """The outlet's name, else the host of the article's address."""
    return article.source_name or (urlsplit(article.url).hostname or "").removeprefix("www.")


@dataclass(frozen=True, slots=True)
class _Ranked:
    story_id: int
    score: float
    arrived: datetime  # when the latest matching article came in


class _Pass:
    """What one pass computes once and shares: topic rankings, stories, renderings."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rankings: dict[int, list[_Ranked]] = {}
        self.stories: dict[int, _Story] = {}
        self.renderings: dict[tuple[object, ...], list[str]] = {}
        self._items: dict[tuple[int, str, int], DigestItem] = {}

    def item(self, story_id: int, subscriber: Subscriber) -> DigestItem:
        key = (story_id, subscriber.language, subscriber.digest_length)
        found = self._items.get(key)
        if found is None:
            story = self.stories[story_id]
            found = self._items[key] = story.item(subscriber.language, subscriber.digest_length)
        return found


class DigestService:
    """Builds digests: scheduled ones for delivery, on-demand ones for /digest, and query ones."""

    def __init__(
        self,
        *,
        clock: Clock,
        subscribers: SubscriberRepository,
        subscriptions: SubscriptionRepository,
        deliveries: DeliveryRepository,
        articles: ArticleRepository,
        stories: StoryRepository,
        search: TopicIndex,
        clusterer: StoryClusterer,
        policy: DigestPolicy | None = None,
    ) -> None:
        self._clock = clock
        self._subscribers = subscribers
        self._subscriptions = subscriptions
        self._deliveries = deliveries
        self._articles = articles
        self._stories = stories
        self._search = search
        self._clusterer = clusterer
        self.policy = policy or DigestPolicy()

    # --- who is due -------------------------------------------------------------------

    async def due(self, now: datetime, *, everyone: bool = False) -> list[tuple[Subscriber, date]]:
        """Active subscribers due at `now`, each with the local date of their digest.

        `everyone`: every active subscriber, for their current local date.
        """
        candidates: list[tuple[Subscriber, date]] = []
        for subscriber in await self._subscribers.list_active():
            if everyone:
                day: date | None = now.astimezone(zone_of(subscriber.timezone)).date()
            else:
                day = due_date(subscriber, now, self.policy.catch_up)
            if day is not None:
                candidates.append((subscriber, day))
        recorded = await self._deliveries.recorded_dates(day.isoformat() for _, day in candidates)
        return [
            (subscriber, day)
            for subscriber, day in candidates
            if (subscriber.chat_id, day.isoformat()) not in recorded
        ]

    # --- scheduled digests ------------------------------------------------------------

    async def build_due(self, now: datetime, *, everyone: bool = False) -> DigestBatch:
        """Build the digest of every subscriber due at `now` (not yet recorded or sent)."""
        due = await self.due(now, everyone=everyone)
        batch = DigestBatch(due=len(due))
        if not due:
            return batch
        shared = _Pass(now)
        topic_by_id: dict[int, Topic] = {}  # one object per topic, however many follow it
        topics_of = {
            s.chat_id: [
                topic_by_id.setdefault(topic.id, topic)
                for topic in await self._subscriptions.topics_of(s.chat_id)
            ]
            for s, _ in due
        }
        since_of = {s.chat_id: self._window_start(s, now) for s, _ in due}
        await self._rank_topics(shared, topic_by_id.values(), since=min(since_of.values()))
        for subscriber, day in due:
            delivered = await self._deliveries.delivered_story_ids(subscriber.chat_id)
            digest = self._select(
                shared,
                subscriber,
                day,
                topics_of[subscriber.chat_id],
                since=since_of[subscriber.chat_id],
                exclude=delivered,
            )
            parts = self._render_shared(shared, digest, subscriber.digest_length)
            if not parts:
                log.info("digest empty chat_id=%s date=%s", subscriber.chat_id, day)
            batch.deliveries.append(
                NewDelivery(
                    chat_id=subscriber.chat_id,
                    local_date=day.isoformat(),
                    parts=parts,
                    window_start=since_of[subscriber.chat_id],
                    window_end=now,
                    story_ids=tuple(item.story_id for item in digest.items),
                )
            )
            batch.chat_types[subscriber.chat_id] = subscriber.chat_type
        batch.renderings = len(shared.renderings)
        return batch

    def _window_start(self, subscriber: Subscriber, now: datetime) -> datetime:
        start = subscriber.last_digest_at or now - self.policy.first_window
        return max(start, now - self.policy.max_window)

    # --- /digest ----------------------------------------------------------------------

    async def build_on_demand(self, chat_id: int) -> OnDemandDigest:
        """The digest now, of what came in since the last scheduled one; consumes nothing.

        The scheduled digest still carries these stories: /digest is a look at what
        is new, the daily digest stays complete. Stories the chat already got in a
        scheduled digest are left out. When nothing is new the one part says
        "nothing new since …" in the chat's language.
        """
        now = self._clock.now()
        subscriber = await self._subscribers.get(chat_id)
        if subscriber is None:
            raise LookupError(f"chat {chat_id} is not a subscriber")
        since = self._window_start(subscriber, now)
        topics = await self._subscriptions.topics_of(chat_id)
        shared = _Pass(now)
        await self._rank_topics(shared, topics, since=since)
        delivered = await self._deliveries.delivered_story_ids(chat_id)
        local_day = now.astimezone(zone_of(subscriber.timezone)).date()
        digest = self._select(shared, subscriber, local_day, topics, since=since, exclude=delivered)
        parts = self._render_shared(shared, digest, subscriber.digest_length)
        if parts:
            return OnDemandDigest(parts, since, is_empty=False, has_topics=bool(topics))
        zone = zone_of(subscriber.timezone).key
        nothing = render_nothing_new(subscriber.language, since, now, zone)
        return OnDemandDigest([nothing], since, is_empty=True, has_topics=bool(topics))

    # --- a query, for the CLI ---------------------------------------------------------

    async def for_query(
        self,
        query: str,
        *,
        since: datetime,
        until: datetime | None = None,
        language: Language = "ru",
        timezone: str = "UTC",
        sentences: int = 3,
    ) -> Digest:
        """The digest of stored articles matching `query` (no subscriber, nothing recorded).

        Raises services.query.QueryError when the query cannot be run.
        """
        until = until or self._clock.now()
        shared = _Pass(until)
        hits = await self._search.search(
            query, since=since, until=until, limit=self.policy.search_limit
        )
        await self._rank_hits(shared, {0: hits})
        picked = [shared.stories[r.story_id] for r in shared.rankings[0] if r.arrived >= since]
        items = tuple(story.item(language, sentences) for story in picked[: self.policy.per_topic])
        return Digest(
            language=language,
            timezone=zone_of(timezone).key,
            local_date=until.astimezone(zone_of(timezone)).date(),
            sections=(DigestSection(query, items),) if items else (),
        )

    # --- shared machinery -------------------------------------------------------------

    async def _rank_topics(
        self, shared: _Pass, topics: Iterable[Topic], *, since: datetime
    ) -> None:
        """Search each topic once and rank its stories: relevance × coverage × recency."""
        wanted = list({t.id: t for t in topics if t.id not in shared.rankings}.values())
        if not wanted:
            return
        # one window of the index answers every topic at once, off the event loop
        hits = await self._search.search_topics(
            wanted, since=since, until=shared.now, limit=self.policy.search_limit
        )
        await self._rank_hits(shared, hits)

    async def _rank_hits(self, shared: _Pass, hits: dict[int, list[SearchHit]]) -> None:
        article_ids = sorted({hit.article_id for found in hits.values() for hit in found})
        if not article_ids:
            shared.rankings.update({key: [] for key in hits})
            return
        missing = await self._stories.unclustered(article_ids)
        if missing:
            await self._clusterer.assign_many(missing)
        matched = {article.id: article for article in await self._articles.cards(article_ids)}
        story_ids = sorted(
            {a.story_id for a in matched.values() if a.story_id is not None} - set(shared.stories)
        )
        members = await self._stories.members(story_ids)
        member_articles = dict(matched)  # the matches are members too: read only the rest
        member_articles.update(
            (article.id, article)
            for article in await self._articles.cards(
                [i for ids in members.values() for i in ids if i not in member_articles]
            )
        )
        for story_id, ids in members.items():
            articles = [member_articles[i] for i in ids if i in member_articles]
            if articles:
                shared.stories[story_id] = _Story(story_id, articles)
        for key, found in hits.items():
            shared.rankings[key] = self._rank(shared, found, matched)

    def _rank(
        self, shared: _Pass, found: list[SearchHit], matched: dict[int, ArticleCard]
    ) -> list[_Ranked]:
        best = max((hit.score for hit in found), default=0.0) or 1.0
        by_story: dict[int, tuple[float, datetime]] = {}
        for hit in found:
            article = matched.get(hit.article_id)
            if article is None or article.story_id not in shared.stories:
                continue
            relevance, arrived = by_story.get(article.story_id, (0.0, article.fetched_at))
            by_story[article.story_id] = (
                max(relevance, max(hit.score, 0.0) / best),
                max(arrived, article.fetched_at),
            )
        half_life = self.policy.recency_half_life.total_seconds()
        ranked = []
        for story_id, (relevance, arrived) in by_story.items():
            story = shared.stories[story_id]
            latest = max(article.time for article in story.articles)
            age = max((shared.now - min(latest, shared.now)).total_seconds(), 0.0)
            score = relevance * math.sqrt(story.outlets) * 0.5 ** (age / half_life)
            ranked.append(_Ranked(story_id, score, arrived))
        ranked.sort(key=lambda r: (-r.score, r.story_id))
        return ranked

    def _select(
        self,
        shared: _Pass,
        subscriber: Subscriber,
        day: date,
        topics: Sequence[Topic],
        *,
        since: datetime,
        exclude: set[int],
    ) -> Digest:
        shown: set[int] = set()
        sections: list[DigestSection] = []
        room = self.policy.per_digest
        for topic in topics:
            picks: list[DigestItem] = []
            for ranked in shared.rankings.get(topic.id, []):
                if len(picks) >= min(self.policy.per_topic, room):
                    break
                if ranked.arrived < since or ranked.story_id in exclude or ranked.story_id in shown:
                    continue
                picks.append(shared.item(ranked.story_id, subscriber))
                shown.add(ranked.story_id)
            if picks:
                sections.append(DigestSection(topic.title(subscriber.language), tuple(picks)))
                room -= len(picks)
        return Digest(
            language=subscriber.language,
            timezone=zone_of(subscriber.timezone).key,
            local_date=day,
            sections=tuple(sections),
        )

    @staticmethod
    def _render_shared(shared: _Pass, digest: Digest, sentences: int) -> list[str]:
        """Render once per distinct digest in a pass; equal digests share the same parts."""
        if digest.is_empty:
            return []
        key = (
            digest.language,
            digest.timezone,
            digest.local_date,
            sentences,
            tuple((s.title, tuple(item.story_id for item in s.items)) for s in digest.sections),
        )
        parts = shared.renderings.get(key)
        if parts is None:
            parts = shared.renderings[key] = render_html(digest)
        return parts
