"""Every reply arrives: the bot's calls share one pacer against a fake Telegram with its limits on.

The bot is built as `run` builds it (bot.app.build_bot) and reads updates by long polling;
the fake answers 429 beyond its limits, as Telegram does, and counts every one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError

from bot.app import Services, build_bot, build_dispatcher, open_services
from bot.config import Settings
from bot.demo.telegram_client import close_session
from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.pacing import PacingMiddleware, given_up
from bot.telegram import TelegramSender
from services.clock.clocks import ManualClock
from services.delivery.pacer import PacingPolicy
from services.storage.deliveries import NewDelivery

MakeSettings = Callable[..., Settings]
GREETING = "Здравствуйте"
FAKE_RATE = 60  # what the fake lets through, a second, all chats together
SEND_RATE = 50  # below it, as production's 25 is below Telegram's 30: the pacer knows both


@dataclass
class Running:
    telegram: FakeTelegramServer
    bot: Bot
    services: Services

    def greeted(self, chats: range) -> list[int]:
        return [chat for chat in chats if self.telegram.messages(chat)]

    async def wait_greeted(self, chats: range, timeout: float) -> float:
        """Seconds until every chat has its reply."""
        started = time.monotonic()
        await self.telegram.wait_until(
            lambda: len(self.greeted(chats)) == len(chats), timeout, "every reply"
        )
        return time.monotonic() - started


@pytest.fixture
async def limited() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(
        token=DEFAULT_TOKEN, global_rate=FAKE_RATE, chat_rate=1, group_rate_per_minute=20
    ) as server:
        yield server


@pytest.fixture
async def running(
    limited: FakeTelegramServer, make_settings: MakeSettings, clock: ManualClock
) -> AsyncIterator[Running]:
    settings = make_settings(telegram_api_url=limited.url, send_rate=SEND_RATE)
    bot = build_bot(settings, PacingPolicy(send_rate=SEND_RATE, telegram_rate=FAKE_RATE))
    async with open_services(settings, clock) as services:
        dispatcher = build_dispatcher(services)
        polling = asyncio.create_task(
            dispatcher.start_polling(
                bot, handle_signals=False, close_bot_session=False, polling_timeout=1
            )
        )
        try:
            yield Running(limited, bot, services)
        finally:
            await dispatcher.stop_polling()
            await polling
            await close_session(bot.session)


def burst(telegram: FakeTelegramServer, chats: range) -> None:
    for chat in chats:
        telegram.inject_message(chat, "/start", language_code="ru")


@pytest.mark.parametrize("people", [100, 300])
async def test_everyone_who_writes_start_in_the_same_second_is_greeted(
    running: Running, people: int, caplog: pytest.LogCaptureFixture
) -> None:
    chats = range(1, people + 1)

    burst(running.telegram, chats)
    took = await running.wait_greeted(chats, timeout=people / SEND_RATE + 10)

    assert running.greeted(chats) == list(chats)
    assert all(GREETING in running.telegram.messages(c)[0].text for c in chats)
    assert running.telegram.rate_limited == 0  # queued at the budget's pace, none refused
    assert took >= (people - SEND_RATE) / SEND_RATE  # and that pace was kept
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_a_429_storm_loses_no_reply(
    running: Running, caplog: pytest.LogCaptureFixture
) -> None:
    chats = range(1, 101)
    running.telegram.flood(3.0, retry_after=2)

    burst(running.telegram, chats)
    await running.wait_greeted(chats, timeout=30)

    assert running.greeted(chats) == list(chats)
    assert running.telegram.rate_limited > 0  # the storm was met, and waited out
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_reply_and_a_button_answer_during_a_pass_of_500_digests_come_within_seconds(
    running: Running, clock: ManualClock
) -> None:
    services, telegram = running.services, running.telegram
    readers = range(10_001, 10_501)
    for chat in readers:
        telegram.register_chat(chat)
        await services.subscribers.register(
            chat, chat_type="private", language="ru", timezone="UTC", digest_time="23:00"
        )
    digest = ["<b>Дайджест новостей</b>\nУран, нефть и тенге: что случилось за день."]
    await services.deliveries.create_many(
        [NewDelivery(chat, "2026-03-20", digest, None, clock.now()) for chat in readers]
    )
    telegram.inject_message(1, "/start", language_code="ru")
    await running.wait_greeted(range(1, 2), timeout=5)  # a message to press a button under

    delivering = asyncio.create_task(services.delivery.run_pass(TelegramSender(running.bot)))
    await telegram.wait_until(lambda: len(telegram.sent) > 100, 10, "the pass to be under way")
    asked = time.monotonic()
    telegram.inject_message(2, "/start", language_code="ru")
    telegram.inject_callback(1, "stale", check_button=False)
    await running.wait_greeted(range(2, 3), timeout=10)
    replied = time.monotonic() - asked
    await telegram.wait_until(lambda: bool(telegram.callback_answers), 15, "the button's answer")
    answered = time.monotonic() - asked
    report = await delivering

    assert replied < 3 and answered < 3  # Telegram shows an error after 15 s
    assert report.completed == 500 and report.rate_limited == 0
    assert len(telegram.messages(10_001)) == 1 and telegram.rate_limited == 0


# --- the middleware's rules, call by call -------------------------------------------------


@pytest.fixture
async def quick(
    fake_telegram: FakeTelegramServer, make_settings: MakeSettings
) -> AsyncIterator[Bot]:
    """A bot with tight bounds: two 429s, two retries, short backoff."""
    policy = PacingPolicy(
        send_rate=100, max_rate_limit_waits=2, transient_retries=2, backoff_seconds=0.01
    )
    bot = build_bot(make_settings(telegram_api_url=fake_telegram.url), policy)
    fake_telegram.register_chat(7)
    try:
        yield bot
    finally:
        await close_session(bot.session)


def pacing_of(bot: Bot) -> PacingMiddleware:
    (middleware,) = [m for m in bot.session.middleware if isinstance(m, PacingMiddleware)]
    return middleware


async def test_a_429_is_waited_out_and_the_same_call_sent_again(
    quick: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next("sendMessage", status=429, description="Too Many", retry_after=1)

    started = time.monotonic()
    await quick.send_message(7, "снова")

    assert time.monotonic() - started >= 1.0
    assert [m.text for m in fake_telegram.messages(7)] == ["снова"]


async def test_a_call_given_up_leaves_one_warning_line_without_text_or_token(
    quick: Bot, fake_telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail_next(
        "sendMessage", status=429, description="Too Many", retry_after=1, times=3
    )

    with pytest.raises(TelegramRetryAfter) as raised:
        await quick.send_message(7, "секретный текст")

    assert given_up(raised.value)
    (line,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert line.levelno == logging.WARNING and line.exc_info is None
    message = line.getMessage()
    assert "chat_id=7" in message and "reason=rate_limited" in message
    assert "секретный" not in message and DEFAULT_TOKEN.split(":")[1] not in message


async def test_a_reply_given_up_is_not_logged_again_by_the_error_handler(
    fake_telegram: FakeTelegramServer,
    make_settings: MakeSettings,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = PacingPolicy(send_rate=100, max_rate_limit_waits=1)
    settings = make_settings(telegram_api_url=fake_telegram.url)
    bot = build_bot(settings, policy)
    fake_telegram.fail_next(
        "sendMessage", status=429, description="Too Many", retry_after=1, times=2
    )
    try:
        async with open_services(settings, clock) as services:
            dispatcher = build_dispatcher(services)
            polling = asyncio.create_task(
                dispatcher.start_polling(
                    bot, handle_signals=False, close_bot_session=False, polling_timeout=1
                )
            )
            fake_telegram.inject_message(5, "/start", language_code="ru")
            await fake_telegram.wait_until(lambda: fake_telegram.rate_limited == 2, 10, "both 429s")
            await fake_telegram.wait_for_updates_consumed()
            await asyncio.sleep(0.2)
            await dispatcher.stop_polling()
            await polling
    finally:
        await close_session(bot.session)

    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    (line,) = [r for r in caplog.records if r.name in ("bot.pacing", "aiogram.event")]
    assert line.levelno == logging.WARNING and "chat_id=5" in line.getMessage()


async def test_server_errors_are_retried_for_a_button_answer_but_a_message_is_not_sent_twice(
    quick: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next("sendMessage", status=502, description="Bad Gateway")
    fake_telegram.fail_next("sendChatAction", status=502, description="Bad Gateway", times=2)

    with pytest.raises(TelegramServerError):
        await quick.send_message(7, "один раз")
    assert await quick.send_chat_action(7, "typing")

    assert fake_telegram.requests["sendMessage"] == 1
    assert fake_telegram.chat_actions == [(7, "typing")]


async def test_calls_that_send_nothing_do_not_wait_for_the_pace(quick: Bot) -> None:
    pacing_of(quick).pacer.pause(30)

    me = await asyncio.wait_for(quick.get_me(), 5)
    waiting = asyncio.create_task(quick.send_message(7, "после паузы"))
    await asyncio.sleep(0.2)

    assert me.is_bot and not waiting.done()
    waiting.cancel()
