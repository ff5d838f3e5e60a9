"""News sources: one row per URL, with the health that decides when to fetch it next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock.clocks import ManualClock
from services.storage import INTEGRITY_ERRORS, ArticleRepository, Database, SourceRepository
from services.storage.models import NewArticle

FEED = "https://tengrinews.kz/news.rss"


@pytest.fixture
def sources(db: Database, clock: ManualClock) -> SourceRepository:
    return SourceRepository(db, clock)


async def test_a_new_source_is_enabled_healthy_and_never_fetched(
    sources: SourceRepository, clock: ManualClock
) -> None:
    source = await sources.upsert(FEED, name="Tengrinews", language="ru")

    assert (source.url, source.name, source.language, source.kind) == (
        FEED,
        "Tengrinews",
        "ru",
        "feed",
    )
    assert source.enabled
    assert source.healthy
    assert source.consecutive_failures == 0
    assert (source.last_fetch_at, source.last_success_at, source.next_fetch_at) == (
        None,
        None,
        None,
    )
    assert (source.etag, source.last_modified, source.last_error) == (None, None, None)
    assert source.created_at == clock.now()
    assert await sources.get(source.id) == source
    assert await sources.by_url(FEED) == source


async def test_upserting_a_url_again_updates_it_re_enables_it_and_never_duplicates(
    db: Database, sources: SourceRepository
) -> None:
    first = await sources.upsert(FEED, name="Tengri")
    await db.execute("UPDATE sources SET enabled = FALSE WHERE id = ?", (first.id,))

    second = await sources.upsert(FEED, name="Tengrinews", language="kk", kind="page")

    assert second.id == first.id
    assert (second.name, second.language, second.kind, second.enabled) == (
        "Tengrinews",
        "kk",
        "page",
        True,
    )
    assert len(await sources.list_all()) == 1


async def test_only_feeds_and_pages_are_kinds_of_source(sources: SourceRepository) -> None:
    with pytest.raises(INTEGRITY_ERRORS, match="(?i)check"):
        await sources.upsert(FEED, name="x", kind="podcast")


async def test_disabled_sources_are_listed_but_not_fetched(
    db: Database, sources: SourceRepository
) -> None:
    a = await sources.upsert("https://a.kz/rss", name="A")
    b = await sources.upsert("https://b.kz/rss", name="B")
    c = await sources.upsert("https://c.kz/rss", name="C")
    await db.execute("UPDATE sources SET enabled = FALSE WHERE id = ?", (b.id,))

    assert [s.id for s in await sources.list_all()] == [a.id, b.id, c.id]
    assert [s.id for s in await sources.list_enabled()] == [a.id, c.id]


async def test_removing_a_source_keeps_its_articles_without_it(
    db: Database, sources: SourceRepository, clock: ManualClock
) -> None:
    source = await sources.upsert(FEED, name="Tengrinews")
    articles = ArticleRepository(db, clock)
    article_id = await articles.add(
        NewArticle(
            url=f"{FEED}/1",
            canonical_url=f"{FEED}/1",
            content_hash="h1",
            language="ru",
            title="Заголовок",
            text="Текст",
            source_id=source.id,
        )
    )
    assert article_id is not None

    assert await sources.remove(FEED)
    assert not await sources.remove(FEED)

    assert await sources.by_url(FEED) is None
    kept = await articles.get(article_id)
    assert kept is not None
    assert (kept.source_id, kept.source_name) == (None, None)


async def test_failures_count_up_with_the_error_and_the_time_to_retry(
    sources: SourceRepository, clock: ManualClock
) -> None:
    source = await sources.upsert(FEED, name="Tengrinews")
    retry_at = clock.now() + timedelta(minutes=10)

    await sources.record_failure(source.id, "HTTP 503", retry_at=retry_at)
    clock.advance(timedelta(minutes=10))
    await sources.record_failure(
        source.id, "timeout " + "x" * 1000, retry_at=retry_at + timedelta(minutes=20)
    )

    failed = await sources.get(source.id)
    assert failed is not None
    assert not failed.healthy
    assert failed.consecutive_failures == 2
    assert failed.last_error is not None
    assert failed.last_error.startswith("timeout ")
    assert len(failed.last_error) == 500
    assert failed.last_fetch_at == clock.now()
    assert failed.next_fetch_at == retry_at + timedelta(minutes=20)
    assert failed.last_success_at is None


async def test_a_success_clears_the_failures_and_keeps_validators_it_did_not_get(
    sources: SourceRepository, clock: ManualClock
) -> None:
    source = await sources.upsert(FEED, name="Tengrinews")
    await sources.record_success(
        source.id, etag='"v1"', last_modified="Fri, 20 Mar 2026 06:00:00 GMT"
    )
    await sources.record_failure(source.id, "HTTP 500", retry_at=clock.now() + timedelta(minutes=5))
    clock.advance(timedelta(minutes=30))

    await sources.record_success(source.id, etag=None, last_modified=None)

    healthy = await sources.get(source.id)
    assert healthy is not None
    assert healthy.healthy
    assert (healthy.last_error, healthy.next_fetch_at) == (None, None)
    assert healthy.last_fetch_at == healthy.last_success_at == clock.now()
    assert (healthy.etag, healthy.last_modified) == ('"v1"', "Fri, 20 Mar 2026 06:00:00 GMT")


async def test_new_validators_replace_the_old_ones(sources: SourceRepository) -> None:
    source = await sources.upsert(FEED, name="Tengrinews")
    await sources.record_success(source.id, etag='"v1"', last_modified=None)

    await sources.record_success(
        source.id, etag='"v2"', last_modified="Sat, 21 Mar 2026 06:00:00 GMT"
    )

    updated = await sources.get(source.id)
    assert updated is not None
    assert (updated.etag, updated.last_modified) == ('"v2"', "Sat, 21 Mar 2026 06:00:00 GMT")


async def test_the_failure_alert_time_is_set_and_cleared(
    sources: SourceRepository, clock: ManualClock
) -> None:
    source = await sources.upsert(FEED, name="Tengrinews")

    await sources.set_failure_alerted(source.id, clock.now())
    alerted = await sources.get(source.id)
    await sources.set_failure_alerted(source.id, None)
    cleared = await sources.get(source.id)

    assert alerted is not None
    assert alerted.failure_alerted_at == clock.now()
    assert cleared is not None
    assert cleared.failure_alerted_at is None


async def test_an_unknown_source_is_none(sources: SourceRepository) -> None:
    assert await sources.get(12345) is None
    assert await sources.by_url("https://nowhere.kz/rss") is None
