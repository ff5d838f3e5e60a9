"""Adding and removing a news source by hand (the admin's /addsource and /removesource, and
the `add-source` / `remove-source` commands), so both follow the same steps.

A URL is added only after it has been fetched through the guarded client (so a link to
a private or local address is refused like any user-given link) and found to be a
feed, or a web page that announces one; then the feed's own URL is what is stored.

These are the operator's shared sources: everyone reads them. A feed that chats follow as
their own (services/sources/own.py) becomes shared when an admin adds it, and when an
admin removes it while chats still follow it, it only stops being shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from services.ingest.fetch import InvalidURL
from services.ingest.ingestor import Ingestor, ResolvedFeed
from services.sources.sources_file import SourcesFileError, check_source_url, read_sources_file
from services.storage import SourceRepository
from services.storage.models import Source
from services.storage.own_sources import OwnSourceRepository


class NotASourceURL(InvalidURL):
    """The address is not an http(s) URL with a host: refused before anything is fetched."""


@dataclass(frozen=True, slots=True)
class AddedSource:
    source: Source
    feed: ResolvedFeed
    existed: bool  # the feed was a source already (now enabled again, name refreshed)


@dataclass(frozen=True, slots=True)
class RemovedSource:
    source: Source
    in_sources_file: bool  # still listed in SOURCES_FILE, so it comes back at the next start
    kept_for_chats: bool = False  # chats follow it as their own: kept, no longer shared


class SourceAdmin:
    def __init__(
        self,
        *,
        ingestor: Ingestor,
        sources: SourceRepository,
        sources_file: Path,
        own: OwnSourceRepository | None = None,
    ) -> None:
        self._ingestor = ingestor
        self._sources = sources
        self._sources_file = sources_file
        self._own = own

    async def add(
        self, url: str, *, name: str | None = None, language: str | None = None
    ) -> AddedSource:
        """Fetch `url`, find its feed and store it; raises FetchError (NotASourceURL before
        any fetch) or FeedError, whose messages say what was wrong with the address.
        `name` and `language`, when given, replace the feed's own title and language."""
        try:
            checked = check_source_url(url)
        except ValueError as exc:
            raise NotASourceURL(str(exc), url=url) from None
        feed = await self._ingestor.resolve_feed(checked)
        existed = await self._sources.by_url(feed.url) is not None
        name = (name or "").strip() or feed.title.strip() or urlsplit(feed.url).hostname or feed.url
        source = await self._sources.upsert(feed.url, name=name, language=language or feed.language)
        if self._own is not None:
            await self._own.set_shared(source.id, True)
        return AddedSource(source, feed, existed)

    async def remove(self, url: str) -> RemovedSource | None:
        """Remove the source with exactly this URL (None if there is none).
        Articles already stored from it stay."""
        source = await self._sources.by_url(url.strip())
        if source is None:
            return None
        if self._own is not None:
            if not await self._own.is_shared(source.id):
                return None  # chats' own sources are not the admins' to remove
            if await self._own.has_followers(source.id):
                await self._own.set_shared(source.id, False)
                return RemovedSource(source, self._listed_in_file(source.url), True)
        if not await self._sources.remove(source.url):
            return None
        return RemovedSource(source, self._listed_in_file(source.url))

    def _listed_in_file(self, url: str) -> bool:
        try:
            return any(spec.url == url for spec in read_sources_file(self._sources_file))
        except SourcesFileError:
            return False
