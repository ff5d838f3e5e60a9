"""Delivery through the Sender to the fake Bot API: paced, retried, exactly once, never dropped."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.telegram import TelegramSender
from services.clock.clocks import ManualClock
from services.delivery.service import DeliveryPolicy, Pacer, PassLock
from services.storage import Database
from services.storage.deliveries import NewDelivery
from tests.services.digest_world import World

MORNING = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 09:00 in Almaty
# Retry logic without the per-chat pause (which the pacing tests below and the 200-chat test cover).
FAST = DeliveryPolicy(send_rate=100, private_interval=0.01, backoff_seconds=0.01)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    clock.set(MORNING - timedelta(days=2))
    return World(db, clock)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=DEFAULT_TOKEN) as server:
        yield server


@pytest.fixture
async def sender(fake: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    bot = bot_for(fake, DEFAULT_TOKEN)
    try:
        yield TelegramSender(bot)
    finally:
        await close_session(bot.session)


async def news(world: World, *queries: str) -> list[int]:
    """One topic per query with a story arriving three hours before MORNING; the topic ids."""
    topic_ids = []
    for number, query in enumerate(queries):
        topic = await world.topic(query)
        topic_ids.append(topic.id)
        await world.publish(
            f"{query}: новости дня номер {number}",
            f"{query} снова в новостях, сообщение {number}. Подробности уточняются.",
            arrived=MORNING - timedelta(hours=3, minutes=number),
        )
    return topic_ids


async def subscribe(world: World, fake: FakeTelegramServer, chat_id: int, *topic_ids: int) -> None:
    kind = "private" if chat_id > 0 else "group"
    fake.register_chat(chat_id, chat_type=kind)
    await world.subscriber(chat_id, chat_type=kind)
    for topic_id in topic_ids:
        await world.subscriptions.subscribe(chat_id, topic_id)


async def test_two_hundred_subscribers_each_get_exactly_one_digest_under_telegrams_limits(
    world: World, db: Database
) -> None:
    rate = 60
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=rate, chat_rate=1, group_rate_per_minute=20
    ) as limited:
        topics = await news(world, "уран", "нефть", "Байконур", "тенге")
        chats = [*range(1, 191), *range(-10, 0)]  # ten of them groups
        for index, chat_id in enumerate(chats):
            await subscribe(world, limited, chat_id, topics[index % 4], topics[(index + 1) % 4])
        world.clock.set(MORNING)
        bot = bot_for(limited, DEFAULT_TOKEN)
        try:
            report = await world.delivery(DeliveryPolicy(send_rate=rate)).run_pass(
                TelegramSender(bot)
            )
        finally:
            await close_session(bot.session)

        assert report.due == report.built == report.completed == 200
        assert limited.rate_limited == 0  # our own pacing never ran into Telegram's limits
        for chat_id in chats:
            (message,) = limited.messages(chat_id)
            assert message.text.startswith("Дайджест новостей · 20 марта")
        rows = await db.fetchall("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
        assert [tuple(row) for row in rows] == [("sent", 200)]


async def test_a_chat_that_blocked_the_bot_is_marked_blocked_and_the_rest_still_get_theirs(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    for chat_id in (1, 2, 3):
        await subscribe(world, fake, chat_id, topic)
    fake.block_chat(2)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert report.blocked == 1
    blocked = await world.subscribers.get(2)
    assert blocked is not None and blocked.blocked
    delivery = await world.deliveries.get(2, "2026-03-20")
    assert delivery is not None and delivery.status == "blocked"
    assert [len(fake.messages(chat)) for chat in (1, 3)] == [1, 1]


async def test_after_a_429_the_same_message_goes_again_once_retry_after_has_passed(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 1", retry_after=1
    )
    world.clock.set(MORNING)

    started = asyncio.get_running_loop().time()
    report = await world.delivery(FAST).run_pass(sender)

    assert asyncio.get_running_loop().time() - started >= 1.0
    assert report.rate_limited == 1
    assert len(fake.messages(1)) == 1
    assert fake.rate_limited == 1


async def test_network_or_server_errors_are_retried_with_backoff(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next("sendMessage", status=502, description="Bad Gateway", times=2)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert report.transient_errors == 2
    assert report.completed == 1
    assert len(fake.messages(1)) == 1


async def test_a_digest_telegram_keeps_failing_stays_pending_and_the_next_pass_sends_it(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    fake.fail_next("sendMessage", status=500, description="Internal Server Error", times=4)
    world.clock.set(MORNING)
    delivery = world.delivery(FAST)

    first = await delivery.run_pass(sender)
    pending = await world.deliveries.get(1, "2026-03-20")
    too_soon = await delivery.run_pass(sender)
    world.clock.advance(FAST.retry_later)
    later = await delivery.run_pass(sender)

    assert first.left_pending == 1
    assert pending is not None and pending.status == "pending"
    assert pending.next_attempt_at == MORNING + FAST.retry_later
    assert pending.last_error is not None and "Internal Server Error" in pending.last_error
    assert too_soon.resumed == 0
    assert later.resumed == 1 and later.completed == 1
    assert len(fake.messages(1)) == 1
    sent = await world.deliveries.get(1, "2026-03-20")
    assert sent is not None and sent.status == "sent"


async def built(world: World, chat_id: int, parts: list[str], *, sent: int = 0) -> int:
    """A digest recorded as a pass builds it (and, with `sent`, as far as a crashed pass got)."""
    (delivery,) = await world.deliveries.create_many(
        [NewDelivery(chat_id, "2026-03-20", parts, MORNING - timedelta(days=1), MORNING)]
    )
    if sent:
        await world.deliveries.mark_part_sent(delivery.id, sent)
    return delivery.id


async def test_a_part_telegram_cannot_parse_is_sent_again_as_plain_text(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await subscribe(world, fake, 1)
    await built(world, 1, ["<b>Дайджест</b>", "<blink>Сломанная</blink> часть & <a>ссылка</a>"])
    world.clock.set(MORNING - timedelta(hours=1))  # nobody is due: the pass only resumes

    report = await world.delivery(FAST).run_pass(sender)

    first, second = fake.messages(1)
    assert (first.text, first.parse_mode) == ("Дайджест", "HTML")
    assert (second.text, second.parse_mode) == ("Сломанная часть & ссылка", None)
    assert report.plain_fallbacks == 1
    delivery = await world.deliveries.get(1, "2026-03-20")
    assert delivery is not None and delivery.status == "sent"
    assert delivery.last_error is not None and "plain text" in delivery.last_error


async def test_a_pass_resumes_an_interrupted_digest_at_the_next_unsent_part(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await subscribe(world, fake, 1)
    await built(world, 1, ["<b>1</b>", "<b>2</b>", "<b>3</b>"], sent=1)
    world.clock.set(MORNING - timedelta(hours=1))

    report = await world.delivery(FAST).run_pass(sender)

    assert [message.text for message in fake.messages(1)] == ["2", "3"]
    assert report.resumed == 1 and report.parts_sent == 2


async def test_a_second_pass_sends_nothing_twice(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    world.clock.set(MORNING)
    delivery = world.delivery(FAST)

    await delivery.run_pass(sender)
    again = await delivery.run_pass(sender, everyone=True)

    assert len(fake.messages(1)) == 1
    assert again.due == again.built == again.parts_sent == 0


async def test_an_empty_digest_sends_nothing(
    world: World, fake: FakeTelegramServer, sender: TelegramSender
) -> None:
    await news(world, "уран")
    await subscribe(world, fake, 1, (await world.topic("Байконур")).id)
    world.clock.set(MORNING)

    report = await world.delivery(FAST).run_pass(sender)

    assert (report.built, report.empty, report.parts_sent) == (1, 1, 0)
    assert fake.messages(1) == []


async def test_a_pass_while_another_holds_the_lock_does_nothing(
    world: World, fake: FakeTelegramServer, sender: TelegramSender, tmp_path: Path
) -> None:
    (topic,) = await news(world, "уран")
    await subscribe(world, fake, 1, topic)
    world.clock.set(MORNING)
    lock = tmp_path / "deliver.lock"

    async with PassLock(lock).hold():
        report = await world.delivery(FAST, lock_path=lock).run_pass(sender)

    assert report.skipped_locked
    assert fake.messages(1) == []
    assert await world.deliveries.get(1, "2026-03-20") is None


# --- pacing, in virtual time ---------------------------------------------------------------


class VirtualTime:
    """A monotonic clock that sleeping moves forward, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def pacer(rate: float, virtual: VirtualTime) -> Pacer:
    return Pacer(rate, monotonic=virtual.monotonic, sleep=virtual.sleep)


async def send_all(
    pace: Pacer, virtual: VirtualTime, chats: range, latency: float = 0.0
) -> list[float]:
    """Send one message to each chat in turn, each answered `latency` later; the start times."""
    starts = []
    for chat in chats:
        ticket = await pace.turn(chat)
        starts.append(virtual.now)
        virtual.now += latency
        pace.replied(ticket, 1.0)
    return starts


async def test_messages_to_different_chats_are_spread_evenly_at_the_send_rate() -> None:
    virtual = VirtualTime()
    starts = await send_all(pacer(25, virtual), virtual, range(100))

    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 1 / 25
    achieved = (len(starts) - 1) / (starts[-1] - starts[0])
    assert 0.95 * 25 <= achieved <= 25


async def test_no_second_as_telegram_sees_it_holds_more_than_the_rate() -> None:
    virtual = VirtualTime()
    pace = pacer(10, virtual)
    pace.replied(await pace.turn(99), 1.0)  # answered at once: the network itself is quick
    in_flight = [await pace.turn(chat) for chat in range(10)]  # then answers are slow to come
    waiting = asyncio.create_task(pace.turn(10))
    await asyncio.sleep(0)
    virtual.now += 2.0
    assert not waiting.done()  # the eleventh waits for the first answer

    pace.replied(in_flight[0], 1.0)
    answered = virtual.now
    await waiting

    assert virtual.now >= answered + 1.0  # a full second after that answer (queueing counts)


async def test_the_rate_holds_in_every_sliding_second_with_slow_answers() -> None:
    virtual = VirtualTime()
    starts = await send_all(pacer(10, virtual), virtual, range(60), latency=0.03)

    for index, start in enumerate(starts):
        assert sum(1 for other in starts[index:] if other < start + 1.0) <= 10


async def test_a_chat_waits_its_interval_after_the_reply_and_a_group_three_seconds() -> None:
    virtual = VirtualTime()
    pace = pacer(30, virtual)
    policy = DeliveryPolicy()

    ticket = await pace.turn(7)
    virtual.now += 0.2  # the reply takes a while
    replied_at = virtual.now
    pace.replied(ticket, policy.interval_for("private"))
    pace.replied(await pace.turn(7), policy.interval_for("private"))
    assert virtual.now >= replied_at + 1.0

    pace.replied(await pace.turn(-100), policy.interval_for("supergroup"))
    group_reply = virtual.now
    await pace.turn(-100)
    assert virtual.now >= group_reply + 3.0  # 20 a minute for groups


async def test_a_429_pauses_every_chat_for_its_retry_after() -> None:
    virtual = VirtualTime()
    pace = pacer(30, virtual)
    pace.replied(await pace.turn(1), 1.0)

    pace.pause(5)
    paused_at = virtual.now
    await pace.turn(2)

    assert virtual.now >= paused_at + 5


async def test_a_rate_below_one_a_second_is_kept_too() -> None:
    virtual = VirtualTime()
    starts = await send_all(pacer(0.5, virtual), virtual, range(3))

    assert starts[1] - starts[0] >= 2.0 and starts[2] - starts[1] >= 2.0


async def test_only_one_pass_holds_the_lock_at_a_time(tmp_path: Path) -> None:
    lock_file = tmp_path / "deliver.lock"
    async with PassLock(lock_file).hold() as first, PassLock(lock_file).hold() as second:
        assert (first, second) == (True, False)
    async with PassLock(lock_file).hold() as again:
        assert again is True
