"""Whatever no other router took: unknown commands, plain chatter, stale buttons, failures.

In a private chat every message gets a hint in the chat's language. In a group the
bot speaks only when spoken to: an unknown command addressed to it (/foo@bot)
gets an answer, everything else is other people's conversation and is left alone.

A handler that fails still leaves the user an apology in their language instead
of silence; the error itself is re-raised so that aiogram logs it with its traceback.
(A call the pacer gave up on never gets here: the dispatcher handles it first, see
bot/app.py.)
"""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from handlers.chats import GROUP_CHATS
from handlers.replies import fill, quote

COMMAND_SHOWN = 40  # characters of an unknown command echoed back


def build_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(anything_else)
    router.callback_query.register(stale_button)
    router.errors.register(apologise)
    return router


async def unknown_command(message: Message, bot: Bot) -> None:
    word = (message.text or "").split(maxsplit=1)[0]
    name, _at, mention = word.partition("@")
    if message.chat.type in GROUP_CHATS:
        me = await bot.me()
        if not mention or not me.username or mention.casefold() != me.username.casefold():
            return
    await message.answer(
        fill(
            _("I do not know the command {command}. The commands I know: /help"),
            command=quote(name, COMMAND_SHOWN),
        )
    )


async def anything_else(message: Message) -> None:
    if message.chat.type != "private":
        return
    await message.answer(
        _(
            "Send me a link to an article and I will summarise it, or search the news with "
            "/search QUERY. All commands: /help"
        )
    )


async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is out of date: send the command again."))


async def apologise(event: ErrorEvent) -> None:
    text = _("Sorry, something went wrong on my side. Please try again in a minute.")
    update = event.update
    with suppress(TelegramAPIError):
        if update.message is not None:
            await update.message.answer(text)
        elif update.callback_query is not None:
            await update.callback_query.answer(text)
    raise event.exception
