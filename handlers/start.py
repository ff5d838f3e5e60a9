"""/start greets the chat (registered by the middleware on first contact); /help lists the commands."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.chats import GROUP_CHATS
from handlers.commands import COMMANDS
from handlers.replies import fill, quote
from services.storage.models import Subscriber


def build_router() -> Router:
    router = Router(name="start")
    # Registering again keeps the settings and welcomes back a chat that had blocked the bot.
    router.message.register(start, CommandStart(), flags={"register": True})
    router.message.register(help_command, Command("help"))
    return router


async def start(message: Message, subscriber: Subscriber, first_contact: bool) -> None:
    if first_contact:
        text = fill(
            _(
                "<b>Hello! I am Newsdigest.</b>\n\n"
                "Once a day, at the time you choose, I send a short digest of the news on the "
                "topics you follow: every story summarised in a few sentences, with a link to "
                "the source.\n\n"
                "<b>Next step:</b> choose topics with /topics or follow your own query, for "
                "example <code>/subscribe Kazakhstan economy</code>.\n\n"
                "Your digest comes every day at {time} ({timezone}); change it with /time and "
                "/timezone. All commands: /help"
            ),
            time=subscriber.digest_time,
            timezone=subscriber.timezone,
        )
    else:
        text = fill(
            _(
                "<b>Welcome back!</b> Your settings are kept: the digest comes every day at "
                "{time} ({timezone}). Your topics: /mytopics. All commands: /help"
            ),
            time=subscriber.digest_time,
            timezone=subscriber.timezone,
        )
    if message.chat.type in GROUP_CHATS:
        text += "\n\n" + _(
            "I will send the digest to this group. Only its administrators can change "
            "topics and settings."
        )
    await message.answer(text)


async def help_command(message: Message, bot: Bot) -> None:
    lines = [_("<b>What I can do</b>"), ""]
    lines += [f"/{info.name} — {_(info.description)}" for info in COMMANDS]
    lines += [
        "",
        _("Send me a link to an article and I will summarise it."),
        "",
        _(
            "Topic queries work like a search box: <code>Kazakhstan Russia</code> finds news "
            "with both words in any form, <code>oil OR gas</code> either of them, "
            '<code>"Central Asia"</code> the exact phrase, and <code>-football</code> '
            "leaves out news with that word."
        ),
    ]
    if message.chat.type in GROUP_CHATS:
        me = await bot.me()
        lines += [
            "",
            fill(
                _(
                    "In a group, address commands to me, e.g. /topics@{username}. Only "
                    "administrators can change topics and settings."
                ),
                username=quote(me.username or ""),
            ),
        ]
    await message.answer("\n".join(lines))
