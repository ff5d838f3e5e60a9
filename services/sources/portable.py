"""A chat's topics and settings as a text file it can keep and bring back (/export, /import).

One `key: value` a line, readable and editable by hand:

    language: ru
    timezone: Asia/Almaty
    time: 09:00
    length: 3
    catalogue: kazakhstan            a catalogue topic, by its slug
    topic: нефть OR газ              an own query
    topic: source:https://x.kz/rss   everything from one source

Importing applies what it understands and counts the rest as skipped: a file from an
older or newer bot, or edited by hand, still restores everything it can. A `source:`
topic whose source the chat cannot read yet is added as the chat's own source first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.clock.zones import check_timezone, parse_clock_time
from services.sources.own import OwnSources
from services.storage import SubscriberRepository, SubscriptionRepository, TopicRepository
from services.storage.models import LANGUAGES, Subscriber
from services.storage.own_sources import OwnSourceRepository
from services.topics.index import TopicIndex
from services.topics.query import QueryError, source_url

MAX_FILE_BYTES = 100_000
MAX_LINES = 500
HEADER = "# Newsdigest: topics and settings. Send this file to the bot (/import) to restore them."


class TopicsFileError(ValueError):
    """The file is not a topics file: `code` says why (too_large, not_text, empty)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class TopicsImport:
    settings: list[str] = field(default_factory=list)  # the settings changed, by key
    followed: int = 0  # topics newly followed
    already: int = 0  # topics followed before
    skipped: list[str] = field(default_factory=list)  # lines not understood or refused


class PortableTopics:
    def __init__(
        self,
        *,
        subscribers: SubscriberRepository,
        topics: TopicRepository,
        subscriptions: SubscriptionRepository,
        topic_index: TopicIndex,
        own_sources: OwnSources,
    ) -> None:
        self._subscribers = subscribers
        self._topics = topics
        self._subscriptions = subscriptions
        self._index = topic_index
        self._own = own_sources

    @property
    def _links(self) -> OwnSourceRepository:
        return self._own.repository

    async def export(self, subscriber: Subscriber) -> str:
        lines = [
            HEADER,
            f"language: {subscriber.language}",
            f"timezone: {subscriber.timezone}",
            f"time: {subscriber.digest_time}",
            f"length: {subscriber.digest_length}",
        ]
        for topic in await self._subscriptions.topics_of(subscriber.chat_id):
            if topic.slug:
                lines.append(f"catalogue: {topic.slug}")
            else:
                lines.append(f"topic: {' '.join(topic.query.split())}")
        return "\n".join(lines) + "\n"

    async def restore(self, chat_id: int, data: bytes) -> TopicsImport:
        """Apply a topics file to the chat (TopicsFileError when it is not one)."""
        if len(data) > MAX_FILE_BYTES:
            raise TopicsFileError("too_large")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TopicsFileError("not_text") from None
        entries = [
            (key.strip().casefold(), value.strip())
            for line in text.splitlines()[:MAX_LINES]
            if line.strip() and not line.lstrip().startswith("#")
            for key, _, value in (line.partition(":"),)
        ]
        if not entries:
            raise TopicsFileError("empty")
        report = TopicsImport()
        changes: dict[str, object] = {}
        for key, value in entries:
            setting = _setting(key, value)
            if setting is not None:
                changes.update(setting)
                report.settings.append(key)
            elif key == "catalogue":
                await self._follow_catalogue(chat_id, value, report)
            elif key == "topic":
                await self._follow_query(chat_id, value, report)
            else:
                report.skipped.append(f"{key}: {value}"[:100])
        if changes:
            await self._subscribers.update(chat_id, **changes)
        return report

    async def _follow_catalogue(self, chat_id: int, slug: str, report: TopicsImport) -> None:
        topic = await self._topics.by_slug(slug)
        if topic is None:
            report.skipped.append(f"catalogue: {slug}"[:100])
            return
        await self._count(chat_id, topic.id, report)

    async def _follow_query(self, chat_id: int, query: str, report: TopicsImport) -> None:
        url = source_url(query)
        if url is not None:
            try:
                added = await self._own.add(chat_id, url)
            except Exception:  # refused or unreachable now: reported, the rest goes on
                report.skipped.append(f"topic: {query}"[:100])
                return
            source = added.link.source
            topic = await self._topics.add_personal(chat_id, f"source:{source.url}", source.name)
            await self._count(chat_id, topic.id, report)
            return
        try:
            self._index.parse(query)
        except QueryError:
            report.skipped.append(f"topic: {query}"[:100])
            return
        topic = await self._topics.add_personal(chat_id, query, query)
        await self._count(chat_id, topic.id, report)

    async def _count(self, chat_id: int, topic_id: int, report: TopicsImport) -> None:
        if await self._subscriptions.subscribe(chat_id, topic_id):
            report.followed += 1
        else:
            report.already += 1


def _setting(key: str, value: str) -> dict[str, object] | None:
    """The subscriber setting a line sets, or None when it sets none (or a bad value)."""
    try:
        if key == "language" and value in LANGUAGES:
            return {"language": value}
        if key == "timezone":
            return {"timezone": check_timezone(value)}
        if key == "time":
            return {"digest_time": parse_clock_time(value).strftime("%H:%M")}
        if key == "length" and value.isdigit() and 1 <= int(value) <= 5:
            return {"digest_length": int(value)}
    except ValueError:
        return None
    return None
