"""The pacer in virtual time: the global rate, a gap per chat, 429 pauses, replies before digests."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from typing import Any

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


class Timeline:
    """Virtual time with timers, for calls in flight together: each sleeper wakes at its moment.

    The clock moves to the next timer only once every task has run as far as it can, so
    answers arriving while the pacer sleeps come in the order their moments say.
    """

    def __init__(self) -> None:
        self.now = 100.0
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()

    def monotonic(self) -> float:
        return self.now

    def call_at(self, moment: float, callback: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (moment, next(self._order), callback))

    async def sleep(self, seconds: float) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not woken.done():  # a sleep cancelled meanwhile is left alone
                woken.set_result(None)

        self.call_at(self.now + max(seconds, 0.0), wake)
        await woken

    def stall(self, at: float, seconds: float) -> None:
        """At `at`, the process stops for `seconds` (a garbage collection): timers fire late."""

        def stop() -> None:
            self.now += seconds

        self.call_at(at, stop)

    async def run(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(work)
        while not task.done():
            for _ in range(50):
                await asyncio.sleep(0)
            if task.done():
                break
            moment, _, callback = heapq.heappop(self._timers)
            self.now = max(self.now, moment)
            callback()
        task.result()


def pacer(rate: float, virtual: VirtualTime | Timeline, **options: int) -> Pacer:
    return Pacer(rate, monotonic=virtual.monotonic, sleep=virtual.sleep, **options)


async def send_together(
    pace: Pacer, timeline: Timeline, count: int, trip: Callable[[int], tuple[float, float]]
) -> tuple[list[float], list[float]]:
    """`count` calls to different chats queued at once, all in flight together.

    `trip(n)` gives call n's (delay until Telegram counts it, delay from then to the answer).
    Returns when Telegram counted each call and when each was granted, in grant order.
    """
    counted: list[float] = []
    granted: list[float] = []

    async def call(chat: int) -> None:
        ticket = await pace.turn(chat, interval=1.0)
        index = len(granted)
        granted.append(timeline.now)
        to_count, to_answer = trip(index)
        counted.append(timeline.now + to_count)
        timeline.call_at(timeline.now + to_count + to_answer, lambda: pace.replied(ticket))

    async def everyone() -> None:
        await asyncio.gather(*(call(chat) for chat in range(1, count + 1)))

    await timeline.run(everyone())
    return counted, granted


def busiest_second(moments: list[float]) -> int:
    ordered = sorted(moments)
    return max(
        sum(1 for later in ordered[index:] if later < moment + 1.0)
        for index, moment in enumerate(ordered)
    )


def rate_of(granted: list[float]) -> float:
    return (len(granted) - 1) / (granted[-1] - granted[0])


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


WIRE = 0.005  # one network leg


async def test_slow_answers_do_not_slow_the_pace_while_telegrams_limit_has_room() -> None:
    timeline = Timeline()
    pace = Pacer(25, limit=30, monotonic=timeline.monotonic, sleep=timeline.sleep)

    def trip(index: int) -> tuple[float, float]:  # answers 150 ms late (the first is quick)
        return (WIRE, WIRE) if index == 0 else (WIRE + 0.15, WIRE)

    counted, granted = await send_together(pace, timeline, 200, trip)

    assert rate_of(granted) >= 0.98 * 25
    assert busiest_second(granted) <= 25 and busiest_second(counted) <= 25


async def test_without_telegrams_limit_the_guard_keeps_the_rate_itself() -> None:
    timeline = Timeline()
    pace = Pacer(25, monotonic=timeline.monotonic, sleep=timeline.sleep)

    def trip(index: int) -> tuple[float, float]:
        return (WIRE, WIRE) if index == 0 else (WIRE + 0.15, WIRE)

    counted, granted = await send_together(pace, timeline, 200, trip)

    assert busiest_second(counted) <= 25
    assert rate_of(granted) < 0.95 * 25  # each second's calls wait for answers a second ago


async def test_no_second_as_telegram_sees_it_holds_more_than_its_limit_however_late_it_counts() -> (
    None
):
    timeline = Timeline()
    pace = Pacer(25, limit=30, monotonic=timeline.monotonic, sleep=timeline.sleep)

    def trip(index: int) -> tuple[float, float]:
        """Telegram's queue holds some calls long, then counts them late, all together."""
        queued = (0.0, 0.05, 1.5, 0.3, 0.9, 0.0, 2.0, 0.6)[index % 8] if index else 0.0
        return WIRE + queued, WIRE

    counted, granted = await send_together(pace, timeline, 300, trip)

    assert busiest_second(counted) <= 30
    assert busiest_second(granted) <= 25


async def test_a_stall_of_the_process_costs_its_length_and_no_burst_follows() -> None:
    timeline = Timeline()
    pace = Pacer(25, limit=30, monotonic=timeline.monotonic, sleep=timeline.sleep)
    stalled_at = timeline.now + 1.015  # while a call is in flight: its answer comes late
    timeline.stall(at=stalled_at, seconds=0.6)  # a garbage collection

    counted, granted = await send_together(pace, timeline, 100, lambda _: (WIRE, WIRE))

    assert granted[-1] - granted[0] <= 99 / 25 * 1.01 + 0.6 + 0.01
    after = [moment for moment in granted if moment > stalled_at]
    assert min(later - earlier for earlier, later in itertools.pairwise(after)) >= 1 / 25
    assert busiest_second(counted) <= 25


async def test_after_a_429_the_pace_resumes_evenly_with_no_burst_for_the_pause() -> None:
    timeline = Timeline()
    pace = Pacer(25, limit=30, monotonic=timeline.monotonic, sleep=timeline.sleep)
    timeline.call_at(timeline.now + 1.0, lambda: pace.pause(3))

    _, granted = await send_together(pace, timeline, 100, lambda _: (WIRE, WIRE))

    resumed = [moment for moment in granted if moment >= 100.0 + 4.0]
    gaps = [later - earlier for earlier, later in itertools.pairwise(resumed)]
    assert resumed and min(gaps) >= 1 / 25 - 1e-9
