"""Every reply arrives: bursts of new users, and replies during a delivery pass, against Telegram's limits.

The bot runs as `run` builds it (bot.app: services, dispatcher, the paced Bot, the garbage
collector settled after start-up) and reads updates by long polling from the fake Bot API,
in the same process, which enforces Telegram's limits: 30 messages a second overall (or
`--fake-limit`), 1 a second per chat, 20 a minute per group, 429 beyond.

1. Bursts: N new people write /start within one second. Printed: how many were
   answered (goal 100%), the time until the last answer against what SEND_RATE permits,
   N / SEND_RATE (goal: within 10%), and the 429s caused (goal 0 below the fake's limit).
   Then where the time went: the bot's own handling (update injected -> the reply asks
   the pacer for a turn), the wait for the turn, the round trip to the fake, and the
   event loop's stalls (each wake-up more than 40 ms late, summed). `--compare` runs each
   burst again with the pacer's guard at SEND_RATE, as it was kept before: a message
   went only a second after the one SEND_RATE places before it was answered.
2. A delivery pass of `--subscribers` digests, first alone (the same-run baseline), then
   once for each load in `--reply-every`: a new person writes /start every so many
   seconds throughout the pass. One a second is a morning pass as people live it: over
   the 400 s a pass of 10,000 takes at SEND_RATE 25, 400 people (4% of the subscribers)
   write, as the digest arrives; every 0.5 s is the heavier load. Printed for each: the
   replies' latency p50/p99 (goal p99 <= 2 s) and the pass's rate as a ratio of
   SEND_RATE, with the replies and alone (goal >= 0.9 with the replies).

    .venv/bin/python benchmarks/burst.py [--bursts 100,1000] [--subscribers 10000]
        [--send-rate 25] [--fake-limit 30] [--reply-every 1,0.5] [--compare]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from bot.app import Services, build_bot, build_dispatcher, open_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo.telegram_client import close_session  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402
from bot.heap import settle_after_start  # noqa: E402
from bot.pacing import PacingMiddleware  # noqa: E402
from bot.telegram import TelegramSender  # noqa: E402
from services.clock.clocks import ManualClock  # noqa: E402
from services.delivery.pacer import Pacer, PacingPolicy, Ticket  # noqa: E402
from services.delivery.service import PassReport  # noqa: E402
from services.storage.deliveries import NewDelivery  # noqa: E402

NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
DIGEST = [
    "<b>Дайджест новостей · 20 марта</b>\n\n<b>Уран</b>\nКазатомпром снизил прогноз добычи"
    " урана на год из-за нехватки серной кислоты. <a href='https://news.example/1'>Tengrinews</a>"
]


class TracedPacer(Pacer):
    """The bot's pacer, noting when each call asked for its turn and the ticket it got."""

    def __init__(self, policy: PacingPolicy, *, guard_at_send_rate: bool = False) -> None:
        limit = None if guard_at_send_rate else policy.telegram_rate
        super().__init__(policy.send_rate, limit=limit, reply_run=policy.reply_run)
        self.policy = policy
        self.label = "guard at SEND_RATE (the pacer before)" if guard_at_send_rate else "pacer"
        self.turns: list[tuple[float, Ticket]] = []

    async def turn(
        self, chat_id: int | str | None, *, interval: float = 0.0, **options: Any
    ) -> Ticket:
        asked = time.monotonic()
        ticket = await super().turn(chat_id, interval=interval, **options)
        self.turns.append((asked, ticket))
        return ticket


class StallWatch:
    """How late the event loop wakes a 10 ms sleeper: what stalls every task, the pacer too."""

    def __init__(self) -> None:
        self.stalls: list[float] = []
        self._task = asyncio.create_task(self._watch())

    async def _watch(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            late = time.monotonic() - before - 0.01
            if late > 0.04:
                self.stalls.append(late)

    def take(self) -> list[float]:
        stalls, self.stalls = self.stalls, []
        return stalls


@dataclass
class Bench:
    telegram: FakeTelegramServer
    bot: Bot
    services: Services
    pacing: PacingMiddleware
    pacer: TracedPacer
    watch: StallWatch

    def use(self, pacer: TracedPacer) -> None:
        """From now on the bot's calls take their turns from `pacer`."""
        self.pacing.pacer = self.pacer = pacer


@asynccontextmanager
async def running_bot(rate: float, fake_limit: float, folder: Path) -> AsyncIterator[Bench]:
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=fake_limit, chat_rate=1, group_rate_per_minute=20
    ) as telegram:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=SecretStr(DEFAULT_TOKEN),
            telegram_api_url=telegram.url,
            database_path=folder / "bench.db",
            sources_file=folder / "none.toml",
            topics_file=folder / "none.toml",
            send_rate=rate,
        )
        policy = PacingPolicy(send_rate=rate, telegram_rate=fake_limit)
        bot = build_bot(settings, policy)
        pacer = TracedPacer(policy)
        (pacing,) = [m for m in bot.session.middleware if isinstance(m, PacingMiddleware)]
        pacing.pacer = pacer
        async with open_services(settings, ManualClock(NOW)) as services:
            dispatcher = build_dispatcher(services)
            polling = asyncio.create_task(
                dispatcher.start_polling(
                    bot, handle_signals=False, close_bot_session=False, polling_timeout=1
                )
            )
            settle_after_start()  # as `run` does once the bot is up
            watch = StallWatch()
            try:
                yield Bench(telegram, bot, services, pacing, pacer, watch)
            finally:
                await dispatcher.stop_polling()
                await polling
                await close_session(bot.session)


async def burst(bench: Bench, people: int, first_chat: int, rate: float) -> None:
    telegram = bench.telegram
    chats = range(first_chat, first_chat + people)
    limited_before = telegram.rate_limited
    bench.pacer.turns.clear()
    bench.watch.take()
    injected: dict[int, float] = {}
    started = time.monotonic()
    for index, chat in enumerate(chats):  # spread over one second
        injected[chat] = time.monotonic()
        telegram.inject_message(chat, "/start", language_code="ru")
        if index % max(1, people // 20) == 0:
            await asyncio.sleep(1 / 20)
    ideal = people / rate
    await telegram.wait_until(
        lambda: all(telegram.messages(c) for c in chats), ideal * 2 + 30, "every greeting"
    )
    took = time.monotonic() - started
    answered = sum(1 for chat in chats if telegram.messages(chat))
    print(
        f"burst of {people} ({bench.pacer.label}): answered {answered}/{people} ({answered / people:.0%}, goal 100%);"
        f" last answer after {took:.1f} s, SEND_RATE {rate:g} permits {ideal:.1f} s"
        f" -> ratio {took / ideal:.3f} (goal <= 1.10);"
        f" 429s caused {telegram.rate_limited - limited_before} (goal 0)"
    )
    await asyncio.sleep(0.2)  # the last answers reach the pacer
    where_the_time_went(bench, injected, started, took)


def where_the_time_went(
    bench: Bench, injected: dict[int, float], started: float, took: float
) -> None:
    turns = [
        (asked, ticket)
        for asked, ticket in bench.pacer.turns
        if ticket.chat_id in injected and ticket.started_at and ticket.done_at
    ]
    handling = [asked - injected[int(t.chat_id or 0)] for asked, t in turns]
    waiting = [(t.started_at or 0.0) - asked for asked, t in turns]
    trips = [(t.done_at or 0.0) - (t.started_at or 0.0) for _, t in turns]
    granted = sorted(t.started_at or 0.0 for _, t in turns)
    stalls = bench.watch.take()
    span = granted[-1] - granted[0]
    print(
        f"  where the time went: the bot's handling {spread(handling)};"
        f" the wait for a turn {spread(waiting)}; the round trip {spread(trips)}"
    )
    print(
        f"  turns granted from {granted[0] - started:.2f} s to {granted[-1] - started:.2f} s,"
        f" {(len(granted) - 1) / span:.2f} a second; event loop stalls > 40 ms:"
        f" {len(stalls)}, {sum(stalls):.2f} s of {took:.1f} s (longest {max(stalls, default=0):.2f} s)"
    )


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:.0f} / p99 {p99 * 1000:.0f} ms"


async def delivery_pass(
    bench: Bench, subscribers: int, first_chat: int, reply_every: float | None, rate: float
) -> tuple[PassReport, list[float]]:
    """One pass of `subscribers` digests; with `reply_every`, new people write meanwhile."""
    services, telegram = bench.services, bench.telegram
    chats = range(first_chat, first_chat + subscribers)
    for chat in chats:
        telegram.register_chat(chat)
        await services.subscribers.register(
            chat, chat_type="private", language="ru", timezone="UTC", digest_time="23:00"
        )
    await services.deliveries.create_many(
        [NewDelivery(chat, "2026-03-20", DIGEST, None, NOW) for chat in chats]
    )
    delivering = asyncio.create_task(services.delivery.run_pass(TelegramSender(bench.bot)))
    latencies: list[float] = []
    if reply_every is not None:
        person = first_chat + subscribers
        asking: list[asyncio.Task[None]] = []

        async def ask(chat: int) -> None:
            asked = time.monotonic()
            telegram.inject_message(chat, "/start", language_code="ru")
            await telegram.wait_for_messages(chat, 1, timeout=60)
            latencies.append(time.monotonic() - asked)

        await asyncio.sleep(2)  # the pass is under way
        while not delivering.done():
            asking.append(asyncio.create_task(ask(person)))
            person += 1
            await asyncio.sleep(reply_every)
        await asyncio.gather(*asking)
    return await delivering, latencies


def pass_ratio(report: PassReport, rate: float) -> float:
    return report.parts_sent / report.send_seconds / rate if report.send_seconds else 0.0


async def run(
    bursts: list[int],
    subscribers: int,
    rate: float,
    fake_limit: float,
    loads: list[float],
    *,
    compare: bool,
) -> None:
    logging.basicConfig(level=logging.ERROR)
    print(
        f"SEND_RATE {rate:g} a second; the fake Bot API allows {fake_limit:g} a second"
        " overall, 1 a second per chat"
    )
    with tempfile.TemporaryDirectory() as folder:
        async with running_bot(rate, fake_limit, Path(folder)) as bench:
            pacers = [bench.pacer]
            if compare:
                pacers.append(TracedPacer(bench.pacer.policy, guard_at_send_rate=True))
            chat = 1
            for people in bursts:
                for pacer in pacers:
                    bench.use(pacer)
                    await burst(bench, people, chat, rate)
                    chat += people
                    await asyncio.sleep(1.5)  # the budget's second passes
            bench.use(pacers[0])
            if not subscribers:
                return
            alone, _ = await delivery_pass(bench, subscribers, 1_000_000, None, rate)
            print(
                f"a pass of {subscribers} digests alone (the same-run baseline):"
                f" {pass_ratio(alone, rate):.3f} of SEND_RATE in {alone.send_seconds:.0f} s,"
                f" completed {alone.completed}/{subscribers}, 429s {alone.rate_limited}"
            )
            first = 2_000_000
            for every in loads:
                limited = bench.telegram.rate_limited
                shared, latencies = await delivery_pass(bench, subscribers, first, every, rate)
                limited = bench.telegram.rate_limited - limited
                first += 1_000_000
                report(
                    subscribers,
                    every=every,
                    rate=rate,
                    alone=alone,
                    shared=shared,
                    latencies=latencies,
                    limited=limited,
                )


def report(
    subscribers: int,
    *,
    every: float,
    rate: float,
    alone: PassReport,
    shared: PassReport,
    latencies: list[float],
    limited: int,
) -> None:
    latencies.sort()
    budget = (shared.parts_sent + len(latencies)) / shared.send_seconds / rate
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"replies during a pass of {subscribers} digests (one new person every {every:g} s):"
        f" {len(latencies)} replies, latency p50 {statistics.median(latencies):.2f} s,"
        f" p99 {p99:.2f} s, max {latencies[-1]:.2f} s (goal p99 <= 2 s)"
    )
    print(
        f"  pass rate as a ratio of SEND_RATE: {pass_ratio(shared, rate):.3f} with the replies,"
        f" {pass_ratio(alone, rate):.3f} alone (same run baseline; goal >= 0.9);"
        f" completed {shared.completed}/{subscribers}, 429s caused {limited};"
        f" with the replies the budget used was {budget:.3f} of SEND_RATE"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Bursts and replies under Telegram's limits.")
    parser.add_argument("--bursts", default="100,1000", help="comma-separated burst sizes")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument(
        "--send-rate", "--rate", dest="rate", type=float, default=25.0, help="SEND_RATE"
    )
    parser.add_argument(
        "--fake-limit", type=float, default=30.0, help="what the fake takes a second, all chats"
    )
    parser.add_argument(
        "--reply-every", default="1,0.5", help="seconds between new people, one pass for each"
    )
    parser.add_argument(
        "--compare",
        action="store_true",
        help="run each burst again with the guard at SEND_RATE, as the pacer kept it before",
    )
    args = parser.parse_args()
    bursts = [int(size) for size in args.bursts.split(",") if size]
    loads = [float(every) for every in args.reply_every.split(",") if every]
    asyncio.run(
        run(bursts, args.subscribers, args.rate, args.fake_limit, loads, compare=args.compare)
    )


if __name__ == "__main__":
    main()
