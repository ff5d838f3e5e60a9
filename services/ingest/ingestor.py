"""One ingestion pass: every due source's feed read, every new entry turned into a stored article.

The pipeline of one article, each step a function of its own:

    fetch (services/ingest/fetch.py) → extract + clean + detect language + hash (services/ingest/extract.py,
    in a worker pool) → summarise (an `ArticleHook`) → store (ArticleRepository.add) →
    index (`StoredArticleHook`s: topic index, story clustering)

Indexing comes after storing because the topic index and the story clusters are keyed
by the article's id. The hooks are injected (bot/app.py wires services/summary/summarizer.py,
services/topics/index.py and services/stories/clustering.py); the defaults do nothing, so ingestion
stands on its own in tests and tools. A failing hook is logged and the article is kept:
a summary or an index entry can be made later, a lost article cannot.

Sources are independent: each runs in its own task with its own deadline, a failure is
recorded on the source (last error, consecutive failures) and pushes its next fetch back
exponentially, capped at a day, and never touches the others. A scheduled pass spreads
the sources' starts across part of the interval instead of hitting every site at once.
CPU work (feed parsing, extraction, cleaning) runs in a `CpuPool` (services/workers/cpu_pool.py),
never on the loop.

Entries are fetched, extracted and summarised many at a time, but a pass writes one
article at a time (store, then index and cluster it): on SQLite every write waits for the
one writer, first come first served, so a pass with sixteen articles' writes queued
would put a person's /subscribe behind all of them; one at a time, it waits for at most
one article's short transactions. Summarising, the slow part, stays outside. After a pass
that stored anything, the store settles its writes (`ArticleRepository.checkpoint`: on
SQLite the write-ahead log is copied into the database file off the writers' path, rather
than inside some later writer's COMMIT).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from services.clock.clocks import Clock
from services.ingest.extract import ExtractedArticle, FeedText, canonical_url, extract_article
from services.ingest.feeds import FeedEntry, FeedError, NotAFeed, ParsedFeed, parse_feed
from services.ingest.fetch import Fetcher, FetchError, FetchResult, RateLimited
from services.storage import ArticleRepository, SourceRepository
from services.storage.models import Article, NewArticle, Source
from services.text.language import Language
from services.workers.cpu_pool import CpuPool, ThreadPool

log = logging.getLogger(__name__)


class ArticleHook(Protocol):
    """A step between extraction and storage: gets the article, returns it completed
    (the summariser fills `summary`)."""

    async def __call__(self, article: NewArticle) -> NewArticle: ...


class StoredArticleHook(Protocol):
    """A step after storage, for work keyed by the article's id (topic index, clusters)."""

    async def __call__(self, article: Article) -> object: ...


def warm_up_worker() -> None:
    """A worker process's warm-up (`ProcessPool(warm_up=...)`): nothing left to do.

    Unpickling this function in the worker imports this module, and with it the extraction
    stack (lxml, trafilatura, feedparser), before the first article arrives.
    """


async def keep_article(article: NewArticle) -> NewArticle:
    """The default `ArticleHook`: the article as it is."""
    return article


@dataclass(frozen=True, slots=True)
class IngestPolicy:
    """How hard ingestion tries, and how it backs off."""

    backoff_cap: timedelta = timedelta(days=1)
    max_entries: int = 100  # per source and pass, from the top (newest) of the feed
    entry_concurrency: int = 4  # entries of one source in flight at once
    entries_in_flight: int = 16  # all sources together: bounds the page bytes held in memory
    source_deadline: float = 600.0  # seconds for one source's whole pass
    spread_share: float = 0.5  # scheduled passes start sources over this share of the interval


@dataclass(slots=True)
class SourceReport:
    """What one pass did with one source."""

    source_id: int
    url: str
    name: str
    new: int = 0
    duplicate: int = 0  # already stored: the same link, canonical URL or text
    failed: int = 0  # entries that yielded no article
    not_modified: bool = False  # the feed answered 304: nothing new, nothing spent
    error: str | None = None  # the source itself failed (fetch or feed); recorded on it
    retry_at: datetime | None = None  # when a failed source is tried again
    notes: list[str] = field(default_factory=list)  # readable per-entry problems

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(slots=True)
class IngestReport:
    started_at: datetime
    sources: list[SourceReport] = field(default_factory=list)
    skipped: int = 0  # enabled sources not due yet (backing off)
    seconds: float = 0.0

    @property
    def new(self) -> int:
        return sum(report.new for report in self.sources)

    @property
    def duplicate(self) -> int:
        return sum(report.duplicate for report in self.sources)

    @property
    def failed(self) -> int:
        return sum(report.failed for report in self.sources)

    @property
    def failed_sources(self) -> int:
        return sum(not report.ok for report in self.sources)

    @property
    def all_failed(self) -> bool:
        """Every source tried in this pass failed (and at least one was tried)."""
        return bool(self.sources) and all(not report.ok for report in self.sources)


@dataclass(frozen=True, slots=True)
class ResolvedFeed:
    """A URL confirmed to be a feed (for add-source): the feed's own URL and what it says."""

    url: str  # the feed's URL: the given one, or the feed a web page announced
    title: str
    language: Language | None
    entries: int
    kind: str  # "feed" when the given URL is the feed, "page" when it was resolved from a page


class _SourceFailure(Exception):
    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Ingestor:
    """Runs ingestion passes over the enabled sources."""

    def __init__(
        self,
        *,
        sources: SourceRepository,
        articles: ArticleRepository,
        fetcher: Fetcher,
        clock: Clock,
        interval: timedelta = timedelta(minutes=30),
        cpu: CpuPool | None = None,
        summarise: ArticleHook = keep_article,
        index: Sequence[StoredArticleHook] = (),
        policy: IngestPolicy | None = None,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        """`cpu` runs the CPU work (None: asyncio's default thread pool); `sleep` is
        how the spread of a scheduled pass waits (tests pass one that records)."""
        self._sources = sources
        self._articles = articles
        self._fetcher = fetcher
        self._clock = clock
        self.interval = interval
        self._cpu_pool = cpu or ThreadPool()
        self._summarise = summarise
        self._index = tuple(index)
        self.policy = policy or IngestPolicy()
        self._sleep = sleep
        self._claimed: set[str] = set()  # canonical URLs and hashes being stored right now
        self._in_flight = asyncio.Semaphore(self.policy.entries_in_flight)
        self._writing = asyncio.Lock()  # one article's writes at a time (module docstring)

    # --- passes ------------------------------------------------------------------------

    async def scheduled_pass(self) -> IngestReport:
        """The scheduler's job: due sources, their starts spread over part of the interval."""
        return await self.run_pass(spread=self.interval * self.policy.spread_share)

    async def run_pass(
        self, *, spread: timedelta = timedelta(0), force: bool = False
    ) -> IngestReport:
        """One pass over the enabled sources that are due (all of them with `force`).
        Never raises for a source's failure: each is in the report and on the source."""
        began = time.perf_counter()
        now = self._clock.now()
        report = IngestReport(started_at=now)
        enabled = await self._sources.list_enabled()
        due = [source for source in enabled if force or self._is_due(source, now)]
        report.skipped = len(enabled) - len(due)
        step = spread.total_seconds() / len(due) if due else 0.0
        tasks = [
            asyncio.create_task(self._source_task(source, delay=step * position, started=now))
            for position, source in enumerate(due)
        ]
        report.sources = list(await asyncio.gather(*tasks))
        if report.new:  # the pass's writes into the database file, while nobody waits on it
            await self._articles.checkpoint()
        report.seconds = time.perf_counter() - began
        log.info(
            "ingest pass done sources=%d skipped=%d new=%d duplicate=%d failed=%d "
            "failed_sources=%d seconds=%.1f",
            len(report.sources),
            report.skipped,
            report.new,
            report.duplicate,
            report.failed,
            report.failed_sources,
            report.seconds,
        )
        return report

    def _is_due(self, source: Source, now: datetime) -> bool:
        return source.next_fetch_at is None or source.next_fetch_at <= now

    async def _source_task(
        self, source: Source, *, delay: float, started: datetime
    ) -> SourceReport:
        if delay > 0:
            await self._sleep(delay)
        report = SourceReport(source.id, source.url, source.name)
        try:
            async with asyncio.timeout(self.policy.source_deadline):
                await self.ingest_source(source, report)
        except _SourceFailure as exc:
            await self._record_failure(source, report, str(exc), exc.retry_after, started)
        except TimeoutError:
            message = (
                f"the source took longer than {self.policy.source_deadline:g} s; "
                "what was not done is left for the next pass"
            )
            await self._record_failure(source, report, message, None, started)
        except Exception as exc:  # one source's bug must not end the pass for the others
            log.exception("ingest source crashed source=%s", source.url)
            await self._record_failure(source, report, f"internal error: {exc}", None, started)
        return report

    async def _record_failure(
        self,
        source: Source,
        report: SourceReport,
        message: str,
        retry_after: float | None,
        started: datetime,
    ) -> None:
        failures = source.consecutive_failures + 1
        delay = backoff(failures, base=self.interval, cap=self.policy.backoff_cap)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        report.error = message
        report.retry_at = started + delay
        log.warning(
            "source failed source=%s failures=%d retry_at=%s error=%s",
            source.url,
            failures,
            report.retry_at.isoformat(timespec="minutes"),
            message,
        )
        await self._sources.record_failure(source.id, message, retry_at=report.retry_at)

    # --- one source --------------------------------------------------------------------

    async def ingest_source(self, source: Source, report: SourceReport) -> None:
        """Read the source's feed and store its new entries; raise _SourceFailure when the
        feed itself cannot be had."""
        try:
            result = await self._fetcher.fetch(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
        except RateLimited as exc:
            raise _SourceFailure(str(exc), exc.retry_after) from exc
        except FetchError as exc:
            raise _SourceFailure(str(exc)) from exc
        if result.not_modified:
            report.not_modified = True
            await self._sources.record_success(source.id, etag=None, last_modified=None)
            return
        feed, via_page = await self._feed_of(result, source.kind)
        # Fewer than `max_entries` per pass: a feed of thousands is read over several passes.
        entries = feed.entries[: self.policy.max_entries]
        if feed.skipped:
            report.notes.append(f"{feed.skipped} entries had no link and were skipped")
        language = _language(source.language) or feed.language or "ru"
        gate = asyncio.Semaphore(self.policy.entry_concurrency)

        async def one(entry: FeedEntry) -> None:
            async with gate, self._in_flight:
                await self._ingest_entry(source, entry, language, report)

        await asyncio.gather(*(one(entry) for entry in entries))
        # A page's validators say nothing about the feed it points to: keep none for it.
        await self._sources.record_success(
            source.id,
            etag=None if via_page else result.etag,
            last_modified=None if via_page else result.last_modified,
        )

    async def _feed_of(self, result: FetchResult, kind: str) -> tuple[ParsedFeed, bool]:
        """The feed in `result`, or, for a source of kind "page", the feed the page
        announces (then True). A feed URL that serves a page is an error, named as such."""
        try:
            feed = await self._cpu_pool.run(
                parse_feed, result.content, url=result.final_url, content_type=result.content_type
            )
        except NotAFeed as exc:
            if kind != "page" or not exc.feed_links:
                raise _SourceFailure(str(exc)) from exc
            announced = exc.feed_links[0]
        except FeedError as exc:
            raise _SourceFailure(str(exc)) from exc
        else:
            return feed, False
        try:
            linked = await self._fetcher.fetch(announced)
            feed = await self._cpu_pool.run(
                parse_feed, linked.content, url=linked.final_url, content_type=linked.content_type
            )
        except (FetchError, FeedError) as exc:
            raise _SourceFailure(f"the page's feed {announced}: {exc}") from exc
        return feed, True

    async def _ingest_entry(
        self, source: Source, entry: FeedEntry, language: Language, report: SourceReport
    ) -> None:
        link = entry.link
        if await self._articles.exists(url=link, canonical_url=canonical_url(link)):
            report.duplicate += 1
            return
        content: bytes | None = None
        content_type: str | None = None
        page_url = link
        try:
            page = await self._fetcher.fetch(link)
            content, content_type, page_url = page.content, page.content_type, page.final_url
        except FetchError as exc:
            report.notes.append(f"{link}: {exc}; used the feed's own text")
        feed_text = FeedText(
            title=entry.title, text=entry.text, author=entry.author, published_at=entry.published_at
        )
        try:
            extracted = await self._cpu_pool.run(
                extract_article,
                content,
                url=page_url,
                content_type=content_type,
                feed=feed_text,
                language_hint=language,
            )
        except Exception as exc:  # a page that breaks the extractor is one failed entry
            log.warning("extraction failed url=%s error=%r", link, exc)
            extracted = None
        if extracted is None:
            report.failed += 1
            report.notes.append(f"{link}: no article text on the page or in the feed")
            return
        stored = await self._store(source, link, extracted)
        if stored is None:
            report.duplicate += 1
        else:
            report.new += 1

    async def _store(self, source: Source, link: str, extracted: ExtractedArticle) -> int | None:
        """Summarise, store and index one article; None when it turns out to be a duplicate."""
        keys = {extracted.canonical_url, extracted.content_hash}
        if keys & self._claimed or await self._articles.exists(
            canonical_url=extracted.canonical_url, content_hash=extracted.content_hash
        ):
            return None
        self._claimed |= keys
        try:
            now = self._clock.now()
            published = extracted.published_at
            article = NewArticle(
                url=link,
                canonical_url=extracted.canonical_url,
                content_hash=extracted.content_hash,
                language=extracted.language,
                title=extracted.title,
                text=extracted.text,
                source_id=source.id,
                author=extracted.author,
                published_at=min(published, now) if published else None,
            )
            summarised = await self._summarised(article)
            async with self._writing:
                article_id = await self._articles.add(summarised)
                stored = await self._articles.get(article_id) if article_id is not None else None
                if stored is not None:
                    await self._indexed(stored)
        finally:
            self._claimed -= keys
        return article_id

    async def _summarised(self, article: NewArticle) -> NewArticle:
        try:
            return await self._summarise(article)
        except Exception:
            log.exception("summarising failed url=%s; stored without a summary", article.url)
            return article

    async def _indexed(self, article: Article) -> None:
        for hook in self._index:
            try:
                await hook(article)
            except Exception:
                log.exception("indexing step failed article=%d; left for a later run", article.id)

    # --- add-source --------------------------------------------------------------------

    async def resolve_feed(self, url: str) -> ResolvedFeed:
        """Check that `url` is a feed, or a web page announcing one, by fetching it.
        Raises FetchError or FeedError with a readable message otherwise."""
        result = await self._fetcher.fetch(url)
        kind = "feed"
        try:
            feed = await self._cpu_pool.run(
                parse_feed, result.content, url=result.final_url, content_type=result.content_type
            )
        except NotAFeed as exc:
            if not exc.feed_links:
                raise NotAFeed(
                    "the address is a web page that announces no RSS or Atom feed"
                ) from exc
            linked = await self._fetcher.fetch(exc.feed_links[0])
            feed = await self._cpu_pool.run(
                parse_feed, linked.content, url=linked.final_url, content_type=linked.content_type
            )
            kind = "page"
        feed_url = feed.url if kind == "page" else url
        return ResolvedFeed(feed_url, feed.title, feed.language, len(feed.entries), kind)


def backoff(failures: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """How long a source that failed `failures` times in a row waits: base, 2×, 4× … ≤ cap."""
    if failures <= 0:
        return timedelta(0)
    factor: int = 2 ** min(failures - 1, 32)
    return min(base * factor, cap)


def _language(value: str | None) -> Language | None:
    return {"ru": "ru", "kk": "kk", "en": "en"}.get(value or "")  # type: ignore[return-value]
