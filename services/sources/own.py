"""A chat's own sources: add by URL or OPML, list, remove, export.

Adding goes the admins' way (services/sources/admin.py): the URL is checked, fetched
through the guarded client and resolved to its feed, whose URL is what is stored. The
source is a row of `sources` like any other, so the same feed added by a thousand chats
is fetched once a pass; the link table decides who reads its articles
(services/storage/own_sources.py). A chat holds at most `MAX_OWN_SOURCES`.

An OPML import adds feed after feed and reports each: added, already there, or refused
with the reason. Nothing is half-added: a feed is either linked with its resolved URL
or refused.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from services.ingest.feeds import FeedError, NotAFeed
from services.ingest.fetch import BlockedAddress, FetchError, InvalidURL
from services.ingest.ingestor import Ingestor, ResolvedFeed
from services.sources.admin import NotASourceURL
from services.sources.opml import OpmlFeed, read_opml, write_opml
from services.sources.sources_file import check_source_url
from services.storage.models import Source
from services.storage.own_sources import OwnSource, OwnSourceRepository, Visibility

MAX_OWN_SOURCES = 100
IMPORT_CONCURRENCY = 4  # feeds of one OPML file resolved at once


class OwnSourceLimit(Exception):
    """The chat already has MAX_OWN_SOURCES sources."""


class Refusal(Enum):
    NOT_A_URL = "not_a_url"
    PRIVATE_ADDRESS = "private_address"
    UNREACHABLE = "unreachable"
    NOT_A_FEED = "not_a_feed"
    OVER_LIMIT = "over_limit"


@dataclass(frozen=True, slots=True)
class AddedOwnSource:
    link: OwnSource
    feed: ResolvedFeed
    new: bool  # False: the chat had it already


@dataclass(slots=True)
class ImportReport:
    added: list[OwnSource] = field(default_factory=list)
    already: list[OwnSource] = field(default_factory=list)
    refused: list[tuple[str, Refusal]] = field(default_factory=list)  # (url as given, why)

    @property
    def stopped_at_limit(self) -> bool:
        return any(why is Refusal.OVER_LIMIT for _, why in self.refused)


def masked(url: str) -> str:
    """A feed URL safe to show beside others': no user, password, query or fragment,
    where private feeds keep their tokens."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def refusal_of(error: Exception) -> Refusal:
    """Why a URL was refused, in the few words a reader can act on."""
    if isinstance(error, InvalidURL):
        return Refusal.NOT_A_URL
    if isinstance(error, BlockedAddress):
        return Refusal.PRIVATE_ADDRESS
    if isinstance(error, FetchError):
        return Refusal.UNREACHABLE
    if isinstance(error, OwnSourceLimit):
        return Refusal.OVER_LIMIT
    return Refusal.NOT_A_FEED


class OwnSources:
    def __init__(self, *, ingestor: Ingestor, own: OwnSourceRepository) -> None:
        self._ingestor = ingestor
        self._own = own

    @property
    def repository(self) -> OwnSourceRepository:
        return self._own

    async def add(self, chat_id: int, url: str) -> AddedOwnSource:
        """Resolve `url` to its feed and make it the chat's source.

        Raises NotASourceURL (before any fetch), OwnSourceLimit, FetchError or FeedError.
        """
        try:
            checked = check_source_url(url)
        except ValueError as exc:
            raise NotASourceURL(str(exc), url=url) from None
        if await self._own.count(chat_id) >= MAX_OWN_SOURCES:
            raise OwnSourceLimit(url)
        feed = await self._ingestor.resolve_feed(checked)
        name = feed.title.strip() or urlsplit(feed.url).hostname or feed.url
        link, new = await self._own.add(
            chat_id, feed.url, name=name[:200], language=feed.language, kind="feed"
        )
        return AddedOwnSource(link, feed, new)

    async def visibility(self, chat_id: int, article_ids: list[int]) -> Visibility:
        """Which of these articles the chat may be shown (not other chats' own sources')."""
        return await self._own.visibility(chat_id, article_ids)

    async def list(self, chat_id: int) -> list[OwnSource]:
        return await self._own.of_chat(chat_id)

    async def find(self, chat_id: int, url_or_id: str) -> OwnSource | None:
        """The chat's source by its URL (as stored or as first given) or its id."""
        wanted = url_or_id.strip()
        for link in await self._own.of_chat(chat_id):
            if wanted in (link.source.url, str(link.source.id), masked(link.source.url)):
                return link
        return None

    async def shared_source(self, url: str) -> Source | None:
        """The operator's source at `url`: everyone reads it without adding it."""
        return await self._own.shared_source(url.strip())

    async def remove(self, chat_id: int, source_id: int) -> OwnSource | None:
        link = await self._own.get(chat_id, source_id)
        if link is None or not await self._own.remove(chat_id, source_id):
            return None
        return link

    async def import_opml(self, chat_id: int, data: bytes) -> ImportReport:
        """Add every feed of an OPML file (OpmlError when the file itself is refused)."""
        feeds = read_opml(data)
        report = ImportReport()
        have = {link.source.url for link in await self._own.of_chat(chat_id)}
        room = MAX_OWN_SOURCES - len(have)
        todo: list[OpmlFeed] = []
        for feed in feeds:
            if feed.url in have:
                link = await self._own_by_url(chat_id, feed.url)
                if link is not None:
                    report.already.append(link)
                continue
            if len(todo) >= room:
                report.refused.append((feed.url, Refusal.OVER_LIMIT))
                continue
            todo.append(feed)
        gate = asyncio.Semaphore(IMPORT_CONCURRENCY)

        async def resolve(feed: OpmlFeed) -> tuple[OpmlFeed, ResolvedFeed | Exception]:
            async with gate:
                try:
                    checked = check_source_url(feed.url)
                except ValueError as exc:
                    return feed, NotASourceURL(str(exc), url=feed.url)
                try:
                    return feed, await self._ingestor.resolve_feed(checked)
                except (FetchError, FeedError, NotAFeed) as exc:
                    return feed, exc

        for feed, outcome in await asyncio.gather(*(resolve(feed) for feed in todo)):
            if isinstance(outcome, Exception):
                report.refused.append((feed.url, refusal_of(outcome)))
                continue
            name = feed.title or outcome.title.strip() or urlsplit(outcome.url).hostname or ""
            link, new = await self._own.add(
                chat_id, outcome.url, name=name[:200] or outcome.url, language=outcome.language
            )
            (report.added if new else report.already).append(link)
        return report

    async def _own_by_url(self, chat_id: int, url: str) -> OwnSource | None:
        return next((x for x in await self._own.of_chat(chat_id) if x.source.url == url), None)

    async def export_opml(self, chat_id: int) -> bytes:
        """The chat's sources as an OPML file for any feed reader (or for /import here)."""
        links = await self._own.of_chat(chat_id)
        return write_opml(
            "Newsdigest", [OpmlFeed(link.source.url, link.source.name) for link in links]
        )
