"""The one pacer for everything sent to Telegram: a global budget, a gap per chat, people first.

Telegram takes about 30 messages a second from a bot, about one a second in one chat and
20 a minute in a group; beyond that it answers 429 and the message is not sent. Keeping
under the limits is cheaper than reacting to them, and only works if every call shares
one budget: replies, button answers, edits and digest parts alike.

Callers queue in two classes. A reply to someone waiting (`Priority.REPLY`, the default)
goes before the next digest part (`Priority.DIGEST`), but a pass is never starved: after
`reply_run` replies in a row while digest parts wait, one digest part goes. Within a class
calls go in arrival order, except that a chat still within its gap lets later chats pass.

Two windows keep the budget. The pace: at most `rate` calls go in any second of our own
clock, spread evenly (1/rate apart), never in bursts; a stall of the process (a garbage
collection) costs its own length, since making it up at once would only fill the window
a second ahead. The guard: Telegram counts a message when it handles it, after our
request has crossed the network and at the latest when the answer sets off back. So the
call `limit` places after another goes only a second after that other was answered,
less one network leg (half the shortest round trip seen: the part of a trip that is
surely the wire, not waiting in Telegram's queue), and every call after it later still.
Then no second, as Telegram sees it, holds more than `limit` of ours, however its queue
(or our own busy loop) delays them. With `limit` Telegram's own (30) above SEND_RATE
(25), that call is due by the pace 30 / 25 = 1.2 s after the other anyway: the guard
costs nothing until an answer lags 0.2 s, so slow answers no longer stretch the pace.
Without a `limit` the guard is kept at `rate` itself. A chat's gap starts at its answer.
A 429 pauses everyone for its retry_after.

The pacer knows no Telegram library: the bot's session asks it for a turn before each
call (bot/pacing.py), and delivery marks its calls as digest traffic with `sending_as`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from enum import IntEnum

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class Priority(IntEnum):
    """Who waits for the call: a person now, or a digest that is on its way anyway."""

    REPLY = 0
    DIGEST = 1


_priority: ContextVar[Priority] = ContextVar("sending_priority", default=Priority.REPLY)


def current_priority() -> Priority:
    """The class of the calls made from here: REPLY unless inside `sending_as`."""
    return _priority.get()


@contextlib.contextmanager
def sending_as(priority: Priority) -> Iterator[None]:
    """Calls made inside (and in tasks started inside) queue in `priority`'s class."""
    token = _priority.set(priority)
    try:
        yield
    finally:
        _priority.reset(token)


@dataclass(frozen=True, slots=True)
class PacingPolicy:
    """Telegram's limits as we keep them, and how hard a call is tried before it is given up."""

    send_rate: float = 25.0  # messages per second, all chats together (SEND_RATE)
    telegram_rate: float = 30.0  # what Telegram takes a second: the ceiling the guard keeps
    private_interval: float = 1.0  # seconds between two messages to one private chat
    group_interval: float = 3.0  # groups and channels: 20 a minute
    reply_run: int = 4  # replies in a row while digest parts wait; then one part goes
    max_rate_limit_waits: int = 8  # 429s waited out for one call before it is given up
    max_retry_after: float = 300.0  # a longer retry_after gives the call up at once
    transient_retries: int = 3  # 5xx / network errors retried, for calls safe to repeat
    backoff_seconds: float = 1.0  # first backoff; doubles on each retry

    def interval_for(self, chat_id: int | str) -> float:
        """Private chats have positive ids; groups, supergroups and channels negative or @names."""
        if isinstance(chat_id, int) and chat_id > 0:
            return self.private_interval
        return self.group_interval


class Ticket:
    """One call's place in the pace: queued, granted, then done when Telegram's answer is back."""

    __slots__ = ("chat_id", "done_at", "future", "interval", "priority", "started_at")

    def __init__(
        self,
        chat_id: int | str | None,
        interval: float,
        priority: Priority,
        future: asyncio.Future[Ticket],
    ) -> None:
        self.chat_id = chat_id
        self.interval = interval
        self.priority = priority
        self.future = future
        self.started_at: float | None = None
        self.done_at: float | None = None

    def finish(self, moment: float) -> None:
        if self.done_at is None:
            self.done_at = moment


def _window(rate: float, safety: float) -> tuple[int, float]:
    """`rate` a second as (calls, seconds): whole calls in a second, or one call in 1/rate."""
    if rate >= 1:
        return int(rate), 1.0 + safety
    return 1, 1.0 / rate + safety


class Pacer:
    """Grants turns at `rate` calls a second overall, a gap per chat, replies before digests.

    `limit`: what Telegram takes a second; the guard on answer times keeps under
    max(`limit`, `rate`). Left out, it is `rate`.
    """

    def __init__(
        self,
        rate: float,
        *,
        limit: float | None = None,
        reply_run: int = 4,
        safety: float = 0.01,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._safety = safety
        self._capacity, self._period = _window(rate, safety)
        self._spacing = self._period / self._capacity
        self._guard_capacity, self._guard_period = _window(max(limit or rate, rate), safety)
        self._reply_run_limit = max(1, reply_run)
        self._monotonic = monotonic
        self._sleep = sleep
        self._next_slot = 0.0
        self._paused_until = 0.0
        self._granted: deque[float] = deque(maxlen=self._capacity)  # when the last turns went
        self._recent: deque[Ticket] = deque(maxlen=self._guard_capacity)
        self._chat_ready: dict[int | str, float] = {}
        self._shortest_round_trip: float | None = None
        self._queues: tuple[deque[Ticket], deque[Ticket]] = (deque(), deque())
        self._reply_run = 0
        self._wake = asyncio.Event()
        self._driver: asyncio.Task[None] | None = None

    def set_rate(self, rate: float, limit: float | None = None) -> None:
        """Change the pace: this process's share of SEND_RATE (and of `limit`) when several
        processes send for one token (services/delivery/shared_budget.py)."""
        capacity, period = _window(rate, self._safety)
        guard = _window(max(limit or rate, rate), self._safety)
        if (capacity, period, guard) == (
            self._capacity,
            self._period,
            (self._guard_capacity, self._guard_period),
        ):
            return
        self._capacity, self._period = capacity, period
        self._spacing = period / capacity
        self._guard_capacity, self._guard_period = guard
        self._granted = deque(self._granted, maxlen=capacity)
        self._recent = deque(self._recent, maxlen=self._guard_capacity)
        self._kick()

    @property
    def rate(self) -> float:
        """Calls a second granted at most."""
        return self._capacity / self._period

    @property
    def waiting(self) -> int:
        """Calls queued for a turn now."""
        return sum(1 for queue in self._queues for ticket in queue if not ticket.future.done())

    async def turn(
        self,
        chat_id: int | str | None,
        *,
        interval: float = 0.0,
        priority: Priority | None = None,
        first: bool = False,
    ) -> Ticket:
        """Wait for this call's turn; pass the ticket to `replied` once the answer is in.

        `chat_id` None: a call to no chat in particular (a button answer, a chat action),
        which takes a place in the global budget only. `interval`: the chat's gap after
        this call. `first`: the call was tried already (a 429) and keeps its place in front.
        """
        future: asyncio.Future[Ticket] = asyncio.get_running_loop().create_future()
        ticket = Ticket(
            chat_id, interval, current_priority() if priority is None else priority, future
        )
        queue = self._queues[ticket.priority]
        if first:
            queue.appendleft(ticket)
        else:
            queue.append(ticket)
        self._kick()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():  # granted, but nobody will use it
                self.replied(ticket)
            raise

    def replied(self, ticket: Ticket) -> None:
        """The call's answer is in (or it was given up): its chat's gap starts now."""
        now = self._monotonic()
        ticket.finish(now)
        if ticket.started_at is not None:
            trip = now - ticket.started_at
            if self._shortest_round_trip is None or trip < self._shortest_round_trip:
                self._shortest_round_trip = trip
        if ticket.chat_id is not None:
            self._chat_ready[ticket.chat_id] = now + ticket.interval
            if len(self._chat_ready) > 50_000:  # forget chats whose gap has long passed
                self._chat_ready = {c: at for c, at in self._chat_ready.items() if at > now}
        self._wake.set()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds`."""
        self._paused_until = max(self._paused_until, self._monotonic() + seconds)
        self._wake.set()

    # ------------------------------------------------------------------ the granting loop

    def _kick(self) -> None:
        self._wake.set()
        if self._driver is None or self._driver.done():
            self._driver = asyncio.get_running_loop().create_task(self._drive())

    async def _drive(self) -> None:
        """Grant turns while anyone waits; sleep until the pace, a chat or a pause allows one."""
        try:
            while True:
                self._wake.clear()
                for queue in self._queues:
                    while queue and queue[0].future.done():
                        queue.popleft()
                if not any(self._queues):
                    return
                now = self._monotonic()
                until = self._next_moment(now)
                if until is not None and until <= now:
                    continue  # a turn was granted: look again
                await self._wait(None if until is None else until - now)
        except Exception as exc:  # a fault here must not leave callers waiting forever
            log.exception("pacer stopped")
            for queue in self._queues:
                for ticket in queue:
                    if not ticket.future.done():
                        ticket.future.set_exception(exc)
                queue.clear()
        finally:
            self._driver = None

    def _next_moment(self, now: float) -> float | None:
        """Grant one turn if one is due (returns `now`), else when to look again (None: on news)."""
        if self._paused_until > now:
            return self._paused_until
        slot = self._next_slot
        if len(self._granted) == self._capacity:
            slot = max(slot, self._granted[0] + self._period)
        if len(self._recent) == self._guard_capacity:
            oldest = self._recent[0]
            if oldest.done_at is None:
                return None  # wait for its answer
            leg = (self._shortest_round_trip or 0.0) / 2
            slot = max(slot, oldest.done_at - leg + self._guard_period)
        if slot > now:
            return slot
        ticket, chat_ready = self._pick(now)
        if ticket is None:
            return None if math.isinf(chat_ready) else chat_ready
        self._grant(ticket, now, slot)
        return now

    def _pick(self, now: float) -> tuple[Ticket | None, float]:
        """The next call to go, and, when none may, when the first waiting chat's gap ends."""
        earliest = math.inf
        found: list[Ticket | None] = []
        for queue in self._queues:
            chosen = None
            held: set[int | str] = set()
            for ticket in queue:
                if ticket.future.done():
                    continue
                chat = ticket.chat_id
                if chat is None:
                    chosen = ticket
                    break
                if chat in held:
                    continue
                ready = self._chat_ready.get(chat, 0.0)
                if ready <= now:
                    chosen = ticket
                    break
                held.add(chat)
                earliest = min(earliest, ready)
            found.append(chosen)
        reply, digest = found
        if reply is not None and (digest is None or self._reply_run < self._reply_run_limit):
            return reply, earliest
        return digest, earliest

    def _grant(self, ticket: Ticket, now: float, slot: float) -> None:
        queue = self._queues[ticket.priority]
        if queue[0] is ticket:
            queue.popleft()
        else:
            queue.remove(ticket)
        if ticket.priority is Priority.REPLY:
            digests_wait = any(
                not waiting.future.done() for waiting in self._queues[Priority.DIGEST]
            )
            self._reply_run = self._reply_run + 1 if digests_wait else 0
        else:
            self._reply_run = 0
        # keep the cadence through a slightly late wake-up; after a longer stall start afresh
        # from now: a burst to make up for it would only fill the window a second ahead
        self._next_slot = (slot if now - slot < self._spacing else now) + self._spacing
        ticket.started_at = now
        self._granted.append(now)
        self._recent.append(ticket)
        if ticket.chat_id is not None:
            self._chat_ready[ticket.chat_id] = math.inf  # one call at a time per chat
        ticket.future.set_result(ticket)

    async def _wait(self, delay: float | None) -> None:
        """Until `delay` has passed or something changed (a call queued, answered, a 429)."""
        if delay is None:
            await self._wake.wait()
            return
        if self._wake.is_set():
            return
        waker = asyncio.ensure_future(self._wake.wait())
        sleeper = asyncio.ensure_future(self._sleep(delay))
        try:
            await asyncio.wait({waker, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waker.cancel()
            sleeper.cancel()
