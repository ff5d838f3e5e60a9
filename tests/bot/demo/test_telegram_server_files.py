"""The fake Bot API's files: documents users send (getFile, then the download) and
documents the bot sends (sendDocument, a multipart upload), refused as Telegram refuses."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, Message

from bot.demo.telegram_client import bot_for, close_session
from bot.demo.telegram_server import FakeTelegramServer

CHAT = 9_301


@pytest.fixture
async def api(fake_telegram: FakeTelegramServer) -> AsyncIterator[Bot]:
    fake_telegram.register_chat(CHAT)
    bot = bot_for(fake_telegram)
    try:
        yield bot
    finally:
        await close_session(bot.session)


async def test_a_document_a_user_sends_is_got_by_getfile_and_downloaded_byte_for_byte(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    update = fake_telegram.inject_document(
        CHAT, b"<opml/>\x00\xff", file_name="subs.opml", caption="/import"
    )
    message = Message.model_validate(update["message"], context={"bot": api})
    assert message.document is not None and message.document.file_size == 9
    assert message.caption == "/import"
    found = await api.get_file(message.document.file_id)
    assert found.file_path is not None and found.file_path.endswith(".opml")
    buffer = io.BytesIO()
    await api.download_file(found.file_path, buffer)
    assert buffer.getvalue() == b"<opml/>\x00\xff"
    assert fake_telegram.downloads == [found.file_path]


async def test_getfile_refuses_unknown_ids_and_files_over_20_mb(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    update = fake_telegram.inject_document(
        CHAT, b"x", file_name="big.xml", declared_size=50 * 1024 * 1024
    )
    file_id = update["message"]["document"]["file_id"]
    with pytest.raises(TelegramBadRequest, match="file is too big"):
        await api.get_file(file_id)
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await api.get_file("no-such-file")


async def test_senddocument_keeps_the_uploaded_bytes_and_checks_the_caption(
    api: Bot, fake_telegram: FakeTelegramServer
) -> None:
    sent = await api.send_document(
        CHAT,
        BufferedInputFile(b"line\n", filename="topics.txt"),
        caption="<b>Your</b> topics",
        parse_mode="HTML",
    )
    assert sent.document is not None and sent.document.file_name == "topics.txt"
    [document] = fake_telegram.documents
    assert (document.file_name, document.content, document.caption) == (
        "topics.txt",
        b"line\n",
        "Your topics",
    )
    assert fake_telegram.last_message(CHAT).document == "topics.txt"
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await api.send_document(
            CHAT,
            BufferedInputFile(b"x", filename="a.txt"),
            caption="<blink>x</blink>",
            parse_mode="HTML",
        )
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await api.send_document(CHAT, BufferedInputFile(b"x", filename="a.txt"), caption="x" * 1025)
