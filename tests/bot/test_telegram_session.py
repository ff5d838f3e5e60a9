"""ApiSession posts calls as JSON, keeps multipart for uploads, and reports failures as aiogram does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.demo.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from bot.telegram_session import ApiSession

CHAT = 4242


@dataclass
class Seen:
    """What a recording Bot API endpoint received."""

    content_types: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


def message_result(text: str) -> dict[str, Any]:
    return {
        "message_id": 1,
        "date": 0,
        "chat": {"id": CHAT, "type": "private"},
        "text": text,
    }


@pytest.fixture
async def recorder(unused_tcp_port: int) -> AsyncIterator[tuple[str, Seen]]:
    seen = Seen()

    async def endpoint(request: web.Request) -> web.Response:
        seen.content_types.append(request.content_type)
        seen.bodies.append(await request.read())
        return web.json_response({"ok": True, "result": message_result("ok")})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", endpoint)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
    try:
        yield f"http://127.0.0.1:{unused_tcp_port}", seen
    finally:
        await runner.cleanup()


def make_bot(url: str) -> Bot:
    return Bot(
        token=DEFAULT_TOKEN,
        session=ApiSession(api=TelegramAPIServer.from_base(url)),
        default=DefaultBotProperties(parse_mode="HTML"),
    )


async def test_a_message_goes_as_one_json_object_with_defaults_filled_in(
    recorder: tuple[str, Seen],
) -> None:
    url, seen = recorder
    bot = make_bot(url)
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Подписаться", callback_data="t:1")]]
    )
    try:
        sent = await bot.send_message(CHAT, "<b>Казахстан</b> и Россия", reply_markup=keyboard)
    finally:
        await bot.session.close()

    assert sent.text == "ok"
    assert seen.content_types == ["application/json"]
    body = json.loads(seen.bodies[0])
    assert body == {
        "chat_id": CHAT,
        "text": "<b>Казахстан</b> и Россия",
        "parse_mode": "HTML",
        "reply_markup": {"inline_keyboard": [[{"text": "Подписаться", "callback_data": "t:1"}]]},
    }


async def test_an_upload_keeps_the_multipart_form(recorder: tuple[str, Seen]) -> None:
    url, seen = recorder
    bot = make_bot(url)
    try:
        await bot.send_document(CHAT, BufferedInputFile(b"a,b\n1,2\n", filename="stats.csv"))
    finally:
        await bot.session.close()

    assert seen.content_types == ["multipart/form-data"]
    assert b"stats.csv" in seen.bodies[0]


async def test_the_fake_bot_api_accepts_what_the_session_sends(
    fake_telegram: FakeTelegramServer,
) -> None:
    fake_telegram.register_chat(CHAT)
    bot = make_bot(fake_telegram.url)
    try:
        await bot.send_message(CHAT, "<i>Байконур</i> &amp; уран")
        with pytest.raises(TelegramBadRequest, match="chat not found"):
            await bot.send_message(CHAT + 1, "никому")
    finally:
        await bot.session.close()

    sent = fake_telegram.last_message(CHAT)
    assert sent.text == "Байконур & уран"


async def test_an_unreachable_api_is_a_network_error(unused_tcp_port: int) -> None:
    bot = make_bot(f"http://127.0.0.1:{unused_tcp_port}")
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(CHAT, "нет связи")
    finally:
        await bot.session.close()
