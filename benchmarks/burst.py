"""Every reply arrives: bursts of new users, and replies during a delivery pass, against Telegram's limits.

The bot runs as `run` builds it (bot.app: services, dispatcher, the paced Bot) and reads
updates by long polling from the fake Bot API, which enforces Telegram's limits: 30
messages a second overall, 1 a second per chat, 20 a minute per group, 429 beyond.

1. Bursts: N new people write /start within one second. Printed: how many were
   answered (goal 100%), the time until the last answer against what SEND_RATE permits,
   N / SEND_RATE (goal: within 10%), and the 429s caused (goal 0 below the fake's limit).
2. A delivery pass of `--subscribers` digests, first alone (the same-run baseline), then
   with a new person writing /start every `--reply-every` seconds throughout. Printed: the
   replies' latency p50/p99 (goal p99 <= 2 s) and the pass's rate as a ratio of SEND_RATE,
   with replies and alone (goal >= 0.9).

    .venv/bin/python benchmarks/burst.py [--bursts 100,1000] [--subscribers 10000] [--rate 25]
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiogram import Bot  # noqa: E402

from bot.app import Services, build_bot, build_dispatcher, open_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.demo.telegram_client import close_session  # noqa: E402
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer  # noqa: E402
from bot.telegram import TelegramSender  # noqa: E402
from services.clock.clocks import ManualClock  # noqa: E402
from services.delivery.service import PassReport  # noqa: E402
from services.storage.deliveries import NewDelivery  # noqa: E402

TELEGRAM_RATE = 30
NOW = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)
DIGEST = [
    "<b>Дайджест новостей · 20 марта</b>\n\n<b>Уран</b>\nКазатомпром снизил прогноз добычи"
    " урана на год из-за нехватки серной кислоты. <a href='https://news.example/1'>Tengrinews</a>"
]


@dataclass
class Bench:
    telegram: FakeTelegramServer
    bot: Bot
    services: Services


@asynccontextmanager
async def running_bot(rate: float, folder: Path) -> AsyncIterator[Bench]:
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=TELEGRAM_RATE, chat_rate=1, group_rate_per_minute=20
    ) as telegram:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=DEFAULT_TOKEN,
            telegram_api_url=telegram.url,
            database_path=folder / "bench.db",
            sources_file=folder / "none.toml",
            topics_file=folder / "none.toml",
            send_rate=rate,
        )
        bot = build_bot(settings)
        async with open_services(settings, ManualClock(NOW)) as services:
            dispatcher = build_dispatcher(services)
            polling = asyncio.create_task(
                dispatcher.start_polling(
                    bot, handle_signals=False, close_bot_session=False, polling_timeout=1
                )
            )
            try:
                yield Bench(telegram, bot, services)
            finally:
                await dispatcher.stop_polling()
                await polling
                await close_session(bot.session)


async def burst(bench: Bench, people: int, first_chat: int, rate: float) -> None:
    telegram = bench.telegram
    chats = range(first_chat, first_chat + people)
    limited_before = telegram.rate_limited
    started = time.monotonic()
    for index, chat in enumerate(chats):  # spread over one second
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
        f"burst of {people}: answered {answered}/{people} ({answered / people:.0%}, goal 100%);"
        f" last answer after {took:.1f} s, SEND_RATE {rate:g} permits {ideal:.1f} s"
        f" -> ratio {took / ideal:.3f} (goal <= 1.10);"
        f" 429s caused {telegram.rate_limited - limited_before} (goal 0)"
    )


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


async def run(bursts: list[int], subscribers: int, rate: float, reply_every: float) -> None:
    logging.basicConfig(level=logging.ERROR)
    print(
        f"SEND_RATE {rate:g} a second; the fake Bot API allows {TELEGRAM_RATE} a second"
        " overall, 1 a second per chat"
    )
    with tempfile.TemporaryDirectory() as folder:
        async with running_bot(rate, Path(folder)) as bench:
            chat = 1
            for people in bursts:
                await burst(bench, people, chat, rate)
                chat += people
                await asyncio.sleep(1.5)  # the budget's second passes
            if subscribers:
                alone, _ = await delivery_pass(bench, subscribers, 1_000_000, None, rate)
                limited = bench.telegram.rate_limited
                shared, latencies = await delivery_pass(
                    bench, subscribers, 2_000_000, reply_every, rate
                )
                limited = bench.telegram.rate_limited - limited
    if not subscribers:
        return
    latencies.sort()
    budget = (shared.parts_sent + len(latencies)) / shared.send_seconds / rate
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    print(
        f"replies during a pass of {subscribers} digests (one new person every {reply_every:g} s):"
        f" {len(latencies)} replies, latency p50 {statistics.median(latencies):.2f} s,"
        f" p99 {p99:.2f} s, max {latencies[-1]:.2f} s (goal p99 <= 2 s)"
    )
    print(
        f"pass rate as a ratio of SEND_RATE: {pass_ratio(shared, rate):.3f} with the replies,"
        f" {pass_ratio(alone, rate):.3f} alone (same run baseline; goal >= 0.9);"
        f" completed {shared.completed}/{subscribers}, 429s caused {limited};"
        f" with the replies the budget used was {budget:.3f} of SEND_RATE"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Bursts and replies under Telegram's limits.")
    parser.add_argument("--bursts", default="100,1000", help="comma-separated burst sizes")
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=25.0, help="SEND_RATE for the run")
    parser.add_argument("--reply-every", type=float, default=0.5)
    args = parser.parse_args()
    bursts = [int(size) for size in args.bursts.split(",") if size]
    asyncio.run(run(bursts, args.subscribers, args.rate, args.reply_every))


if __name__ == "__main__":
    main()
