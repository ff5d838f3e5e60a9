"""Ingestion passes against the local news site and a real SQLite file.

Every fault of a real site is a source of its own here; the healthy sources next to
it are still ingested in the same pass, and every failure is recorded on its source.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from bot.demo.news_site import NewsSite
from services.clock.clocks import ManualClock
from services.ingest.feeds import NotAFeed
from services.ingest.fetch import Fetcher, FetchLimits, HTTPStatusError
from services.ingest.ingestor import Ingestor, IngestPolicy, backoff
from services.storage import ArticleRepository, Database, SourceRepository
from services.storage.models import Article, NewArticle
from services.workers.cpu_pool import ProcessPool
from tests.conftest import START

INTERVAL = timedelta(minutes=30)
MakeIngestor = Callable[..., Ingestor]


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    limits = FetchLimits(deadline=1.0, max_bytes=1024 * 1024)
    async with Fetcher(allow_private_networks=True, limits=limits) as client:
        yield client


@pytest.fixture
def sources(db: Database, clock: ManualClock) -> SourceRepository:
    return SourceRepository(db, clock)


@pytest.fixture
def articles(db: Database, clock: ManualClock) -> ArticleRepository:
    return ArticleRepository(db, clock)


@pytest.fixture
def make_ingestor(
    sources: SourceRepository, articles: ArticleRepository, fetcher: Fetcher, clock: ManualClock
) -> MakeIngestor:
    def make(**options: Any) -> Ingestor:
        defaults: dict[str, Any] = {"fetcher": fetcher, "interval": INTERVAL}
        return Ingestor(sources=sources, articles=articles, clock=clock, **(defaults | options))

    return make


async def add(sources: SourceRepository, site: NewsSite, path: str, kind: str = "feed") -> int:
    source = await sources.upsert(site.url(path), name=path, kind=kind)
    return source.id


async def stored(articles: ArticleRepository) -> list[Article]:
    return await articles.fetched_since(START - timedelta(days=365))


# --- the happy path --------------------------------------------------------------------


async def test_a_pass_stores_every_article_clean_dated_and_in_its_language(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    source_id = await add(sources, news_site, NewsSite.FEED_ALL)

    report = await make_ingestor().run_pass()

    assert (report.new, report.duplicate, report.failed) == (len(news_site.articles), 0, 0)
    by_url = {article.canonical_url: article for article in await stored(articles)}
    for expected in news_site.articles:
        article = by_url[news_site.url(expected.path)]
        assert article.text.splitlines() == list(expected.paragraphs)
        assert article.title == expected.title
        assert article.language == expected.language
        assert article.published_at == expected.published
        assert article.source_id == source_id
    source = await sources.get(source_id)
    assert source is not None and source.healthy and source.last_success_at == START


async def test_a_second_pass_stores_nothing_twice_and_fetches_no_page_again(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    await add(sources, news_site, NewsSite.FEED_ALL)
    ingestor = make_ingestor()
    await ingestor.run_pass()

    second = await ingestor.run_pass()

    assert (second.new, second.duplicate) == (0, len(news_site.articles))
    assert all(news_site.hits[article.path] == 1 for article in news_site.articles)


async def test_a_feed_that_answers_304_costs_nothing_on_the_second_pass(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    source_id = await add(sources, news_site, NewsSite.FEED_CONDITIONAL)
    ingestor = make_ingestor()
    first = await ingestor.run_pass()

    second = await ingestor.run_pass()

    assert first.new == 3
    assert second.sources[0].not_modified
    assert news_site.not_modified_answers == 1
    source = await sources.get(source_id)
    assert source is not None and source.etag and source.healthy


@pytest.mark.parametrize(
    "path",
    [NewsSite.FEED_RELATIVE, NewsSite.FEED_NO_DATES, NewsSite.FEED_LYING_TYPE, "/atom/kk.xml"],
)
async def test_odd_but_valid_feeds_are_ingested(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
    path: str,
) -> None:
    await add(sources, news_site, path)

    report = await make_ingestor().run_pass()

    assert report.new > 0 and report.failed == 0 and report.sources[0].ok
    assert all(article.text and article.published_at for article in await stored(articles))


async def test_the_same_story_under_three_urls_is_stored_once(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    # One link with tracking parameters, one on a partner site without a canonical link.
    await add(sources, news_site, NewsSite.FEED_SYNDICATED)

    report = await make_ingestor().run_pass()

    assert (report.new, report.duplicate) == (1, 2)
    (article,) = await stored(articles)
    assert article.text.splitlines() == list(news_site.articles[0].paragraphs)


async def test_a_windows_1251_page_with_its_charset_only_in_meta_is_stored_as_cyrillic(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    await add(sources, news_site, NewsSite.FEED_CP1251_PAGE)

    await make_ingestor().run_pass()

    (article,) = await stored(articles)
    assert article.text.splitlines() == list(news_site.articles[0].paragraphs)


async def test_an_entry_whose_page_is_gone_is_kept_from_the_feed_and_an_empty_one_fails(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    source_id = await add(sources, news_site, NewsSite.FEED_GONE)

    report = await make_ingestor().run_pass()

    assert (report.new, report.failed) == (2, 1)
    gone = next(a for a in await stored(articles) if a.url == news_site.url(NewsSite.GONE_PAGE))
    assert gone.text.startswith("В Павлодарской области завершили ремонт трассы")
    notes = " | ".join(report.sources[0].notes)
    assert "HTTP 404" in notes and "used the feed's own text" in notes
    assert "no article text on the page or in the feed" in notes
    source = await sources.get(source_id)
    assert source is not None and source.healthy


async def test_a_site_page_source_is_read_through_the_feed_it_announces(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    source_id = await add(sources, news_site, NewsSite.HOME, kind="page")

    report = await make_ingestor().run_pass()

    assert report.new == len(news_site.articles)
    source = await sources.get(source_id)
    assert source is not None and source.healthy and source.etag is None


async def test_no_more_than_max_entries_per_source_and_pass(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    await add(sources, news_site, NewsSite.FEED_ALL)

    report = await make_ingestor(policy=IngestPolicy(max_entries=3)).run_pass()

    assert report.new == 3


async def test_a_publication_time_in_the_future_is_clamped_to_now(
    sources: SourceRepository, articles: ArticleRepository, make_ingestor: MakeIngestor
) -> None:
    async with NewsSite(articles=2, newest=START + timedelta(days=1)) as site:
        await add(sources, site, NewsSite.FEED_ALL)
        await make_ingestor().run_pass()

    assert all(article.published_at == START for article in await stored(articles))


# --- faults --------------------------------------------------------------------------

FAULTS = {
    NewsSite.FAULT_SLOW: "no complete answer within 1 s",
    NewsSite.FAULT_500: "HTTP 500",
    NewsSite.FAULT_404: "HTTP 404",
    NewsSite.FAULT_MALFORMED: "not valid XML",
    NewsSite.FAULT_HTML_AS_FEED: "web page, not an RSS or Atom feed",
    NewsSite.FAULT_HUGE: "larger than 1024 KiB",
    NewsSite.FAULT_GZIP_BOMB: "larger than 1024 KiB",
    NewsSite.FAULT_REDIRECT_LOOP: "redirects in a loop",
    NewsSite.FAULT_RETRY_AFTER: "come back in 2 min",
}


async def test_every_fault_is_recorded_on_its_source_while_healthy_ones_are_ingested(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    healthy = [
        await add(sources, news_site, f"/rss/{section}.xml") for section in ("politics", "economy")
    ]
    empty = await add(sources, news_site, NewsSite.FEED_EMPTY)
    broken = {path: await add(sources, news_site, path) for path in FAULTS}

    report = await make_ingestor().run_pass()

    by_id = {item.source_id: item for item in report.sources}
    assert all(by_id[source_id].ok and by_id[source_id].new > 0 for source_id in healthy)
    assert by_id[empty].ok and by_id[empty].new == 0
    for path, message in FAULTS.items():
        source = await sources.get(broken[path])
        assert source is not None
        assert message in (source.last_error or ""), path
        assert source.consecutive_failures == 1
        assert source.next_fetch_at is not None and source.next_fetch_at > START
        assert by_id[broken[path]].error == source.last_error
    assert not report.all_failed


async def test_a_slow_source_does_not_hold_up_the_others(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    news_site.slow_seconds = 30
    await add(sources, news_site, NewsSite.FAULT_SLOW)
    await add(sources, news_site, "/rss/politics.xml")
    healthy_done = asyncio.Event()

    async def index(article: Article) -> None:
        healthy_done.set()

    async with Fetcher(allow_private_networks=True, limits=FetchLimits(deadline=30)) as patient:
        ingestor = make_ingestor(index=[index], fetcher=patient)
        running = asyncio.create_task(ingestor.run_pass())
        await asyncio.wait_for(healthy_done.wait(), timeout=10)
        assert not running.done()
        news_site.release_slow()
        report = await running

    assert all(item.ok for item in report.sources)


async def test_a_failing_source_backs_off_exponentially_and_recovers(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor, clock: ManualClock
) -> None:
    news_site.slow_seconds = 30
    source_id = await add(sources, news_site, NewsSite.FAULT_SLOW)
    impatient = Fetcher(allow_private_networks=True, limits=FetchLimits(deadline=0.2))
    ingestor = make_ingestor(fetcher=impatient)

    await ingestor.run_pass()
    skipped = await ingestor.run_pass()  # same moment: not due yet
    clock.advance(INTERVAL)
    await ingestor.run_pass()
    after_two = await sources.get(source_id)
    clock.advance(INTERVAL)
    early = await ingestor.run_pass()  # only one interval of the two it must wait
    clock.advance(INTERVAL)
    news_site.slow_seconds = 0
    recovered = await ingestor.run_pass()
    await impatient.aclose()

    assert skipped.skipped == 1 and skipped.sources == []
    assert after_two is not None and after_two.consecutive_failures == 2
    assert after_two.next_fetch_at == START + INTERVAL + 2 * INTERVAL
    assert early.skipped == 1
    assert recovered.sources[0].ok and recovered.new == 1
    source = await sources.get(source_id)
    assert source is not None and source.healthy and source.last_error is None
    assert news_site.hits[NewsSite.FAULT_SLOW] == 3


async def test_retry_after_pushes_the_next_fetch_past_the_backoff(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    source_id = await add(sources, news_site, NewsSite.FAULT_RETRY_AFTER)

    await make_ingestor(interval=timedelta(minutes=1)).run_pass()

    source = await sources.get(source_id)
    assert source is not None and source.next_fetch_at == START + timedelta(seconds=120)


@pytest.mark.parametrize(
    ("failures", "expected"),
    [
        (1, INTERVAL),
        (2, 2 * INTERVAL),
        (3, 4 * INTERVAL),
        (6, 32 * INTERVAL),
        (7, timedelta(days=1)),
        (400, timedelta(days=1)),
    ],
)
def test_backoff_doubles_up_to_a_day(failures: int, expected: timedelta) -> None:
    assert backoff(failures, base=INTERVAL, cap=timedelta(days=1)) == expected


async def test_a_pass_where_every_source_fails_says_so(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    await add(sources, news_site, NewsSite.FAULT_500)
    await add(sources, news_site, NewsSite.FAULT_404)

    report = await make_ingestor().run_pass()

    assert report.all_failed and report.failed_sources == 2


# --- scheduling and the pipeline's seams ----------------------------------------------


async def test_a_scheduled_pass_spreads_the_sources_over_half_the_interval(
    news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    for section in ("politics", "economy", "energy", "space"):
        await add(sources, news_site, f"/rss/{section}.xml")
    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    report = await make_ingestor(sleep=record).scheduled_pass()

    quarter = (INTERVAL / 2).total_seconds() / 4
    assert sorted(waits) == [quarter, 2 * quarter, 3 * quarter]
    assert len(report.sources) == 4 and all(item.ok for item in report.sources)


async def test_new_articles_are_summarised_before_and_indexed_after_storing(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    await add(sources, news_site, "/rss/politics.xml")
    indexed: list[Article] = []

    async def summarise(article: NewArticle) -> NewArticle:
        return replace(article, summary=[article.text.split("\n")[0]])

    async def index(article: Article) -> None:
        indexed.append(article)

    report = await make_ingestor(summarise=summarise, index=[index]).run_pass()

    saved = await stored(articles)
    assert report.new == len(saved) == len(indexed) > 0
    assert all(article.summary == [article.text.split("\n")[0]] for article in saved)
    assert sorted(article.id for article in indexed) == sorted(article.id for article in saved)


async def test_a_pass_writes_one_article_at_a_time_while_it_summarises_several(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    await add(sources, news_site, NewsSite.FEED_ALL)
    summarising = writing = 0
    most_summarising = most_writing = 0

    async def summarise(article: NewArticle) -> NewArticle:
        nonlocal summarising, most_summarising
        summarising += 1
        most_summarising = max(most_summarising, summarising)
        await asyncio.sleep(0.01)
        summarising -= 1
        return article

    async def index(article: Article) -> None:  # runs inside the article's writes
        nonlocal writing, most_writing
        writing += 1
        most_writing = max(most_writing, writing)
        await asyncio.sleep(0.01)
        writing -= 1

    policy = IngestPolicy(entry_concurrency=4)
    report = await make_ingestor(summarise=summarise, index=[index], policy=policy).run_pass()

    assert report.new == len(await stored(articles)) > 4
    assert most_summarising > 1  # the slow part still runs side by side
    assert most_writing == 1  # a person's write waits behind one article's, never a queue


async def test_a_failing_summariser_or_indexer_loses_no_article(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    await add(sources, news_site, "/rss/politics.xml")

    async def summarise(article: NewArticle) -> NewArticle:
        raise RuntimeError("summariser down")

    async def index(article: Article) -> None:
        raise RuntimeError("index down")

    report = await make_ingestor(summarise=summarise, index=[index]).run_pass()

    assert report.new > 0 and report.new == len(await stored(articles))
    assert all(article.summary is None for article in await stored(articles))


# --- add-source ------------------------------------------------------------------------


async def test_a_feed_url_resolves_to_itself(
    news_site: NewsSite, make_ingestor: MakeIngestor
) -> None:
    resolved = await make_ingestor().resolve_feed(news_site.url(NewsSite.FEED_ALL))

    assert (resolved.url, resolved.kind, resolved.entries) == (
        news_site.url(NewsSite.FEED_ALL),
        "feed",
        len(news_site.articles),
    )


async def test_a_web_page_resolves_to_the_feed_it_announces(
    news_site: NewsSite, make_ingestor: MakeIngestor
) -> None:
    resolved = await make_ingestor().resolve_feed(news_site.url(NewsSite.HOME))

    assert (resolved.url, resolved.kind, resolved.title) == (
        news_site.url("/rss/all.xml"),
        "page",
        "Новости",
    )


async def test_a_page_without_a_feed_or_a_dead_url_cannot_be_added(
    news_site: NewsSite, make_ingestor: MakeIngestor
) -> None:
    ingestor = make_ingestor()
    with pytest.raises(NotAFeed, match="announces no RSS or Atom feed"):
        await ingestor.resolve_feed(news_site.url(NewsSite.PAGE_WITHOUT_FEED))
    with pytest.raises(HTTPStatusError):
        await ingestor.resolve_feed(news_site.url(NewsSite.FAULT_404))


async def test_extraction_in_worker_processes_stores_the_same_articles(
    news_site: NewsSite,
    sources: SourceRepository,
    articles: ArticleRepository,
    make_ingestor: MakeIngestor,
) -> None:
    await add(sources, news_site, "/rss/politics.xml")
    pool = ProcessPool(workers=1)
    try:
        report = await make_ingestor(cpu=pool).run_pass()
    finally:
        pool.close()

    expected = [a for a in news_site.articles if a.section == "politics"]
    assert report.new == len(expected)
    texts = sorted(article.text for article in await stored(articles))
    assert texts == sorted("\n".join(a.paragraphs) for a in expected)


async def test_after_a_pass_its_articles_are_in_the_database_file_itself(
    db: Database, news_site: NewsSite, sources: SourceRepository, make_ingestor: MakeIngestor
) -> None:
    await add(sources, news_site, NewsSite.FEED_ALL)

    report = await make_ingestor().run_pass()

    # Read the file alone, as if the write-ahead log were not there: the pass's checkpoint
    # copied the articles into it, so no later writer's COMMIT has to.
    file_only = sqlite3.connect(f"file:{db.path}?immutable=1", uri=True)
    try:
        in_file = file_only.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        file_only.close()
    assert in_file == report.new == len(news_site.articles)
