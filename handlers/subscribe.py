"""/subscribe QUERY: follow your own search-box query.

The reply echoes how the query was understood (so "Казахстан -спорт" visibly means
"Казахстан, without спорт") and shows a few recent stories it would have found.
Alone, /subscribe explains the query syntax with examples.
"""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.query_errors import query_error_text
from handlers.replies import Html, fill, link, quote
from handlers.typing_status import typing_while_slow
from services.clock.clocks import Clock
from services.sources.own import OwnSources
from services.storage import ArticleRepository, SubscriptionRepository, TopicRepository
from services.storage.models import Subscriber
from services.topics.index import TopicIndex
from services.topics.query import QueryError

SAMPLE_WINDOW = timedelta(days=7)
SAMPLE_SIZE = 3
QUERY_SHOWN = 200  # characters of the understood query echoed back
TITLE_SHOWN = 150


def build_router() -> Router:
    router = Router(name="subscribe")
    router.message.register(subscribe, Command("subscribe"), flags={"admin": True})
    return router


def syntax_help() -> str:
    return _(
        "<b>Follow your own query</b>: <code>/subscribe QUERY</code>\n\n"
        "Words must all appear, in any form: <code>/subscribe Казахстан Россия</code>\n"
        "Either word: <code>/subscribe нефть OR газ</code>\n"
        'An exact phrase: <code>/subscribe "Центральная Азия"</code>\n'
        "Leave a word out: <code>/subscribe Байконур -туризм</code>\n"
        "Catalogue groups by name: <code>/subscribe @Kazakhstan @Russia</code>"
    )


async def subscribe(
    message: Message,
    command: CommandObject,
    *,
    bot: Bot,
    subscriber: Subscriber,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
    topic_index: TopicIndex,
    articles: ArticleRepository,
    clock: Clock,
    own_sources: OwnSources,
) -> None:
    text = " ".join((command.args or "").split())
    if not text:
        await message.answer(syntax_help())
        return
    try:
        query = topic_index.parse(text)
    except QueryError as error:
        await message.answer(query_error_text(error.code, error.params) + "\n\n" + syntax_help())
        return
    topic = await topics.add_personal(subscriber.chat_id, text, text)
    added = await subscriptions.subscribe(subscriber.chat_id, topic.id)
    lines = [
        fill(
            _("You follow “{query}”.") if added else _("You already follow “{query}”."),
            query=quote(text, QUERY_SHOWN),
        ),
        fill(
            _("Understood as: {understood}"),
            understood=Html(f"<code>{quote(str(query), QUERY_SHOWN)}</code>"),
        ),
    ]
    async with typing_while_slow(bot, message.chat.id):
        hits = await topic_index.search(query, since=clock.now() - SAMPLE_WINDOW, limit=SAMPLE_SIZE)
        seen = await own_sources.visibility(subscriber.chat_id, [h.article_id for h in hits])
        rank = {
            hit.article_id: place for place, hit in enumerate(hits) if seen.allows(hit.article_id)
        }
        found = sorted(await articles.get_many(list(rank)), key=lambda a: rank[a.id])
    lines.append("")
    if found:
        lines.append(_("Recent stories it finds:"))
        lines += [f"• {link(article.url, article.title, TITLE_SHOWN)}" for article in found]
    else:
        lines.append(
            _("Nothing matched in the last week yet; new stories will come in your digest.")
        )
    await message.answer("\n".join(lines))
