"""The command menu: the same commands in ru, en and kk, accepted by the Bot API."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot

from bot.commands import COMMANDS, bot_commands, set_bot_commands
from bot.demo.telegram_server import FakeTelegramServer
from bot.i18n import build_i18n


def test_every_language_has_every_command_with_its_own_description() -> None:
    i18n = build_i18n()
    menus = {language: bot_commands(i18n, language) for language in ("ru", "en", "kk")}

    names = [info.name for info in COMMANDS]
    for menu in menus.values():
        assert [command.command for command in menu] == names
    descriptions = {language: [c.description for c in menu] for language, menu in menus.items()}
    assert descriptions["ru"] != descriptions["en"] != descriptions["kk"]


async def test_menu_is_set_for_each_language_and_by_default(
    fake_telegram: FakeTelegramServer, bot: Bot
) -> None:
    await set_bot_commands(bot)

    names = [info.name for info in COMMANDS]
    for language in ("ru", "en", "kk", ""):
        assert fake_telegram.commands_for(language) == names
    default = fake_telegram.commands[next(k for k in fake_telegram.commands if k[1] == "")]
    assert default[0]["description"] == "Начало: что умеет бот"


async def test_a_failing_menu_is_logged_and_the_bot_carries_on(
    fake_telegram: FakeTelegramServer, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake_telegram.fail_next("setMyCommands", status=400, description="Bad Request: nope")

    with caplog.at_level(logging.WARNING, logger="bot.commands"):
        await set_bot_commands(bot)  # returns: start-up goes on without a menu

    assert fake_telegram.requests["setMyCommands"] >= 1
    warnings = [r.getMessage() for r in caplog.records if r.name == "bot.commands"]
    assert len(warnings) == 1 and "Bad Request: nope" in warnings[0]
    assert (await bot.get_me()).is_bot  # the same session keeps talking to Telegram

    await set_bot_commands(bot)  # the next start sets the menu

    assert fake_telegram.commands_for("ru") == [info.name for info in COMMANDS]
