"""The command menu (setMyCommands) in every language, from the table /help shows too
(handlers/commands.py), so the menu and /help never disagree.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.i18n import build_i18n
from handlers.commands import COMMANDS, CommandInfo
from services.text.i18n import DEFAULT_LANGUAGE, LANGUAGES

__all__ = ["COMMANDS", "CommandInfo", "bot_commands", "set_bot_commands"]

log = logging.getLogger(__name__)


def bot_commands(i18n: I18n, language: str) -> list[BotCommand]:
    """The menu entries with descriptions in `language`."""
    return [
        BotCommand(command=info.name, description=i18n.gettext(info.description, locale=language))
        for info in COMMANDS
    ]


async def set_bot_commands(bot: Bot, i18n: I18n | None = None) -> None:
    """Publish the menu for ru, en and kk (and Russian for every other language).

    A failure is logged, not raised: the bot works without a menu.
    """
    i18n = i18n or build_i18n()
    scope = BotCommandScopeDefault()
    try:
        for language in LANGUAGES:
            await bot.set_my_commands(
                bot_commands(i18n, language), scope=scope, language_code=language
            )
        await bot.set_my_commands(bot_commands(i18n, DEFAULT_LANGUAGE), scope=scope)
    except TelegramAPIError as exc:
        log.warning("could not set the command menu: %s", exc)
