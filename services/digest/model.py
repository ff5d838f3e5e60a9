"""What a digest holds, independent of how it is shown: the selection's output, the renderer's input.

Kept apart from both so that building (services/digest/service.py) and rendering
(services/digest/render.py) share one vocabulary and neither imports the other's machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from services.storage.models import Language

# daily and weekly digests, one story's realtime alert, a batch of held or capped alerts
DigestKind = Literal["daily", "weekly", "alert", "alerts"]


@dataclass(frozen=True, slots=True)
class SourceLink:
    """Another outlet that carried the same story."""

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story: its best article, plus the other outlets that told it.

    `highlights` are words of the summary to set in bold: under a topic, the query's words
    as the summary spells them, so the reader sees why the story is there.
    """

    story_id: int
    title: str
    url: str
    source: str
    published_at: datetime  # aware
    summary: tuple[str, ...] = ()
    also: tuple[SourceLink, ...] = ()
    highlights: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestSection:
    """The items of one topic, best first."""

    title: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True, slots=True)
class Digest:
    """A whole digest for one reader's language and time zone."""

    language: Language
    timezone: str
    local_date: date
    sections: tuple[DigestSection, ...] = field(default=())
    kind: DigestKind = "daily"

    @property
    def items(self) -> list[DigestItem]:
        return [item for section in self.sections for item in section.items]

    @property
    def is_empty(self) -> bool:
        return not any(section.items for section in self.sections)
