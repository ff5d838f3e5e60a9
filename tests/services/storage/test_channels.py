"""Channels managed from a private chat, and the forum thread of a group's digests."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock.clocks import ManualClock
from services.storage import Store, SubscriberRepository
from services.storage.channels import Channel, ChannelRepository, ThreadRepository

NEWS = Channel(chat_id=-1001, title="Новости", username="news_kz")
SPORT = Channel(chat_id=-1002, title="Sport", username=None)
ALICE, BOB = 11, 12


@pytest.fixture
async def channels(db: Store, clock: ManualClock) -> ChannelRepository:
    subscribers = SubscriberRepository(db, clock)
    for chat_id, kind in (
        (NEWS.chat_id, "channel"),
        (SPORT.chat_id, "channel"),
        (-5, "supergroup"),
    ):
        await subscribers.register(
            chat_id, chat_type=kind, language="ru", timezone="Asia/Almaty", digest_time="09:00"
        )
    return ChannelRepository(db, clock)


async def test_a_person_manages_the_channels_they_linked_in_the_order_they_linked_them(
    channels: ChannelRepository, clock: ManualClock
) -> None:
    assert await channels.link(SPORT, ALICE)
    clock.advance(timedelta(seconds=5))
    assert await channels.link(NEWS, ALICE)
    assert not await channels.link(NEWS, ALICE)  # linking again changes nothing
    await channels.link(NEWS, BOB)

    assert await channels.managed_by(ALICE) == [SPORT, NEWS]
    assert await channels.managed_by(BOB) == [NEWS]
    assert await channels.admins_of(NEWS.chat_id) == [ALICE, BOB]
    assert await channels.get(NEWS.chat_id) == NEWS
    assert NEWS.name == "@news_kz" and SPORT.name == "Sport"


async def test_commands_apply_to_the_private_chat_until_the_person_switches_to_a_channel(
    channels: ChannelRepository,
) -> None:
    await channels.link(NEWS, ALICE)
    assert await channels.current(ALICE) is None

    assert await channels.switch(ALICE, NEWS.chat_id)
    assert await channels.current(ALICE) == NEWS
    assert await channels.switch(ALICE, None)
    assert await channels.current(ALICE) is None


async def test_nobody_switches_to_a_channel_they_do_not_manage(channels: ChannelRepository) -> None:
    await channels.link(NEWS, ALICE)

    assert not await channels.switch(BOB, NEWS.chat_id)
    assert await channels.current(BOB) is None


async def test_a_dropped_link_takes_the_persons_choice_of_the_channel_with_it(
    channels: ChannelRepository,
) -> None:
    await channels.link(NEWS, ALICE)
    await channels.link(NEWS, BOB)
    await channels.switch(ALICE, NEWS.chat_id)
    await channels.switch(BOB, NEWS.chat_id)

    assert await channels.unlink(NEWS.chat_id, ALICE)
    assert not await channels.unlink(NEWS.chat_id, ALICE)  # told once: the second finds nothing
    assert await channels.current(ALICE) is None
    assert await channels.current(BOB) == NEWS

    assert await channels.drop(NEWS.chat_id) == [BOB]
    assert await channels.drop(NEWS.chat_id) == []
    assert await channels.current(BOB) is None
    assert await channels.managed_by(BOB) == []


async def test_a_group_posts_in_the_thread_it_chose_until_it_chooses_none(
    db: Store, channels: ChannelRepository
) -> None:
    threads = ThreadRepository(db)  # the group (-5) was registered with the channels

    await threads.set(-5, 42)
    await threads.set(-5, 43)
    assert await threads.all() == {-5: 43}
    await threads.clear(-5)
    assert await threads.all() == {}
