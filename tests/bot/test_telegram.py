"""TelegramSender turns each of Telegram's answers into the outcome delivery acts on.

The bots here are paced as the app builds them (bot/pacing.py) but give a call up at its
first 429 and back off briefly, so that what Telegram answered reaches the sender.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiohttp import web

from bot.app import build_bot
from bot.config import Settings
from bot.demo.telegram_client import close_session
from bot.demo.telegram_server import FakeTelegramServer
from bot.telegram import TelegramSender, redact_token
from services.delivery.pacer import PacingPolicy
from services.delivery.sender import Sender, SendOutcome
from tests.conftest import MakeSettings

CHAT = 1001
AT_ONCE = PacingPolicy(max_rate_limit_waits=0, backoff_seconds=0.01)


@pytest.fixture
async def bot(settings: Settings) -> AsyncIterator[Bot]:
    paced = build_bot(settings, AT_ONCE)
    try:
        yield paced
    finally:
        await close_session(paced.session)


@pytest.fixture
def sender(bot: Bot, fake_telegram: FakeTelegramServer) -> Sender:
    fake_telegram.register_chat(CHAT)
    return TelegramSender(bot)


async def test_a_sent_message_is_sent_with_its_message_id_in_html(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    result = await sender.send_message(CHAT, "<b>Дайджест</b> &amp; новости")

    sent = fake_telegram.last_message(CHAT)
    assert result.ok
    assert result.outcome is SendOutcome.SENT
    assert result.message_id == sent.message_id
    assert (sent.text, sent.parse_mode) == ("Дайджест & новости", "HTML")


async def test_plain_text_is_sent_without_parse_mode_even_though_the_bot_defaults_to_html(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    result = await sender.send_message(CHAT, "1 < 2 & <b>not bold</b>", html=False)

    sent = fake_telegram.last_message(CHAT)
    assert result.ok
    assert (sent.text, sent.parse_mode) == ("1 < 2 & <b>not bold</b>", None)


async def test_a_flood_limit_is_retry_after_with_telegrams_seconds(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next(
        "sendMessage", status=429, description="Too Many Requests: retry after 7", retry_after=7
    )

    result = await sender.send_message(CHAT, "digest")

    assert (result.outcome, result.retry_after) == (SendOutcome.RETRY_AFTER, 7.0)
    assert fake_telegram.messages(CHAT) == []


async def test_the_fakes_own_rate_limit_is_also_retry_after(make_settings: MakeSettings) -> None:
    no_gap = PacingPolicy(private_interval=0, max_rate_limit_waits=0)
    async with FakeTelegramServer(chat_rate=1) as limited:
        limited.register_chat(CHAT)
        bot = build_bot(make_settings(telegram_api_url=limited.url), no_gap)
        try:
            sender = TelegramSender(bot)
            first = await sender.send_message(CHAT, "one")
            second = await sender.send_message(CHAT, "two")
        finally:
            await close_session(bot.session)

    assert first.ok
    assert second.outcome is SendOutcome.RETRY_AFTER
    assert second.retry_after is not None
    assert second.retry_after >= 1


async def test_the_pacer_keeps_a_chats_gap_so_its_limit_is_never_met(
    make_settings: MakeSettings,
) -> None:
    async with FakeTelegramServer(chat_rate=1) as limited:
        limited.register_chat(CHAT)
        bot = build_bot(make_settings(telegram_api_url=limited.url), AT_ONCE)
        try:
            sender = TelegramSender(bot)
            results = [await sender.send_message(CHAT, text) for text in ("one", "two")]
        finally:
            await close_session(bot.session)

    assert [result.outcome for result in results] == [SendOutcome.SENT, SendOutcome.SENT]
    assert limited.rate_limited == 0


async def test_a_user_who_blocked_the_bot_is_blocked(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.block_chat(CHAT)

    result = await sender.send_message(CHAT, "digest")

    assert result.outcome is SendOutcome.BLOCKED
    assert result.error == "Forbidden: bot was blocked by the user"


async def test_a_chat_telegram_does_not_know_is_blocked(sender: Sender) -> None:
    result = await sender.send_message(987654, "digest")

    assert result.outcome is SendOutcome.BLOCKED
    assert result.error is not None
    assert "chat not found" in result.error


async def test_a_deactivated_user_is_blocked(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next(
        "sendMessage", status=400, description="Bad Request: user is deactivated"
    )

    assert (await sender.send_message(CHAT, "digest")).outcome is SendOutcome.BLOCKED


async def test_a_group_that_became_a_supergroup_is_blocked_with_the_new_id(
    sender: Sender, fake_telegram: FakeTelegramServer
) -> None:
    fake_telegram.fail_next(
        "sendMessage",
        status=400,
        description="Bad Request: group chat was upgraded to a supergroup chat",
        migrate_to_chat_id=-1001234,
    )

    result = await sender.send_message(CHAT, "digest")

    assert result.outcome is SendOutcome.BLOCKED
    assert result.error is not None
    assert "-1001234" in result.error


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("<p>unsupported tag</p>", "can't parse entities"),
        ("x" * 4097, "message is too long"),
        ("   ", "message text is empty"),
    ],
)
async def test_what_telegram_cannot_take_is_a_bad_request(
    sender: Sender, text: str, reason: str
) -> None:
    result = await sender.send_message(CHAT, text)

    assert result.outcome is SendOutcome.BAD_REQUEST
    assert result.error is not None
    assert reason in result.error


@pytest.mark.parametrize(
    ("status", "description"),
    [(500, "Internal Server Error"), (502, "Bad Gateway"), (429, "Too Many Requests")],
    ids=["500", "502", "429-without-retry-after"],
)
async def test_telegrams_own_troubles_are_transient(
    sender: Sender, fake_telegram: FakeTelegramServer, status: int, description: str
) -> None:
    fake_telegram.fail_next("sendMessage", status=status, description=description)

    result = await sender.send_message(CHAT, "digest")

    assert result.outcome is SendOutcome.TRANSIENT
    assert result.error == description


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_telegram_is_transient_and_the_token_stays_secret(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(telegram_api_url=f"http://127.0.0.1:{_closed_port()}")
    bot = build_bot(settings, AT_ONCE)
    caplog.set_level(logging.DEBUG)
    try:
        result = await TelegramSender(bot).send_message(CHAT, "digest")
    finally:
        await close_session(bot.session)

    assert result.outcome is SendOutcome.TRANSIENT
    assert result.error
    secret = settings.token.partition(":")[2]
    assert secret not in result.error
    assert secret not in caplog.text


async def test_a_silent_telegram_times_out_as_transient(make_settings: MakeSettings) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # accepts connections, never answers
    settings = make_settings(telegram_api_url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    bot = build_bot(settings, AT_ONCE)
    bot.session.timeout = 0.2
    try:
        result = await TelegramSender(bot).send_message(CHAT, "digest")
    finally:
        await close_session(bot.session)
        listener.close()

    assert result.outcome is SendOutcome.TRANSIENT
    assert result.error is not None
    assert "timeout" in result.error.lower()


async def test_an_error_that_quotes_the_request_url_does_not_leak_the_token(
    make_settings: MakeSettings, caplog: pytest.LogCaptureFixture
) -> None:
    async def loop_forever(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))  # aiohttp gives up, naming the URL

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", loop_forever)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    settings = make_settings(telegram_api_url=f"http://127.0.0.1:{runner.addresses[0][1]}")
    bot = build_bot(settings, AT_ONCE)
    caplog.set_level(logging.DEBUG)
    try:
        result = await TelegramSender(bot).send_message(CHAT, "digest")
    finally:
        await close_session(bot.session)
        await runner.cleanup()

    assert result.outcome is SendOutcome.TRANSIENT
    assert result.error is not None
    assert "/bot<token>/sendMessage" in result.error
    assert settings.token.partition(":")[2] not in result.error + caplog.text


def test_redaction_removes_the_whole_token_and_its_secret_half() -> None:
    token = "123456:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
    url_error = f"ClientError: https://api.telegram.org/bot{token}/sendMessage failed"

    assert redact_token(url_error, token) == (
        "ClientError: https://api.telegram.org/bot<token>/sendMessage failed"
    )
    assert "AAHdqTcv" not in redact_token("secret AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", token)
