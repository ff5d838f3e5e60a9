"""A link becomes title, site and summary; what is not an article says why."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.demo.news_site import NewsSite
from services.ingest.fetch import (
    BlockedAddress,
    Fetcher,
    FetchLimits,
    HTTPStatusError,
    ResponseTooLarge,
)
from services.ingest.link_summary import LinkSummaries, NoArticle, site_name
from services.summary.summarizer import Summarizer


@pytest.fixture
async def summaries() -> AsyncIterator[LinkSummaries]:
    async with (
        Fetcher(allow_private_networks=True, limits=FetchLimits(max_bytes=2_000_000)) as fetcher,
        Summarizer(pool="thread", workers=1) as summarizer,
    ):
        yield LinkSummaries(fetcher, summarizer)


async def test_an_article_page_gives_its_title_site_and_summary(
    summaries: LinkSummaries, news_site: NewsSite
) -> None:
    article = news_site.articles[0]

    found = await summaries.summarize(news_site.url(article.path), sentences=2)

    assert found.title == article.title
    assert found.source == "127.0.0.1"
    assert 1 <= len(found.sentences) <= 2
    body = " ".join(article.paragraphs)
    assert all(sentence[:40] in body for sentence in found.sentences)


async def test_a_language_given_by_the_caller_overrides_the_detected_one(
    summaries: LinkSummaries, news_site: NewsSite
) -> None:
    article = news_site.articles[0]
    url = news_site.url(article.path)

    detected = await summaries.summarize(url)
    given = await summaries.summarize(url, language="kk")

    assert detected.language != "kk"
    assert given.language == "kk"
    assert given.title == detected.title


async def test_a_missing_page_is_a_status_error(
    summaries: LinkSummaries, news_site: NewsSite
) -> None:
    with pytest.raises(HTTPStatusError) as caught:
        await summaries.summarize(news_site.url(NewsSite.FAULT_404))

    assert caught.value.gone


async def test_a_feed_is_not_an_article(summaries: LinkSummaries, news_site: NewsSite) -> None:
    with pytest.raises(NoArticle):
        await summaries.summarize(news_site.url(NewsSite.FEED_ALL))


async def test_a_huge_page_is_refused_by_the_client(
    summaries: LinkSummaries, news_site: NewsSite
) -> None:
    with pytest.raises(ResponseTooLarge):
        await summaries.summarize(news_site.url(NewsSite.FAULT_HUGE))


async def test_private_addresses_stay_closed_by_default(news_site: NewsSite) -> None:
    async with Fetcher() as fetcher, Summarizer(pool="thread", workers=1) as summarizer:
        with pytest.raises(BlockedAddress):
            await LinkSummaries(fetcher, summarizer).summarize(
                news_site.url(news_site.articles[0].path)
            )


def test_site_name_drops_www_and_case() -> None:
    assert site_name("https://WWW.Tengrinews.kz/news/1") == "tengrinews.kz"
