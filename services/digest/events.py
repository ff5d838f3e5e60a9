"""The last check before a digest is shown: no event twice, across topics too.

Stories are grouped as articles arrive (services/stories); now and then two outlets' takes
on one event end up in two stories, and a digest must not show both. The check is the
stories' own same-event predicate (services/stories/same_event.py) over what the digest
shows of each story: its headline and, when given, its lead. It is strict on purpose: on
398 labelled pairs of Russian articles from different outlets (the same event, or a
look-alike on the same subject) it calls 56 pairs the same from headlines alone, 54
rightly, and 60 of 60 rightly with the leads (the headline-overlap rule it replaced: 51,
49 rightly; benchmarks/clustering.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from services.stories.fingerprint import EventFingerprint
from services.stories.same_event import same_event, told

__all__ = ["Headline", "headline", "repeats", "same_event"]

Headline = EventFingerprint  # what the check reads of a story shown


def headline(title: str, language: str, lead: str = "") -> Headline:
    """What a shown story tells: its headline and, if at hand, its lead or summary."""
    return told(title, language, lead)


def repeats(candidate: Headline, shown: Iterable[Headline]) -> bool:
    """Whether a story tells an event some story already shown told."""
    return any(same_event(candidate, other) for other in shown)
