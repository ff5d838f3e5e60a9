"""Typed rows of the database, as the services see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Language = Literal["ru", "en", "kk"]
LANGUAGES: tuple[Language, ...] = ("ru", "en", "kk")
DeliveryStatus = Literal["pending", "sent", "empty", "failed", "blocked"]
SourceKind = Literal["feed", "page"]


@dataclass(frozen=True, slots=True)
class Subscriber:
    chat_id: int
    chat_type: str
    language: Language
    timezone: str
    digest_time: str  # local "HH:MM"
    digest_length: int
    paused: bool
    blocked: bool
    last_digest_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        return not (self.paused or self.blocked)


@dataclass(frozen=True, slots=True)
class Topic:
    id: int
    slug: str | None
    query: str
    title_ru: str
    title_en: str
    title_kk: str
    owner_chat_id: int | None
    created_at: datetime

    @property
    def is_catalogue(self) -> bool:
        return self.slug is not None

    def title(self, language: str) -> str:
        """The topic's title in `language`, Russian when that one is missing."""
        return {"en": self.title_en, "kk": self.title_kk}.get(language) or self.title_ru


@dataclass(frozen=True, slots=True)
class Source:
    id: int
    url: str
    name: str
    language: str | None
    kind: SourceKind
    enabled: bool
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    last_error: str | None
    next_fetch_at: datetime | None
    failure_alerted_at: datetime | None
    created_at: datetime

    @property
    def healthy(self) -> bool:
        return self.consecutive_failures == 0


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An article ready to be stored (before it has an id)."""

    url: str
    canonical_url: str
    content_hash: str
    language: str
    title: str
    text: str
    source_id: int | None = None
    author: str | None = None
    published_at: datetime | None = None
    summary: list[str] | None = None
    lemmas: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    source_id: int | None
    url: str
    canonical_url: str
    content_hash: str
    language: str
    title: str
    author: str | None
    text: str
    summary: list[str] | None
    lemmas: str | None
    published_at: datetime | None
    fetched_at: datetime
    story_id: int | None
    source_name: str | None = field(default=None)

    @property
    def time(self) -> datetime:
        """When the article appeared: its publication time, else when it was fetched."""
        return self.published_at or self.fetched_at


@dataclass(frozen=True, slots=True)
class ArticleCard:
    """What a digest shows of an article and ranks it by: all but its text and lemmas.

    Digests and searches read hundreds of articles to rank stories and show a handful;
    the text and lemmas are most of each row and none of what they need.
    """

    id: int
    url: str
    canonical_url: str
    language: str
    title: str
    summary: list[str] | None
    published_at: datetime | None
    fetched_at: datetime
    story_id: int | None
    source_name: str | None
    text_length: int  # in characters

    @property
    def time(self) -> datetime:
        """When the article appeared: its publication time, else when it was fetched."""
        return self.published_at or self.fetched_at


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    chat_id: int
    local_date: str
    status: DeliveryStatus
    parts: list[str] | None
    parts_total: int
    parts_sent: int
    attempts: int
    window_start: datetime | None
    window_end: datetime | None
    last_error: str | None
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime
