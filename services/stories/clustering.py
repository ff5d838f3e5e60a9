"""Same event, several outlets → one story: articles within 48 hours that report one event.

Each article is fingerprinted once, at ingestion (services/stories/fingerprint.py: title,
lead and opening lemmas, names, figures). A new article is compared with the articles of the 48 hours
around it: candidates are the ones sharing a rare term, ranked by TF-IDF cosine; the closest
few are judged by the same-event model (services/stories/similarity.py: TF-IDF, how well
each title fits the other article in meaning, shared figures, agreeing openings). The article joins the story of
the most probable match when P(same) reaches the model's threshold; otherwise it starts one.
Shared vocabulary alone does not merge: two forecasts for different days, or two release
posts of one template, differ in the names, figures and meaning their titles need.

IDF is taken over a longer horizon (7 days of fingerprints) so that it is stable even when
the window is quiet. The index lives in memory and catches up with the database before every
assignment, so several processes (the bot, a CLI ingest) keep agreeing on the stories.

Ingestion calls `StoryClusterer.assign_article(article)` for every article it has just
stored (or `assign(article_id)`); digests call `assign_many` for stored articles that have
no story yet. Fingerprinting (lemmas, NER) needs no lock: it runs in a worker thread
before the lock is taken, once per article however many callers want it, so the lock is
held only to compare with the index and write the story, and a digest waiting for new
articles never waits behind a pass's fingerprinting.

Comparing with the index is the heavy part of a pass (pure Python, tens of milliseconds an
article), so the index lives in a worker process of its own (`STORY_WORKER`), not in a
thread: a thread would hold the interpreter lock the event loop needs, and every reply,
each of its database trips and socket writes, would wait for it while a pass runs. Each
comparison carries the fingerprints written since the last one, so the worker's index
keeps up with the database; a worker that is new (the old one died) or that holds some
other index says so (`IndexLost`), and the index is loaded again from the database.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import math
import os
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.clock.clocks import Clock
from services.storage.articles import ArticleRepository
from services.storage.models import Article
from services.storage.stories import Fingerprint, StoryRepository
from services.stories.fingerprint import EventFingerprint, fingerprint
from services.stories.similarity import THRESHOLD, judge, name_conflict
from services.text.lemmas import Lemmatizer, default_lemmatizer
from services.workers.cpu_pool import CpuPool, ProcessPool

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=48)
IDF_HORIZON = timedelta(days=7)
JUDGED = 8  # the closest candidates by TF-IDF that the same-event model judges
_COMMON_SHARE = 0.2  # a term in more than this share of documents does not nominate candidates


@dataclass(slots=True)
class _Doc:
    story_id: int
    at: datetime
    event: EventFingerprint
    tf: dict[str, float]


@dataclass(frozen=True, slots=True)
class Match:
    story_id: int
    article_id: int
    probability: float  # P(same event) under the model
    tfidf: float


@dataclass(slots=True)
class StoryIndex:
    """Fingerprints of recent articles with document frequencies; finds an article's story.

    Pure and synchronous, so it can run in a worker thread and be measured alone.
    """

    window: timedelta = WINDOW
    threshold: float = THRESHOLD
    idf_horizon: timedelta = IDF_HORIZON
    docs: dict[int, _Doc] = field(default_factory=dict)
    df: Counter[str] = field(default_factory=Counter)
    opening_df: Counter[str] = field(default_factory=Counter)
    postings: dict[str, set[int]] = field(default_factory=dict)
    members: dict[int, set[int]] = field(default_factory=dict)  # story -> its articles here

    def add(self, article_id: int, story_id: int, at: datetime, event: EventFingerprint) -> None:
        if article_id in self.docs:
            return
        tf = event.term_frequencies()
        self.docs[article_id] = _Doc(story_id, at, event, tf)
        self.members.setdefault(story_id, set()).add(article_id)
        for term in tf:
            self.df[term] += 1
            self.postings.setdefault(term, set()).add(article_id)
        self.opening_df.update(set(event.opening))

    def forget_before(self, moment: datetime) -> None:
        """Drop documents older than `moment` (they no longer count for IDF either)."""
        for article_id in [a for a, doc in self.docs.items() if doc.at < moment]:
            doc = self.docs.pop(article_id)
            story = self.members.get(doc.story_id)
            if story is not None:
                story.discard(article_id)
                if not story:
                    del self.members[doc.story_id]
            self.opening_df.subtract(set(doc.event.opening))
            for term in set(doc.event.opening):
                if self.opening_df[term] <= 0:
                    del self.opening_df[term]
            for term in doc.tf:
                self.df[term] -= 1
                if self.df[term] <= 0:
                    del self.df[term]
                holders = self.postings.get(term)
                if holders is not None:
                    holders.discard(article_id)
                    if not holders:
                        del self.postings[term]

    def idf(self, term: str) -> float:
        total = len(self.docs) + 1
        return math.log((total + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def opening_idf(self, term: str) -> float:
        """IDF among the texts' openings (a lead word is common there, not in titles)."""
        total = len(self.docs) + 1
        return math.log((total + 1) / (self.opening_df.get(term, 0) + 1)) + 1.0

    def nearest(
        self, event: EventFingerprint, at: datetime, *, exclude: int | None = None
    ) -> list[tuple[float, int]]:
        """(TF-IDF cosine, article id) of the JUDGED closest articles within the window."""
        tf = event.term_frequencies()
        if not tf:
            return []
        total = len(self.docs) + 1
        idf = self.idf
        query = {term: weight * idf(term) for term, weight in tf.items()}
        query_norm = math.sqrt(sum(weight * weight for weight in query.values()))
        common = max(10, int(total * _COMMON_SHARE))
        candidates: set[int] = set()
        for term in query:
            holders = self.postings.get(term)
            if holders and len(holders) <= common:
                candidates |= holders
        if exclude is not None:
            candidates.discard(exclude)
        scored: list[tuple[float, int]] = []
        for article_id in candidates:
            doc = self.docs[article_id]
            if abs(doc.at - at) > self.window:
                continue
            dot = 0.0
            norm = 0.0
            for term, frequency in doc.tf.items():
                weight = frequency * idf(term)
                norm += weight * weight
                if term in query:
                    dot += weight * query[term]
            if norm:
                scored.append((dot / (math.sqrt(norm) * query_norm), article_id))
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        return scored[:JUDGED]

    def matches(
        self, event: EventFingerprint, at: datetime, *, exclude: int | None = None
    ) -> list[Match]:
        """The articles within the window that reach P(same) >= threshold, most probable
        first."""
        found: list[Match] = []
        for cosine, article_id in self.nearest(event, at, exclude=exclude):
            doc = self.docs[article_id]
            features = judge(event, doc.event, self.idf, self.opening_idf, floor=self.threshold)
            if features is not None and (probability := features.probability()) >= self.threshold:
                found.append(Match(doc.story_id, article_id, probability, cosine))
        found.sort(key=lambda match: (-match.probability, match.story_id))
        return found

    def best_match(
        self, event: EventFingerprint, at: datetime, *, exclude: int | None = None
    ) -> Match | None:
        """The most probable same-event article within the window, if one reaches the
        threshold."""
        return next(iter(self.matches(event, at, exclude=exclude)), None)

    def story_for(
        self, event: EventFingerprint, at: datetime, *, exclude: int | None = None
    ) -> int | None:
        """The story an article with this fingerprint belongs to, or None for a new story.

        The story of the best match, unless an article already in it names someone in its
        title that this one never mentions, and the other way round: a story joins
        articles one by one, and "Токаев говорил с Путиным" may match a first report
        whose title names nobody while the story already holds "… с Эрдоганом". Then the
        next best match's story is tried.
        """
        for match in self.matches(event, at, exclude=exclude):
            members = self.members.get(match.story_id, set()) - {exclude}
            if not any(name_conflict(event, self.docs[member].event) for member in members):
                return match.story_id
        return None


class IndexLost(Exception):
    """The worker does not hold the index the caller has fed (a new worker, or another
    caller's index pushed it out): load it again from the start."""


_KEPT_INDEXES = 8  # indexes one worker holds (one per clusterer; tests make many)
_WORKER_INDEXES: OrderedDict[str, tuple[StoryIndex, int]] = OrderedDict()
_Joined = tuple[int, int, datetime, EventFingerprint]  # article, story, time, fingerprint


def story_in_worker(
    key: str,
    threshold: float,
    *,
    after_seq: int,
    joined: Sequence[_Joined],
    loaded: Sequence[Fingerprint],
    horizon: datetime,
    event: EventFingerprint,
    at: datetime,
    exclude: int,
) -> tuple[int | None, int]:
    """In the worker: bring the index `key` up to date, then find the article's story.

    `after_seq` is how far the caller believes the index was fed (0: start afresh);
    `joined` are the articles the caller put into stories since, and `loaded` the
    fingerprints written since. Returns the story (None: a new one) and the index's seq.
    """
    held = _WORKER_INDEXES.get(key)
    if after_seq == 0:
        held = (StoryIndex(threshold=threshold), 0)
    elif held is None or held[1] != after_seq:
        raise IndexLost(key)
    index, seq = held
    for article_id, story_id, joined_at, joined_event in joined:
        index.add(article_id, story_id, joined_at, joined_event)
    for stored in loaded:
        event_of = EventFingerprint.decode(stored.terms)
        index.add(stored.article_id, stored.story_id, stored.at, event_of)
        seq = max(seq, stored.seq)
    index.forget_before(horizon)
    _WORKER_INDEXES[key] = (index, seq)
    _WORKER_INDEXES.move_to_end(key)
    while len(_WORKER_INDEXES) > _KEPT_INDEXES:
        _WORKER_INDEXES.popitem(last=False)
    return index.story_for(event, at, exclude=exclude), seq


STORY_WORKER = ProcessPool(workers=1)
"""The one process the story indexes of this process live in; it starts on first use."""
_KEYS = itertools.count(1)


class StoryClusterer:
    """Assigns stored articles to stories, persistently (stories table, articles.story_id)."""

    def __init__(
        self,
        *,
        clock: Clock,
        articles: ArticleRepository,
        stories: StoryRepository,
        lemmatizer: Lemmatizer | None = None,
        threshold: float = THRESHOLD,
        pool: CpuPool | None = None,
    ) -> None:
        """`pool` holds the index (None: `STORY_WORKER`); it must run every call in one
        worker, so that the index stays where it was fed."""
        self._clock = clock
        self._articles = articles
        self._stories = stories
        self._lemmatizer = lemmatizer
        self._threshold = threshold
        self._pool = pool or STORY_WORKER
        self._key = f"{os.getpid()}-{next(_KEYS)}"
        self._loaded_up_to = 0  # the seq of the last fingerprint the worker's index was fed
        self._joined: list[_Joined] = []  # stories chosen here since the worker was last fed
        self._lock = asyncio.Lock()
        self._events: dict[int, asyncio.Future[EventFingerprint]] = {}  # being fingerprinted

    async def assign(self, article_id: int) -> int | None:
        """Put one stored article into its story (new or existing); returns the story id.

        Idempotent: an article already in a story keeps it. None if no such article.
        """
        article = await self._articles.get(article_id)
        if article is None:
            return None
        return await self.assign_article(article)

    async def assign_article(self, article: Article) -> int:
        """`assign` for an article already at hand (ingestion's hook after storing)."""
        event = await self._event_of(article)
        async with self._lock:
            return await self._assign(article, event)

    async def assign_many(self, article_ids: Sequence[int]) -> None:
        """Assign several stored articles, oldest first (so earlier reports found stories).

        Articles another caller assigned while this one waited for the lock are skipped:
        during an ingest pass many searches find the same new articles unassigned.
        """
        pending = await self._stories.unclustered(list(article_ids))
        articles = sorted(await self._articles.get_many(pending), key=lambda a: (a.time, a.id))
        events = [await self._event_of(article) for article in articles]  # one thread at a time
        async with self._lock:
            still = set(await self._stories.unclustered([article.id for article in articles]))
            for article, event in zip(articles, events, strict=True):
                if article.id in still:
                    await self._assign(article, event)

    async def assign_pending(self, batch: int = 200) -> int:
        """Put every stored article still without a story into one; returns how many.

        Run at start: an article stored just before a crash is clustered after the restart.
        """
        pending = await self._stories.all_unclustered()
        for start in range(0, len(pending), batch):
            await self.assign_many(pending[start : start + batch])
        if pending:
            log.info("story clusters caught up articles=%d", len(pending))
        return len(pending)

    async def _event_of(self, article: Article) -> EventFingerprint:
        """The article's fingerprint, computed off the loop; callers asking for an article
        already being fingerprinted share that computation."""
        pending = self._events.get(article.id)
        if pending is None:
            pending = asyncio.ensure_future(asyncio.to_thread(self._fingerprint, article))
            self._events[article.id] = pending  # kept until the article has its story
            pending.add_done_callback(lambda done: self._forget_failed(article.id, done))
        return await asyncio.shield(pending)  # a caller given up on leaves it to the others

    def _forget_failed(self, article_id: int, done: asyncio.Future[EventFingerprint]) -> None:
        if done.cancelled() or done.exception() is not None:
            self._events.pop(article_id, None)

    async def _assign(self, article: Article, event: EventFingerprint) -> int:
        """Under the lock: the index caught up, the story chosen and written."""
        at = article.time
        story_id = await self._story_for(event, at, exclude=article.id)
        joined = await self._stories.join(article.id, story_id, at=at, terms=event.encode())
        self._joined.append((article.id, joined, at, event))
        self._events.pop(article.id, None)
        return joined

    def _fingerprint(self, article: Article) -> EventFingerprint:
        """CPU work (lemmas, the Russian NER): runs in a worker thread."""
        lemmatizer = self._lemmatizer or default_lemmatizer()
        return fingerprint(article.title, article.text, article.language, lemmatizer)

    async def _story_for(
        self, event: EventFingerprint, at: datetime, *, exclude: int
    ) -> int | None:
        """The story from the worker's index, fed first with what was written since (by
        this or another process); loaded again from the start when the worker lost it."""
        horizon = self._clock.now() - IDF_HORIZON
        for attempt in range(2):
            loaded = await self._stories.fingerprints(since=horizon, after_seq=self._loaded_up_to)
            try:
                story_id, self._loaded_up_to = await self._pool.run(
                    story_in_worker,
                    self._key,
                    self._threshold,
                    after_seq=self._loaded_up_to,
                    joined=self._joined,
                    loaded=loaded,
                    horizon=horizon,
                    event=event,
                    at=at,
                    exclude=exclude,
                )
            except IndexLost:
                if attempt:
                    raise
                log.info("story index lost by its worker; loading it again")
                self._loaded_up_to = 0
                self._joined = []
                continue
            self._joined = []
            return story_id
        raise AssertionError("unreachable")
