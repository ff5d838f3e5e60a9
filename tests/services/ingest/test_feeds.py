"""Feeds as real sites serve them: every RSS flavour and Atom, and the ways they go wrong."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.demo.news_site import NewsSite
from services.ingest.feeds import (
    FeedError,
    MalformedFeed,
    NotAFeed,
    discover_feeds,
    feed_language,
    html_to_text,
    parse_feed,
)
from services.ingest.fetch import Fetcher


async def fetch_feed(site: NewsSite, path: str) -> tuple[bytes, str, str | None]:
    async with Fetcher(allow_private_networks=True) as fetcher:
        result = await fetcher.fetch(site.url(path))
    return result.content, result.final_url, result.content_type


async def test_an_rss_feed_gives_entries_with_links_dates_and_text(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_ALL)

    feed = parse_feed(content, url=url, content_type=content_type)

    assert feed.version == "rss20"
    assert len(feed.entries) == len(news_site.articles)
    first, article = feed.entries[0], news_site.articles[0]
    assert first.link == news_site.url(article.path)
    assert first.title == article.title
    assert first.text == article.lead
    assert first.published_at == article.published
    assert first.guid == article.slug


@pytest.mark.parametrize(
    ("path", "version"), [("/atom/kk.xml", "atom10"), (NewsSite.FEED_RDF, "rss10")]
)
async def test_atom_and_rss_1_are_read_too(news_site: NewsSite, path: str, version: str) -> None:
    content, url, content_type = await fetch_feed(news_site, path)

    feed = parse_feed(content, url=url, content_type=content_type)

    assert feed.version == version
    assert feed.entries
    assert all(entry.link.startswith(news_site.base_url) for entry in feed.entries)
    assert all(entry.published_at is not None for entry in feed.entries)


async def test_a_feed_served_as_text_html_is_still_a_feed(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_LYING_TYPE)
    assert content_type is not None and content_type.startswith("text/html")

    feed = parse_feed(content, url=url, content_type=content_type)

    assert [entry.title for entry in feed.entries] == [a.title for a in news_site.articles[5:7]]


async def test_relative_links_resolve_against_the_feed_url(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_RELATIVE)

    feed = parse_feed(content, url=url, content_type=content_type)

    assert [entry.link for entry in feed.entries] == [
        news_site.url(article.path) for article in news_site.articles[:3]
    ]


async def test_entries_without_dates_or_guids_are_kept_undated(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_NO_DATES)

    feed = parse_feed(content, url=url, content_type=content_type)

    assert len(feed.entries) == 2
    assert all(entry.published_at is None and entry.guid is None for entry in feed.entries)


async def test_a_windows_1251_feed_with_the_encoding_only_in_its_declaration(
    news_site: NewsSite,
) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_CP1251)
    assert b"windows-1251" in content[:100]

    feed = parse_feed(content, url=url, content_type=content_type)

    assert feed.entries[0].title == news_site.articles[0].title


async def test_an_empty_feed_is_a_feed_with_no_entries(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FEED_EMPTY)

    feed = parse_feed(content, url=url, content_type=content_type)

    assert feed.entries == ()
    assert feed.title == "Новости"


async def test_malformed_xml_is_a_readable_error(news_site: NewsSite) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FAULT_MALFORMED)

    with pytest.raises(MalformedFeed, match="not valid XML"):
        parse_feed(content, url=url, content_type=content_type)


async def test_a_web_page_served_as_a_feed_is_named_and_its_feed_link_offered(
    news_site: NewsSite,
) -> None:
    content, url, content_type = await fetch_feed(news_site, NewsSite.FAULT_HTML_AS_FEED)

    with pytest.raises(NotAFeed, match="web page, not an RSS or Atom feed") as caught:
        parse_feed(content, url=url, content_type=content_type)

    assert caught.value.feed_links == [news_site.url("/rss/all.xml")]


@pytest.mark.parametrize("body", [b"", b"   \n", b"just some words", b"\x00\x01\x02binary"])
def test_things_that_are_not_feeds_raise_feed_errors(body: bytes) -> None:
    with pytest.raises((MalformedFeed, NotAFeed)):
        parse_feed(body, url="https://news.example/feed")


def test_entries_without_any_link_are_counted_as_skipped() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>Без ссылки</title><description>Текст</description></item>"
        "<item><title>Со ссылкой</title><link>/a.html</link></item></channel></rss>"
    ).encode()

    feed = parse_feed(body, url="https://news.example/rss")

    assert feed.skipped == 1
    assert [entry.link for entry in feed.entries] == ["https://news.example/a.html"]


def test_a_permalink_guid_stands_in_for_a_missing_link() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        b'<item><title>A</title><guid isPermaLink="true">https://news.example/a</guid></item>'
        b"</channel></rss>"
    )

    assert (
        parse_feed(body, url="https://news.example/rss").entries[0].link == "https://news.example/a"
    )


def test_the_richer_of_content_and_description_is_the_entry_text() -> None:
    body = (
        '<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        "<channel><title>T</title><item><title>A</title><link>https://news.example/a</link>"
        "<description>Коротко.</description>"
        "<content:encoded><![CDATA[<p>Первый абзац.</p><p>Второй&nbsp;абзац.</p>]]></content:encoded>"
        "</item></channel></rss>"
    ).encode()

    entry = parse_feed(body, url="https://news.example/rss").entries[0]

    assert entry.text == "Первый абзац.\nВторой абзац."


def test_feed_autodiscovery_finds_rss_and_atom_links_in_page_order() -> None:
    html = (
        "<html><head>"
        '<link rel="alternate" type="application/rss+xml" href="/export/rss2/index.xml">'
        '<link rel="stylesheet" href="/s.css">'
        '<link rel="alternate" type="application/atom+xml" href="https://news.example/atom">'
        '<link rel="alternate" hreflang="kk" href="/kz/">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        "</head><body></body></html>"
    )

    assert discover_feeds(html, url="https://news.example/world/") == [
        "https://news.example/export/rss2/index.xml",
        "https://news.example/atom",
    ]


def test_html_descriptions_become_plain_lines() -> None:
    assert html_to_text("<p>Раз</p><p>Два<br>три</p>") == "Раз\nДва\nтри"
    assert html_to_text("Без тегов,   с пробелами") == "Без тегов, с пробелами"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("ru-RU", "ru"), ("kk", "kk"), ("kz", "kk"), ("en-us", "en"), ("de", None), ("", None)],
)
def test_feed_languages_map_to_ours(value: str, expected: str | None) -> None:
    assert feed_language(value) == expected


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_any_bytes_parse_to_a_feed_or_a_feed_error(content: bytes) -> None:
    try:
        feed = parse_feed(content, url="https://news.example/rss")
    except FeedError:
        return
    assert all(entry.link.startswith(("http://", "https://")) for entry in feed.entries)
