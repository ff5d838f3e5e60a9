"""Do two stories tell one event? The check a digest makes over what it shows of them.

Stories are grouped as articles arrive, against the window's IDF; a digest holds only the
headline (and, when it has one, the summary) of each story it shows, and no window. So this
check reads the pair alone: the same-event model's measurements with every word weighted
alike, and a stricter bar (DIGEST_THRESHOLD) than grouping's, because hiding a story that
is a different event costs the reader more than showing one event twice. A pair whose
titles each name someone the other never mentions is never one event here.
benchmarks/clustering.py measures it against the headline-overlap rule it replaced.
"""

from __future__ import annotations

from functools import lru_cache

from services.stories.fingerprint import EventFingerprint, fingerprint
from services.stories.similarity import judge, pair_features
from services.text.lemmas import default_lemmatizer

__all__ = ["DIGEST_THRESHOLD", "probability", "same_event", "told", "warm_up"]

DIGEST_THRESHOLD = 0.99


def _alike(_: str) -> float:
    return 1.0


@lru_cache(maxsize=4096)
def told(title: str, language: str, lead: str = "") -> EventFingerprint:
    """What a story shown in a digest tells: its headline and, if at hand, its lead."""
    return fingerprint(title, lead, language, default_lemmatizer())


def probability(first: EventFingerprint, second: EventFingerprint) -> float:
    """P(same event) of two stories read alone (no window's IDF)."""
    return pair_features(first, second, _alike, _alike).probability()


def same_event(first: EventFingerprint, second: EventFingerprint) -> bool:
    """Whether two stories, each as `told`, report one event. Most pairs a digest checks
    are plainly apart, so the costly measurements are taken only for a pair that could
    reach the bar."""
    judged = judge(first, second, _alike, _alike, floor=DIGEST_THRESHOLD)
    return judged is not None and judged.probability() >= DIGEST_THRESHOLD


def warm_up() -> None:
    """Load what the check reads (the lemmatiser, navec's word vectors) now: a running bot
    calls it off the event loop at start, so the first digest or /search does not stall
    every reply for the quarter of a second the vectors take to load."""
    probability(told("Прогрев проверки", "ru"), told("Проверка прогрета", "ru"))
