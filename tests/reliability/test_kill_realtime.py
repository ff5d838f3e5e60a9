"""SIGKILL in the middle of sending realtime alerts, then a restart: every alert arrives,
none twice but the one in flight, as for daily digests (tests/reliability/test_kill_restart.py).

Stories are matched to realtime topics as the realtime pass does after an ingest pass;
the real `python -m bot deliver` then sends the alerts as a child process, is killed with
its workers once a few are out, and a second one finishes from the delivery records.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path

from bot.app import open_services
from bot.config import Settings
from bot.demo.news_site import NewsSite
from bot.demo.telegram_server import FakeTelegramServer
from services.clock.clocks import SystemClock
from services.delivery.service import DeliveryPolicy
from services.digest.alerts import AlertService, MatchReport
from services.storage.alert_queue import AlertQueueRepository
from tests.conftest import TEST_TOKEN, MakeSettings
from tests.reliability.processes import BotProcess, child_env, until
from tests.reliability.test_kill_restart import (
    ROOT,
    database,
    ingest_in_process,
    query,
    seed_settings,
    write_sources,
)

CHATS = list(range(8_100, 8_110))
TOPICS = ("kazakhstan-russia", "energy-uranium", "eaeu", "kazakhstan-economy")
SEND_RATE = 6  # slow enough to be caught half-way


async def match(settings: Settings) -> MatchReport:
    """The realtime pass's matching step: new stories of realtime topics into the queue."""
    async with open_services(settings) as services:
        alerts = AlertService(
            digests=services.digests,
            search=services.topic_index,
            topics=services.topics,
            frequencies=services.frequencies,
            preferences=services.preferences,
            subscribers=services.subscribers,
            queue=AlertQueueRepository(services.db),
        )
        return await alerts.match_new(SystemClock().now())


async def follow_as_it_happens(settings: Settings, fake_telegram: FakeTelegramServer) -> None:
    async with open_services(settings) as services:
        catalogue = {topic.slug: topic.id for topic in await services.topics.catalogue()}
        for chat_id in CHATS:
            fake_telegram.register_chat(chat_id)
            await services.subscribers.register(
                chat_id,
                chat_type="private",
                language="ru",
                timezone="Asia/Almaty",
                digest_time="09:00",
            )
            await services.preferences.set_quiet_hours(chat_id, "off")
            for slug in TOPICS:
                await services.subscriptions.subscribe(chat_id, catalogue[slug])
                await services.frequencies.set_frequency(chat_id, catalogue[slug], "realtime")


async def test_alerts_killed_midway_and_resumed_arrive_once_each(
    tmp_path: Path, fake_telegram: FakeTelegramServer, make_settings: MakeSettings
) -> None:
    db_path = database(tmp_path)
    settings = make_settings(**seed_settings(tmp_path))
    base = child_env(
        tmp_path,
        allow_private_networks="true",
        topics_file=ROOT / "config" / "topics.toml",
        bot_token=TEST_TOKEN,
        telegram_api_url=fake_telegram.url,
        send_rate=SEND_RATE,
    )
    await follow_as_it_happens(settings, fake_telegram)
    await match(settings)  # the watermark: what arrives from now on is new
    async with NewsSite(articles=32) as site:
        write_sources(tmp_path / "sources.toml", site)
        await ingest_in_process(settings)
    await asyncio.sleep(1.1)  # times are stored to the second: match a second later
    matched = await match(settings)
    assert matched.queued > 0

    first = await BotProcess(["deliver"], base, tmp_path).start()
    await until(lambda: len(fake_telegram.sent) >= 6, 120, "six alerts sent")
    assert await first.kill() < 0
    sent_at_kill = len(fake_telegram.sent)
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]

    second = await BotProcess(["deliver"], base, tmp_path).start()
    assert await second.wait(300) == 0, second.log()

    alerts = [
        (int(row[0]), str(row[1]), int(row[2]), int(row[3]))  # type: ignore[call-overload]
        for row in query(
            db_path,
            "SELECT chat_id, status, parts_sent, parts_total FROM deliveries"
            " WHERE local_date LIKE 'alert%'",
        )
    ]
    assert query(db_path, "PRAGMA integrity_check") == [("ok",)]
    assert sent_at_kill < len(alerts), "the pass was not interrupted: nothing was tested"
    assert all((status, sent) == ("sent", total) for _, status, sent, total in alerts)
    recorded = Counter(chat_id for chat_id, *_ in alerts)
    assert sorted(recorded) == CHATS
    repeated = 0
    for chat_id in CHATS:
        received = [message.raw_text for message in fake_telegram.messages(chat_id)]
        distinct = list(dict.fromkeys(received))
        assert len(distinct) == recorded[chat_id]  # every alert arrived: none lost
        assert len(received) - len(distinct) <= 1  # at most the one in flight came twice
        repeated += len(received) - len(distinct)
    assert repeated <= DeliveryPolicy(send_rate=SEND_RATE).workers
