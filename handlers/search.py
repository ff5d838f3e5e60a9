"""/search QUERY: the five best stored stories for a query, with their summaries.

The same query language as topics; the stories come ranked from the digest service
and are shown by the one renderer, in the chat's language and time zone.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.options import Options
from handlers.query_errors import query_error_text
from handlers.replies import fill
from handlers.typing_status import typing_while_slow
from services.clock.clocks import Clock
from services.digest.render import render_html
from services.digest.service import DigestService
from services.storage.models import Language, Subscriber
from services.topics.index import TopicIndex
from services.topics.query import QueryError

SEARCH_WINDOW = timedelta(days=30)
DEFAULT_SENTENCES = 2


def build_router() -> Router:
    router = Router(name="search")
    router.message.register(search, Command("search"))
    return router


async def search(
    message: Message,
    command: CommandObject,
    *,
    bot: Bot,
    language: Language,
    known_subscriber: Subscriber | None,
    options: Options,
    topic_index: TopicIndex,
    digests: DigestService,
    clock: Clock,
) -> None:
    text = " ".join((command.args or "").split())
    if not text:
        await message.answer(
            _(
                "What should I look for? For example: <code>/search Байконур</code> or "
                "<code>/search нефть OR газ</code>"
            )
        )
        return
    try:
        topic_index.parse(text)
    except QueryError as error:
        await message.answer(query_error_text(error.code, error.params))
        return
    async with typing_while_slow(bot, message.chat.id):
        found = await digests.for_query(
            text,
            since=clock.now() - SEARCH_WINDOW,
            language=known_subscriber.language if known_subscriber else language,
            timezone=known_subscriber.timezone if known_subscriber else options.default_timezone,
            sentences=known_subscriber.digest_length if known_subscriber else DEFAULT_SENTENCES,
            chat_id=message.chat.id,
            grouped=False,  # fresh articles of a running pass need not wait for their story
        )
    parts = render_html(found)
    if not parts:
        await message.answer(
            fill(_("Nothing found for “{query}” in the last 30 days."), query=text)
        )
        return
    for part in parts:
        await message.answer(part)
