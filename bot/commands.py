"""The command menu (setMyCommands) in every language, and the list /help shows.

One table of commands serves both, so the menu and /help never disagree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.utils.i18n import I18n

from bot.i18n import DEFAULT_LANGUAGE, N_, build_i18n
from services.storage.models import LANGUAGES

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CommandInfo:
    name: str
    description: str  # English message id, translated per language


COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo("start", N_("Start: what the bot does")),
    CommandInfo("help", N_("All commands")),
    CommandInfo("topics", N_("Topic catalogue: tap to follow")),
    CommandInfo("subscribe", N_("Follow your own query")),
    CommandInfo("unsubscribe", N_("Stop following a topic")),
    CommandInfo("mytopics", N_("Your topics and digest settings")),
    CommandInfo("digest", N_("The digest right now")),
    CommandInfo("summary", N_("Summarise an article by its link")),
    CommandInfo("search", N_("Search stored news")),
    CommandInfo("time", N_("Digest time, e.g. /time 9:30")),
    CommandInfo("timezone", N_("Your time zone")),
    CommandInfo("length", N_("Summary length, 1–5 sentences")),
    CommandInfo("language", N_("Language of the bot")),
    CommandInfo("pause", N_("Pause the daily digest")),
    CommandInfo("resume", N_("Resume the daily digest")),
)


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
