"""The realtime pass end to end: a real ingest pass over the local news site, then the
realtime pass sends each new story of a topic followed "as it happens" through the aiogram
session to the strict fake Bot API: to a private chat, to a channel and to a forum topic,
each story once, recorded like a daily digest; a second pass sends nothing again."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot

from bot.app import Services, open_services
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer
from bot.telegram import TelegramSender
from services.clock.clocks import SystemClock
from services.storage.channels import Channel
from tests.conftest import MakeSettings

ROOT = Path(__file__).resolve().parents[3]
PERSON, CHANNEL, FORUM, THREAD = 9_101, -1009101, -1009102, 33
TOPICS = ("kazakhstan-russia", "energy-uranium", "eaeu")


@pytest.fixture
async def world(
    make_settings: MakeSettings, fake_telegram: FakeTelegramServer, tmp_path: Path
) -> AsyncIterator[tuple[Services, NewsSite]]:
    async with NewsSite(articles=24) as site:
        (tmp_path / "sources.toml").write_text(
            "\n".join(
                f'[[sources]]\nurl = "{feed.url}"\nname = "{feed.name}"\n'
                f'language = "{feed.language}"\n'
                for feed in site.sources()
            ),
            encoding="utf-8",
        )
        settings = make_settings(
            telegram_api_url=fake_telegram.url, topics_file=ROOT / "config" / "topics.toml"
        )
        async with open_services(settings, SystemClock()) as services:
            yield services, site


async def follow_as_it_happens(services: Services, chat_id: int, chat_type: str) -> None:
    await services.subscribers.register(
        chat_id, chat_type=chat_type, language="ru", timezone="Asia/Almaty", digest_time="09:00"
    )
    await services.preferences.set_quiet_hours(chat_id, "off")
    catalogue = {topic.slug: topic for topic in await services.topics.catalogue()}
    for slug in TOPICS:
        await services.subscriptions.subscribe(chat_id, catalogue[slug].id)
        await services.frequencies.set_frequency(chat_id, catalogue[slug].id, "realtime")


async def test_new_stories_reach_a_person_a_channel_and_a_forum_topic_once_each(
    world: tuple[Services, NewsSite], fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    services, _ = world
    fake_telegram.register_chat(PERSON)
    fake_telegram.register_chat(CHANNEL, chat_type="channel", username="kz_news", admins=[PERSON])
    fake_telegram.set_bot_status(CHANNEL, "administrator")
    fake_telegram.register_chat(FORUM, chat_type="supergroup", is_forum=True)
    fake_telegram.open_thread(FORUM, THREAD)
    await follow_as_it_happens(services, PERSON, "private")
    await follow_as_it_happens(services, CHANNEL, "channel")
    await services.channels.link(Channel(CHANNEL, "KZ news", "kz_news"), PERSON)
    await follow_as_it_happens(services, FORUM, "supergroup")
    await services.threads.set(FORUM, THREAD)
    sender = TelegramSender(bot)
    await services.realtime.run(sender)  # the first match sets the watermark: nothing yet

    ingested = await services.ingestor.run_pass(force=True)
    await asyncio.sleep(1.1)  # times are stored to the second: the pass comes a second later
    matched, report = await services.realtime.run(sender)
    again_matched, again = await services.realtime.run(sender)

    assert ingested.new > 0 and matched.queued > 0
    per_chat = Counter(message.chat_id for message in fake_telegram.sent)
    assert set(per_chat) == {PERSON, CHANNEL, FORUM}
    assert per_chat[PERSON] == per_chat[CHANNEL] == per_chat[FORUM] == report.completed // 3
    assert all(m.message_thread_id == THREAD for m in fake_telegram.messages(FORUM))
    texts = [m.raw_text for m in fake_telegram.messages(PERSON)]
    assert len(texts) == len(set(texts))  # one message per story
    assert texts[0].startswith("<b>Только что</b>")
    assert (again_matched.queued, again.built, again.parts_sent) == (0, 0, 0)
    rows = await services.db.fetchall(
        "SELECT status, COUNT(*) FROM deliveries WHERE local_date LIKE 'alert:%' GROUP BY status"
    )
    assert [(row[0], row[1]) for row in rows] == [("sent", report.completed)]
