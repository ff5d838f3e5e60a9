"""Same story, several outlets → one story: articles within 48 hours that report the same event.

Method (chosen by measurement, see benchmarks/clustering.py): TF-IDF cosine over
the lemmas of each article's title and lead. Outlets retell an event in their
own words, so shingles of consecutive words (what MinHash/LSH estimates) rarely
survive a rewrite, while the event's rare words — names, places, figures — do;
IDF is what makes those count and the common news vocabulary ("провел",
"сообщили", "встреча") not. Title words count twice: a headline is the densest
statement of the event. Names, abbreviations and figures (a capitalised word
inside a sentence, an all-caps word, a number) count three times: an event is
who, where and how much, and that is what tells two look-alike stories apart
("Лавров met Nurtleu" and "Лавров met Saidov" share the template, not the names).

A new article joins the story of its most similar article from the 48 hours
around it when the cosine reaches `threshold`; otherwise it starts a story. IDF
is taken over a longer horizon (7 days of fingerprints) so that it is stable
even when the window is quiet. The index lives in memory and catches up with
the database before every assignment, so several processes (the bot, a CLI
ingest) keep agreeing on the stories.

Ingestion calls `StoryClusterer.assign_article(article)` for every article it has
just stored (or `assign(article_id)`); digests call `assign_many` for stored
articles that have no story yet.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import razdel

from services.clock.clocks import Clock
from services.storage.articles import ArticleRepository
from services.storage.models import Article
from services.storage.stories import StoryRepository
from services.text.lemmas import Lemmatizer, default_lemmatizer, split_lead, words
from services.text.stopwords import stop_words

log = logging.getLogger(__name__)

WINDOW = timedelta(hours=48)
IDF_HORIZON = timedelta(days=7)
THRESHOLD = 0.45
TITLE_WEIGHT = 2
ENTITY_WEIGHT = 3
_COMMON_SHARE = 0.2  # a term in more than this share of documents does not nominate candidates


def _entity_lemmas(text: str, language: str, lemmatizer: Lemmatizer) -> set[str]:
    """Lemmas of names, abbreviations and figures: capitalised words inside a sentence,
    all-caps words and numbers (a sentence's first word is capitalised anyway)."""
    found: set[str] = set()
    for sentence in razdel.sentenize(text):
        for position, word in enumerate(words(sentence.text)):
            if (
                word.isdigit()
                or (position > 0 and word[:1].isupper())
                or (len(word) > 1 and word.isupper())
            ):
                found.update(lemmatizer.lemmas(word, language))
    return found


def fingerprint_terms(title: str, text: str, language: str, lemmatizer: Lemmatizer) -> list[str]:
    """The weighted terms an article is compared by, from its title and lead.

    Title lemmas count TITLE_WEIGHT times, names and figures ENTITY_WEIGHT times
    (the two multiply), stop words not at all.
    """
    lead, _ = split_lead(text)
    stop = stop_words(language) | stop_words("ru") | stop_words("en")
    entities = _entity_lemmas(title, language, lemmatizer) | _entity_lemmas(
        lead, language, lemmatizer
    )
    terms: list[str] = []
    for source, weight in ((title, TITLE_WEIGHT), (lead, 1)):
        for lemma in lemmatizer.lemmas(source, language):
            if (len(lemma) > 1 or lemma.isdigit()) and lemma not in stop:
                terms.extend([lemma] * weight * (ENTITY_WEIGHT if lemma in entities else 1))
    return terms


@dataclass(slots=True)
class _Doc:
    story_id: int
    at: datetime
    tf: dict[str, float]


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
    postings: dict[str, set[int]] = field(default_factory=dict)

    def add(self, article_id: int, story_id: int, at: datetime, terms: Iterable[str]) -> None:
        if article_id in self.docs:
            return
        counts = Counter(terms)
        tf = {term: 1.0 + math.log(count) for term, count in counts.items()}
        self.docs[article_id] = _Doc(story_id, at, tf)
        for term in tf:
            self.df[term] += 1
            self.postings.setdefault(term, set()).add(article_id)

    def forget_before(self, moment: datetime) -> None:
        """Drop documents older than `moment` (they no longer count for IDF either)."""
        for article_id in [a for a, doc in self.docs.items() if doc.at < moment]:
            doc = self.docs.pop(article_id)
            for term in doc.tf:
                self.df[term] -= 1
                if self.df[term] <= 0:
                    del self.df[term]
                holders = self.postings.get(term)
                if holders is not None:
                    holders.discard(article_id)
                    if not holders:
                        del self.postings[term]

    def _idf(self, term: str, total: int) -> float:
        return math.log((total + 1) / (self.df.get(term, 0) + 1)) + 1.0

    def best_match(
        self, terms: Sequence[str], at: datetime, *, exclude: int | None = None
    ) -> tuple[int, float] | None:
        """(story id, cosine) of the most similar article within the window, if any."""
        if not terms:
            return None
        total = len(self.docs) + 1
        counts = Counter(terms)
        query = {t: (1.0 + math.log(c)) * self._idf(t, total) for t, c in counts.items()}
        query_norm = math.sqrt(sum(weight * weight for weight in query.values()))
        common = max(10, int(total * _COMMON_SHARE))
        candidates: set[int] = set()
        for term in query:
            holders = self.postings.get(term)
            if holders and len(holders) <= common:
                candidates |= holders
        if exclude is not None:
            candidates.discard(exclude)
        best: tuple[int, float] | None = None
        for article_id in candidates:
            doc = self.docs[article_id]
            if abs(doc.at - at) > self.window:
                continue
            dot = 0.0
            norm = 0.0
            for term, tf in doc.tf.items():
                weight = tf * self._idf(term, total)
                norm += weight * weight
                if term in query:
                    dot += weight * query[term]
            if not norm:
                continue
            cosine = dot / (math.sqrt(norm) * query_norm)
            if best is None or cosine > best[1] or (cosine == best[1] and doc.story_id < best[0]):
                best = (doc.story_id, cosine)
        return best

    def story_for(
        self, terms: Sequence[str], at: datetime, *, exclude: int | None = None
    ) -> int | None:
        """The story an article with these terms belongs to, or None for a new story."""
        match = self.best_match(terms, at, exclude=exclude)
        if match is not None and match[1] >= self.threshold:
            return match[0]
        return None


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
    ) -> None:
        self._clock = clock
        self._articles = articles
        self._stories = stories
        self._lemmatizer = lemmatizer
        self._index = StoryIndex(threshold=threshold)
        self._loaded_up_to = 0
        self._lock = asyncio.Lock()

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
        async with self._lock:
            return await self._assign(article)

    async def assign_many(self, article_ids: Sequence[int]) -> None:
        """Assign several stored articles, oldest first (so earlier reports found stories).

        Articles another caller assigned while this one waited for the lock are skipped:
        during an ingest pass many searches find the same new articles unassigned.
        """
        async with self._lock:
            pending = await self._stories.unclustered(list(article_ids))
            articles = await self._articles.get_many(pending)
            for article in sorted(articles, key=lambda a: (a.time, a.id)):
                await self._assign(article)

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

    async def _assign(self, article: Article) -> int:
        await self._catch_up()
        terms = await asyncio.to_thread(self._terms, article)
        at = article.time
        story_id = await asyncio.to_thread(self._index.story_for, terms, at, exclude=article.id)
        joined = await self._stories.join(article.id, story_id, at=at, terms=terms)
        self._index.add(article.id, joined, at, terms)
        return joined

    def _terms(self, article: Article) -> list[str]:
        lemmatizer = self._lemmatizer or default_lemmatizer()
        return fingerprint_terms(article.title, article.text, article.language, lemmatizer)

    async def _catch_up(self) -> None:
        """Load fingerprints written since the last look (by this or another process)."""
        horizon = self._clock.now() - self._index.idf_horizon
        for fingerprint in await self._stories.fingerprints(
            since=horizon, after_seq=self._loaded_up_to
        ):
            self._index.add(
                fingerprint.article_id, fingerprint.story_id, fingerprint.at, fingerprint.terms
            )
            self._loaded_up_to = max(self._loaded_up_to, fingerprint.seq)
        self._index.forget_before(horizon)
