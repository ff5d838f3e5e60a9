"""Middlewares: the reply language, the per-user throttle, group administrators' rights and
the chat's subscriber handed to the handlers that ask for it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import Message, Update

from bot.app import Services, build_dispatcher, open_services
from bot.config import Settings
from bot.demo.telegram_server import FakeTelegramServer
from bot.middlewares import DEFAULT_LIMITS, Limit, RateLimiter
from services.clock.clocks import ManualClock
from services.storage.models import Subscriber
from tests.handlers.conftest import Talk

T0 = datetime(2026, 3, 20, 6, 0, tzinfo=UTC)


@pytest.fixture
async def talk(
    fake_telegram: FakeTelegramServer, settings: Settings, bot: Bot, clock: ManualClock
) -> AsyncIterator[Talk]:
    services: Services
    async with open_services(settings, clock) as services:
        yield Talk(fake_telegram, build_dispatcher(services), bot, clock, services)


def test_limiter_allows_up_to_the_limit_within_the_window() -> None:
    limiter = RateLimiter({"default": Limit(3, timedelta(seconds=10))})

    results = [limiter.check(1, "default", T0 + timedelta(seconds=i)) for i in range(4)]

    assert [allowed for allowed, _warn in results] == [True, True, True, False]


def test_limiter_warns_once_per_refused_window_then_forgives() -> None:
    limiter = RateLimiter({"default": Limit(1, timedelta(seconds=10))})
    limiter.check(1, "default", T0)

    first = limiter.check(1, "default", T0 + timedelta(seconds=1))
    second = limiter.check(1, "default", T0 + timedelta(seconds=2))
    later = limiter.check(1, "default", T0 + timedelta(seconds=11))

    assert first == (False, True)
    assert second == (False, False)
    assert later == (True, False)


def test_limiter_counts_users_and_buckets_apart() -> None:
    limiter = RateLimiter(
        {"default": Limit(1, timedelta(seconds=10)), "summary": Limit(1, timedelta(minutes=1))}
    )
    limiter.check(1, "default", T0)

    assert limiter.check(2, "default", T0)[0]
    assert limiter.check(1, "summary", T0)[0]
    assert not limiter.check(1, "summary", T0 + timedelta(seconds=30))[0]


def test_summary_limit_is_tighter_than_the_default() -> None:
    default, summary = DEFAULT_LIMITS["default"], DEFAULT_LIMITS["summary"]

    assert (
        summary.count / summary.window.total_seconds()
        < default.count / default.window.total_seconds()
    )


def test_limiter_forgets_idle_users_when_it_grows() -> None:
    limiter = RateLimiter({"default": Limit(1, timedelta(seconds=10))}, max_keys=10)
    for user in range(20):
        limiter.check(user, "default", T0)
    limiter.check(0, "default", T0 + timedelta(seconds=1))  # refused: triggers the clean-up

    limiter.check(999, "default", T0 + timedelta(minutes=5))
    limiter.check(999, "default", T0 + timedelta(minutes=5, seconds=1))

    assert len(limiter._events) <= 10


async def test_a_flooding_user_is_asked_once_to_slow_down_then_ignored(talk: Talk) -> None:
    talk.step = timedelta(milliseconds=500)
    replies = [await talk.send(901, "/help", language_code="en") for _ in range(10)]

    assert all(len(reply.messages) == 1 for reply in replies[:8])
    assert "a little fast" in replies[8].text
    assert replies[9].messages == []

    talk.clock.advance(timedelta(seconds=30))
    assert len((await talk.send(901, "/help", language_code="en")).messages) == 1


async def test_another_user_is_not_slowed_down_by_a_flooder(talk: Talk) -> None:
    talk.step = timedelta(milliseconds=500)
    for _ in range(10):
        await talk.send(902, "/help", language_code="en")

    reply = await talk.send(903, "/help", language_code="en")

    assert reply.text.startswith("What I can do")


async def test_a_registered_chat_gets_replies_in_its_language_whatever_telegram_says(
    talk: Talk,
) -> None:
    await talk.send(904, "/language en", language_code="kk")

    reply = await talk.send(904, "/nonsense", language_code="ru")

    assert reply.text.startswith("I do not know the command")


async def test_an_anonymous_group_administrator_may_change_settings(talk: Talk) -> None:
    talk.telegram.register_chat(-9201, admins=[61])
    update = talk.telegram.inject_message(-9201, "/time 6", user_id=1087968824, language_code="en")
    update["message"]["sender_chat"] = dict(update["message"]["chat"])

    await talk.feed(update)

    subscriber = await talk.services.subscribers.get(-9201)
    assert subscriber is not None and subscriber.digest_time == "06:00"


async def test_when_telegram_cannot_say_who_is_admin_the_change_is_refused(talk: Talk) -> None:
    talk.telegram.register_chat(-9202, admins=[71])
    talk.telegram.fail_next("getChatMember", status=400, description="Bad Request: user not found")

    reply = await talk.send(-9202, "/pause", user_id=71, language_code="en")

    subscriber = await talk.services.subscribers.get(-9202)
    assert subscriber is None or not subscriber.paused
    assert "Only the group's administrators" in reply.text


class Probe:
    """Handlers that record what the middlewares handed them: /ready asks for the
    subscriber, /glance does not, /settle is flagged admin (a change of settings)."""

    def __init__(self) -> None:
        self.seen: list[tuple[Subscriber, bool]] = []
        self.glances = 0

    def router(self) -> Router:
        router = Router(name="probe")
        router.message.register(self.ready, Command("ready"))
        router.message.register(self.ready, Command("settle"), flags={"admin": True})
        router.message.register(self.glance, Command("glance"))
        return router

    async def ready(self, message: Message, subscriber: Subscriber, first_contact: bool) -> None:
        self.seen.append((subscriber, first_contact))

    async def glance(self, message: Message, language: str) -> None:
        self.glances += 1


@pytest.fixture
async def probed(
    fake_telegram: FakeTelegramServer, settings: Settings, bot: Bot, clock: ManualClock
) -> AsyncIterator[tuple[Talk, Probe]]:
    probe = Probe()
    async with open_services(settings, clock) as services:
        dispatcher = build_dispatcher(services, routers=[probe.router()])
        yield Talk(fake_telegram, dispatcher, bot, clock, services), probe


async def test_a_handler_asking_for_the_subscriber_gets_the_chat_registered_with_the_defaults(
    probed: tuple[Talk, Probe],
) -> None:
    talk, probe = probed

    await talk.send(931, "/ready", language_code="kk")

    ((subscriber, first_contact),) = probe.seen
    assert first_contact
    assert (subscriber.chat_id, subscriber.language) == (931, "kk")
    assert (subscriber.timezone, subscriber.digest_time) == ("Asia/Almaty", "09:00")
    assert await talk.services.subscribers.get(931) == subscriber


async def test_a_chat_is_registered_on_first_contact_only_and_keeps_its_settings(
    probed: tuple[Talk, Probe],
) -> None:
    talk, probe = probed
    await talk.send(932, "/ready", language_code="en")
    await talk.services.subscribers.update(932, digest_time="18:30")

    await talk.send(932, "/ready", language_code="ru")

    (_, first), (again, second) = probe.seen
    assert (first, second) == (True, False)
    assert (again.language, again.digest_time) == ("en", "18:30")


async def test_two_first_messages_at_once_register_the_chat_once(
    probed: tuple[Talk, Probe],
) -> None:
    talk, probe = probed
    updates: list[dict[str, Any]] = [
        talk.telegram.inject_message(933, "/ready", language_code="en") for _ in range(2)
    ]

    await asyncio.gather(
        *(
            talk.dispatcher.feed_update(
                talk.bot, Update.model_validate(update, context={"bot": talk.bot})
            )
            for update in updates
        )
    )

    assert sorted(first for _, first in probe.seen) == [False, True]
    assert probe.seen[0][0].chat_id == probe.seen[1][0].chat_id == 933
    rows = await talk.services.db.fetchall("SELECT chat_id FROM subscribers WHERE chat_id = 933")
    assert len(rows) == 1


async def test_a_handler_that_does_not_ask_for_the_subscriber_registers_nobody(
    probed: tuple[Talk, Probe],
) -> None:
    talk, probe = probed

    await talk.send(934, "/glance", language_code="en")

    assert probe.glances == 1
    assert await talk.services.subscribers.get(934) is None


async def test_a_group_member_refused_a_change_of_settings_registers_nobody(
    probed: tuple[Talk, Probe],
) -> None:
    talk, probe = probed
    talk.telegram.register_chat(-9301, admins=[81])

    reply = await talk.send(-9301, "/settle", user_id=82, language_code="en")

    assert "Only the group's administrators" in reply.text
    assert probe.seen == []
    assert await talk.services.subscribers.get(-9301) is None
