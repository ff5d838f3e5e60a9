"""SourceAdmin: one way to add and remove a source, for /addsource and `add-source` alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.news_site import NewsSite
from services.clock.clocks import ManualClock
from services.ingest.fetch import Fetcher, FetchLimits
from services.ingest.ingestor import Ingestor
from services.sources.admin import NotASourceURL, SourceAdmin
from services.storage import ArticleRepository, Database, SourceRepository


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(allow_private_networks=True, limits=FetchLimits(deadline=2.0)) as client:
        yield client


@pytest.fixture
def sources(db: Database, clock: ManualClock) -> SourceRepository:
    return SourceRepository(db, clock)


@pytest.fixture
def sources_file(tmp_path: Path) -> Path:
    return tmp_path / "sources.toml"


@pytest.fixture
def admin(
    db: Database,
    clock: ManualClock,
    fetcher: Fetcher,
    sources: SourceRepository,
    sources_file: Path,
) -> SourceAdmin:
    ingestor = Ingestor(
        sources=sources, articles=ArticleRepository(db, clock), fetcher=fetcher, clock=clock
    )
    return SourceAdmin(ingestor=ingestor, sources=sources, sources_file=sources_file)


async def test_a_feed_is_stored_under_its_own_title_and_language(
    admin: SourceAdmin, news_site: NewsSite
) -> None:
    url = news_site.url(NewsSite.FEED_ALL)

    added = await admin.add(url)

    assert (added.source.url, added.source.name, added.source.language) == (url, "Новости", "ru")
    assert not added.existed


async def test_a_given_name_and_language_replace_the_feeds_own(
    admin: SourceAdmin,
    sources: SourceRepository,
    news_site: NewsSite,
) -> None:
    url = news_site.url(NewsSite.FEED_ALL)
    await admin.add(url)

    added = await admin.add(f"  {url} ", name="  Лента  ", language="kk")

    assert added.existed
    stored = await sources.by_url(url)
    assert stored is not None and (stored.name, stored.language) == ("Лента", "kk")


async def test_a_blank_name_falls_back_to_the_feeds_title(
    admin: SourceAdmin,
    sources: SourceRepository,
    news_site: NewsSite,
) -> None:
    added = await admin.add(news_site.url(NewsSite.FEED_ALL), name="   ")

    assert added.source.name == "Новости"


@pytest.mark.parametrize("url", ["ftp://example.com/feed", "not a url", "example.com/rss"])
async def test_an_address_that_is_not_http_is_refused_and_nothing_is_stored(
    admin: SourceAdmin,
    sources: SourceRepository,
    url: str,
) -> None:
    with pytest.raises(NotASourceURL, match="expected an http\\(s\\) address"):
        await admin.add(url)

    assert await sources.list_all() == []


async def test_removing_says_whether_the_sources_file_brings_it_back(
    admin: SourceAdmin, sources: SourceRepository, sources_file: Path
) -> None:
    sources_file.write_text(
        '[[sources]]\nurl = "https://tass.ru/rss/v2.xml"\nname = "ТАСС"\n', encoding="utf-8"
    )
    await sources.upsert("https://tass.ru/rss/v2.xml", name="ТАСС")
    await sources.upsert("https://example.kz/rss", name="Пример")

    listed = await admin.remove("https://tass.ru/rss/v2.xml")
    unlisted = await admin.remove(" https://example.kz/rss ")

    assert listed is not None and listed.in_sources_file
    assert unlisted is not None and not unlisted.in_sources_file
    assert await admin.remove("https://example.kz/rss") is None
    assert await sources.list_all() == []
