"""The pacer in virtual time: the global rate, a gap per chat, 429 pauses, replies before digests."""

from __future__ import annotations

import asyncio

from services.delivery.pacer import Pacer, PacingPolicy, Priority, Ticket, sending_as


class VirtualTime:
    """A monotonic clock that sleeping moves forward, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 100.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


def pacer(rate: float, virtual: VirtualTime, **options: int) -> Pacer:
    return Pacer(rate, monotonic=virtual.monotonic, sleep=virtual.sleep, **options)


async def send_all(
    pace: Pacer, virtual: VirtualTime, chats: range, latency: float = 0.0
) -> list[float]:
    """Send one message to each chat in turn, each answered `latency` later; the start times."""
    starts = []
    for chat in chats:
        ticket = await pace.turn(chat, interval=1.0)
        starts.append(virtual.now)
        virtual.now += latency
        pace.replied(ticket)
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
    pace.replied(await pace.turn(99))  # answered at once: the network itself is quick
    in_flight = [await pace.turn(chat) for chat in range(10)]  # then answers are slow to come
    waiting = asyncio.create_task(pace.turn(10))
    for _ in range(5):
        await asyncio.sleep(0)
    virtual.now += 2.0
    assert not waiting.done()  # the eleventh waits for the first answer

    pace.replied(in_flight[0])
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
    policy = PacingPolicy()

    ticket = await pace.turn(7, interval=policy.interval_for(7))
    virtual.now += 0.2  # the reply takes a while
    replied_at = virtual.now
    pace.replied(ticket)
    pace.replied(await pace.turn(7, interval=policy.interval_for(7)))
    assert virtual.now >= replied_at + 1.0

    pace.replied(await pace.turn(-100, interval=policy.interval_for(-100)))
    group_reply = virtual.now
    await pace.turn(-100, interval=policy.interval_for(-100))
    assert virtual.now >= group_reply + 3.0  # 20 a minute for groups


async def test_a_chat_in_its_gap_lets_the_chats_behind_it_go_first() -> None:
    virtual = VirtualTime()
    pace = pacer(30, virtual)
    pace.replied(await pace.turn(1, interval=1.0))
    order: list[int] = []

    async def send(chat: int) -> None:
        ticket = await pace.turn(chat, interval=1.0)
        order.append(chat)
        pace.replied(ticket)

    await asyncio.gather(send(1), send(2), send(3))

    assert order == [2, 3, 1]


async def test_a_429_pauses_every_chat_for_its_retry_after() -> None:
    virtual = VirtualTime()
    pace = pacer(30, virtual)
    pace.replied(await pace.turn(1))

    pace.pause(5)
    paused_at = virtual.now
    await pace.turn(2)

    assert virtual.now >= paused_at + 5


async def test_a_rate_below_one_a_second_is_kept_too() -> None:
    virtual = VirtualTime()
    starts = await send_all(pacer(0.5, virtual), virtual, range(3))

    assert starts[1] - starts[0] >= 2.0 and starts[2] - starts[1] >= 2.0


async def granted_order(pace: Pacer, calls: list[tuple[int, Priority]]) -> list[int]:
    """Queue every call at once (a burst), answer each at once; the chats in the order served."""
    order: list[int] = []

    async def send(chat: int, priority: Priority) -> None:
        with sending_as(priority):
            ticket = await pace.turn(chat, interval=1.0)
        order.append(chat)
        pace.replied(ticket)

    await asyncio.gather(*(send(chat, priority) for chat, priority in calls))
    return order


async def test_replies_go_before_digest_parts_queued_earlier() -> None:
    pace = pacer(10, VirtualTime(), reply_run=4)
    digests = [(chat, Priority.DIGEST) for chat in range(1000, 1003)]
    replies = [(chat, Priority.REPLY) for chat in range(1, 4)]

    order = await granted_order(pace, digests + replies)

    assert order == [1, 2, 3, 1000, 1001, 1002]


async def test_a_pass_is_never_starved_one_part_goes_after_every_run_of_replies() -> None:
    pace = pacer(10, VirtualTime(), reply_run=4)
    digests = [(chat, Priority.DIGEST) for chat in range(1000, 1003)]
    replies = [(chat, Priority.REPLY) for chat in range(1, 11)]

    order = await granted_order(pace, digests + replies)

    assert order == [1, 2, 3, 4, 1000, 5, 6, 7, 8, 1001, 9, 10, 1002]


async def test_replies_of_a_burst_go_in_arrival_order() -> None:
    pace = pacer(25, VirtualTime())

    order = await granted_order(pace, [(chat, Priority.REPLY) for chat in range(300, 0, -1)])

    assert order == list(range(300, 0, -1))


async def test_a_call_tried_again_after_a_429_keeps_its_place_in_front() -> None:
    virtual = VirtualTime()
    pace = pacer(25, virtual)
    first = await pace.turn(1)
    pace.pause(2)
    pace.replied(first)
    later = [asyncio.create_task(pace.turn(chat)) for chat in (2, 3)]
    await asyncio.sleep(0)

    again = await pace.turn(1, first=True)

    assert not any(task.done() for task in later)
    pace.replied(again)
    for task in later:
        pace.replied(await task)


async def test_a_waiter_cancelled_in_the_queue_holds_up_nobody() -> None:
    virtual = VirtualTime()
    pace = pacer(25, virtual)
    pace.pause(1)
    gone = asyncio.create_task(pace.turn(1))
    await asyncio.sleep(0)
    gone.cancel()

    ticket: Ticket = await pace.turn(2)

    assert gone.cancelled() and ticket.chat_id == 2
    assert pace.waiting == 0
