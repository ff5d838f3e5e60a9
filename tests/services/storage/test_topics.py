"""Topics (the catalogue and personal queries) and the subscriptions that tie chats to them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock.clocks import ManualClock
from services.storage import (
    INTEGRITY_ERRORS,
    Database,
    SubscriberRepository,
    SubscriptionRepository,
    TopicRepository,
)
from services.storage.models import Topic


@pytest.fixture
def topics(db: Database, clock: ManualClock) -> TopicRepository:
    return TopicRepository(db, clock)


@pytest.fixture
def subscriptions(db: Database, clock: ManualClock) -> SubscriptionRepository:
    return SubscriptionRepository(db, clock)


@pytest.fixture
async def chats(db: Database, clock: ManualClock) -> list[int]:
    repo = SubscriberRepository(db, clock)
    for chat_id in (1, 2, 3):
        await repo.register(
            chat_id, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
        )
    return [1, 2, 3]


async def kazakhstan(topics: TopicRepository, query: str = "Казахстан OR РК") -> Topic:
    return await topics.upsert_catalogue(
        "kazakhstan", query=query, title_ru="Казахстан", title_en="Kazakhstan", title_kk="Қазақстан"
    )


async def test_a_catalogue_topic_is_added_with_its_titles(
    topics: TopicRepository, clock: ManualClock
) -> None:
    topic = await kazakhstan(topics)

    assert topic.is_catalogue
    assert (topic.slug, topic.query, topic.owner_chat_id) == ("kazakhstan", "Казахстан OR РК", None)
    assert [topic.title(lang) for lang in ("ru", "en", "kk")] == [
        "Казахстан",
        "Kazakhstan",
        "Қазақстан",
    ]
    assert topic.created_at == clock.now()
    assert await topics.get(topic.id) == topic
    assert await topics.by_slug("kazakhstan") == topic


async def test_upserting_a_catalogue_topic_again_updates_it_and_keeps_its_id(
    topics: TopicRepository,
) -> None:
    first = await kazakhstan(topics)

    second = await kazakhstan(topics, query="Казахстан OR РК OR Астана")

    assert second.id == first.id
    assert second.query == "Казахстан OR РК OR Астана"
    assert await topics.count() == 1


async def test_a_missing_title_falls_back_to_russian(topics: TopicRepository) -> None:
    topic = await topics.upsert_catalogue(
        "energy", query="нефть", title_ru="Энергетика", title_en="", title_kk=""
    )

    assert topic.title("en") == "Энергетика"
    assert topic.title("de") == "Энергетика"


async def test_catalogue_topics_no_longer_listed_are_removed_with_their_subscriptions(
    topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    kept = await kazakhstan(topics)
    stale = await topics.upsert_catalogue(
        "crypto", query="биткоин", title_ru="Крипто", title_en="Crypto", title_kk="Крипто"
    )
    personal = await topics.add_personal(1, "нефть", "нефть")
    await subscriptions.subscribe(1, stale.id)
    await subscriptions.subscribe(1, personal.id)

    removed = await topics.remove_catalogue_except({"kazakhstan"})

    assert removed == 1
    assert [t.slug for t in await topics.catalogue()] == [kept.slug]
    assert await topics.get(stale.id) is None
    assert await topics.get(personal.id) == personal
    assert [t.id for t in await subscriptions.topics_of(1)] == [personal.id]


async def test_a_personal_query_is_one_topic_per_chat_however_often_it_is_added(
    topics: TopicRepository, chats: list[int]
) -> None:
    first = await topics.add_personal(1, "нефть -бензин", "нефть -бензин")
    again = await topics.add_personal(1, "нефть -бензин", "нефть -бензин")
    other_chat = await topics.add_personal(2, "нефть -бензин", "нефть -бензин")

    assert again == first
    assert other_chat.id != first.id
    assert not first.is_catalogue
    assert first.owner_chat_id == 1
    assert await topics.catalogue() == []
    assert await topics.count() == 2


async def test_a_personal_topic_needs_a_registered_chat(topics: TopicRepository) -> None:
    with pytest.raises(INTEGRITY_ERRORS, match="(?i)foreign key"):
        await topics.add_personal(999, "нефть", "нефть")


async def test_the_catalogue_is_listed_in_the_order_it_was_added(topics: TopicRepository) -> None:
    for slug in ("world", "economy", "kazakhstan"):
        await topics.upsert_catalogue(slug, query=slug, title_ru=slug, title_en=slug, title_kk=slug)

    assert [t.slug for t in await topics.catalogue()] == ["world", "economy", "kazakhstan"]


async def test_subscribing_twice_is_one_subscription(
    topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    topic = await kazakhstan(topics)

    assert await subscriptions.subscribe(1, topic.id)
    assert not await subscriptions.subscribe(1, topic.id)

    assert await subscriptions.is_subscribed(1, topic.id)
    assert not await subscriptions.is_subscribed(2, topic.id)
    assert await subscriptions.topics_of(1) == [topic]


async def test_a_chats_topics_come_in_the_order_it_subscribed(
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
    chats: list[int],
    clock: ManualClock,
) -> None:
    later = await kazakhstan(topics)
    earlier = await topics.add_personal(1, "нефть", "нефть")
    await subscriptions.subscribe(1, earlier.id)
    clock.advance(timedelta(minutes=1))
    await subscriptions.subscribe(1, later.id)

    assert [t.id for t in await subscriptions.topics_of(1)] == [earlier.id, later.id]


async def test_unsubscribing_from_a_personal_topic_deletes_the_topic_but_a_catalogue_one_stays(
    topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    catalogue = await kazakhstan(topics)
    personal = await topics.add_personal(1, "нефть", "нефть")
    await subscriptions.subscribe(1, catalogue.id)
    await subscriptions.subscribe(1, personal.id)

    assert await subscriptions.unsubscribe(1, personal.id)
    assert await subscriptions.unsubscribe(1, catalogue.id)
    assert not await subscriptions.unsubscribe(1, catalogue.id)

    assert await topics.get(personal.id) is None
    assert await topics.get(catalogue.id) == catalogue
    assert await subscriptions.topics_of(1) == []


async def test_topics_with_subscribers_are_listed_once(
    topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    followed = await kazakhstan(topics)
    await topics.upsert_catalogue(
        "world", query="мир", title_ru="Мир", title_en="World", title_kk="Әлем"
    )
    for chat_id in chats:
        await subscriptions.subscribe(chat_id, followed.id)

    assert await subscriptions.subscribed_topics() == [followed]


async def test_a_chat_that_goes_away_takes_its_topics_and_subscriptions_with_it(
    db: Database, topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    catalogue = await kazakhstan(topics)
    personal = await topics.add_personal(1, "нефть", "нефть")
    await subscriptions.subscribe(1, catalogue.id)
    await subscriptions.subscribe(1, personal.id)
    await subscriptions.subscribe(2, catalogue.id)

    await db.execute("DELETE FROM subscribers WHERE chat_id = 1")

    assert await topics.get(personal.id) is None
    assert await subscriptions.topics_of(1) == []
    assert await subscriptions.topics_of(2) == [catalogue]


async def test_only_registered_chats_and_existing_topics_can_be_subscribed(
    topics: TopicRepository, subscriptions: SubscriptionRepository, chats: list[int]
) -> None:
    topic = await kazakhstan(topics)

    with pytest.raises(INTEGRITY_ERRORS):
        await subscriptions.subscribe(999, topic.id)
    with pytest.raises(INTEGRITY_ERRORS):
        await subscriptions.subscribe(1, topic.id + 100)
