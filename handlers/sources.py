"""A chat's own sources: /addsource (or the "add as a source" button under a summary),
/sources, /removesource, /subscribe source:URL, OPML files in and out (/import or just
the file, /export).

Anyone may keep sources in a private chat; in a group, its administrators (handlers
flagged `admin`). The bot's admins reach handlers/admin.py first for the shared sources;
everyone else, and admins in groups, land here. A file is read only after its size, as
Telegram states it, is within the limit: nothing larger is downloaded.
"""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    Document,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.i18n import gettext as _

from handlers.admin import split_lines
from handlers.callbacks import LinkAsSource, OwnSourceDrop, OwnSourceFollow
from handlers.replies import fill, quote
from handlers.summary import fetch_failure, link_digest, summarized_link
from handlers.typing_status import typing_while_slow
from services.clock.clocks import Clock
from services.clock.zones import zone_of
from services.ingest.feeds import FeedError, NotAFeed
from services.ingest.fetch import FetchError
from services.sources.health import SourceState, failing_since, source_state
from services.sources.opml import MAX_FILE_BYTES, MAX_OUTLINES, OpmlError
from services.sources.own import (
    MAX_OWN_SOURCES,
    ImportReport,
    OwnSourceLimit,
    OwnSources,
    Refusal,
)
from services.sources.portable import PortableTopics, TopicsFileError
from services.storage import SubscriptionRepository, TopicRepository
from services.storage.models import Source, Subscriber
from services.storage.own_sources import OwnSource
from services.text.html import clip
from services.topics.query import source_url

URL_SHOWN = 200
ERROR_SHOWN = 150
NAME_SHOWN = 60
REFUSED_SHOWN = 30  # refused feeds listed one by one in an import's reply
OPML_SUFFIXES = (".opml", ".xml")
TOPICS_SUFFIXES = (".txt",)
STATE_MARKS = {
    SourceState.HEALTHY: "✅",
    SourceState.NEW: "🆕",
    SourceState.FAILING: "⚠️",
    SourceState.DOWN: "❌",
    SourceState.DISABLED: "⏸",
}


def build_router() -> Router:
    router = Router(name="sources")
    router.message.register(follow_source, Command("subscribe"), _is_source_query, flags=_ADMIN)
    router.message.register(add_source, Command("addsource"), flags=_ADMIN)
    router.message.register(list_sources, Command("sources"))
    router.message.register(remove_source, Command("removesource"), flags=_ADMIN)
    router.message.register(export, Command("export"))
    router.message.register(import_help, Command("import"), ~F.document)
    router.message.register(receive_file, F.document, _file_wanted, flags=_ADMIN)
    router.callback_query.register(drop_pressed, OwnSourceDrop.filter(), flags=_ADMIN)
    router.callback_query.register(follow_pressed, OwnSourceFollow.filter(), flags=_ADMIN)
    router.callback_query.register(link_pressed, LinkAsSource.filter(), flags=_ADMIN)
    return router


_ADMIN = {"admin": True}


def _is_source_query(message: Message) -> bool:
    text = (message.text or "").split(maxsplit=1)
    return len(text) == 2 and source_url(text[1]) is not None


def _file_wanted(message: Message) -> bool:
    """Any file in a private chat; in a group only one sent with /import as its caption."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    return (message.caption or "").strip().startswith("/import")


# -- adding ------------------------------------------------------------------------------


def add_failure(error: Exception, url: str) -> str:
    """Why `url` could not become a source, in the chat's language."""
    shown = quote(url, URL_SHOWN)
    if isinstance(error, OwnSourceLimit):
        return fill(
            _(
                "You have {max} sources, the most a chat can have. "
                "Remove one with /removesource first."
            ),
            max=MAX_OWN_SOURCES,
        )
    if isinstance(error, FetchError):
        return fill(fetch_failure(error), url=shown)
    if isinstance(error, NotAFeed):
        return fill(
            _("{url} is neither an RSS or Atom feed nor a page that links to one."), url=shown
        )
    return fill(_("The feed at {url} is broken: I cannot read it."), url=shown)


async def add_source(
    message: Message, command: CommandObject, subscriber: Subscriber, own_sources: OwnSources
) -> None:
    url = (command.args or "").strip()
    if not url:
        await message.answer(
            _(
                "Send the address of a feed, or of a site page that links to its feed: "
                "<code>/addsource https://example.kz/rss</code>\n"
                "Its articles then come only into this chat's digests. "
                "You can also send me an OPML file from your feed reader."
            )
        )
        return
    text, keyboard = await add_reply(own_sources, subscriber.chat_id, url)
    await message.answer(text, reply_markup=keyboard)


async def add_reply(
    own_sources: OwnSources, chat_id: int, url: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Make `url` the chat's source and say how it went: /addsource and the "add as a
    source" button under a summary both answer with this."""
    try:
        added = await own_sources.add(chat_id, url)
    except (FetchError, FeedError, OwnSourceLimit) as error:
        return add_failure(error, url), None
    source = added.link.source
    if added.new:
        text = fill(
            _(
                "Added to this chat's sources: <b>{name}</b>\n{url}\n"
                "The feed has {entries} entries now; they come in with the next ingest. "
                "To get everything from it as a topic of its own, tap the button below."
            ),
            name=quote(source.name, NAME_SHOWN),
            url=quote(source.url, URL_SHOWN),
            entries=added.feed.entries,
        )
    else:
        text = fill(
            _("Already one of this chat's sources: <b>{name}</b>\n{url}"),
            name=quote(source.name, NAME_SHOWN),
            url=quote(source.url, URL_SHOWN),
        )
    return text, _follow_keyboard(source)


async def link_pressed(
    query: CallbackQuery,
    callback_data: LinkAsSource,
    *,
    bot: Bot,
    subscriber: Subscriber,
    own_sources: OwnSources,
) -> None:
    """The "add as a source" button under a summary: /addsource with the summary's link."""
    message = query.message
    url = summarized_link(message) if isinstance(message, Message) else None
    if not isinstance(message, Message) or url is None or link_digest(url) != callback_data.digest:
        await query.answer(_("This button is out of date: send the link again."))
        return
    await query.answer()  # before the feed is fetched, which may take a while
    async with typing_while_slow(bot, message.chat.id):
        text, keyboard = await add_reply(own_sources, subscriber.chat_id, url)
    await message.answer(text, reply_markup=keyboard)


def _follow_keyboard(source: Source) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Follow everything from it"),
                    callback_data=OwnSourceFollow(source_id=source.id).pack(),
                )
            ]
        ]
    )


# -- listing -----------------------------------------------------------------------------


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    if moment is None:
        return _("never")
    return moment.astimezone(zone).strftime("%d.%m %H:%M")


def own_source_line(link: OwnSource, now: datetime, zone: ZoneInfo) -> str:
    """One source with its health, as /sources shows it to the chat that added it."""
    source = link.source
    state = source_state(source, now)
    head = fill(
        "{mark} <b>{name}</b> — {url}",
        mark=STATE_MARKS[state],
        name=quote(source.name, NAME_SHOWN),
        url=quote(source.url, URL_SHOWN),
    )
    if state.in_trouble:
        detail = fill(
            _("failing since {since}, {failures} failed fetches: {error}"),
            since=_when(failing_since(source), zone),
            failures=source.consecutive_failures,
            error=quote(source.last_error or "?", ERROR_SHOWN),
        )
    elif state is SourceState.HEALTHY:
        detail = fill(_("last success {when}"), when=_when(source.last_success_at, zone))
    elif state is SourceState.NEW:
        detail = _("not fetched yet")
    else:
        detail = fill(
            _("paused after failing for a week; <code>/addsource {url}</code> tries it again"),
            url=quote(source.url, URL_SHOWN),
        )
    return f"{head}\n    {detail}"


async def own_sources_messages(
    own_sources: OwnSources, subscriber: Subscriber, now: datetime
) -> list[str]:
    """The chat's own sources as whole messages (empty when it has none)."""
    links = await own_sources.list(subscriber.chat_id)
    if not links:
        return []
    zone = zone_of(subscriber.timezone)
    header = fill(
        _("<b>This chat's sources</b> ({count} of {max}):"),
        count=len(links),
        max=MAX_OWN_SOURCES,
    )
    return split_lines([header] + [own_source_line(link, now, zone) for link in links])


async def list_sources(
    message: Message, subscriber: Subscriber, own_sources: OwnSources, clock: Clock
) -> None:
    messages = await own_sources_messages(own_sources, subscriber, clock.now())
    if not messages:
        await message.answer(_no_sources())
        return
    for index, text in enumerate(messages):
        last = index == len(messages) - 1
        links = await own_sources.list(subscriber.chat_id) if last else []
        await message.answer(text, reply_markup=_sources_keyboard(links) if last else None)


def _no_sources() -> str:
    return _(
        "This chat has no sources of its own. Add a feed or a site with "
        "<code>/addsource URL</code>, or send me an OPML file from your feed reader."
    )


def _sources_keyboard(links: list[OwnSource]) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text="📰 " + clip(link.source.name, 40),
                callback_data=OwnSourceFollow(source_id=link.source.id).pack(),
            ),
            InlineKeyboardButton(
                text="✖", callback_data=OwnSourceDrop(source_id=link.source.id).pack()
            ),
        ]
        for link in links[:50]
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


# -- removing ----------------------------------------------------------------------------


async def remove_source(
    message: Message, command: CommandObject, subscriber: Subscriber, own_sources: OwnSources
) -> None:
    wanted = (command.args or "").strip()
    if not wanted:
        links = await own_sources.list(subscriber.chat_id)
        if not links:
            await message.answer(_no_sources())
            return
        await message.answer(
            _("Which source should I remove?"),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        InlineKeyboardButton(
                            text="✖ " + clip(link.source.name, 50),
                            callback_data=OwnSourceDrop(source_id=link.source.id).pack(),
                        )
                    ]
                    for link in links[:90]
                ]
            ),
        )
        return
    link = await own_sources.find(subscriber.chat_id, wanted)
    if link is None:
        await message.answer(
            fill(
                _("This chat has no source with the address {url}; /sources lists them."),
                url=quote(wanted, URL_SHOWN),
            )
        )
        return
    await own_sources.remove(subscriber.chat_id, link.source.id)
    await message.answer(_removed(link))


def _removed(link: OwnSource) -> str:
    return fill(
        _("Removed from this chat's sources: <b>{name}</b>\n{url}"),
        name=quote(link.source.name, NAME_SHOWN),
        url=quote(link.source.url, URL_SHOWN),
    )


async def drop_pressed(
    query: CallbackQuery,
    callback_data: OwnSourceDrop,
    subscriber: Subscriber,
    own_sources: OwnSources,
) -> None:
    removed = await own_sources.remove(subscriber.chat_id, callback_data.source_id)
    if removed is None:
        await query.answer(_("That source is not among this chat's any more."))
        return
    await query.answer()
    if query.message is not None and not isinstance(query.message, InaccessibleMessage):
        await query.message.answer(_removed(removed))


# -- following a source as a topic -------------------------------------------------------


async def _follow(
    subscriber: Subscriber,
    source: Source,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> str:
    topic = await topics.add_personal(subscriber.chat_id, f"source:{source.url}", source.name)
    added = await subscriptions.subscribe(subscriber.chat_id, topic.id)
    template = (
        _("You follow everything from <b>{name}</b>: it comes in your digest like any topic.")
        if added
        else _("You already follow everything from <b>{name}</b>.")
    )
    return fill(template, name=quote(source.name, NAME_SHOWN))


async def follow_source(
    message: Message,
    command: CommandObject,
    *,
    subscriber: Subscriber,
    own_sources: OwnSources,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    url = source_url(command.args or "") or ""
    link = await own_sources.find(subscriber.chat_id, url)
    source = link.source if link is not None else await own_sources.shared_source(url)
    if source is None:
        try:
            source = (await own_sources.add(subscriber.chat_id, url)).link.source
        except (FetchError, FeedError, OwnSourceLimit) as error:
            await message.answer(add_failure(error, url))
            return
    await message.answer(await _follow(subscriber, source, topics, subscriptions))


async def follow_pressed(
    query: CallbackQuery,
    callback_data: OwnSourceFollow,
    *,
    subscriber: Subscriber,
    own_sources: OwnSources,
    topics: TopicRepository,
    subscriptions: SubscriptionRepository,
) -> None:
    link = await own_sources.repository.get(subscriber.chat_id, callback_data.source_id)
    if link is None:
        await query.answer(_("That source is not among this chat's any more."))
        return
    text = await _follow(subscriber, link.source, topics, subscriptions)
    await query.answer()
    if query.message is not None and not isinstance(query.message, InaccessibleMessage):
        await query.message.answer(text)


# -- files -------------------------------------------------------------------------------


async def export(
    message: Message,
    bot: Bot,
    subscriber: Subscriber,
    own_sources: OwnSources,
    portable_topics: PortableTopics,
) -> None:
    opml = await own_sources.export_opml(subscriber.chat_id)
    topics_file = (await portable_topics.export(subscriber)).encode("utf-8")
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(opml, filename="newsdigest-sources.opml"),
        caption=_("Your sources as OPML: any feed reader imports it, and so do I."),
    )
    await bot.send_document(
        message.chat.id,
        BufferedInputFile(topics_file, filename="newsdigest-topics.txt"),
        caption=_("Your topics and settings: send this file back to me to restore them."),
    )


def _import_help() -> str:
    return _(
        "Send me a file:\n"
        "• an OPML export from your feed reader (.opml or .xml): its feeds become this "
        "chat's sources;\n"
        "• the topics file from /export (.txt): your topics and settings come back."
    )


async def import_help(message: Message) -> None:
    await message.answer(_import_help())


async def receive_file(
    message: Message,
    bot: Bot,
    subscriber: Subscriber,
    own_sources: OwnSources,
    portable_topics: PortableTopics,
) -> None:
    document = message.document
    assert document is not None  # the router's filter
    name = (document.file_name or "").casefold()
    is_opml = name.endswith(OPML_SUFFIXES)
    if not is_opml and not name.endswith(TOPICS_SUFFIXES):
        await message.answer(
            _(
                "I read OPML files (.opml, .xml) and the topics file from /export (.txt); "
                "this one is neither."
            )
            + "\n\n"
            + _import_help()
        )
        return
    if document.file_size is None or document.file_size > MAX_FILE_BYTES:
        await message.answer(
            _("The file is larger than 1 MB; a list of feeds is far smaller. Send a smaller one.")
        )
        return
    data = await _download(bot, document)
    if data is None:
        await message.answer(_("I could not get the file from Telegram; send it again."))
        return
    if is_opml:
        try:
            report = await own_sources.import_opml(subscriber.chat_id, data)
        except OpmlError as error:
            await message.answer(_opml_error(error.code))
            return
        await message.answer(import_report(report))
        return
    try:
        restored = await portable_topics.restore(subscriber.chat_id, data)
    except TopicsFileError as error:
        await message.answer(_topics_error(error.code))
        return
    text = fill(
        _("<b>Topics restored</b>: {followed} followed now, {already} already followed."),
        followed=restored.followed,
        already=restored.already,
    )
    if restored.settings:
        text += "\n" + fill(_("Settings restored: {names}."), names=", ".join(restored.settings))
    if restored.skipped:
        text += "\n" + fill(
            _("Lines I could not use ({count}): {lines}"),
            count=len(restored.skipped),
            lines=clip("; ".join(restored.skipped), 500),
        )
    await message.answer(text)


async def _download(bot: Bot, document: Document) -> bytes | None:
    try:
        found = await bot.get_file(document.file_id)
        if found.file_path is None:
            return None
        buffer = io.BytesIO()
        await bot.download_file(found.file_path, buffer, timeout=30)
    except (TelegramAPIError, OSError):
        return None
    data = buffer.getvalue()
    return data if len(data) <= MAX_FILE_BYTES else None


def _opml_error(code: str) -> str:
    if code == "too_large":
        return _(
            "The file is larger than 1 MB; a list of feeds is far smaller. Send a smaller one."
        )
    if code == "entities":
        return _(
            "The file declares XML entities or a DTD, which I do not read for safety. "
            "Export the list from your feed reader again."
        )
    if code == "too_many":
        return fill(
            _("The file has more than {max} outlines: that is not a list of feeds I can take."),
            max=MAX_OUTLINES,
        )
    if code == "not_opml":
        return _("The file is XML but not an OPML list of feeds.")
    return _("The file is not valid XML, so not an OPML list of feeds.")


def _topics_error(code: str) -> str:
    if code == "too_large":
        return _(
            "The file is larger than 1 MB; a list of feeds is far smaller. Send a smaller one."
        )
    if code == "not_text":
        return _("The file is not UTF-8 text, so not a topics file from /export.")
    return _("The file has no topics or settings in it.")


def refusal_text(why: Refusal) -> str:
    return {
        Refusal.NOT_A_URL: _("not a web address"),
        Refusal.PRIVATE_ADDRESS: _("private address"),
        Refusal.UNREACHABLE: _("unreachable"),
        Refusal.NOT_A_FEED: _("not a feed"),
        Refusal.OVER_LIMIT: _("over the limit"),
    }[why]


def import_report(report: ImportReport) -> str:
    """One reply for a whole OPML import: counts, then each refused feed with its reason."""
    lines = [
        fill(
            _("<b>OPML import</b>: {added} added, {already} already there, {refused} refused."),
            added=len(report.added),
            already=len(report.already),
            refused=len(report.refused),
        )
    ]
    shown = report.refused[:REFUSED_SHOWN]
    lines += [
        fill("• {url} — {why}", url=quote(url, 80), why=refusal_text(why)) for url, why in shown
    ]
    if len(report.refused) > len(shown):
        lines.append(fill(_("… and {count} more."), count=len(report.refused) - len(shown)))
    if report.stopped_at_limit:
        lines.append(
            fill(_("Stopped at {max} sources, the most a chat can have."), max=MAX_OWN_SOURCES)
        )
    if report.added:
        lines.append(_("Their articles come into this chat's digests from the next ingest."))
    return "\n".join(lines)
