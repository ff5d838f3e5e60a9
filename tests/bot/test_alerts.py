"""bot/alerts.py: source alerts worded in the admin's language, safe as Telegram HTML."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import Bot

from bot.alerts import build_source_alerts, source_alert_composer, then_alert
from bot.demo.telegram_html import parse_html
from bot.demo.telegram_server import FakeTelegramServer
from bot.telegram import TelegramSender
from services.clock.clocks import ManualClock
from services.sources.alerts import AlertKind, SourceAlert
from services.storage import Database, SourceRepository, SubscriberRepository
from services.storage.models import Source

SINCE = datetime(2026, 3, 19, 4, 0, tzinfo=UTC)  # 09:00 in Almaty (UTC+5)
AT = SINCE + timedelta(hours=25)
ADMIN = 9_001


def source() -> Source:
    return Source(
        id=1,
        url="https://news.example.kz/rss?a=1&b=2",
        name="Новости <Степи> & Co",
        language="ru",
        kind="feed",
        enabled=True,
        etag=None,
        last_modified=None,
        last_fetch_at=AT,
        last_success_at=SINCE,
        consecutive_failures=50,
        last_error="HTTP 503 <html>Service Unavailable</html>",
        next_fetch_at=None,
        failure_alerted_at=None,
        created_at=SINCE,
    )


def test_a_down_alert_names_the_source_since_when_and_the_last_error_in_local_time() -> None:
    compose = source_alert_composer("Asia/Almaty")
    text = compose(SourceAlert(AlertKind.DOWN, source(), SINCE, AT), "en")
    visible = parse_html(text).text
    assert "Source down: Новости <Степи> & Co" in visible
    assert "https://news.example.kz/rss?a=1&b=2" in visible
    assert "since 19.03.2026 09:00 (50 failed attempts)" in visible
    assert "Last error: HTTP 503 <html>Service Unavailable</html>" in visible


def test_alerts_come_in_russian_and_kazakh_too() -> None:
    compose = source_alert_composer("Asia/Almaty")
    down = SourceAlert(AlertKind.DOWN, source(), SINCE, AT)
    back = SourceAlert(AlertKind.RECOVERED, source(), AT, AT + timedelta(hours=1))
    assert "Последняя ошибка: HTTP 503" in parse_html(compose(down, "ru")).text
    assert "Соңғы қате: HTTP 503" in parse_html(compose(down, "kk")).text
    assert "Источник" in parse_html(compose(back, "ru")).text
    assert "Source back" not in parse_html(compose(back, "kk")).text
    assert "at 20.03.2026 11:00" in parse_html(compose(back, "en")).text


async def test_the_ingest_job_checks_for_alerts_after_the_pass_with_what_it_left(
    db: Database, clock: ManualClock, fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    sources = SourceRepository(db, clock)
    subscribers = SubscriberRepository(db, clock)
    fake_telegram.register_chat(ADMIN)
    alerts = build_source_alerts(
        sources=sources,
        subscribers=subscribers,
        sender=TelegramSender(bot),
        admin_ids=frozenset({ADMIN}),
        clock=clock,
        timezone="Asia/Almaty",
    )
    feed = await sources.upsert("https://gone.example.kz/rss", name="Gone")
    clock.advance(timedelta(hours=30))  # it never worked, and was added 30 hours ago

    async def ingest_pass() -> None:
        await sources.record_failure(feed.id, "HTTP 410", retry_at=clock.now())

    await then_alert(ingest_pass, alerts)()

    [message] = fake_telegram.messages(ADMIN)
    assert "Gone" in message.text
    assert "HTTP 410" in message.text
