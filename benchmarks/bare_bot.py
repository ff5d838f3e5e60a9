"""The floor for benchmarks/load.py: aiogram with one handler that answers every message.

No database, no middlewares, no services: long polling, the dispatcher and one
sendMessage per update, through the same TELEGRAM_API_URL and token as the real bot.
What it sustains on a machine is what aiogram itself allows there.

    BOT_TOKEN=... TELEGRAM_API_URL=... python benchmarks/bare_bot.py
"""

from __future__ import annotations

import asyncio
import os

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.types import Message


async def answer(message: Message) -> None:
    await message.answer("<b>ok</b>: one short reply, as a help text would be.")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["TELEGRAM_API_URL"]))
    bot = Bot(
        token=os.environ["BOT_TOKEN"],
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )
    router = Router()
    router.message.register(answer)
    dispatcher = Dispatcher(disable_fsm=True)
    dispatcher.include_router(router)
    print("bare bot polling", flush=True)
    await dispatcher.start_polling(bot, handle_signals=True)


if __name__ == "__main__":
    asyncio.run(main())
