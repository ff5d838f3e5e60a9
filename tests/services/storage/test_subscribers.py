"""Subscribers: one row per chat, its digest settings, and who is active, paused or blocked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services.clock.clocks import ManualClock
from services.storage import INTEGRITY_ERRORS, Database, SubscriberRepository


@pytest.fixture
def subscribers(db: Database, clock: ManualClock) -> SubscriberRepository:
    return SubscriberRepository(db, clock)


async def register(repo: SubscriberRepository, chat_id: int, **settings: str) -> None:
    await repo.register(
        chat_id,
        chat_type=settings.get("chat_type", "private"),
        language=settings.get("language", "ru"),  # type: ignore[arg-type]
        timezone=settings.get("timezone", "Asia/Almaty"),
        digest_time=settings.get("digest_time", "09:00"),
    )


async def test_a_new_chat_is_registered_with_the_given_settings(
    subscribers: SubscriberRepository, clock: ManualClock
) -> None:
    subscriber, created = await subscribers.register(
        7, chat_type="private", language="kk", timezone="Asia/Aqtobe", digest_time="08:30"
    )

    assert created
    assert subscriber.chat_id == 7
    assert (subscriber.chat_type, subscriber.language) == ("private", "kk")
    assert (subscriber.timezone, subscriber.digest_time) == ("Asia/Aqtobe", "08:30")
    assert subscriber.digest_length == 3
    assert not subscriber.paused
    assert not subscriber.blocked
    assert subscriber.active
    assert subscriber.last_digest_at is None
    assert subscriber.created_at == subscriber.updated_at == clock.now()
    assert await subscribers.get(7) == subscriber


async def test_registering_again_keeps_the_chats_own_settings(
    subscribers: SubscriberRepository,
) -> None:
    await register(subscribers, 7)
    await subscribers.update(7, language="en", digest_time="20:00", digest_length=5, paused=True)

    again, created = await subscribers.register(
        7, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
    )

    assert not created
    assert (again.language, again.digest_time, again.digest_length) == ("en", "20:00", 5)
    assert again.paused


async def test_a_blocked_chat_that_comes_back_is_unblocked_but_stays_paused(
    subscribers: SubscriberRepository, clock: ManualClock
) -> None:
    await register(subscribers, 7)
    await subscribers.update(7, paused=True)
    await subscribers.update(7, blocked=True)
    clock.advance(timedelta(days=3))

    again, created = await subscribers.register(
        7, chat_type="private", language="ru", timezone="Asia/Almaty", digest_time="09:00"
    )

    assert not created
    assert not again.blocked
    assert again.paused
    assert again.updated_at == clock.now()


async def test_an_unknown_chat_is_none(subscribers: SubscriberRepository) -> None:
    assert await subscribers.get(404) is None
    assert await subscribers.update(404, paused=True) is None


async def test_settings_change_and_the_change_time_is_kept(
    subscribers: SubscriberRepository, clock: ManualClock
) -> None:
    await register(subscribers, 7)
    created_at = clock.now()
    clock.advance(timedelta(hours=1))

    changed = await subscribers.update(
        7, language="en", timezone="Europe/Moscow", digest_time="07:15", digest_length=1
    )

    assert changed is not None
    assert (changed.language, changed.timezone, changed.digest_time) == (
        "en",
        "Europe/Moscow",
        "07:15",
    )
    assert changed.digest_length == 1
    assert changed.created_at == created_at
    assert changed.updated_at == clock.now()


async def test_only_known_settings_can_be_changed(subscribers: SubscriberRepository) -> None:
    await register(subscribers, 7)

    with pytest.raises(ValueError, match="chat_type"):
        await subscribers.update(7, chat_type="group")
    with pytest.raises(ValueError, match="not a subscriber setting"):
        await subscribers.update(7, language="en", created_at="yesterday")

    unchanged = await subscribers.get(7)
    assert unchanged is not None
    assert unchanged.language == "ru"


@pytest.mark.parametrize(
    ("setting", "value"), [("language", "de"), ("digest_length", 6), ("digest_length", 0)]
)
async def test_the_schema_refuses_values_outside_the_product(
    subscribers: SubscriberRepository, setting: str, value: object
) -> None:
    await register(subscribers, 7)

    with pytest.raises(INTEGRITY_ERRORS, match="(?i)check"):
        await subscribers.update(7, **{setting: value})


async def test_only_chats_neither_paused_nor_blocked_are_active(
    subscribers: SubscriberRepository,
) -> None:
    for chat_id in (30, 10, 20, 40):
        await register(subscribers, chat_id)
    await subscribers.update(20, paused=True)
    await subscribers.update(30, blocked=True)
    await subscribers.update(40, paused=True)
    await subscribers.update(40, blocked=True)

    active = await subscribers.list_active()
    counts = await subscribers.counts()

    assert [s.chat_id for s in active] == [10]
    assert counts == {"active": 1, "paused": 1, "blocked": 2}


async def test_counts_of_an_empty_table_are_zero(subscribers: SubscriberRepository) -> None:
    assert await subscribers.counts() == {"active": 0, "paused": 0, "blocked": 0}


async def test_subscribers_survive_closing_and_reopening_the_file(tmp_path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 20, tzinfo=UTC))
    db = await Database.open(tmp_path / "persist.db")
    await register(SubscriberRepository(db, clock), -100123, chat_type="supergroup", language="en")
    await db.close()

    db = await Database.open(tmp_path / "persist.db")
    try:
        subscriber = await SubscriberRepository(db, clock).get(-100123)
    finally:
        await db.close()

    assert subscriber is not None
    assert (subscriber.chat_type, subscriber.language) == ("supergroup", "en")
