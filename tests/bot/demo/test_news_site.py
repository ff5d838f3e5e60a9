"""bot/demo/news_site.py: every healthy feed of the site lists its articles, and every article's
page carries each paragraph of its text among the page chrome."""

from __future__ import annotations

from datetime import UTC, datetime
from html import unescape

import feedparser
import httpx

from bot.demo.news_corpus import written_articles
from bot.demo.news_site import NewsSite

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


async def test_each_source_is_a_feed_of_its_language_whose_links_are_the_articles_pages() -> None:
    articles = written_articles({"ru": 6, "en": 2, "kk": 2}, newest=NOON)
    async with NewsSite(articles=articles) as site, httpx.AsyncClient() as client:
        listed: set[str] = set()
        for source in site.sources():
            feed = feedparser.parse((await client.get(source.url)).content)
            assert feed.entries, source.url
            for entry in feed.entries:
                article = site.article(entry.link.removeprefix(site.base_url))
                assert article.language == source.language
                listed.add(article.path)

        page = await client.get(site.url(articles[0].path))

    assert listed == {article.path for article in articles}
    assert page.status_code == 200
    shown = unescape(page.text)
    assert all(paragraph in shown for paragraph in articles[0].paragraphs)
    assert site.hits[articles[0].path] == 1


async def test_a_page_that_does_not_exist_is_404_and_a_named_fault_answers_as_named() -> None:
    async with NewsSite(articles=2, newest=NOON) as site, httpx.AsyncClient() as client:
        missing = await client.get(site.url("/news/politics/nothing.html"))
        fault = await client.get(site.url(NewsSite.FAULT_500))

    assert missing.status_code == 404
    assert fault.status_code == 500
