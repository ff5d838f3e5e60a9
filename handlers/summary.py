"""/summary URL, and any link sent to the bot in a private chat (a forwarded post too).

While the page is fetched and summarised the chat shows "typing…". The reply has the
linked title, the site and the summary; a page that can't be fetched or holds no
article gets a reply that says which, in the chat's language. Fetching costs more
than any other command, so these handlers share the tighter "summary" throttle.

Under a summary sits an "add as a source" button (unless the link already is one of the
chat's sources): a URL does not fit in a button's 64 bytes, so the button carries only
a digest of the link and handlers/sources.py reads the link back from the summary's title.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import LinkAsSource
from handlers.replies import fill, join_within, link, quote
from handlers.typing_status import typing_while_slow
from services.ingest.fetch import (
    BlockedAddress,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    ResponseTooLarge,
    TooManyRedirects,
)
from services.ingest.link_summary import LinkSummaries, LinkSummary, NoArticle
from services.sources.own import OwnSources
from services.storage.models import Language, Subscriber

SUMMARY_FLAGS = {"throttle": "summary"}
DEFAULT_SENTENCES = 3
TITLE_SHOWN = 300
URL_SHOWN = 80
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'«»]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»”’"


def build_router() -> Router:
    router = Router(name="summary")
    router.message.register(summary_command, Command("summary"), flags=SUMMARY_FLAGS)
    router.message.register(
        summary_of_link, F.chat.type == "private", find_link, flags=SUMMARY_FLAGS
    )
    return router


def _entity_link(entity: MessageEntity, text: str) -> str | None:
    if entity.type == "text_link":
        return entity.url
    if entity.type == "url":
        return entity.extract_from(text)
    return None


def first_link(message: Message) -> str | None:
    """The first web address in the message: its links (entities), else its text."""
    text = message.text or message.caption or ""
    entities = message.entities or message.caption_entities or []
    for entity in entities:
        found = _entity_link(entity, text)
        if found:
            return _with_scheme(found)
    match = _URL_IN_TEXT.search(text)
    return _with_scheme(match.group(0).rstrip(_TRAILING)) if match else None


def _with_scheme(url: str) -> str:
    return url if re.match(r"(?i)https?://", url) else "http://" + url


async def find_link(message: Message) -> bool | dict[str, str]:
    """Filter: a message that is not a command and carries a link."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        return False
    url = first_link(message)
    return {"url": url} if url else False


async def summary_command(
    message: Message,
    command: CommandObject,
    *,
    bot: Bot,
    language: Language,
    known_subscriber: Subscriber | None,
    link_summaries: LinkSummaries,
    own_sources: OwnSources,
) -> None:
    if not command.args:
        await message.answer(
            _(
                "Send a link after the command, e.g. "
                "<code>/summary https://example.com/news/1</code>, or just send me the link."
            )
        )
        return
    url = first_link(message)
    if url is None:
        await message.answer(
            fill(_("I found no link in “{text}”."), text=command.args)
            + " "
            + _("A link starts with http:// or https://.")
        )
        return
    await summary_of_link(
        message,
        url,
        bot=bot,
        language=language,
        known_subscriber=known_subscriber,
        link_summaries=link_summaries,
        own_sources=own_sources,
    )


async def summary_of_link(
    message: Message,
    url: str,
    *,
    bot: Bot,
    language: Language,
    known_subscriber: Subscriber | None,
    link_summaries: LinkSummaries,
    own_sources: OwnSources,
) -> None:
    sentences = known_subscriber.digest_length if known_subscriber else DEFAULT_SENTENCES
    try:
        async with typing_while_slow(bot, message.chat.id):
            found = await link_summaries.summarize(url, sentences=sentences, language_hint=language)
    except FetchError as error:
        await message.answer(fill(fetch_failure(error), url=quote(url, URL_SHOWN)))
        return
    except NoArticle:
        await message.answer(
            fill(
                _("I opened {url} but found no article there to summarise."),
                url=quote(url, URL_SHOWN),
            )
        )
        return
    chat_id = known_subscriber.chat_id if known_subscriber else message.chat.id
    already = [await own_sources.find(chat_id, address) for address in {url, found.url}]
    keyboard = None if any(already) else add_as_source_keyboard(found.url)
    await message.answer(summary_text(found), reply_markup=keyboard)


def fetch_failure(error: FetchError) -> str:
    """Why the page could not be had, as a template with {url}."""
    if isinstance(error, InvalidURL):
        return _("{url} does not look like a web address.")
    if isinstance(error, BlockedAddress):
        return _("I do not open links to private or local network addresses.")
    if isinstance(error, FetchTimeout):
        return _("The site of {url} took too long to answer. Try again later.")
    if isinstance(error, ResponseTooLarge):
        return _("The page at {url} is too large for me to read.")
    if isinstance(error, TooManyRedirects):
        return _("The link {url} redirects too many times.")
    if isinstance(error, ConnectionFailed):
        return _("I could not reach the site of {url}: check the address.")
    if isinstance(error, HTTPStatusError):
        if error.gone:
            return _("There is no page at {url} (the site says it was not found).")
        return _("The site of {url} answered with an error. Try again later.")
    return _("The site of {url} sent something I cannot read.")


def summary_text(found: LinkSummary) -> str:
    """Linked title, site, then the summary; always within one message."""
    head = [
        f"<b>{link(found.url, found.title, TITLE_SHOWN)}</b>",
        f"<i>{quote(found.source)}</i>",
        "",
    ]
    if not found.sentences:
        head.append(_("The article is too short to summarise; the link above leads to it."))
        return "\n".join(head)
    body = [str(quote(sentence, 1000)) for sentence in found.sentences]
    return "\n".join(head) + "\n" + join_within(body, limit=3500)


def link_digest(url: str) -> str:
    """Twelve hex digits naming a link, alike for the spellings Telegram may normalise a
    text link to (case of scheme and host, a bare host's missing "/")."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    try:
        host = host.encode("idna").decode("ascii")
        port = f":{parts.port}" if parts.port else ""
    except (UnicodeError, ValueError):
        port = ""
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}{port}" if userinfo else f"{host}{port}"
    canonical = f"{parts.scheme.lower()}://{netloc}{parts.path or '/'}?{parts.query}"
    return hashlib.blake2b(canonical.encode(), digest_size=6).hexdigest()


def summarized_link(message: Message) -> str | None:
    """The link a summary is about: its title, the summary message's first text link."""
    for entity in message.entities or []:
        if entity.type == "text_link" and entity.url:
            return entity.url
    return None


def add_as_source_keyboard(url: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=_("Add as a source"),
                    callback_data=LinkAsSource(digest=link_digest(url)).pack(),
                )
            ]
        ]
    )
