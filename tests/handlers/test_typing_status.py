"""'typing…' shows only while a reply is slow in coming."""

from __future__ import annotations

import asyncio

from aiogram import Bot

from bot.demo.telegram_server import FakeTelegramServer
from handlers.typing_status import typing_while_slow

CHAT = 1601


async def test_a_quick_reply_sends_no_chat_action(
    bot: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.register_chat(CHAT)

    async with typing_while_slow(bot, CHAT):
        await asyncio.sleep(0.1)  # a search or a digest: tens of milliseconds

    await asyncio.sleep(0.1)
    assert fake_telegram.chat_actions == []


async def test_slow_work_shows_typing_until_it_is_done(
    bot: Bot, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.register_chat(CHAT)

    async with typing_while_slow(bot, CHAT, after=0.05):
        await fake_telegram.wait_until(lambda: bool(fake_telegram.chat_actions), 5)

    assert fake_telegram.chat_actions == [(CHAT, "typing")]
