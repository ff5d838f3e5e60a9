"""A conversation with the real Dispatcher (every router and middleware) over the fake Telegram.

`talk.send(chat_id, text)` injects the user's message into the fake Bot API server,
feeds that very update to the Dispatcher and returns what the bot sent in reply; the
fake refuses invalid HTML, over-long text and bad callback data as Telegram does, so
a reply that breaks a rule fails the test. The ManualClock moves two seconds per
update, slower than the throttle's limit, unless a test moves it itself.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.app import Services, build_dispatcher, open_services
from bot.config import Settings
from bot.demo.telegram_server import CallbackAnswer, Edit, FakeTelegramServer, SentMessage
from services.clock.clocks import ManualClock
from services.storage.models import NewArticle


@dataclass
class Reply:
    """What the bot did in answer to one update."""

    messages: list[SentMessage]
    edits: list[Edit]
    answers: list[CallbackAnswer]

    @property
    def text(self) -> str:
        """The visible text of the only message sent (fails when there is not exactly one)."""
        assert len(self.messages) == 1, [m.text for m in self.messages]
        return self.messages[0].text

    @property
    def message(self) -> SentMessage:
        assert len(self.messages) == 1, [m.text for m in self.messages]
        return self.messages[0]


class Talk:
    def __init__(
        self,
        telegram: FakeTelegramServer,
        dispatcher: Dispatcher,
        bot: Bot,
        clock: ManualClock,
        services: Services,
    ) -> None:
        self.telegram = telegram
        self.dispatcher = dispatcher
        self.bot = bot
        self.clock = clock
        self.services = services
        self.step = timedelta(seconds=2)  # how far the clock moves before each update

    async def feed(self, update: dict[str, Any]) -> Reply:
        sent, edits, answers = (
            len(self.telegram.sent),
            len(self.telegram.edits),
            len(self.telegram.callback_answers),
        )
        self.clock.advance(self.step)
        await self.dispatcher.feed_update(
            self.bot, Update.model_validate(update, context={"bot": self.bot})
        )
        return Reply(
            self.telegram.sent[sent:],
            self.telegram.edits[edits:],
            self.telegram.callback_answers[answers:],
        )

    async def send(self, chat_id: int, text: str, **options: Any) -> Reply:
        return await self.feed(self.telegram.inject_message(chat_id, text, **options))

    async def press(self, chat_id: int, data: str, **options: Any) -> Reply:
        return await self.feed(self.telegram.inject_callback(chat_id, data, **options))

    async def store_indexed(
        self,
        slug: str,
        title: str,
        text: str,
        *,
        summary: list[str] | None = None,
        published_at: datetime | None = None,
    ) -> None:
        """A Russian article at https://news.example/<slug>, stored and in the topic index."""
        url = f"https://news.example/{slug}"
        article_id = await self.services.articles.add(
            NewArticle(
                url=url,
                canonical_url=url,
                content_hash=slug,
                language="ru",
                title=title,
                text=text,
                summary=summary,
                published_at=published_at,
            )
        )
        assert article_id is not None
        article = await self.services.articles.get(article_id)
        assert article is not None
        await self.services.topic_index.index_article(article)


@pytest.fixture
async def services(settings: Settings, clock: ManualClock) -> AsyncIterator[Services]:
    async with open_services(settings, clock) as built:
        yield built


@pytest.fixture
def talk(
    fake_telegram: FakeTelegramServer, services: Services, bot: Bot, clock: ManualClock
) -> Talk:
    return Talk(fake_telegram, build_dispatcher(services), bot, clock, services)
