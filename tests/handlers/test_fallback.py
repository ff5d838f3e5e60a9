"""Unknown commands, chatter and stale buttons get a helpful answer (in private chats)."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramBadRequest

from tests.handlers.conftest import Talk


async def test_an_unknown_command_points_to_help(talk: Talk) -> None:
    reply = await talk.send(801, "/frobnicate now", language_code="en")

    assert reply.text == "I do not know the command /frobnicate. The commands I know: /help"


async def test_an_unknown_command_with_markup_is_escaped(talk: Talk) -> None:
    reply = await talk.send(802, "/<b>x</b>&amp;", language_code="ru")

    assert "/<b>x</b>&amp;" in reply.text
    assert reply.message.entities == []


async def test_plain_text_in_a_private_chat_gets_a_hint_in_the_chats_language(
    talk: Talk,
) -> None:
    reply = await talk.send(803, "привет 👋", language_code="kk")

    assert "/search" in reply.text and "/help" in reply.text
    assert reply.text.startswith("Мақалаға")


async def test_in_a_group_unknown_commands_for_the_bot_are_answered_and_chatter_ignored(
    talk: Talk,
) -> None:
    addressed = await talk.send(
        -9101, "/frobnicate@newsdigest_test_bot", user_id=51, language_code="en"
    )
    unaddressed = await talk.send(-9101, "/frobnicate", user_id=51)
    chatter = await talk.send(-9101, "hello everyone", user_id=51)

    assert "do not know the command /frobnicate" in addressed.text
    assert unaddressed.messages == [] and chatter.messages == []


async def test_a_button_the_bot_does_not_know_is_answered(talk: Talk) -> None:
    await talk.send(804, "/start", language_code="en")

    reply = await talk.press(804, "zz:unknown", check_button=False)

    assert reply.answers[0].text == "This button is out of date: send the command again."


async def test_a_failing_reply_leaves_an_apology_and_the_error_is_raised_for_the_log(
    talk: Talk,
) -> None:
    talk.telegram.fail_next("sendMessage", status=400, description="Bad Request: something odd")

    with pytest.raises(TelegramBadRequest):
        await talk.send(805, "/help", language_code="en")

    assert talk.telegram.last_message(805).text.startswith("Sorry, something went wrong")
