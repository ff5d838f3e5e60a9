"""An aiogram Bot wired to a FakeTelegramServer, and a fast way to close it.

AiohttpSession.close() waits 250 ms for TLS connections to wind down; over
plain loopback HTTP there is nothing to wait for, and the suite closes
hundreds of sessions.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer

from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer


def bot_for(
    server: FakeTelegramServer, token: str | None = None, *, parse_mode: str | None = None
) -> Bot:
    """A Bot whose requests go to `server` (HTML by default only when parse_mode="HTML")."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.url))
    return Bot(
        token or server.token or DEFAULT_TOKEN,
        session=session,
        default=DefaultBotProperties(parse_mode=parse_mode),
    )


async def close_session(session: BaseSession) -> None:
    """Close the aiohttp client under an aiogram session, without the TLS grace period."""
    client = getattr(session, "_session", None) if isinstance(session, AiohttpSession) else None
    if client is not None and not client.closed:
        await client.close()
