"""/start registers the chat and greets it in its language; /help lists every command."""

from __future__ import annotations

import pytest

from bot.commands import COMMANDS
from tests.handlers.conftest import Talk


@pytest.mark.parametrize(
    ("language_code", "language", "greeting"),
    [
        ("ru", "ru", "Здравствуйте"),
        ("en-US", "en", "Hello"),
        ("kk", "kk", "Сәлеметсіз бе"),
        ("de", "ru", "Здравствуйте"),
    ],
)
async def test_start_registers_the_chat_with_defaults_and_greets_in_its_language(
    talk: Talk, language_code: str, language: str, greeting: str
) -> None:
    reply = await talk.send(501, "/start", language_code=language_code)

    subscriber = await talk.services.subscribers.get(501)
    assert subscriber is not None
    assert (subscriber.chat_type, subscriber.language) == ("private", language)
    assert subscriber.timezone == talk.services.settings.default_timezone
    assert subscriber.digest_time == "09:00"
    assert reply.text.startswith(greeting)
    assert "/topics" in reply.text and "09:00" in reply.text


async def test_second_start_keeps_the_settings_and_says_welcome_back(talk: Talk) -> None:
    await talk.send(502, "/start", language_code="en")
    await talk.services.subscribers.update(502, digest_time="07:30", timezone="Europe/Moscow")

    reply = await talk.send(502, "/start", language_code="ru")

    subscriber = await talk.services.subscribers.get(502)
    assert subscriber is not None
    assert (subscriber.language, subscriber.digest_time) == ("en", "07:30")
    assert "Welcome back" in reply.text and "07:30 (Europe/Moscow)" in reply.text


async def test_start_in_a_group_registers_the_group_and_mentions_administrators(
    talk: Talk,
) -> None:
    reply = await talk.send(-7001, "/start@newsdigest_test_bot", user_id=11, language_code="en")

    subscriber = await talk.services.subscribers.get(-7001)
    assert subscriber is not None and subscriber.chat_type == "group"
    assert "administrators" in reply.text


@pytest.mark.parametrize("language_code", ["ru", "en", "kk"])
async def test_help_lists_every_command(talk: Talk, language_code: str) -> None:
    reply = await talk.send(503, "/help", language_code=language_code)

    for info in COMMANDS:
        assert f"/{info.name} — " in reply.text


async def test_help_follows_the_language_chosen_not_the_telegram_one(talk: Talk) -> None:
    await talk.send(504, "/start", language_code="kk")

    reply = await talk.send(504, "/help", language_code="en")

    assert reply.text.startswith("Мен не істей аламын")


async def test_help_in_a_group_shows_how_to_address_the_bot(talk: Talk) -> None:
    reply = await talk.send(-7002, "/help@newsdigest_test_bot", user_id=12, language_code="en")

    assert "/topics@newsdigest_test_bot" in reply.text


async def test_commands_for_another_bot_are_left_alone(talk: Talk) -> None:
    reply = await talk.send(-7003, "/help@some_other_bot", user_id=13)

    assert reply.messages == []
