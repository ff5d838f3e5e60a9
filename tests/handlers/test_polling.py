"""Every command end to end: the real polling loop (getUpdates) against the strict fake Telegram.

The fake refuses what Telegram refuses (bad HTML, over-long text, bad callback data),
so a conversation that completes without recorded errors proves each reply passed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram import Bot, Dispatcher

from bot.app import Services, build_dispatcher, open_services
from bot.config import Settings
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer, SentMessage
from handlers.callbacks import LanguagePick, LengthPick, TopicDrop, TopicToggle, ZonePick
from services.clock.clocks import ManualClock


class Polling:
    def __init__(
        self, telegram: FakeTelegramServer, clock: ManualClock, services: Services
    ) -> None:
        self.telegram = telegram
        self.clock = clock
        self.services = services

    async def say(self, chat_id: int, text: str, count: int = 1, **options: object) -> SentMessage:
        """The user writes; returns the bot's newest message once `count` new ones arrived."""
        before = len(self.telegram.messages(chat_id))
        self.clock.advance(timedelta(seconds=2))
        self.telegram.inject_message(chat_id, text, **options)  # type: ignore[arg-type]
        sent = await self.telegram.wait_for_messages(chat_id, before + count)
        return sent[-1]

    async def tap(self, chat_id: int, data: str, **options: object) -> str | None:
        """The user presses a button; returns the text of the callback answer."""
        before = len(self.telegram.callback_answers)
        self.clock.advance(timedelta(seconds=2))
        self.telegram.inject_callback(chat_id, data, **options)  # type: ignore[arg-type]
        await self.telegram.wait_until(
            lambda: len(self.telegram.callback_answers) > before, what="a callback answer"
        )
        return self.telegram.callback_answers[-1].text


@pytest.fixture
async def polling(
    fake_telegram: FakeTelegramServer, settings: Settings, bot: Bot, clock: ManualClock
) -> AsyncIterator[Polling]:
    async with open_services(settings, clock) as services:
        dispatcher: Dispatcher = build_dispatcher(services)
        task = asyncio.create_task(
            dispatcher.start_polling(
                bot, handle_signals=False, close_bot_session=False, polling_timeout=1
            )
        )
        try:
            yield Polling(fake_telegram, clock, services)
        finally:
            await dispatcher.stop_polling()
            await task
    assert fake_telegram.errors == []


async def test_first_conversation_start_and_help(polling: Polling) -> None:
    greeting = await polling.say(1001, "/start", language_code="en")
    help_text = await polling.say(1001, "/help", language_code="en")

    assert greeting.text.startswith("Hello! I am Newsdigest.")
    assert "/subscribe — Follow your own query" in help_text.text
    assert await polling.services.subscribers.get(1001) is not None


async def test_every_settings_and_topic_command_in_russian(polling: Polling) -> None:
    topics = polling.services.topics
    kz = await topics.upsert_catalogue(
        "kz", query="Казахстан", title_ru="Казахстан", title_en="Kazakhstan", title_kk="Қазақстан"
    )
    chat = 1002

    await polling.say(chat, "/start")
    catalogue = await polling.say(chat, "/topics")
    assert catalogue.buttons()[0]["text"] == "Казахстан"
    assert (
        await polling.tap(chat, TopicToggle(topic_id=kz.id).pack())
        == "Вы подписаны на «Казахстан»."
    )
    assert "Казахстан" in (await polling.say(chat, "/mytopics")).text
    assert "21:15" in (await polling.say(chat, "/time 21.15")).text
    await polling.say(chat, "/timezone")
    assert "Europe/Samara" in (await polling.tap(chat, ZonePick(zone="Europe/Samara").pack()) or "")
    await polling.say(chat, "/length")
    await polling.tap(chat, LengthPick(length=2).pack())
    assert "приостановлен" in (await polling.say(chat, "/pause")).text
    assert "снова включён" in (await polling.say(chat, "/resume")).text
    await polling.say(chat, "/unsubscribe")
    await polling.tap(chat, TopicDrop(topic_id=kz.id).pack())
    await polling.say(chat, "/language")
    await polling.tap(chat, LanguagePick(language="en").pack())
    assert "do not know the command" in (await polling.say(chat, "/whatever")).text

    subscriber = await polling.services.subscribers.get(chat)
    assert subscriber is not None
    assert (
        subscriber.digest_time,
        subscriber.timezone,
        subscriber.digest_length,
        subscriber.language,
    ) == (
        "21:15",
        "Europe/Samara",
        2,
        "en",
    )
    assert await polling.services.subscriptions.topics_of(chat) == []


async def test_a_group_conversation_with_an_administrator_and_a_member(polling: Polling) -> None:
    polling.telegram.register_chat(-1003, admins=[77], members=[78])

    await polling.say(-1003, "/start@newsdigest_test_bot", user_id=77, language_code="kk")
    refused = await polling.say(-1003, "/pause@newsdigest_test_bot", user_id=78, language_code="kk")
    accepted = await polling.say(
        -1003, "/pause@newsdigest_test_bot", user_id=77, language_code="kk"
    )

    assert "әкімшілері" in refused.text
    assert "тоқтатылды" in accepted.text


async def test_subscribe_summary_digest_and_search_through_polling(
    polling: Polling, news_site: NewsSite
) -> None:
    chat = 1004
    article = news_site.articles[3]

    subscribed = await polling.say(chat, "/subscribe Казахстан OR Россия", language_code="ru")
    summary = await polling.say(chat, f"/summary {news_site.url(article.path)}", language_code="ru")
    plain = await polling.say(chat, news_site.url(news_site.articles[4].path), language_code="ru")
    digest = await polling.say(chat, "/digest", language_code="ru")
    search = await polling.say(chat, "/search Байконур", language_code="ru")

    assert "Вы подписались на «Казахстан OR Россия»." in subscribed.text
    assert summary.text.startswith(article.title)
    assert plain.text.startswith(news_site.articles[4].title)
    assert "Ничего нового" in digest.text
    assert "Байконур" in search.text
