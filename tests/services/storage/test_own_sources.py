"""services/storage/own_sources.py on both stores: one source row per URL whatever the number
of chats, and who may see which articles."""

from __future__ import annotations

from services.clock.clocks import ManualClock
from services.storage import ArticleRepository, SourceRepository, Store, SubscriberRepository
from services.storage.models import NewArticle
from services.storage.own_sources import OwnSourceRepository

FEED = "https://blog.example.kz/rss?token=s3cret"


async def register(db: Store, clock: ManualClock, *chats: int) -> None:
    subscribers = SubscriberRepository(db, clock)
    for chat in chats:
        await subscribers.register(
            chat, chat_type="private", language="ru", timezone="UTC", digest_time="09:00"
        )


async def test_one_url_added_by_many_chats_is_one_source_that_is_not_shared(
    db: Store, clock: ManualClock
) -> None:
    await register(db, clock, 1, 2)
    own = OwnSourceRepository(db, clock)
    first, new_first = await own.add(1, FEED, name="Blog", language="ru")
    again, new_again = await own.add(1, FEED, name="Blog", language="ru")
    second, new_second = await own.add(2, FEED, name="Blog", language="ru")
    assert (new_first, new_again, new_second) == (True, False, True)
    assert first.source.id == again.source.id == second.source.id
    assert not first.shared
    assert [s.url for s in await SourceRepository(db, clock).list_all()] == [FEED]
    assert await own.private_source_ids() == {first.source.id}
    assert await own.source_ids_of([1, 2, 3]) == {
        1: frozenset({first.source.id}),
        2: frozenset({first.source.id}),
    }


async def test_articles_of_a_source_not_shared_are_hidden_from_chats_that_did_not_add_it(
    db: Store, clock: ManualClock
) -> None:
    await register(db, clock, 1, 2)
    own = OwnSourceRepository(db, clock)
    link, _ = await own.add(1, FEED, name="Blog", language="ru")
    shared = await SourceRepository(db, clock).upsert("https://news.kz/rss", name="News")
    articles = ArticleRepository(db, clock)
    ids = []
    for slug, source_id in (("mine", link.source.id), ("everyones", shared.id)):
        url = f"https://x.kz/{slug}"
        article_id = await articles.add(
            NewArticle(
                url=url,
                canonical_url=url,
                content_hash=slug,
                language="ru",
                title=slug,
                text=slug,
                source_id=source_id,
            )
        )
        assert article_id is not None
        ids.append(article_id)
    mine, everyones = ids
    assert (await own.visibility(1, ids)).hidden == frozenset()
    assert (await own.visibility(2, ids)).hidden == frozenset({mine})
    assert (await own.visibility(None, ids)).allows(everyones)
    await own.set_shared(link.source.id, True)
    assert (await own.visibility(2, ids)).hidden == frozenset()


async def test_a_source_nobody_follows_any_more_is_switched_off_and_stays_hidden(
    db: Store, clock: ManualClock
) -> None:
    await register(db, clock, 1)
    own = OwnSourceRepository(db, clock)
    link, _ = await own.add(1, FEED, name="Blog", language="ru")
    assert await own.remove(1, link.source.id)
    assert not await own.remove(1, link.source.id)
    source = await SourceRepository(db, clock).get(link.source.id)
    assert source is not None and not source.enabled
    assert await own.private_source_ids() == {link.source.id}
    relinked, _ = await own.add(1, FEED, name="Blog", language="ru")
    assert relinked.source.enabled
