"""Realtime alerts: a new story on a realtime topic becomes one message; an article joining
it does not; quiet hours hold alerts for one message at their end; beyond the hourly cap
the rest waits for one message at the end of the hour; nothing reaches a chat twice."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from services.clock.clocks import ManualClock
from services.digest.alerts import AlertPolicy
from services.storage import Database
from tests.services.frequency_world import FrequencyWorld

NOON = datetime(2026, 3, 20, 7, 0, tzinfo=UTC)  # 12:00 in Almaty (UTC+5)


@pytest.fixture
def world(db: Database, clock: ManualClock) -> FrequencyWorld:
    clock.set(NOON - timedelta(days=1))
    return FrequencyWorld(db, clock)


async def record(world: FrequencyWorld, at: datetime) -> list[tuple[int, str, str]]:
    """Match what arrived, build the alerts due at `at` and record them: (chat, key, text)."""
    world.clock.set(at)
    await world.alerts.match_new(at)
    batch = await world.alerts.build_due(at)
    created = {
        (d.chat_id, d.local_date) for d in await world.deliveries.create_many(batch.deliveries)
    }
    return [
        (d.chat_id, d.local_date.split(":")[0], "\n".join(d.parts))
        for d in batch.deliveries
        if (d.chat_id, d.local_date) in created
    ]


async def test_a_new_story_on_a_realtime_topic_is_one_message_and_a_joining_article_is_not(
    world: FrequencyWorld,
) -> None:
    uranium = await world.topic("уран", "Уран")
    await world.subscriber(1)
    await world.follow(1, uranium, "realtime")
    await world.subscriber(2)
    await world.follow(2, uranium, "daily")
    await world.alerts.match_new(NOON - timedelta(minutes=30))  # the watermark

    title = "Казатомпром увеличил добычу урана на 10 процентов"
    await world.publish(
        title,
        f"{title}. Компания сообщила об этом в пятницу.",
        arrived=NOON - timedelta(minutes=20),
    )
    sent = await record(world, NOON)

    assert [(chat, key) for chat, key, _ in sent] == [(1, "alert")]
    text = sent[0][2]
    assert text.startswith("<b>Только что</b>") and "▍Уран" in text and title in text
    assert "Tengrinews" in text and "https://" in text

    await world.publish(
        title,
        f"{title}. Об этом пишет и другое издание.",
        outlet="Kursiv",
        arrived=NOON + timedelta(minutes=5),
    )
    assert await record(world, NOON + timedelta(minutes=30)) == []
    assert await world.queue.pending() == []


async def test_quiet_hours_hold_alerts_for_one_message_when_they_end(world: FrequencyWorld) -> None:
    uranium = await world.topic("уран", "Уран")
    await world.subscriber(1)  # quiet 23:00–07:00 in Almaty by default
    await world.follow(1, uranium, "realtime")
    night = datetime(2026, 3, 20, 20, 0, tzinfo=UTC)  # 01:00 in Almaty
    await world.alerts.match_new(night - timedelta(minutes=1))
    for minutes, title in [(10, "Уран подорожал на бирже"), (130, "Новый рудник урана открыт")]:
        await world.publish(
            title, f"{title}. Подробности позже.", arrived=night + timedelta(minutes=minutes)
        )
        assert await record(world, night + timedelta(minutes=minutes + 20)) == []

    morning = datetime(2026, 3, 21, 2, 0, tzinfo=UTC)  # 07:00 in Almaty
    assert await record(world, morning - timedelta(minutes=1)) == []
    (message,) = await record(world, morning)

    assert message[1] == "alerts"
    assert message[2].startswith("<b>Ещё новости по вашим темам</b>")
    assert "Уран подорожал" in message[2] and "Новый рудник" in message[2]
    await world.preferences.set_quiet_hours(1, "off")
    assert await record(world, morning + timedelta(minutes=1)) == []  # nothing twice


async def test_beyond_the_hourly_cap_the_rest_goes_in_one_message_at_the_end_of_the_hour(
    world: FrequencyWorld,
) -> None:
    world.alerts = world.alert_service(AlertPolicy(per_topic_hour=2))
    uranium = await world.topic("уран", "Уран")
    await world.subscriber(1)
    await world.follow(1, uranium, "realtime")
    await world.alerts.match_new(NOON)
    subjects = ["рудник", "экспорт", "биржа", "реактор", "налог"]
    for number, subject in enumerate(subjects):
        title = f"Уран и {subject}: событие {number}"
        await world.publish(
            title, f"{title}. Подробности {subject}.", arrived=NOON + timedelta(minutes=5 + number)
        )

    first = await record(world, NOON + timedelta(minutes=20))
    assert [key for _, key, _ in first] == ["alert", "alert"]
    assert await record(world, NOON + timedelta(minutes=50)) == []

    (rest,) = await record(world, NOON + timedelta(hours=1))
    assert rest[1] == "alerts" and rest[2].count("• ") == 3


async def test_a_story_alerted_is_not_in_the_daily_digest_and_one_in_a_digest_is_not_alerted(
    world: FrequencyWorld,
) -> None:
    uranium = await world.topic("уран")
    oil = await world.topic("нефть")
    await world.subscriber(1, digest_time="12:00")
    await world.follow(1, uranium, "realtime")
    await world.follow(1, oil, "daily")
    await world.alerts.match_new(NOON - timedelta(hours=2))
    both = "Уран и нефть дорожают вместе"
    await world.publish(both, f"{both}. Рынки сырья растут.", arrived=NOON - timedelta(hours=1))

    digest = await world.digests.build_due(NOON)
    await world.deliveries.create_many(digest.deliveries)
    assert both in digest.deliveries[0].parts[0]
    assert await record(world, NOON + timedelta(minutes=1)) == []


async def test_a_story_from_a_chats_own_source_alerts_only_that_chat(world: FrequencyWorld) -> None:
    uranium = await world.topic("уран", "Уран")
    for chat_id in (1, 2):
        await world.subscriber(chat_id)
        await world.follow(chat_id, uranium, "realtime")
    host = hashlib.sha1(b"Blog of chat 1").hexdigest()[:10]  # the feed World.publish uses
    await world.own_sources.add(1, f"https://{host}.example/feed", name="Blog", language="ru")
    await world.alerts.match_new(NOON - timedelta(minutes=30))

    title = "Уран в блоге: новый рудник на юге"
    await world.publish(
        title,
        f"{title}. Подробности.",
        outlet="Blog of chat 1",
        arrived=NOON - timedelta(minutes=9),
    )
    sent = await record(world, NOON)

    assert [(chat, key) for chat, key, _ in sent] == [(1, "alert")]
    assert title in sent[0][2]


async def test_an_alert_never_shows_another_chats_own_article(world: FrequencyWorld) -> None:
    uranium = await world.topic("уран", "Уран")
    await world.subscriber(2)
    await world.follow(2, uranium, "realtime")
    await world.subscriber(1)
    host = hashlib.sha1(b"Blog of chat 1").hexdigest()[:10]
    await world.own_sources.add(1, f"https://{host}.example/feed", name="Blog", language="ru")
    await world.alerts.match_new(NOON - timedelta(minutes=30))

    title = "Уран подорожал на бирже в Лондоне"
    await world.publish(title, f"{title}. Подробности.", arrived=NOON - timedelta(minutes=9))
    await world.publish(
        title, f"{title}. Пишет блог.", outlet="Blog of chat 1", arrived=NOON - timedelta(minutes=8)
    )
    sent = await record(world, NOON)

    assert [(chat, key) for chat, key, _ in sent] == [(2, "alert")]
    assert "Tengrinews" in sent[0][2] and "Blog" not in sent[0][2]


async def test_the_queue_keeps_only_a_few_days_after_a_realtime_pass(
    world: FrequencyWorld,
) -> None:
    uranium = await world.topic("уран", "Уран")
    await world.subscriber(1)
    await world.follow(1, uranium, "realtime")
    await world.alerts.match_new(NOON - timedelta(minutes=30))
    await world.publish("Уран: старая новость", "Уран: старая новость. Текст.", arrived=NOON)
    await world.alerts.match_new(NOON + timedelta(minutes=1))
    later = NOON + world.alerts.policy.keep_queued + timedelta(minutes=2)
    await world.publish("Уран: свежая новость", "Уран: свежая новость. Текст.", arrived=later)
    await world.alerts.match_new(later + timedelta(minutes=1))
    assert len(await world.queue.pending()) == 2

    pruned = await world.alerts.prune(later + timedelta(minutes=1))

    assert pruned == 1
    assert [a.queued_at for a in await world.queue.pending()] == [later + timedelta(minutes=1)]
