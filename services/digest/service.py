"""Digests: who is due now, which stories each of them gets, and the rendered messages.

Who: a subscriber is due once their local clock (zoneinfo, so DST changes move
nothing) has reached their digest time and there is no delivery record for that
local date. A digest missed while the bot was down is still built within the
catch-up window, once; an older one is skipped rather than piled up. A slot
before the subscriber existed does not count.

What: for each subscribed topic, the stories that arrived since the chat's
previous digest (the first one: the last 24 hours), never one the chat already
got, a story matching two topics shown once, at most K per topic and a cap per
digest. Relevance comes first (services/digest/relevance.py: the query in the headline
or lead, not a passing mention in the body; listings last), coverage only breaks ties,
recency keeps its role. Under a topic an item shows why it is there: the summary when it
names the query, else the sentence that does, the query's words in bold
(services/digest/snippets.py). A last check keeps two stories of one event out of one
digest (services/digest/events.py).

Work is shared across a pass: each topic is searched once, each story is looked
at once, and subscribers whose digests come out the same (same stories, length,
language and time zone) share one rendering.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from services.clock.clocks import Clock
from services.clock.zones import clock_time_of, zone_of
from services.digest.events import Headline, headline, repeats
from services.digest.model import Digest, DigestItem, DigestKind, DigestSection, SourceLink
from services.digest.relevance import (
    LEAD,
    TITLE,
    ArticleProfile,
    ProfileCache,
    QueryTerms,
    profile_article,
    query_terms,
    title_lemmas,
)
from services.digest.render import render_html, render_nothing_new
from services.digest.snippets import Snippet, snippet
from services.storage.articles import ArticleRepository
from services.storage.deliveries import DeliveryRepository, NewDelivery
from services.storage.frequencies import FrequencyRepository
from services.storage.models import Article, ArticleCard, Language, Subscriber, Topic
from services.storage.own_sources import OwnSourceRepository
from services.storage.stories import StoryRepository
from services.storage.subscribers import SubscriberRepository
from services.storage.topics import SubscriptionRepository
from services.stories.clustering import StoryClusterer
from services.text.lemmas import Lemmatizer, default_lemmatizer
from services.topics.index import SearchHit, TopicIndex
from services.topics.query import QueryError

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
    refine_limit: int = 60  # stories per topic whose articles are read to judge relevance


COVERAGE_BONUS = 0.05  # per doubling of the outlets that told a story
COVERAGE_CAP = 0.1  # at most: coverage breaks ties, it never beats relevance
_REFINE_BATCH = 10  # stories judged per read
_INLINE_HEADLINES = 50  # headlines lemmatised on the event loop rather than in a thread


@dataclass(slots=True)
class DigestBatch:
    """The digests of one pass, ready to be recorded and sent."""

    deliveries: list[NewDelivery] = field(default_factory=list)
    chat_types: dict[int, str] = field(default_factory=dict)
    due: int = 0
    renderings: int = 0


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """One digest to build: whose, under which delivery record key, of which topics, since when.

    `window_end` becomes the chat's next daily window start; None leaves that window alone
    (a weekly digest does not move the daily one).
    """

    subscriber: Subscriber
    day: date
    key: str
    topics: tuple[Topic, ...]
    since: datetime
    window_end: datetime | None
    kind: DigestKind = "daily"


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

    def best(self, language: str, among: Sequence[ArticleCard] = ()) -> ArticleCard:
        """The most complete article (of `among`, when given), preferring the reader's
        language, then the earliest."""
        return min(
            among or self.articles,
            key=lambda a: (
                a.language != language,
                not a.summary,
                -min(a.text_length, 20_000),
                a.time,
                a.id,
            ),
        )

    def item(self, shown: ArticleCard, snippet: Snippet | None, sentences: int) -> DigestItem:
        also: dict[str, SourceLink] = {}
        for article in sorted(self.articles, key=lambda a: (a.time, a.id)):
            name = _outlet(article)
            if name != _outlet(shown) and name not in also:
                also[name] = SourceLink(name, article.canonical_url or article.url)
        return DigestItem(
            story_id=self.story_id,
            title=shown.title,
            url=shown.canonical_url or shown.url,
            source=_outlet(shown),
            published_at=shown.time,
            summary=snippet.sentences if snippet else tuple((shown.summary or [])[:sentences]),
            also=tuple(also.values()),
            highlights=snippet.highlights if snippet else (),
        )


def _outlet(article: ArticleCard) -> str:
    """The outlet's name, else the host of the article's address."""
    return article.source_name or (urlsplit(article.url).hostname or "").removeprefix("www.")


@dataclass(frozen=True, slots=True)
class _Ranked:
    story_id: int
    score: float
    arrived: datetime  # when the latest matching article came in
    listing: bool = False  # a TV programme, timetable, horoscope: shown last


class _Pass:
    """What one pass computes once and shares: topic rankings, stories, article profiles,
    renderings."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.rankings: dict[int, list[_Ranked]] = {}
        self.stories: dict[int, _Story] = {}
        self.renderings: dict[tuple[object, ...], list[str]] = {}
        self.terms: dict[int, QueryTerms | None] = {}  # by ranking key (a topic id)
        self.matched: dict[int, dict[int, list[ArticleCard]]] = {}  # key: story: its matches
        self.headlines: dict[int, frozenset[str]] = {}  # article id: title lemmas
        self.profiles: dict[int, ArticleProfile] = {}
        self.texts: dict[int, str] = {}
        self.private: dict[int, int] | None = None  # article id: source id, own sources only
        self._items: dict[tuple[object, ...], DigestItem] = {}

    def story(self, story_id: int, hidden: frozenset[int] = frozenset()) -> _Story:
        """The story as a chat may see it: without the articles of others' own sources."""
        story = self.stories[story_id]
        if hidden and any(a.id in hidden for a in story.articles):
            return _Story(story_id, [a for a in story.articles if a.id not in hidden])
        return story

    def visible(self, key: int, story_id: int, hidden: frozenset[int]) -> bool:
        """Whether the story matched ranking `key` through an article the chat may see."""
        matches = self.matched.get(key, {}).get(story_id)
        if matches is None:  # ranked without recorded matches: judge by its articles
            return bool(self.story(story_id, hidden).articles)
        return any(a.id not in hidden for a in matches)

    def shown_article(
        self, key: int, story_id: int, language: str, hidden: frozenset[int] = frozenset()
    ) -> ArticleCard:
        """The article an item shows under ranking `key`: one that matched the query, its
        headline naming it if any does, then the story's usual best."""
        story = self.story(story_id, hidden)
        matches = [a for a in self.matched.get(key, {}).get(story_id, []) if a.id not in hidden]
        terms = self.terms.get(key)
        if matches and terms is not None:
            named = [a for a in matches if _names(terms, self.headlines.get(a.id))]
            matches = named or matches
        return story.best(language, matches)

    def item(
        self,
        key: int,
        story_id: int,
        language: Language,
        sentences: int,
        hidden: frozenset[int] = frozenset(),
    ) -> DigestItem:
        story = self.story(story_id, hidden)
        cache_key = (key, story_id, language, sentences, len(story.articles))
        found = self._items.get(cache_key)
        if found is None:
            shown = self.shown_article(key, story_id, language, hidden)
            terms = self.terms.get(key)
            text = self.texts.get(shown.id)
            found = self._items[cache_key] = story.item(
                shown,
                None
                if terms is None or text is None
                else snippet(
                    shown.summary or [],
                    text,
                    terms.lemmas,
                    language=shown.language,
                    sentences=sentences,
                    lemmatizer=default_lemmatizer(),
                ),
                sentences,
            )
        return found


def _names(terms: QueryTerms, headline: frozenset[str] | None) -> bool:
    return headline is not None and any(not headline.isdisjoint(c) for c in terms.concepts)


def _relevance_factor(bm25_share: float) -> float:
    """Within one level of relevance, BM25 (relative to the topic's best match) orders."""
    return 0.8 + 0.2 * bm25_share


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
        lemmatizer: Lemmatizer | None = None,
        frequencies: FrequencyRepository | None = None,
        own_sources: OwnSourceRepository | None = None,
    ) -> None:
        self._clock = clock
        self._own_sources = own_sources
        self._frequencies = frequencies
        self._lemmatizer = lemmatizer or default_lemmatizer()
        self._judged = ProfileCache()  # articles judged by earlier passes
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
        """Build the digest of every subscriber due at `now` (not yet recorded or sent).

        Topics followed as they happen or weekly are left out: a daily digest with only
        such topics comes out empty, and an empty digest is recorded, never sent.
        """
        due = await self.due(now, everyone=everyone)
        not_daily = (
            await self._frequencies.not_daily(s.chat_id for s, _ in due)
            if self._frequencies is not None and due
            else {}
        )
        plans = []
        for subscriber, day in due:
            elsewhere = not_daily.get(subscriber.chat_id, {})
            topics = await self._subscriptions.topics_of(subscriber.chat_id)
            plans.append(
                DigestPlan(
                    subscriber=subscriber,
                    day=day,
                    key=day.isoformat(),
                    topics=tuple(t for t in topics if t.id not in elsewhere),
                    since=self._window_start(subscriber, now),
                    window_end=now,
                )
            )
        return await self.build_planned(now, plans)

    async def build_planned(self, now: datetime, plans: Sequence[DigestPlan]) -> DigestBatch:
        """Build the planned digests, each topic searched once for all of them."""
        batch = DigestBatch(due=len(plans))
        if not plans:
            return batch
        shared = _Pass(now)
        topic_by_id: dict[int, Topic] = {}  # one object per topic, however many follow it
        for plan in plans:
            for topic in plan.topics:
                topic_by_id.setdefault(topic.id, topic)
        await self._rank_topics(
            shared, topic_by_id.values(), since=min(plan.since for plan in plans)
        )
        for plan in plans:
            subscriber = plan.subscriber
            delivered = await self._deliveries.delivered_story_ids(subscriber.chat_id)
            digest = await self._select(
                shared,
                subscriber,
                plan.day,
                [topic_by_id[topic.id] for topic in plan.topics],
                since=plan.since,
                exclude=delivered,
                kind=plan.kind,
            )
            parts = self._render_shared(shared, digest, subscriber.digest_length)
            if not parts:
                log.info("digest empty chat_id=%s key=%s", subscriber.chat_id, plan.key)
            batch.deliveries.append(
                NewDelivery(
                    chat_id=subscriber.chat_id,
                    local_date=plan.key,
                    parts=parts,
                    window_start=plan.since,
                    window_end=plan.window_end,
                    story_ids=tuple(item.story_id for item in digest.items),
                )
            )
            batch.chat_types[subscriber.chat_id] = subscriber.chat_type
        batch.renderings = len(shared.renderings)
        return batch

    async def stories_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        """The story of each article (clustering any not clustered yet): article → story."""
        missing = await self._stories.unclustered(article_ids)
        if missing:
            await self._clusterer.assign_many(missing)
        return {
            card.id: card.story_id
            for card in await self._articles.cards(article_ids)
            if card.story_id is not None
        }

    async def story_members(self, story_ids: Sequence[int]) -> dict[int, list[int]]:
        """The articles of each story: story → article ids."""
        return await self._stories.members(story_ids)

    async def story_items(
        self,
        story_ids: Sequence[int],
        *,
        language: Language,
        sentences: int,
        hidden: frozenset[int] = frozenset(),
    ) -> dict[int, DigestItem]:
        """Stories as items, as a digest shows them (the best article for the reader's
        language, its summary, the other outlets): what a realtime alert says. Articles in
        `hidden` (own sources of other chats) are left out, as digests leave them out."""
        members = await self._stories.members(story_ids)
        cards = {
            card.id: card
            for card in await self._articles.cards([i for ids in members.values() for i in ids])
        }
        items: dict[int, DigestItem] = {}
        for story_id, ids in members.items():
            story = _Story(story_id, [cards[i] for i in ids if i in cards and i not in hidden])
            if story.articles:
                items[story_id] = story.item(story.best(language), None, sentences)
        return items

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
        digest = await self._select(
            shared, subscriber, local_day, topics, since=since, exclude=delivered
        )
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
        chat_id: int | None = None,
        grouped: bool = True,
    ) -> Digest:
        """The digest of stored articles matching `query` (no subscriber, nothing recorded),
        as `chat_id` may see it (None: only what everyone may).

        With `grouped` False (/search: a person is waiting) articles an ingest pass has
        stored but not yet grouped are shown as stories of their own instead of waiting
        for clustering; digests are always grouped.

        Raises services.query.QueryError when the query cannot be run.
        """
        until = until or self._clock.now()
        shared = _Pass(until)
        parsed = self._search.parse(query)
        hits = await self._search.search(
            parsed, since=since, until=until, limit=self.policy.search_limit
        )
        await self._rank_hits(shared, {0: hits}, {0: query_terms(parsed)}, grouped=grouped)
        picks = _Picks(self.policy.per_topic)
        hidden = await self._hidden(shared, chat_id)
        for ranked in shared.rankings[0]:
            if ranked.arrived >= since and shared.visible(0, ranked.story_id, hidden):
                picks.offer(shared, 0, ranked.story_id, language, hidden)
            if picks.full:
                break
        await self._read_texts(shared, picks.articles)
        items = tuple(
            shared.item(0, story_id, language, sentences, hidden)
            for story_id in picks.stories.get(0, [])
        )
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
        """Search each topic once and rank its stories: relevance first, then coverage and
        recency."""
        wanted = list({t.id: t for t in topics if t.id not in shared.rankings}.values())
        if not wanted:
            return
        # one window of the index answers every topic at once, off the event loop
        hits = await self._search.search_topics(
            wanted, since=since, until=shared.now, limit=self.policy.search_limit
        )
        await self._rank_hits(shared, hits, {topic.id: self._terms(topic) for topic in wanted})

    def _terms(self, topic: Topic) -> QueryTerms | None:
        """What the topic looks for: the catalogue's query for a catalogue topic."""
        entry = self._search.catalogue.by_slug(topic.slug) if topic.slug else None
        try:
            return query_terms(self._search.parse(entry.query if entry else topic.query))
        except QueryError:
            return None

    async def _rank_hits(
        self,
        shared: _Pass,
        hits: dict[int, list[SearchHit]],
        terms: dict[int, QueryTerms | None],
        *,
        grouped: bool = True,
    ) -> None:
        shared.terms.update(terms)
        article_ids = sorted({hit.article_id for found in hits.values() for hit in found})
        if not article_ids:
            shared.rankings.update({key: [] for key in hits})
            return
        if grouped:
            missing = await self._stories.unclustered(article_ids)
            if missing:
                await self._clusterer.assign_many(missing)
        matched = {article.id: article for article in await self._articles.cards(article_ids)}
        for card in [a for a in matched.values() if a.story_id is None and not grouped]:
            # Not grouped yet: a story of its own, under an id no stored story has.
            matched[card.id] = replace(card, story_id=-card.id)
            shared.stories.setdefault(-card.id, _Story(-card.id, [matched[card.id]]))
        story_ids = sorted(
            {a.story_id for a in matched.values() if a.story_id and a.story_id > 0}
            - set(shared.stories)
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
        unseen = [a for a in matched.values() if a.id not in shared.headlines]
        if len(unseen) > _INLINE_HEADLINES:
            shared.headlines.update(await asyncio.to_thread(_headlines, unseen, self._lemmatizer))
        else:  # a thread hop would cost more than lemmatising a few headlines
            shared.headlines.update(_headlines(unseen, self._lemmatizer))
        for key, found in hits.items():
            shared.rankings[key] = await self._rank(shared, key, found, matched)

    async def _rank(
        self, shared: _Pass, key: int, found: list[SearchHit], matched: dict[int, ArticleCard]
    ) -> list[_Ranked]:
        """The stories of one search, best first.

        Each story's score is its best matching article's relevance (where the query stands
        in it, services/digest/relevance.py; BM25 orders within a level) times a small bonus
        for coverage (more outlets break ties, they cannot lift a passing mention over a
        story about the topic) times recency; listings go last. Judging an article needs its
        text, so stories are judged in order of what they could at best score — a headline
        that names the query can reach the title level, any other the lead level — until the
        ones judged fill the top places for certain (or `refine_limit` are judged); the rest
        keep that bound, which is all their order below the top places needs.
        """
        terms = shared.terms.get(key)
        best = max((hit.score for hit in found), default=0.0) or 1.0
        by_story: dict[int, list[tuple[ArticleCard, float]]] = {}
        for hit in found:
            article = matched.get(hit.article_id)
            if article is None or article.story_id not in shared.stories:
                continue
            by_story.setdefault(article.story_id, []).append((article, max(hit.score, 0.0) / best))
        shared.matched[key] = {sid: [a for a, _ in pairs] for sid, pairs in by_story.items()}
        half_life = self.policy.recency_half_life.total_seconds()
        factor: dict[int, float] = {}
        for story_id in by_story:
            story = shared.stories[story_id]
            latest = max(article.time for article in story.articles)
            age = max((shared.now - min(latest, shared.now)).total_seconds(), 0.0)
            coverage = 1.0 + min(COVERAGE_BONUS * math.log2(story.outlets), COVERAGE_CAP)
            factor[story_id] = coverage * 0.5 ** (age / half_life)

        def bound(story_id: int) -> float:
            if terms is None:
                return max(share for _, share in by_story[story_id]) * factor[story_id]
            return factor[story_id] * max(
                (TITLE if _names(terms, shared.headlines.get(a.id)) else LEAD)
                * _relevance_factor(share)
                for a, share in by_story[story_id]
            )

        def judged(story_id: int) -> tuple[float, bool]:
            assert terms is not None
            scores = [
                (
                    shared.profiles[a.id].listing,
                    shared.profiles[a.id].relevance(terms) * _relevance_factor(share),
                )
                for a, share in by_story[story_id]
                if a.id in shared.profiles
            ]
            if not scores:
                return bound(story_id), False
            listing, relevance = min(scores, key=lambda s: (s[0], -s[1]))
            return relevance * factor[story_id], listing

        bounds = {story_id: bound(story_id) for story_id in by_story}
        order = sorted(by_story, key=lambda sid: (-bounds[sid], sid))
        scores: dict[int, tuple[float, bool]] = {}
        if terms is not None:
            top = self.policy.per_topic * 3
            at = 0
            while at < len(order) and at < self.policy.refine_limit:
                placed = sorted((s for s, listing in scores.values() if not listing), reverse=True)
                if len(placed) >= top and placed[top - 1] >= bounds[order[at]]:
                    break
                batch = order[at : at + (_REFINE_BATCH if at else top)]  # the top at once
                at += len(batch)
                await self._profile(
                    shared, [a.id for story_id in batch for a, _ in by_story[story_id]]
                )
                scores.update((story_id, judged(story_id)) for story_id in batch)
        ranked = []
        for story_id, pairs in by_story.items():
            score, listing = scores.get(story_id, (bounds[story_id], False))
            arrived = max(article.fetched_at for article, _ in pairs)
            ranked.append(_Ranked(story_id, score, arrived, listing))
        ranked.sort(key=lambda r: (r.listing, -r.score, r.story_id))
        return ranked

    async def _profile(self, shared: _Pass, article_ids: Sequence[int]) -> None:
        """Read and judge the articles not judged yet in this pass (off the event loop)."""
        wanted = [aid for aid in dict.fromkeys(article_ids) if aid not in shared.profiles]
        known = {aid: found for aid in wanted if (found := self._judged.get(aid)) is not None}
        shared.profiles.update(known)
        wanted = [aid for aid in wanted if aid not in known]
        if not wanted:
            return
        articles = await self._articles.get_many(wanted)
        shared.texts.update((article.id, article.text) for article in articles)
        judged = await asyncio.to_thread(_profiles, articles, self._lemmatizer)
        shared.profiles.update(judged)
        self._judged.update(judged)

    async def _read_texts(self, shared: _Pass, articles: Iterable[ArticleCard]) -> None:
        """The texts of the articles about to be shown, for their snippets."""
        wanted = [a.id for a in articles if a.id not in shared.texts]
        if wanted:
            shared.texts.update((a.id, a.text) for a in await self._articles.get_many(wanted))

    async def _select(
        self,
        shared: _Pass,
        subscriber: Subscriber,
        day: date,
        topics: Sequence[Topic],
        *,
        since: datetime,
        exclude: set[int],
        kind: DigestKind = "daily",
    ) -> Digest:
        """Each topic's best stories not yet sent; none shown twice, nor two of one event;
        nothing from another chat's own sources."""
        picks = _Picks(self.policy.per_topic, self.policy.per_digest)
        hidden = await self._hidden(shared, subscriber.chat_id)
        for topic in topics:
            for ranked in shared.rankings.get(topic.id, []):
                if picks.full_for(topic.id):
                    break
                if ranked.arrived < since or ranked.story_id in exclude:
                    continue
                if hidden and not shared.visible(topic.id, ranked.story_id, hidden):
                    continue
                picks.offer(shared, topic.id, ranked.story_id, subscriber.language, hidden)
        await self._read_texts(shared, picks.articles)
        sections = [
            DigestSection(
                topic.title(subscriber.language),
                tuple(
                    shared.item(
                        topic.id, story_id, subscriber.language, subscriber.digest_length, hidden
                    )
                    for story_id in picks.stories[topic.id]
                ),
            )
            for topic in topics
            if picks.stories.get(topic.id)
        ]
        return Digest(
            language=subscriber.language,
            timezone=zone_of(subscriber.timezone).key,
            local_date=day,
            sections=tuple(sections),
            kind=kind,
        )

    async def _hidden(self, shared: _Pass, chat_id: int | None) -> frozenset[int]:
        """The articles of this pass `chat_id` may not see: those of sources that are only
        some chats' own and not this one's. One read of the pass's own-source articles, then
        one small read per chat, and only when such articles are in the pass at all."""
        if self._own_sources is None:
            return frozenset()
        if shared.private is None:
            ids = [a.id for story in shared.stories.values() for a in story.articles]
            shared.private = await self._own_sources.private_articles(ids) if ids else {}
        if not shared.private:
            return frozenset()
        own = (
            (await self._own_sources.source_ids_of([chat_id])).get(chat_id, frozenset())
            if chat_id is not None
            else frozenset()
        )
        return frozenset(a for a, source in shared.private.items() if source not in own)

    @staticmethod
    def _render_shared(shared: _Pass, digest: Digest, sentences: int) -> list[str]:
        """Render once per distinct digest in a pass; equal digests share the same parts."""
        if digest.is_empty:
            return []
        key = (
            digest.kind,
            digest.language,
            digest.timezone,
            digest.local_date,
            sentences,
            tuple((s.title, s.items) for s in digest.sections),
        )
        parts = shared.renderings.get(key)
        if parts is None:
            parts = shared.renderings[key] = render_html(digest)
        return parts


class _Picks:
    """The stories a digest shows, by topic: at most `per_topic` each and `per_digest` in
    all, a story once, and no two whose headlines tell of one event (services/digest/events.py)."""

    def __init__(self, per_topic: int, per_digest: int | None = None) -> None:
        self.per_topic = per_topic
        self.room = per_digest if per_digest is not None else per_topic
        self.stories: dict[int, list[int]] = {}
        self.articles: list[ArticleCard] = []
        self._shown: set[int] = set()
        self._headlines: list[Headline] = []

    @property
    def full(self) -> bool:
        return self.room <= 0

    def full_for(self, key: int) -> bool:
        return self.full or len(self.stories.get(key, ())) >= self.per_topic

    def offer(
        self,
        shared: _Pass,
        key: int,
        story_id: int,
        language: str,
        hidden: frozenset[int] = frozenset(),
    ) -> bool:
        """Take the story under `key` unless it, or its event, is already in the digest."""
        if self.full_for(key) or story_id in self._shown:
            return False
        shown = shared.shown_article(key, story_id, language, hidden)
        told = headline(shown.title, shown.language)
        if repeats(told, self._headlines):
            return False
        self._shown.add(story_id)
        self._headlines.append(told)
        self.stories.setdefault(key, []).append(story_id)
        self.articles.append(shown)
        self.room -= 1
        return True


def _headlines(
    articles: Sequence[ArticleCard], lemmatizer: Lemmatizer
) -> dict[int, frozenset[str]]:
    if lemmatizer is default_lemmatizer():  # kept between passes
        return {a.id: title_lemmas(a.title, a.language) for a in articles}
    return {a.id: frozenset(lemmatizer.lemmas(a.title, a.language)) for a in articles}


def _profiles(articles: Sequence[Article], lemmatizer: Lemmatizer) -> dict[int, ArticleProfile]:
    return {
        a.id: profile_article(a.title, a.text, a.lemmas, a.language, lemmatizer) for a in articles
    }
